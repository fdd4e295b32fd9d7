// The time controls: a month range (sliders, presets, and a brush over the timeline histogram),
// how records are counted against it (shared out by days, or only those wholly inside), Play —
// which steps through the chosen range, never beyond it, and shows the date it is at on the map
// and on the histogram.
import { el, icon, KINDS, KIND_LABEL } from './dom.js';
import { timelineStats } from './first.js';
import { fmtShare, monthLabel, rangeLabel } from './format.js';
import { createHistogram } from './histogram.js';
import { drawPresets } from './presets.js';
import { state } from './state.js';

const L = window.L;
const $ = (id) => document.getElementById(id);
const STEP_MS = 900;
/** How long a run of range changes (a key held on a slider or the chart) must pause before the map follows. */
const SETTLE_MS = 250;

export function createTimebar(map, months, { onChange }) {
  const from = $('from');
  const to = $('to');
  let playing = null; // { range, steps, i, timer }
  const dateBox = el('div', { class: 'play-date', 'aria-live': 'off' });
  const DateControl = L.Control.extend({ onAdd: () => dateBox });
  const dateControl = new DateControl({ position: 'bottomleft' });
  // Arrow keys on a slider or the chart change the range many times a second: the map follows once
  // they pause, not once per key (which would ask the server for every step on the way). The page
  // says it is busy meanwhile, so nothing reads the old view as the new one.
  let settle = null;
  const settled = () => {
    clearTimeout(settle);
    document.body.dataset.busy = 'true';
    settle = setTimeout(() => { settle = null; onChange(); }, SETTLE_MS);
  };
  /** A range chosen on the histogram or by a preset: as the sliders set it, then the map follows. */
  const choose = (fi, ti, done = true) => {
    stop(false);
    setRange(fi, ti);
    if (done) { drawChart(); settled(); }
  };
  const presets = drawPresets($('presets'), months, (fi, ti) => choose(fi, ti));
  const histogram = createHistogram($('timeline'), months, {
    onRange: choose,
    // The slider's value as a screen reader speaks it: the range and what its bars hold.
    describe: (fi, ti, sums) => {
      const where = state.outside ? ' outside Afghanistan' : '';
      const parts = sums.filter((p) => p.value > 0).map((p) => `${fmtShare(p.value)} ${KIND_LABEL[p.kind].toLowerCase()}`);
      const total = sums.reduce((a, p) => a + p.value, 0);
      return `${rangeLabel(months[fi], months[ti])}: ${fmtShare(total)} events${where}${parts.length ? ` (${parts.join(', ')})` : ''}`;
    },
  });

  function show() {
    const f = months.indexOf(playing ? playing.range.from : state.from);
    const t = months.indexOf(playing ? playing.range.to : state.to);
    from.value = String(f);
    to.value = String(t);
    $('from-out').textContent = monthLabel(months[f]);
    $('to-out').textContent = monthLabel(months[t]);
    $('range-out').textContent = rangeLabel(months[f], months[t]);
    presets.mark(f, t);
  }

  /** Sets the range by month indices (clamped, from ≤ to). */
  function setRange(fi, ti) {
    const f = Math.max(0, Math.min(fi, months.length - 1));
    const t = Math.max(f, Math.min(ti, months.length - 1));
    state.from = months[f];
    state.to = months[t];
    show();
  }

  for (const input of [from, to]) {
    input.max = String(months.length - 1);
    input.addEventListener('input', () => {
      stop(false);
      const f = Number(from.value);
      const t = Number(to.value);
      if (input === from) setRange(f, Math.max(f, t)); else setRange(Math.min(f, t), t);
      drawChart();
    });
    input.addEventListener('change', () => settled());
  }
  const within = $('match-within');
  within.addEventListener('change', () => { state.match = within.checked ? 'within' : 'spread'; onChange(); });

  function button(isPlaying) {
    const b = $('play');
    b.setAttribute('aria-pressed', String(isPlaying));
    b.replaceChildren(icon(isPlaying ? 'pause' : 'play'), isPlaying ? ' Pause' : ' Play');
  }

  function stop(restore = true) {
    if (!playing) return;
    clearTimeout(playing.timer);
    const { range } = playing;
    playing = null;
    button(false);
    map.removeControl(dateControl);
    if (restore) { state.from = range.from; state.to = range.to; show(); onChange(); }
  }

  async function step() {
    if (!playing) return;
    const s = playing.steps[playing.i];
    state.from = s.from;
    state.to = s.to;
    dateBox.textContent = rangeLabel(s.from, s.to);
    drawChart();
    const started = performance.now();
    await onChange();
    if (!playing) return;
    playing.i += 1;
    if (playing.i >= playing.steps.length) { playing.timer = setTimeout(() => stop(true), STEP_MS); return; }
    playing.timer = setTimeout(step, Math.max(0, STEP_MS - (performance.now() - started)));
  }

  /** The steps of Play over the chosen range: months for up to three years, else years. */
  function stepsOf(range) {
    const a = months.indexOf(range.from);
    const b = months.indexOf(range.to);
    const out = [];
    const byYear = b - a + 1 > 36;
    for (let i = a; i <= b;) {
      if (byYear) {
        const y = months[i].slice(0, 4);
        let j = i;
        while (j + 1 <= b && months[j + 1].startsWith(y)) j += 1;
        out.push({ from: months[i], to: months[j] });
        i = j + 1;
      } else { out.push({ from: months[i], to: months[i] }); i += 1; }
    }
    return out;
  }

  $('play').addEventListener('click', () => {
    if (playing) { stop(true); return; }
    const range = { from: state.from, to: state.to };
    playing = { range, steps: stepsOf(range), i: 0, timer: null };
    button(true);
    dateControl.addTo(map);
    step();
  });
  button(false);

  let timeline = null;
  // Two answers hold every kind's series (`spread_by_kind`): everywhere, and Afghanistan's.
  async function loadTimeline() {
    const [per, home] = await timelineStats();
    timeline = { per, home };
  }

  /**
   * Events per month of each checked kind (totals spread over their span), outside Afghanistan if
   * so filtered: the API's `spread`, less the home country's.
   */
  function monthly() {
    const at = new Map(months.map((m, i) => [m, i]));
    const stacks = months.map(() => []);
    KINDS.forEach((kind) => {
      if (!state.kinds.has(kind)) return;
      const v = new Array(months.length).fill(0);
      for (const t of timeline.per.timeline) if (at.has(t.period)) v[at.get(t.period)] += t.spread_by_kind[kind];
      if (state.outside) for (const t of timeline.home.timeline) if (at.has(t.period)) v[at.get(t.period)] -= t.spread_by_kind[kind];
      v.forEach((value, i) => stacks[i].push({ kind, value: Math.max(0, value) }));
    });
    return stacks;
  }

  /** What the chart was last drawn from: it shows every place, so a new view alone does not redraw it. */
  let drawnFrom = null;
  function drawChart() {
    if (!timeline) return;
    const r = playing ? playing.range : { from: state.from, to: state.to };
    const sel = [months.indexOf(r.from), months.indexOf(r.to)];
    const cursor = playing ? [months.indexOf(state.from), months.indexOf(state.to)] : null;
    const where = state.outside ? ' outside Afghanistan' : '';
    const stacks = monthly();
    const key = JSON.stringify([stacks, sel, cursor, where]);
    if (key === drawnFrom) return;
    drawnFrom = key;
    histogram.draw(stacks, sel, cursor,
      (m, p) => `${monthLabel(m)}: ${fmtShare(p.value)} ${KIND_LABEL[p.kind].toLowerCase()}${where}, everywhere (not only in view)`);
  }

  return {
    setRange, show, stop, loadTimeline, drawChart,
    isPlaying: () => Boolean(playing),
    syncMatch() { within.checked = state.match === 'within'; },
  };
}
