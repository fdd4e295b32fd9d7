// A jurisdiction's profile, shown above its list of records when a country or province is opened:
// its events in the selected time by kind and by claim (the map's accounting: a total spanning
// more than the window counts only for its days inside it), and a year-by-year series of its
// events (each total spread over the days of its span, the timeline's `spread`) with the selected
// years marked. Every figure comes from `/api/stats` with the page's filters, as the map's do.
import { el, KIND_LABEL } from './dom.js';
import { api, timeParams } from './api.js';
import { fmtShare } from './format.js';
import { state } from './state.js';

const CLAIMS = [['claimed', 'claimed'], ['attributed', 'attributed'], ['suspected', 'suspected']];

/** The figure of one kind (or of `total`) in a stats group: the window's share when a window is set. */
const figure = (g, k, windowed) => (!g ? 0 : windowed ? (g.inside || {})[k] || 0 : g[k] || 0);

/** A bar of `share` (0–1) of the cell's width (set through the CSSOM: the page's policy forbids style attributes). */
function bar(share) {
  const b = el('span', { class: 'bar', 'aria-hidden': 'true' });
  b.style.width = `${Math.max(share > 0 ? 1 : 0, share * 100).toFixed(1)}%`;
  return b;
}

/** Events per year of `kinds`: the answer's `spread_by_kind`, summed over them. */
function years(answer, kinds) {
  const out = new Map();
  for (const t of answer.timeline) out.set(t.period, kinds.reduce((s, k) => s + t.spread_by_kind[k], 0));
  return out;
}

/**
 * Builds the profile of jurisdiction `id` at `level` ('country' or 'province') for the checked
 * `kinds`; `areaOnly` restricts it to records known only to that level, like the list below it.
 */
export async function jurisdictionProfile(level, id, kinds, { areaOnly = false } = {}) {
  const place = { [level]: id, by: level };
  if (areaOnly) place.geo_precision = level;
  const time = timeParams();
  const windowed = Boolean(time.datetime) && time.datetime_match !== 'within';
  const [byClaim, any, series] = await Promise.all([
    Promise.all(CLAIMS.map(([c]) => api('/api/stats', { ...place, ...time, claim: c }))),
    api('/api/stats', { ...place, ...time }),
    api('/api/stats', { ...place, period: 'year' }),
  ]);
  const group = (a) => a.groups.find((g) => g.id === id);
  const claimGroups = byClaim.map(group);
  const anyGroup = group(any);
  // One row per checked kind: its events under each claim grade, and all of them (records with
  // no grade are in "all" only, so a row may be more than its grades).
  const num = (v) => el('td', { class: 'n' }, fmtShare(v));
  const rowOf = (label, f) => el('tr', {}, el('th', { scope: 'row' }, label), claimGroups.map((g) => num(f(g))), num(f(anyGroup)));
  const sumKinds = (g) => kinds.reduce((s, k) => s + figure(g, k, windowed), 0);
  const breakdown = el('table', { class: 'profile-table' },
    el('caption', {}, windowed ? 'Events in the selected time by kind and claim (totals shared out by days, as on the map)' : 'Events by kind and claim'),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Kind'), CLAIMS.map(([, label]) => el('th', { scope: 'col', class: 'n' }, label)), el('th', { scope: 'col', class: 'n' }, 'all'))),
    el('tbody', {}, kinds.map((k) => rowOf(KIND_LABEL[k], (g) => figure(g, k, windowed)))),
    el('tfoot', {}, rowOf('All kinds', sumKinds)));
  // The series: one row per year, a bar as wide as its share of the largest year.
  const ys = years(series, kinds);
  const list = [...ys.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const max = Math.max(1e-9, ...list.map(([, v]) => v));
  const inRange = (y) => y >= state.from.slice(0, 4) && y <= state.to.slice(0, 4);
  const chart = el('table', { class: 'profile-series' },
    el('caption', {}, 'Events per year, every year (totals spread over their span); the selected years are dark'),
    el('thead', { class: 'sr' }, el('tr', {}, el('th', { scope: 'col' }, 'Year'), el('th', { scope: 'col' }, 'Events'))),
    el('tbody', {}, list.map(([y, v]) => el('tr', { class: inRange(y) ? 'on' : null, 'data-year': y, 'data-spread': String(v) },
      el('th', { scope: 'row' }, y),
      el('td', {}, bar(v / max), el('span', { class: 'v' }, fmtShare(v)))))));
  return el('div', { class: 'profile', 'data-level': level, 'data-id': id }, breakdown, chart);
}
