// Citations in plain text — of the records in view and of one record — made from the API's
// citation manifest (/api/citation: the data version, the query, the access time and the documents
// behind the records, also as CSL-JSON and BibTeX), and copying them: to the clipboard when the
// browser allows it, and always into a box the reader can select from.
import { el, KINDS, KIND_LABEL, KIND_ONE } from './dom.js';
import { formatDate, formatCount, rangeLabel, plural } from './format.js';
import { filterText } from './filters.js';
import { state } from './state.js';
import { today } from './dataset.js';
import { api, apiRaw } from './api.js';

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
 * The citation manifest of a query (GET /api/citation): data version, change and access time,
 * the filters, and the documents behind the matched records with their CSL-JSON and BibTeX.
 * `params` are the record filters; `raw` leaves the reader's filters out (a record's citation).
 * One request per copy: nothing is asked until the reader asks for a citation.
 */
export async function citationManifest(params, { raw = false } = {}) {
  return raw ? apiRaw('/api/citation', params) : api('/api/citation', params);
}

/** A manifest's documents as documentLine() takes them, with the sections cited: the CSL items say who, what and when. */
function manifestDocuments(m) {
  const csl = new Map((m.csl || []).map((c) => [c.id, c]));
  return (m.documents || []).map((d) => {
    const c = csl.get(d.key) || {};
    const issued = c.issued ? (c.issued.literal || (c.issued['date-parts'] || [[]])[0].join('-')) : '';
    return {
      id: d.id,
      citedBy: d.citedBy,
      sections: d.sections || [],
      author: (c.author || []).map((a) => a.literal || [a.given, a.family].filter(Boolean).join(' ')).join(', '),
      title: c.title || '',
      publisher: c.publisher || '',
      published: issued,
      url: c.URL || '',
    };
  });
}

/** The manifest's own address (the JSON), for a citation to point at. */
function manifestUrl(m) {
  const self = (m.links || []).find((l) => l.rel === 'self');
  return self ? self.href : '';
}

/**
 * The citation of the records in view, made from their manifest `m` (/api/citation with the
 * download's query). `view` = { bbox, matched }; `url` the permalink.
 */
export function viewCitation(view, m, url) {
  const docs = manifestDocuments(m);
  const lines = [
    `${TITLE}: ${plural(view.matched, 'record')} in view.`,
    `Data version ${m.dataVersion || 'unknown'}${m.changedAt ? `, data changed at ${m.changedAt}` : ''}.`,
    `Time: ${timeText()}.`,
    `Kinds: ${kindsText()}.`,
    `Filters: ${filterText() || 'none'}${state.outside ? ' · outside Afghanistan only' : ''}.`,
    `Map view (lon/lat box): ${view.bbox}.`,
    `Permalink: ${url}`,
    `Accessed ${(m.accessedAt || '').slice(0, 10) || today()}.`,
    `Citation manifest (CSL-JSON, BibTeX): ${manifestUrl(m)}`,
    `Documents behind these records (${docs.length}):`,
    ...docs.map((d) => `  ${documentLine(d, ` (${plural(d.citedBy, 'record')})`)}`),
  ];
  return lines.join('\n');
}

/** The permalink of one record: this page with only the record selected. */
export function recordUrl(id) {
  return `${window.location.origin}${window.location.pathname}#sel=${encodeURIComponent(id)}`;
}

/** The query that selects one record and nothing else, whatever the reader's filters. */
export function recordQuery(id) {
  return { filter: `id = '${String(id).replace(/'/g, "''")}'` };
}

/** The citation of one record from its manifest `m` (recordQuery): what, when, where, the documents and sections it cites. */
export function recordCitation(f, m) {
  const p = f.properties;
  const place = [p.place, p.admin1, p.country_name].filter((x, i, a) => x && a.indexOf(x) === i).join(', ');
  const lines = [
    `“${p.title}”, record ${p.id} of ${TITLE}.`,
    `${KIND_ONE[p.kind] || p.kind}; ${formatDate(p)}; ${place}; ${formatCount(p)} ${p.count === 1 ? 'event' : 'events'}; ${p.claim}${p.link ? `, ${p.link}` : ''}.`,
    `Data version ${m.dataVersion || 'unknown'}${m.changedAt ? `, data changed at ${m.changedAt}` : ''}.`,
    `Permalink: ${recordUrl(p.id)}`,
    `Accessed ${(m.accessedAt || '').slice(0, 10) || today()}.`,
    `Citation manifest (CSL-JSON, BibTeX): ${manifestUrl(m)}`,
    'Sources:',
    ...manifestDocuments(m).flatMap((d) => (d.sections.length ? d.sections : ['']).map((s) => `  ${documentLine(d, s ? `; section: ${s}` : '')}`)),
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
