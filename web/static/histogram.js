// The timeline histogram: stacked bars per kind and month, drawn with d3, and a d3 brush over it
// that picks a range of whole months — by dragging, or from the keyboard while the chart has focus.
const d3 = window.d3;

const H = 110;
const M = { top: 6, right: 6, bottom: 16, left: 6 };

/**
 * A histogram over `months` in `svg`. `onRange(fi, ti, done)` is called with month indices while
 * the reader drags (`done` false) and once when the range is chosen (`done` true).
 */
export function createHistogram(svg, months, { onRange, describe }) {
  const root = d3.select(svg);
  const x = d3.scaleLinear().domain([0, months.length]);
  const y = d3.scaleLinear();
  const bars = root.append('g').attr('class', 'bars');
  const axis = root.append('g').attr('class', 'axis');
  const peak = root.append('text').attr('class', 'peak').attr('x', M.left + 2).attr('y', M.top + 8);
  const brushG = root.append('g').attr('class', 'brush');
  let width = 300;
  let last = null; // { stacks, range, cursor }
  let range = [0, months.length - 1];
  let before = null; // the range when a drag started

  const snap = (sel) => {
    const a = Math.max(0, Math.min(months.length - 1, Math.round(x.invert(sel[0]))));
    const b = Math.max(a, Math.min(months.length - 1, Math.round(x.invert(sel[1])) - 1));
    return [a, b];
  };
  const brush = d3.brushX()
    .on('start', (e) => { if (e.sourceEvent) before = [...range]; })
    .on('brush', (e) => {
      if (!e.sourceEvent || !e.selection) return;
      const [a, b] = snap(e.selection);
      if (a !== range[0] || b !== range[1]) { range = [a, b]; onRange(a, b, false); }
    })
    .on('end', (e) => {
      if (!e.sourceEvent) return;
      // A click without a drag picks the month under the pointer.
      if (e.selection) range = snap(e.selection);
      else {
        const i = Math.floor(x.invert(d3.pointer(e.sourceEvent, svg)[0]));
        range = [Math.max(0, Math.min(months.length - 1, i)), 0];
        range[1] = range[0];
      }
      moveBrush();
      if (!before || before[0] !== range[0] || before[1] !== range[1]) onRange(range[0], range[1], true);
      before = null;
    });

  function moveBrush() {
    brushG.call(brush.move, [x(range[0]), x(range[1] + 1)]);
  }

  function layout() {
    width = Math.max(120, svg.clientWidth || svg.getBoundingClientRect().width || 300);
    root.attr('viewBox', `0 0 ${width} ${H}`).attr('height', H);
    x.range([M.left, width - M.right]);
    brush.extent([[M.left, M.top], [width - M.right, H - M.bottom]]);
    brushG.call(brush);
    brushG.selectAll('.handle').attr('aria-hidden', 'true');
  }

  function drawAxis() {
    const years = [];
    months.forEach((m, i) => { if (m.endsWith('-01') || i === 0) years.push({ i, y: m.slice(0, 4) }); });
    const perYear = (x(12) - x(0));
    const every = perYear >= 30 ? 1 : perYear >= 15 ? 2 : 5;
    const full = perYear >= 30;
    axis.selectAll('*').remove();
    axis.attr('transform', `translate(0,${H - M.bottom})`);
    axis.append('line').attr('x1', x(0)).attr('x2', x(months.length)).attr('y1', 0.5).attr('y2', 0.5);
    for (const t of years) {
      axis.append('line').attr('class', 'tick').attr('data-period', months[t.i])
        .attr('x1', x(t.i) + 0.5).attr('x2', x(t.i) + 0.5).attr('y1', 0).attr('y2', 4);
      if (Number(t.y) % every !== 0 && years.length > 1) continue;
      const mid = Math.min(x(t.i + 6), x(months.length) - 12);
      axis.append('text').attr('x', mid).attr('y', 13).attr('text-anchor', 'middle').text(full ? t.y : `'${t.y.slice(2)}`);
    }
  }

  /**
   * Draws `stacks` — per month, [{ kind, value }] bottom to top — with months inside `sel`
   * ([from, to] indices) dark, and those inside `cursor` (while playing) marked.
   */
  function draw(stacks, sel, cursor, title) {
    last = { stacks, sel, cursor, title };
    layout();
    const max = Math.max(1e-9, ...stacks.map((s) => s.reduce((a, p) => a + p.value, 0)));
    y.domain([0, max]).range([H - M.bottom, M.top + 10]);
    peak.text(`at most ${d3.format(',~r')(Number(max.toPrecision(2)))} a month`);
    const bw = x(1) - x(0);
    bars.selectAll('*').remove();
    if (cursor) {
      bars.append('rect').attr('class', 'now-band').attr('x', x(cursor[0])).attr('width', x(cursor[1] + 1) - x(cursor[0]))
        .attr('y', M.top).attr('height', H - M.bottom - M.top);
    }
    stacks.forEach((stack, i) => {
      const on = i >= sel[0] && i <= sel[1];
      const now = cursor && i >= cursor[0] && i <= cursor[1];
      const g = bars.append('g').attr('class', `month${on ? ' on' : ''}${now ? ' now' : ''}${cursor ? ' playing' : ''}`).attr('data-period', months[i]);
      let base = 0;
      for (const p of stack) {
        if (!(p.value > 0)) continue;
        const y0 = y(base);
        const y1 = y(base + p.value);
        g.append('rect').attr('class', `seg k-${p.kind}`)
          .attr('x', x(i) + (bw > 3 ? 0.25 : 0)).attr('width', Math.max(0.5, bw > 3 ? bw - 0.5 : bw))
          .attr('y', y1).attr('height', y0 - y1)
          .attr('data-kind', p.kind).attr('data-value', String(p.value))
          .append('title').text(title(months[i], p));
        base += p.value;
      }
      g.attr('data-total', String(base));
    });
    drawAxis();
    range = [sel[0], sel[1]];
    moveBrush();
    svg.setAttribute('aria-valuenow', String(sel[0]));
    // A slider's children are presentational: the bars inside the range are summed into its value.
    const sums = new Map();
    for (let i = sel[0]; i <= sel[1]; i++) for (const p of stacks[i] || []) sums.set(p.kind, (sums.get(p.kind) || 0) + p.value);
    svg.setAttribute('aria-valuetext', describe(sel[0], sel[1], [...sums].map(([kind, value]) => ({ kind, value }))));
  }

  // Keyboard: ←/→ move the range a month, Shift+←/→ move its end, PageUp/PageDown a year,
  // Home/End to the first or last month (Shift+Home/End stretch it there).
  svg.addEventListener('keydown', (e) => {
    const n = months.length;
    let [a, b] = range;
    const len = b - a;
    const step = e.key === 'PageUp' || e.key === 'PageDown' ? 12 : 1;
    if (e.key === 'ArrowLeft' || e.key === 'ArrowDown' || e.key === 'PageDown') {
      if (e.shiftKey) b = Math.max(a, b - step); else { a = Math.max(0, a - step); b = a + len; }
    } else if (e.key === 'ArrowRight' || e.key === 'ArrowUp' || e.key === 'PageUp') {
      if (e.shiftKey) b = Math.min(n - 1, b + step); else { b = Math.min(n - 1, b + step); a = b - len; }
    } else if (e.key === 'Home') {
      if (e.shiftKey) a = 0; else { a = 0; b = len; }
    } else if (e.key === 'End') {
      if (e.shiftKey) b = n - 1; else { b = n - 1; a = b - len; }
    } else return;
    e.preventDefault();
    if (a === range[0] && b === range[1]) return;
    range = [a, b];
    onRange(a, b, true);
  });

  svg.setAttribute('aria-valuemin', '0');
  svg.setAttribute('aria-valuemax', String(months.length - 1));
  new ResizeObserver(() => { if (last && Math.abs((svg.clientWidth || 0) - width) > 1) draw(last.stacks, last.sel, last.cursor, last.title); }).observe(svg);

  return { draw };
}
