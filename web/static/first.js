// The answers every first view needs whatever its box — the statistics per jurisdiction, the
// records known only to regions, the timeline — asked as soon as the address is read, while the
// map's libraries and the other modules are still coming: index.html loads this module first
// (async), and load.js and timebar.js ask the same answers through these functions, so they find
// them kept (api.js's apiKept). Before, they were asked only once every script had run, and a
// fresh server's first answers (a pass each over the records) then fell on the first view's path.
// This module and its imports read no library when they load (Leaflet and d3 may not have run).
import { apiKept, timeParams } from './api.js';
import { state, parseHash } from './state.js';
import { monthsBetween } from './time.js';
import { HOME } from './figures.js';

// Above this many records in view the server gathers them into grid cells: the browser never
// receives more than this many features in one answer.
export const MAX_FEATURES = 3000;
/** Precisions of records known only to an area that is no jurisdiction: several provinces or countries. */
export const WIDE = ['region', 'multinational'];

/** The incidents collection (its extent gives the months of the data). */
export const collection = () => apiKept('/api/collections/incidents');
/** The stated time splits of totals. */
export const splits = () => apiKept('/api/splits');
/** Totals known only to a country, and only to a province, per jurisdiction, under time `t`. */
export const levelStats = (t) => Promise.all([
  apiKept('/api/stats', { by: 'country', geo_precision: 'country', ...t }),
  apiKept('/api/stats', { by: 'province', geo_precision: 'province', ...t }),
]);
/** The statistics of every country under time `t` (the shading). */
export const countryStats = (t) => apiKept('/api/stats', { by: 'country', ...t });
/** The records known only to a region or a group of countries, under time `t`. */
export const wideRecords = (t) => Promise.all(WIDE.map((p) => apiKept('/api/collections/incidents/items', { geo_precision: p, limit: MAX_FEATURES, ...t })));
/** The timeline's two series of every kind: everywhere, and Afghanistan's. */
export const timelineStats = () => Promise.all([
  apiKept('/api/stats', { period: 'month' }),
  apiKept('/api/stats', { period: 'month', country: HOME }),
]);

/** The months of the collection's temporal extent. */
export function monthsOf(incidents) {
  const [a, b] = incidents.extent.temporal.interval[0];
  return monthsBetween(a, b);
}

/**
 * The range of `months` that the reader's `from` and `to` ask — indices [first, last], first ≤ last
 * (as the timeline sets it); a month outside the data's span (or none) gives the span's end.
 */
export function rangeIn(months, from, to) {
  const fi = from && months.includes(from) ? months.indexOf(from) : 0;
  const ti = to && months.includes(to) ? months.indexOf(to) : months.length - 1;
  return [fi, Math.max(fi, ti)];
}

// The address is read here as app.js reads it (the filters and `as_of` are in every URL asked).
Object.assign(state, parseHash(window.location.hash));
collection().then((incidents) => {
  const months = monthsOf(incidents);
  const [fi, ti] = rangeIn(months, state.from, state.to);
  const t = timeParams({ from: months[fi], to: months[ti], match: state.match });
  for (const asked of [splits(), levelStats(t), countryStats(t), wideRecords(t), timelineStats()]) asked.catch(() => {});
}).catch(() => {}); // app.js asks again, and says what went wrong
