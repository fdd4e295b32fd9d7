// Reading the API of the same origin. Answers that do not depend on the view (statistics per
// jurisdiction, the timeline) are kept for the page's life, keyed by their URL. Every request for
// records (items, clusters, statistics, downloads) carries the reader's filters (state.filter), so
// the map, the figures and the list all select the same records.
import { state } from './state.js';
import { datetimeParam } from './time.js';

export class NotFound extends Error {}

/** The API's record filters the page offers, by parameter name: claim, precision, link, place, fatalities, text. */
export const FILTERS = ['claim', 'geo_precision', 'link', 'country', 'province', 'fatalities_min', 'fatalities_max', 'q'];
const RECORD_PATH = /^\/api\/(stats|citation|collections\/(incidents|attacks|plots|arrests|designations|raids|presence)\/(items|clusters|download))$/;

/** The reader's filters as query parameters (empty ones left out). */
export function filterParams() {
  const out = {};
  for (const k of FILTERS) if (state.filter[k] !== undefined && state.filter[k] !== null && state.filter[k] !== '') out[k] = String(state.filter[k]);
  return out;
}

/**
 * A record request's parameters with the filters added. A request whose own value contradicts a
 * filter (the records known only to countries, with "exact sites" chosen) selects nothing: it
 * asks for a province no record has, so the answer is the API's own empty one, in its own shape.
 */
export function withFilters(path, params) {
  if (!RECORD_PATH.test(path)) return params;
  const f = filterParams();
  const clash = Object.keys(f).some((k) => params[k] !== undefined && params[k] !== null && params[k] !== '' && String(params[k]) !== f[k]);
  if (!clash) return { ...f, ...params };
  return { ...params, ...(params.province ? { country: 'ZZZ' } : { province: 'ZZZ-0' }) };
}

/** Paths whose answers can be asked as the data stood at an instant (`as_of`): records and one record. */
const AS_OF_PATH = /^\/api\/(stats|citation|collections\/[a-z]+\/(items|clusters|download)|collections\/[a-z]+\/items\/[^/]+)$/;

/** The URL of a request to `path` with `params` and the reader's filters (a link, a download). */
export const apiUrl = (path, params) => url(path, params);

function url(path, params, raw = false, dated = true) {
  const u = new URL(path, window.location.origin);
  if (!raw) params = withFilters(path, params);
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.searchParams.set(k, v);
  // Shown as of an instant: every answer about records is the one of that state.
  if (dated && state.asOf && AS_OF_PATH.test(path)) u.searchParams.set('as_of', state.asOf);
  return u;
}

/** GET `path` with `params` (empty values left out) and the filters as JSON; 404 throws NotFound. */
export function api(path, params = {}, signal) {
  return get(url(path, params), signal);
}

/** Like api(), without the reader's filters (the search box looks through every record). */
export function apiRaw(path, params = {}, signal) {
  return get(url(path, params, true), signal);
}

async function get(u, signal) {
  const r = await fetch(u, { signal });
  if (r.status === 404) throw new NotFound(`${u.pathname}: not found`);
  if (!r.ok) {
    // The API says what was wrong (a 400 names its parameter): say it too.
    const said = await r.json().then((b) => b.description).catch(() => null);
    throw new Error(`${u.pathname}: ${r.status}${said ? ` (${said})` : ''}`);
  }
  return r.json();
}

/**
 * Like apiRaw(), and never dated: for an answer the page reads only outlines and names from (the
 * countries' shapes), the same in every state — so index.html can ask it before any script runs.
 */
export function apiOutlines(path, params = {}) {
  return get(url(path, params, true, false));
}

const kept = new Map();

/** Like api(), answered from memory when asked before. */
export function apiKept(path, params = {}) {
  const key = url(path, params).toString();
  if (!kept.has(key)) kept.set(key, api(path, params).catch((e) => { kept.delete(key); throw e; }));
  return kept.get(key);
}

/**
 * The time filter every request shares: the window and how records are matched to it — of the
 * reader's state, or of `range` ({ from, to, match }: first.js, before the state is set).
 */
export function timeParams(range = state) {
  return {
    datetime: range.from && range.to ? datetimeParam(range.from, range.to) : undefined,
    datetime_match: range.match === 'within' ? 'within' : undefined,
  };
}
