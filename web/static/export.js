// "Export and cite": downloads of exactly what the records list holds (CSV, GeoJSON, FlatGeobuf
// through the API's download endpoint, with the list's own query), the citation of the view, and
// the print heading (title, time, filters) that the print stylesheet shows above the map.
import { el } from './dom.js';
import { api, apiUrl } from './api.js';
import { listQuery } from './list.js';
import { HOME } from './figures.js';
import { state } from './state.js';
import { plural } from './format.js';
import { filterText } from './filters.js';
import { viewCitation, citationManifest, copyInto, timeText, kindsText, TITLE } from './cite.js';
import { saveMapPng } from './snapshot.js';

const $ = (id) => document.getElementById(id);
const PATH = '/api/collections/incidents/download';
export const FORMATS = [['csv', 'CSV', 'csv'], ['geojson', 'GeoJSON', 'geojson'], ['fgb', 'FlatGeobuf', 'fgb']];

/**
 * The download's parameters for a drawn view: the list's query as one request. The list asks one
 * query per checked kind and leaves Afghanistan out itself; the download says both in CQL2.
 */
export function downloadParams(snap) {
  const { base, queries } = listQuery(snap);
  const params = { ...base };
  const cql = [];
  if (queries.length === 1 && queries[0].kind) params.kind = queries[0].kind;
  else if (queries.length > 1) cql.push(`kind IN (${queries.map((q) => `'${q.kind}'`).join(',')})`);
  if (state.outside) cql.push(`(country IS NULL OR country <> '${HOME}')`);
  if (cql.length) params.filter = cql.join(' AND ');
  return params;
}

/** Builds the section into #export; `permalink()` gives the page's address with its fragment. */
export function createExport({ permalink }) {
  const box = $('export');
  const count = el('p', { id: 'export-count', class: 'hint', role: 'status' });
  const links = FORMATS.map(([format, label]) => el('a', { class: 'button', id: `export-${format}`, 'data-format': format, href: '#', download: '' }, label));
  const citeBox = el('div', { id: 'export-copy', class: 'copy', hidden: true });
  const pngStatus = el('p', { id: 'export-png-status', class: 'hint', role: 'status' });
  const cite = el('button', { type: 'button', id: 'export-cite' }, 'Copy citation of this view');
  const bibtex = el('button', { type: 'button', id: 'export-bibtex' }, 'Copy BibTeX');
  const png = el('button', { type: 'button', id: 'export-png' }, 'Save map as PNG');
  box.append(count,
    el('p', { class: 'export-row' }, el('span', { class: 'label' }, 'Download:'), ...links),
    el('p', { class: 'export-row' }, cite, bibtex, png),
    pngStatus, citeBox);
  let shown = null;
  let gen = 0;

  async function update(view) {
    shown = view;
    const mine = ++gen;
    const none = !view.snap.kinds.length || !view.matched;
    const params = downloadParams(view.snap);
    for (const a of links) {
      const f = a.dataset.format;
      a.href = apiUrl(PATH, { ...params, format: f }).toString();
      a.setAttribute('download', `iskp-map-records.${FORMATS.find(([k]) => k === f)[2]}`);
      if (none) a.setAttribute('aria-disabled', 'true'); else a.removeAttribute('aria-disabled');
    }
    let n = view.matched;
    // Beyond the list's 10 000 outside Afghanistan its M counts Afghanistan too: ask the download's own.
    if (!view.exact) n = (await api('/api/collections/incidents/items', { ...params, limit: 1 })).numberMatched;
    if (mine !== gen) return;
    count.dataset.records = String(n);
    count.textContent = none ? 'Nothing to download: no records in view match the checked kinds, the time and the filters.'
      : `${plural(n, 'record')} — those of the records list (in view, checked kinds, selected time, filters).`;
    printHead();
  }

  /** The heading that prints above the map. */
  function printHead() {
    const f = filterText();
    $('print-head').replaceChildren(el('strong', {}, TITLE),
      el('span', {}, `Time: ${timeText()}.`),
      el('span', {}, `Kinds: ${kindsText()}. Filters: ${f || 'none'}${state.outside ? ' · outside Afghanistan only' : ''}.${shown ? ` ${plural(shown.matched, 'record')} in view.` : ''}`));
  }

  // Both copies are made from the view's citation manifest: one request per click, with the
  // download's own query, so the citation names the documents behind exactly the downloaded rows.
  async function copyCitation(make, label) {
    if (!shown) return;
    try {
      const m = await citationManifest(downloadParams(shown.snap));
      await copyInto(citeBox, make(m), label);
    } catch (e) {
      citeBox.hidden = false;
      citeBox.textContent = `The citation could not be made: ${e.message}`;
    }
  }
  cite.addEventListener('click', () => copyCitation((m) => viewCitation({ bbox: shown.snap.bbox, matched: shown.matched }, m, permalink()), 'Citation of this view'));
  bibtex.addEventListener('click', () => copyCitation((m) => m.bibtex, 'BibTeX of this view (the documents behind its records, and the data set)'));
  png.addEventListener('click', async () => {
    png.disabled = true;
    pngStatus.textContent = 'Drawing the map…';
    try {
      const name = await saveMapPng();
      pngStatus.textContent = `Saved ${name}.`;
    } catch (e) {
      pngStatus.textContent = `The map could not be saved: ${e.message}`;
    } finally {
      png.disabled = false;
    }
  });
  // Links that select nothing are not followed.
  for (const a of links) a.addEventListener('click', (e) => { if (a.getAttribute('aria-disabled') === 'true') e.preventDefault(); });
  return { update };
}
