// The records list beside the map: every record the view, the checked kinds, the time and the
// filters select (the same requests as the map's, so the same records), "showing N of M" with M
// the API's numberMatched. When all of them fit in one answer (≤ ALL_LIMIT) they are loaded and
// sorted here by any column; beyond that the API pages them in its own order (date, then id) and
// the list offers that order only, newest first — never a silently truncated list. Sorting on the
// server (`sortby`) would replace `compare` and the paging below with one request.
import { el, kindSymbol, KINDS, KIND_ONE } from './dom.js';
import { api, timeParams } from './api.js';
import { formatDate, formatCount, fmtInt, plural } from './format.js';
import { HOME } from './figures.js';
import { state, SORTS } from './state.js';

const $ = (id) => document.getElementById(id);
/** Records loaded to sort here: the API's largest page. */
export const ALL_LIMIT = 10000;
/**
 * Features asked for in one request: they are loaded in parts of this many, so no answer carries
 * more than the map's own bound of 3 000 (and the list's requests are told apart from the map's).
 */
export const PART = 2500;
/** Rows per page. */
export const PAGE = 50;

const COLUMNS = { date: 'Date', kind: 'Kind', country: 'Country', count: 'Events', fatalities: 'Killed' };
const byDate = (a, b) => (a.properties.date < b.properties.date ? -1 : a.properties.date > b.properties.date ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The order of two records for a sort key, ascending; ties by date, then id. */
function compare(key) {
  const val = {
    date: null,
    kind: (p) => KINDS.indexOf(p.kind),
    country: (p) => p.country_name || p.country || '\uffff',
    count: (p) => p.count,
    fatalities: (p) => (p.fatalities === null || p.fatalities === undefined ? -1 : p.fatalities),
  }[key];
  if (!val) return byDate;
  return (a, b) => {
    const x = val(a.properties);
    const y = val(b.properties);
    return x < y ? -1 : x > y ? 1 : byDate(a, b);
  };
}

/**
 * The queries whose union is the list of a drawn view `snap`: the view's box and the time, and one
 * query for every kind or one per checked kind (the reader's filters are added by api()). The
 * downloads (export.js) ask for the same records.
 */
export function listQuery(snap) {
  return {
    base: { bbox: snap.bbox, ...timeParams() },
    queries: snap.kinds.length === KINDS.length ? [{}] : snap.kinds.map((kind) => ({ kind })),
  };
}

/**
 * The list. `onPick(feature)` opens a record; `kinds()` gives the checked kinds. `update(snap)`
 * reloads it for a drawn view; `select(id)` marks a row.
 */
export function createList({ onPick, onShown = () => {} }) {
  const box = $('list');
  const count = $('list-count');
  let gen = 0;
  let controller = null;
  let loaded = null; // { mode: 'all', features } | { mode: 'paged', lists, matched }
  let page = 0;
  let matched = 0;
  let selected = null;
  let snap = null;
  // A row's record is flown to: the view that move draws is not listed, so the reader can go on
  // down the same list; a note offers the records of the new view.
  let heldAt = 0;
  let pending = null;

  /** The queries whose union is the list: one for every kind, or one per checked kind. */
  const queries = () => listQuery(snap).queries;
  const base = () => listQuery(snap).base;
  const outside = (fs) => (state.outside ? fs.filter((f) => f.properties.country !== HOME) : fs);

  async function update(next) {
    if (snap && Date.now() - heldAt < 5000) {
      heldAt = 0;
      pending = next;
      showHeld();
      return;
    }
    pending = null;
    snap = next;
    const mine = ++gen;
    if (controller) controller.abort();
    controller = new AbortController();
    const { signal } = controller;
    box.dataset.busy = 'true';
    try {
      if (!snap.kinds.length) {
        loaded = { mode: 'all', features: [] };
        matched = 0;
      } else {
        // How many each query selects: the numberMatched of the view's statistics per kind (the
        // same filters and box), then everything or the page asked for.
        const per = (k) => snap.perKind[k].numberMatched;
        const sizes = queries().map((q) => (q.kind ? per(q.kind) : KINDS.reduce((n, k) => n + per(k), 0)));
        const total = sizes.reduce((a, b) => a + b, 0);
        if (total <= ALL_LIMIT) {
          const parts = [];
          queries().forEach((q, i) => {
            for (let offset = 0; offset < sizes[i]; offset += PART) parts.push({ ...base(), ...q, offset, limit: PART });
          });
          const pages = await Promise.all(parts.map((p) => api('/api/collections/incidents/items', p, signal)));
          const feats = outside(pages.flatMap((p) => p.features));
          loaded = { mode: 'all', features: feats };
          matched = state.outside ? feats.length : total;
        } else {
          loaded = { mode: 'paged', sizes };
          matched = total;
        }
      }
      if (mine !== gen) return;
      page = 0;
      await draw(signal, mine);
    } catch (e) {
      if (e.name === 'AbortError') return;
      if (mine === gen) count.textContent = `The list could not load: ${e.message}`;
    } finally {
      if (mine === gen) box.dataset.busy = 'false';
    }
  }

  /** The rows of the current page: sorted here, or asked of the API newest first. */
  async function rows(signal) {
    if (loaded.mode === 'all') {
      const sorted = [...loaded.features].sort(compare(state.sort.key));
      if (state.sort.desc) sorted.reverse();
      return sorted.slice(page * PAGE, (page + 1) * PAGE);
    }
    // Newest first across the queries: the newest (page + 1) × PAGE of each hold the page's rows
    // (so with several kinds the list reaches back PART records per kind).
    const want = (page + 1) * PAGE;
    const qs = queries();
    const answers = await Promise.all(qs.map((q, i) => {
      const n = Math.min(loaded.sizes[i], qs.length === 1 ? PAGE : want, PART);
      const offset = qs.length === 1 ? Math.max(0, loaded.sizes[i] - want) : loaded.sizes[i] - n;
      const limit = qs.length === 1 ? Math.min(PAGE, loaded.sizes[i] - page * PAGE) : n;
      return limit > 0 ? api('/api/collections/incidents/items', { ...base(), ...q, offset, limit }, signal) : { features: [] };
    }));
    const merged = answers.flatMap((a) => a.features).sort(byDate).reverse();
    const start = qs.length === 1 ? 0 : page * PAGE;
    return outside(merged.slice(start, start + PAGE));
  }

  function header() {
    const sortable = loaded.mode === 'all';
    const th = (key, extra = {}) => {
      const on = state.sort.key === key;
      const label = COLUMNS[key];
      const dir = on ? (state.sort.desc ? 'descending' : 'ascending') : 'none';
      if (!sortable) return el('th', { scope: 'col', 'aria-sort': key === 'date' ? 'descending' : 'none', ...extra }, label);
      return el('th', { scope: 'col', 'aria-sort': dir, ...extra },
        el('button', { type: 'button', class: 'sort', 'data-sort': key, title: `Sort by ${label.toLowerCase()}`, onclick: () => sortBy(key) },
          label, el('span', { class: 'arrow', 'aria-hidden': 'true' }, on ? (state.sort.desc ? ' ▼' : ' ▲') : '')));
    };
    return el('thead', {}, el('tr', {}, th('date'), th('kind', { class: 'k' }), el('th', { scope: 'col' }, 'Record'), th('country', { class: 'c' }), th('count', { class: 'n' }), th('fatalities', { class: 'n' })));
  }

  async function draw(signal, mine = gen) {
    const list = await rows(signal);
    if (mine !== gen) return;
    const pages = Math.max(1, Math.ceil(matched / PAGE));
    const from = matched ? page * PAGE + 1 : 0;
    const to = Math.min(matched, page * PAGE + list.length);
    let text = matched ? `Showing ${fmtInt(from)}–${fmtInt(to)} of ${plural(matched, 'record')}` : 'No records in view match the checked kinds, the time and the filters';
    if (matched && loaded.mode === 'paged') text += ` — newest first; more than ${fmtInt(ALL_LIMIT)}, so sorting by other columns is off (zoom in, narrow the time or filter to sort)`;
    // The API cannot leave a country out: M counts Afghanistan's records, the pages skip them.
    if (matched && loaded.mode === 'paged' && state.outside) text += '. Outside Afghanistan: that count includes Afghanistan’s records, which each page leaves out, so pages may be short';
    count.textContent = `${text}.`;
    count.dataset.matched = String(matched);
    count.dataset.bbox = snap.bbox;
    count.dataset.mode = loaded.mode;
    const table = el('table', { class: 'records' }, el('caption', { class: 'sr' }, 'Records in view'), header(),
      el('tbody', {}, list.map((f) => {
        const p = f.properties;
        return el('tr', { 'data-id': p.id, class: p.id === selected ? 'selected' : null },
          el('td', { class: 'd' }, formatDate(p)),
          el('td', { class: 'k', title: KIND_ONE[p.kind] }, kindSymbol(p.kind, { px: 12, hollow: p.geo_precision === 'district' }), el('span', { class: 'sr' }, KIND_ONE[p.kind])),
          el('td', {}, el('button', { type: 'button', class: 'linkish pick', 'data-id': p.id, onclick: () => onPick(f) }, p.title)),
          el('td', { class: 'c', title: p.country_name || 'several countries' }, p.country || '—'),
          el('td', { class: 'n' }, formatCount(p)),
          el('td', { class: 'n' }, p.fatalities === null || p.fatalities === undefined ? '' : fmtInt(p.fatalities)));
      })));
    // Merging several kinds newest first is exact while each kind's newest ALL_LIMIT hold the page.
    const capped = loaded.mode === 'paged' && queries().length > 1 && (page + 2) * PAGE > PART;
    const canNext = page + 1 < pages && !capped;
    const pager = el('div', { class: 'pager' },
      el('button', { type: 'button', id: 'list-prev', disabled: page === 0, onclick: () => go(page - 1) }, '‹ Previous'),
      el('span', {}, `Page ${fmtInt(page + 1)} of ${fmtInt(pages)}`),
      el('button', { type: 'button', id: 'list-next', disabled: !canNext, onclick: () => go(page + 1) }, 'Next ›'));
    const deepNote = capped && page + 1 < pages
      ? el('p', { class: 'hint' }, `With some kinds unchecked the list reaches back ${fmtInt(PART)} records per kind; narrow the view or the time to see older ones.`) : null;
    box.replaceChildren(...(matched ? [table, pager, deepNote].filter(Boolean) : []));
    onShown(current());
  }

  /** What the list shows: its view, M, and the records when all are loaded (else null). */
  function current() {
    return { snap, matched, features: loaded && loaded.mode === 'all' ? loaded.features : null, exact: !(loaded && loaded.mode === 'paged' && state.outside) };
  }

  async function go(p) {
    page = Math.max(0, p);
    const mine = ++gen;
    box.dataset.busy = 'true';
    try { await draw(undefined, mine); } finally { if (mine === gen) box.dataset.busy = 'false'; }
    const first = box.querySelector('button.pick');
    if (first) first.focus();
  }

  function sortBy(key) {
    if (!SORTS.includes(key)) return;
    state.sort = state.sort.key === key ? { key, desc: !state.sort.desc } : { key, desc: key !== 'kind' && key !== 'country' };
    page = 0;
    const mine = ++gen;
    draw(undefined, mine).then(() => {
      const b = box.querySelector(`button[data-sort="${key}"]`);
      if (b) b.focus();
      window.dispatchEvent(new Event('iskp:state'));
    });
  }

  function showHeld() {
    const old = box.querySelector('.held');
    if (old) old.remove();
    box.prepend(el('p', { class: 'held hint' }, 'Listing the view before the map moved to the record. ',
      el('button', { type: 'button', class: 'linkish', id: 'list-here', onclick: () => { if (pending) update(pending); } }, 'List the records in view now')));
  }

  function select(id) {
    selected = id;
    for (const tr of box.querySelectorAll('tr[data-id]')) tr.classList.toggle('selected', tr.dataset.id === id);
  }

  return {
    update,
    select,
    current,
    /** The next update comes from flying to a picked record: keep listing the view it was picked in. */
    hold: () => { heldAt = Date.now(); },
  };
}
