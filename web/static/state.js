// What the reader has chosen, and the permalink that keeps it: the fragment holds the view, the
// layers, the time range and its accounting, the "outside Afghanistan" filter, the selection and
// the instant the data is shown as of.
// The query string is left alone (links shared on social sites carry utm_source, fbclid, …).
import { KINDS } from './dom.js';

/** Filter parameters kept in the fragment under their API names, with the values they may take. */
const FILTER_VALUES = {
  claim: /^(claimed|attributed|suspected)$/,
  geo_precision: /^(exact|near|district|province|region|country|multinational)$/,
  link: /^(directed|guided|inspired)$/,
  country: /^[A-Z]{3}$/,
  province: /^[A-Z]{3}-[A-Z0-9+?-]{1,12}$/,
  fatalities_min: /^\d{1,9}$/,
  fatalities_max: /^\d{1,9}$/,
  q: /^.{1,200}$/su,
};
/** How the records list is sorted: a key and a direction. */
export const SORTS = ['date', 'kind', 'country', 'count', 'fatalities'];

export const state = {
  kinds: new Set(KINDS),
  arrows: true,
  from: null,
  to: null,
  /** 'spread': records overlapping the window, totals shared out by days; 'within': only records wholly inside. */
  match: 'spread',
  outside: false,
  /** The selected record's id, or null. */
  sel: null,
  /** The selected jurisdiction, { level: 'country'|'province', id }, or null. */
  area: null,
  view: null,
  /** The API record filters chosen (parameter → value; see api.js FILTERS). */
  filter: {},
  /** The records list's order: { key: one of SORTS, desc }. */
  sort: { key: 'date', desc: true },
  /** The instant the data is shown as of (RFC 3339, UTC), or null for the data as it is now. */
  asOf: null,
};

/** An `as_of` the permalink may carry: an RFC 3339 instant in UTC, to the second. */
const AS_OF = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** The state a fragment describes (only the parts it names). */
export function parseHash(hash) {
  const h = new URLSearchParams(hash.replace(/^#/, ''));
  const out = {};
  if (h.get('kinds') !== null) out.kinds = new Set(h.get('kinds').split(',').filter((k) => KINDS.includes(k)));
  out.arrows = h.get('arrows') !== '0';
  if (/^\d{4}-\d{2}$/.test(h.get('from') || '')) out.from = h.get('from');
  if (/^\d{4}-\d{2}$/.test(h.get('to') || '')) out.to = h.get('to');
  out.match = h.get('match') === 'within' ? 'within' : 'spread';
  out.sel = h.get('sel') || null;
  const area = /^(country|province):([A-Za-z0-9-]+)$/.exec(h.get('area') || '');
  out.area = area ? { level: area[1], id: area[2] } : null;
  out.outside = h.get('outside') === '1';
  out.filter = {};
  for (const [k, re] of Object.entries(FILTER_VALUES)) if (re.test(h.get(k) || '')) out.filter[k] = h.get(k);
  const sort = /^(\w+)-(asc|desc)$/.exec(h.get('sort') || '');
  out.sort = sort && SORTS.includes(sort[1]) ? { key: sort[1], desc: sort[2] === 'desc' } : { key: 'date', desc: true };
  out.asOf = AS_OF.test(h.get('as_of') || '') ? h.get('as_of') : null;
  const m = (h.get('map') || '').split('/').map(Number);
  if (m.length === 3 && m.every(Number.isFinite)) out.view = { zoom: m[0], lat: m[1], lon: m[2] };
  return out;
}

/** The fragment of the current state and map view. */
export function hashOf(map) {
  const c = map.getCenter();
  const h = new URLSearchParams();
  h.set('map', `${map.getZoom()}/${c.lat.toFixed(4)}/${c.lng.toFixed(4)}`);
  if (state.kinds.size !== KINDS.length) h.set('kinds', KINDS.filter((k) => state.kinds.has(k)).join(','));
  if (!state.arrows) h.set('arrows', '0');
  if (state.from) h.set('from', state.from);
  if (state.to) h.set('to', state.to);
  if (state.match === 'within') h.set('match', 'within');
  if (state.outside) h.set('outside', '1');
  if (state.sel) h.set('sel', state.sel);
  if (state.area) h.set('area', `${state.area.level}:${state.area.id}`);
  for (const k of Object.keys(FILTER_VALUES)) if (state.filter[k] !== undefined && state.filter[k] !== '') h.set(k, state.filter[k]);
  if (state.sort.key !== 'date' || !state.sort.desc) h.set('sort', `${state.sort.key}-${state.sort.desc ? 'desc' : 'asc'}`);
  if (state.asOf) h.set('as_of', state.asOf);
  return `#${h.toString().replaceAll('%2F', '/').replaceAll('%2C', ',').replaceAll('%3A', ':')}`;
}

let lastWritten = null;

/** Keeps the address in step with the state (replaceState: no history entry, no hashchange). */
export function writeHash(map) {
  const hash = hashOf(map);
  if (hash === window.location.hash) return;
  lastWritten = hash;
  window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}${hash}`);
}

/** Calls `apply(parsed)` when the reader edits the fragment of the open page. */
export function onHashEdit(apply) {
  window.addEventListener('hashchange', () => {
    if (window.location.hash === lastWritten) return;
    apply(parseHash(window.location.hash));
  });
}
