// What the reader has chosen, and the permalink that keeps it: the fragment holds the view, the
// layers, the time range and its accounting, the "outside Afghanistan" filter and the selection.
// The query string is left alone (links shared on social sites carry utm_source, fbclid, …).
import { KINDS } from './dom.js';

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
};

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
