// Reading the API of the same origin. Answers that do not depend on the view (statistics per
// jurisdiction, the timeline) are kept for the page's life, keyed by their URL.
import { state } from './state.js';
import { datetimeParam } from './time.js';

export class NotFound extends Error {}

function url(path, params) {
  const u = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.searchParams.set(k, v);
  return u;
}

/** GET `path` with `params` (empty values left out) as JSON; 404 throws NotFound. */
export async function api(path, params = {}, signal) {
  const u = url(path, params);
  const r = await fetch(u, { signal });
  if (r.status === 404) throw new NotFound(`${u.pathname}: not found`);
  if (!r.ok) throw new Error(`${u.pathname}: ${r.status}`);
  return r.json();
}

const kept = new Map();

/** Like api(), answered from memory when asked before. */
export function apiKept(path, params = {}) {
  const key = url(path, params).toString();
  if (!kept.has(key)) kept.set(key, api(path, params).catch((e) => { kept.delete(key); throw e; }));
  return kept.get(key);
}

/** The time filter every request shares: the window and how records are matched to it. */
export function timeParams() {
  return {
    datetime: state.from && state.to ? datetimeParam(state.from, state.to) : undefined,
    datetime_match: state.match === 'within' ? 'within' : undefined,
  };
}
