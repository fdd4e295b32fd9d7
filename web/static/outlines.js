// The countries' outlines in two details. The first view draws them simplified by the server
// (`max-allowable-offset`: no vertex left out is farther than COARSE degrees from the line drawn:
// at zoom 4 half a pixel at the equator, a pixel at 60° — Leaflet itself drops what is within a
// pixel) — a third of the vertices, so a third of the transfer, parsing and projecting. From zoom
// DETAIL_ZOOM on, where that would be a pixel or more everywhere, the countries in view are given
// their outlines as stored, a few per idle moment; those are asked once the first view is drawn.
import { apiOutlines } from './api.js';

const PATH = '/api/collections/countries/items';
/** Degrees a simplified outline may stray: half a pixel at zoom 4 on the equator is 180 / 256 / 2^4 ≈ 0.044°. */
export const COARSE = 0.04;
/** The first zoom at which the simplified outlines would be visibly off. */
export const DETAIL_ZOOM = 5;

/** The countries' simplified outlines (index.html asks the same URL before any script runs). */
export const coarseOutlines = () => apiOutlines(PATH, { limit: 1000, 'max-allowable-offset': COARSE });

const idle = window.requestIdleCallback
  ? (fn) => window.requestIdleCallback(fn, { timeout: 500 })
  : (fn) => setTimeout(() => fn({ timeRemaining: () => 8, didTimeout: true }), 16);

/**
 * Gives the countries in view their stored outlines from zoom DETAIL_ZOOM on. `setOutline(id,
 * geometry)` redraws one country; `bounds(id)` is its bounds as drawn; `onDetailed()` is called
 * after each idle moment that redrew some (for what else draws those outlines).
 */
export function createOutlineDetail(map, { ids, bounds, setOutline, onDetailed }) {
  let stored = null; // Promise of Map id → geometry, asked once (again after a failure)
  const done = new Set();
  let queue = [];
  let working = false;
  let last = null; // the last view asked at DETAIL_ZOOM or more: retried after a failed request

  const ask = () => {
    if (!stored) {
      stored = apiOutlines(PATH, { limit: 1000 })
        .then((fc) => new Map(fc.features.map((f) => [f.id, f.geometry])))
        .catch((e) => { stored = null; throw e; });
    }
    return stored;
  };

  function work(geometries) {
    idle((deadline) => {
      let redrawn = 0;
      try {
        while (queue.length && (deadline.timeRemaining() > 4 || deadline.didTimeout)) {
          const id = queue.shift();
          if (done.has(id)) continue;
          done.add(id);
          if (geometries.has(id)) { setOutline(id, geometries.get(id)); redrawn += 1; }
          if (deadline.didTimeout) break;
        }
        if (redrawn && onDetailed) onDetailed();
      } finally {
        if (queue.length) work(geometries);
        else working = false;
      }
    });
  }

  /** The view at `zoom` showing `box` (a LatLngBounds) is asked: detail what it shows. */
  function view(box, zoom) {
    if (zoom < DETAIL_ZOOM) return;
    last = [box, zoom];
    const padded = box.pad(0.25);
    queue = ids().filter((id) => !done.has(id) && bounds(id)?.intersects(padded));
    if (!queue.length || working) return;
    working = true;
    ask().then(work, () => {
      working = false;
      // The server may be busy (a 503 from a full queue): the simplified outlines stay until
      // a later try succeeds.
      setTimeout(() => { if (last) view(...last); }, 5000);
    });
  }

  return {
    /** Asks the stored outlines when the page has nothing else to do (the first view is drawn). */
    prefetch() { idle(() => ask().catch(() => {})); },
    view,
    /** Whether country `id` is drawn with its stored outline. */
    detailed: (id) => done.has(id),
  };
}
