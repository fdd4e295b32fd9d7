// What one view holds: everything a refresh reads from the API, gathered into one snapshot that
// the layers, the shading, the badges and the figures all draw from (so they agree).
import { api, apiKept, timeParams } from './api.js';
import { KINDS } from './dom.js';
import { HOME } from './figures.js';
import { state } from './state.js';
import { cellsOf, subtractCells, markPartial } from './clusters.js';
import { windowDays, windowShare } from './time.js';
import { MAX_FEATURES, levelStats, countryStats, wideRecords } from './first.js';

export const PROVINCE_ZOOM = 5;
const AREA = new Set(['country', 'province', 'region', 'multinational']);

/** The bounds the map shows, or will show centred on `center` at `zoom` (a zoom that starts). */
export function viewBounds(map, center, zoom) {
  if (center === undefined) return map.getBounds();
  const px = map.getPixelBounds(center, zoom);
  return window.L.latLngBounds(map.unproject(px.getBottomLeft(), zoom), map.unproject(px.getTopRight(), zoom));
}

/**
 * The view's box (padded a fifth), clamped to the world: "minLon,minLat,maxLon,maxLat" — of the
 * map as it stands, or of the view it is zooming to (`center`, `zoom`: Leaflet's `zoomanim`), in
 * Leaflet's own arithmetic, so both give the same text for the same view.
 */
export function viewBbox(map, center, zoom) {
  const b = viewBounds(map, center, zoom).pad(0.2);
  const clamp = (x, lo, hi) => Math.max(lo, Math.min(hi, x));
  if (b.getEast() - b.getWest() >= 360) return '-180,-90,180,90';
  return [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90), clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)]
    .map((x) => x.toFixed(4)).join(',');
}

const byId = (st) => new Map(st.groups.map((g) => [g.id, g]));

/** Is a feature drawn as a point (not a total known only to a country or province)? */
export const isPoint = (f) => f.geometry && !AREA.has(f.properties.geo_precision);

/**
 * Records known only to a region or a group of countries, grouped by their area, as stats-like
 * groups (`attack`, …, with `inside` and `partial` when a window is set) and their records.
 * Their shares of a window are the API's (windowShare follows the same rules).
 */
function wideGroups(features) {
  const win = state.from && state.to ? windowDays(state.from, state.to) : null;
  const out = new Map();
  for (const f of features) {
    const p = f.properties;
    if (!p.area) continue;
    const key = `${p.geo_precision}:${p.area.id}`;
    if (!out.has(key)) {
      const zero = () => Object.fromEntries(KINDS.map((k) => [k, 0]));
      out.set(key, {
        level: p.geo_precision, id: p.area.id, name: p.area.id, country: p.country || null, country_name: p.country_name || null,
        bbox: f.bbox || p.area.bbox, members: p.area.members, features: [],
        ...zero(), ...(win ? { inside: zero(), partial: zero() } : {}),
      });
    }
    const g = out.get(key);
    g.features.push(f);
    g[p.kind] += p.count;
    if (win) {
      const { share, partial } = windowShare(p, win);
      g.inside[p.kind] += p.count * share;
      if (partial) g.partial[p.kind] += p.count;
    }
  }
  return out;
}

/**
 * What the view holds of each kind, from one `by=kind` answer over the view (and one of
 * Afghanistan's part of it, when only activity outside it is shown), each in the shape of a
 * `by=country&kind=K` answer: { all, all_window, numberMatched, groups: [Afghanistan's] } — one
 * pass over the records in view where six were asked before.
 */
export function perKindStats(byKind, home) {
  const group = (st, k) => st && st.groups.find((g) => g.id === k);
  return Object.fromEntries(KINDS.map((k) => {
    const g = group(byKind, k);
    const h = group(home, k);
    return [k, {
      all: g || { records: 0, total: 0 },
      all_window: g ? { inside: g.inside, partial: g.partial } : { inside: {}, partial: { records: 0 } },
      numberMatched: g ? g.records : 0,
      groups: h ? [{ ...h, id: HOME, name: null }] : [],
    }];
  }));
}

/** The statistics of every province under the current time (kept: asked once per time). */
export const provinceStatsKept = () => apiKept('/api/stats', { by: 'province', ...timeParams() });

/**
 * Reads the view `{ bbox, zoom }`: statistics per jurisdiction (all of them, whatever the view),
 * per kind in view, and the records — one by one when the checked kinds hold at most MAX_FEATURES
 * records in view, else as server clusters. With `clustered` (the previous view was drawn as
 * clusters) the clusters are asked beside the figures that decide, not after them; an answer
 * asked and not needed is dropped.
 */
export async function loadView({ bbox, zoom }, { wholeSpan, clustered }, signal) {
  const t = timeParams();
  const kinds = KINDS.filter((k) => state.kinds.has(k));
  const provinces = zoom >= PROVINCE_ZOOM;
  const keptLevels = levelStats(t);
  const early = clustered && kinds.length > 0
    ? keptLevels.then(([c, p]) => askClusters({ bbox, zoom, kinds, wholeSpan, t, countryLevel: byId(c), provinceLevel: byId(p) }, signal))
    : null;
  if (early) early.catch(() => {});
  const [countries, provinceStats, [countryLevel, provinceLevel], wide, byKind, homeByKind] = await Promise.all([
    countryStats(t),
    provinces ? provinceStatsKept() : null,
    keptLevels,
    wideRecords(t),
    api('/api/stats', { by: 'kind', bbox, ...t }, signal),
    state.outside ? api('/api/stats', { by: 'kind', bbox, country: HOME, ...t }, signal) : null,
  ]);
  const snap = {
    zoom, bbox, kinds, provinces, wholeSpan,
    countries: byId(countries),
    provinceStats: provinceStats ? byId(provinceStats) : new Map(),
    countryLevel: byId(countryLevel),
    provinceLevel: byId(provinceLevel),
    wideLevel: wideGroups(wide.flatMap((fc) => fc.features)),
    perKind: perKindStats(byKind, homeByKind),
    points: [], arrows: [], cells: null,
  };
  const inView = kinds.reduce((s, k) => s + snap.perKind[k].all.records, 0);
  const split = splitter(kinds);
  if (kinds.length === 0) return snap;
  if (inView <= MAX_FEATURES) {
    const pages = await Promise.all(split((kind) => api('/api/collections/incidents/items', { bbox, kind, limit: MAX_FEATURES, ...t }, signal)));
    const feats = pages.flatMap((p) => p.features).filter((f) => !(state.outside && f.properties.country === HOME));
    snap.points = feats.filter(isPoint);
    snap.arrows = feats.filter((f) => f.properties.origin && f.geometry);
    return snap;
  }
  const { cells, cellDegrees } = await (early || askClusters({ bbox, zoom, kinds, wholeSpan, t, countryLevel: snap.countryLevel, provinceLevel: snap.provinceLevel }, signal));
  snap.cells = cells;
  snap.cellDegrees = cellDegrees;
  return snap;
}

/** One request for all kinds when every kind is checked, else one per checked kind. */
const splitter = (kinds) => (fn) => (kinds.length === KINDS.length ? [fn(undefined)] : kinds.map(fn));

/** The view's clusters: `{ cells, cellDegrees }`. */
async function askClusters({ bbox, zoom, kinds, wholeSpan, t, countryLevel, provinceLevel }, signal) {
  const split = splitter(kinds);
  // Clusters: what the checked kinds hold, less what is drawn elsewhere — totals known only to a
  // country or province (badges) and, outside Afghanistan, Afghanistan's records — cell by cell.
  const clusterSet = (extra) => Promise.all(split((kind) => api('/api/collections/incidents/clusters', { bbox, zoom, kind, ...t, ...extra }, signal)));
  const areaKinds = (m) => kinds.some((k) => [...m.values()].some((g) => g[k] > 0));
  const minus = [];
  if (areaKinds(countryLevel)) minus.push({ geo_precision: 'country' });
  if (areaKinds(provinceLevel)) minus.push({ geo_precision: 'province' });
  if (state.outside) minus.push({ country: HOME });
  // Inclusion–exclusion: a record of Afghanistan known only to its country is taken out once.
  const plus = state.outside ? minus.filter((m) => m.geo_precision).map((m) => ({ ...m, country: HOME })) : [];
  const withinToo = !wholeSpan && state.match !== 'within';
  const [main, ...rest] = await Promise.all([
    clusterSet({}),
    ...minus.map(clusterSet),
    ...plus.map(clusterSet),
    withinToo ? clusterSet({ datetime_match: 'within' }) : null,
  ]);
  const cellDegrees = main[0].cellDegrees;
  let cells = cellsOf(main.flatMap((fc) => fc.features), cellDegrees);
  const signed = [...minus.map(() => -1), ...plus.map(() => 1)];
  signed.forEach((sign, i) => { cells = subtractCells(cells, rest[i].flatMap((fc) => fc.features), cellDegrees, sign); });
  if (withinToo) markPartial(cells, rest[rest.length - 1].flatMap((fc) => fc.features), cellDegrees);
  return { cells: [...cells.values()].filter((c) => c.records > 0), cellDegrees };
}
