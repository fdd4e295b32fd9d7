// Citations in plain text — of the records in view and of one record — and copying them: to the
// clipboard when the browser allows it, and always into a box the reader can select from.
import { el, KINDS, KIND_LABEL, KIND_ONE } from './dom.js';
import { formatDate, formatCount, rangeLabel, plural } from './format.js';
import { filterText } from './filters.js';
import { state } from './state.js';
import { today } from './dataset.js';

export const TITLE = 'ISKP activity by jurisdiction (iskp-map)';

/** The selected time in words: "Jan 2020 – Dec 2023, records overlapping it (totals shared out by days)". */
export function timeText() {
  if (!state.from || !state.to) return 'all dates';
  const how = state.match === 'within' ? 'only records wholly inside it' : 'records overlapping it, totals that reach outside counted for their days inside';
  return `${rangeLabel(state.from, state.to)} (${how})`;
}

/** The checked kinds in words: "all kinds" or "Interdicted plots, Arrests". */
export function kindsText() {
  const on = KINDS.filter((k) => state.kinds.has(k));
  if (on.length === KINDS.length) return 'all kinds';
  return on.length ? on.map((k) => KIND_LABEL[k]).join(', ') : 'none';
}

/** One document in a line: "S1 — Aaron Zelin, ISKP Goes Global…, The Washington Institute, 2023. URL". */
function documentLine(d, extra = '') {
  const who = [d.author, d.title, d.publisher, d.published].filter(Boolean).join(', ');
  return `${d.id} — ${who}${extra}${d.url ? `. ${d.url}` : ''}`;
}

/**
 * The citation of the records in view. `view` = { bbox, matched, features (the records, or null
 * when there are too many to load) }; `data` = dataset(); `url` the permalink.
 */
export function viewCitation(view, data, url) {
  const docs = new Map();
  if (view.features) {
    for (const f of view.features) for (const s of f.properties.sources || []) docs.set(s.id, (docs.get(s.id) || 0) + 1);
  }
  const ids = view.features ? [...docs.keys()].sort() : [...data.documents.keys()];
  const lines = [
    `${TITLE}: ${plural(view.matched, 'record')} in view.`,
    `Data version ${data.version || 'unknown'}${data.changedAt ? `, data changed at ${data.changedAt}` : ''}.`,
    `Time: ${timeText()}.`,
    `Kinds: ${kindsText()}.`,
    `Filters: ${filterText() || 'none'}${state.outside ? ' · outside Afghanistan only' : ''}.`,
    `Map view (lon/lat box): ${view.bbox}.`,
    `Permalink: ${url}`,
    `Accessed ${today()}.`,
    view.features ? `Documents behind these records (${ids.length}):` : 'Documents behind the data (too many records in view to list which):',
    ...ids.map((id) => {
      const d = data.documents.get(id) || { id, title: '' };
      return `  ${documentLine(d, view.features ? ` (${plural(docs.get(id), 'record')})` : '')}`;
    }),
  ];
  return lines.join('\n');
}

/** The permalink of one record: this page with only the record selected. */
export function recordUrl(id) {
  return `${window.location.origin}${window.location.pathname}#sel=${encodeURIComponent(id)}`;
}

/** The citation of one record: what, when, where, the documents and sections it cites. */
export function recordCitation(f, data) {
  const p = f.properties;
  const place = [p.place, p.admin1, p.country_name].filter((x, i, a) => x && a.indexOf(x) === i).join(', ');
  const lines = [
    `“${p.title}”, record ${p.id} of ${TITLE}.`,
    `${KIND_ONE[p.kind] || p.kind}; ${formatDate(p)}; ${place}; ${formatCount(p)} ${p.count === 1 ? 'event' : 'events'}; ${p.claim}${p.link ? `, ${p.link}` : ''}.`,
    `Data version ${data.version || 'unknown'}${data.changedAt ? `, data changed at ${data.changedAt}` : ''}.`,
    `Permalink: ${recordUrl(p.id)}`,
    `Accessed ${today()}.`,
    'Sources:',
    ...(p.sources || []).map((s) => `  ${documentLine({ ...(data.documents.get(s.id) || {}), ...s }, `; section: ${s.section}`)}`),
  ];
  return lines.join('\n');
}

/**
 * Copies `text` and shows it in `box` (a node that gets a status line and a selectable text box):
 * the box is the fallback when the clipboard is refused, and lets the reader see what was copied.
 */
export async function copyInto(box, text, label) {
  const id = `${box.id || 'copy'}-text`;
  const area = el('textarea', { id, class: 'copy-text', readonly: true, rows: Math.min(14, text.split('\n').length + 1), spellcheck: 'false' });
  area.value = text;
  const status = el('p', { class: 'copy-status', role: 'status' }, 'Copying…');
  box.replaceChildren(el('label', { for: id, class: 'copy-label' }, label), area, status);
  box.hidden = false;
  try {
    if (!navigator.clipboard || !window.isSecureContext) throw new Error('no clipboard');
    await navigator.clipboard.writeText(text);
    status.textContent = 'Copied to the clipboard. The text is also in the box above.';
    status.dataset.copied = 'true';
  } catch {
    status.textContent = 'The browser did not allow copying: select the text in the box above and copy it.';
    status.dataset.copied = 'false';
    area.focus();
    area.select();
  }
}
