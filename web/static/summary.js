// The figures of the view: the status line (records and events of the checked kinds in view) and
// the records and events of each kind in the layer list. Both come from the same per-kind answers
// of `/api/stats` through figures.js, so they add up.
import { KINDS } from './dom.js';
import { fmtInt, fmtShare, plural, rangeLabel } from './format.js';
import { viewKindFigure, add, ZERO, eventsText, partialText, shortText } from './figures.js';
import { state } from './state.js';
import { filterText } from './filters.js';

const $ = (id) => document.getElementById(id);

/** The figure of the checked kinds in view. */
export function viewFigure(snap) {
  return snap.kinds.reduce((acc, k) => add(acc, viewKindFigure(snap.perKind[k], k, state.outside)), ZERO);
}

export function drawSummary(snap, drawn) {
  for (const k of KINDS) {
    const f = viewKindFigure(snap.perKind[k], k, state.outside);
    const row = document.querySelector(`[data-count="${k}"]`);
    if (!row) continue;
    row.querySelector('.rec').textContent = fmtInt(f.records);
    row.querySelector('.ev').textContent = shortText(f);
    row.title = `${plural(f.records, 'record')}, ${eventsText(f)}, in view`;
    row.classList.toggle('off', !state.kinds.has(k));
    row.classList.toggle('partial', Boolean(f.partialEvents));
  }
  const fig = viewFigure(snap);
  const where = state.outside ? 'in view outside Afghanistan' : 'in view';
  const when = rangeLabel(state.from, state.to);
  const how = state.match === 'within' ? ' (only records wholly inside it)' : '';
  let text = `${plural(fig.records, 'record')} ${where}, ${when}${how}, of the checked kinds: ${eventsText(fig)}.`;
  if (fig.partialEvents) text += ` ${partialText(fig)}`;
  const filtered = filterText();
  if (filtered) text += ` Filters: ${filtered}.`;
  if (drawn.cells !== undefined) text += ` Shown in ${fmtInt(drawn.cells)} clusters — zoom in to see single records.`;
  if (!snap.kinds.length) text = 'No kind of activity is checked: tick one in Layers.';
  $('status').textContent = text;
  $('status').dataset.records = String(fig.records);
  $('status').dataset.events = String(fig.events);
  $('status').dataset.inside = String(Math.round(fig.inside * 1000) / 1000);
  return fig;
}

export { fmtShare };
