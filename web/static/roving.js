// One tab stop for the map's symbols. Tab reaches the map (arrows pan, +/- zoom), then one symbol
// — a record, a numbered circle, a badge or an arrow — and then the rest of the page: the symbols are not
// 400 tab stops. On a symbol, the arrow keys move to the nearest symbol in that direction, Home and
// End to the first and last in reading order, Enter opens it (each layer's own handler), Escape
// goes back to the map. Moving focus never pans the map, and a redraw that replaces the focused
// symbol puts focus on the same symbol again (or the one nearest where it was), not on the page.

/** Everything on the map that takes focus: markers, circles, badges and the arrows of cross-border fire. */
const FOCUSABLE = '.leaflet-marker-icon[tabindex], path.arrow-line';

/** The symbols a reader can reach: drawn, on screen, not decorations. */
function reachable(container) {
  const box = container.getBoundingClientRect();
  return [...container.querySelectorAll(FOCUSABLE)].filter((n) => {
    if (n.classList.contains('selection-halo') || n.classList.contains('arrow-head-icon') || n.classList.contains('search-pin')) return false;
    if (n.querySelector(':scope > .hidden')) return false;
    const r = centre(n);
    return r && r.x >= box.left && r.x <= box.right && r.y >= box.top && r.y <= box.bottom;
  });
}

/** The screen centre of what a symbol draws (a badge draws its child, moved off its anchor). */
function centre(n) {
  const t = n.classList.contains('area-badge-icon') && n.firstElementChild ? n.firstElementChild : n;
  const r = t.getBoundingClientRect();
  if (!r.width && !r.height) return null;
  return { x: (r.left + r.right) / 2, y: (r.top + r.bottom) / 2 };
}

/** Reading order: rows of 40 px from the top, left to right within a row. */
function readingOrder(list) {
  return list.map((n) => ({ n, c: centre(n) })).sort((a, b) => (Math.floor(a.c.y / 40) - Math.floor(b.c.y / 40)) || (a.c.x - b.c.x)).map((e) => e.n);
}

/** The nearest symbol from `from` in a direction: within 60° of it, distance weighted by how far off the axis. */
function nearest(from, list, dx, dy) {
  const a = centre(from);
  let best = null;
  let bestScore = Infinity;
  for (const n of list) {
    if (n === from) continue;
    const c = centre(n);
    const along = (c.x - a.x) * dx + (c.y - a.y) * dy;
    const across = Math.abs((c.x - a.x) * dy - (c.y - a.y) * dx);
    if (along <= 0 || across > along * 1.8) continue;
    const score = along + 2 * across;
    if (score < bestScore) { bestScore = score; best = n; }
  }
  return best;
}

/** A symbol's name, to find it again after a redraw. */
const nameOf = (n) => n.getAttribute('title') || n.getAttribute('aria-label');

const STEPS = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] };

export function createRoving(map) {
  const container = map.getContainer();
  // The last symbol focused: its name, where it was, and whether focus is still among the symbols.
  let last = null;
  let inside = false;
  // Set while this module moves focus to the map itself, and from Enter on a symbol until the
  // next redraw (a circle's zoom moves focus to the map): either keeps `inside`.
  let parking = false;
  let activating = false;

  const isSymbol = (n) => n instanceof Element && n.matches(FOCUSABLE) && container.contains(n);

  function focus(n) {
    n.focus({ preventScroll: true });
  }

  /** Makes `stop` the one symbol Tab reaches. */
  function setStop(stop) {
    for (const n of container.querySelectorAll(FOCUSABLE)) if (n !== stop) n.tabIndex = -1;
    if (stop) stop.tabIndex = 0;
  }

  container.addEventListener('focusin', (e) => {
    if (!isSymbol(e.target)) return;
    inside = true;
    last = { name: nameOf(e.target), at: centre(e.target) };
    setStop(e.target);
  });
  document.addEventListener('focusin', (e) => {
    if (isSymbol(e.target) || parking || (activating && e.target === container)) return;
    inside = false;
  });

  container.addEventListener('keydown', (e) => {
    if (!isSymbol(e.target) || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === 'Enter') {
      activating = true;
      setTimeout(() => { activating = false; }, 3000);
      return;
    }
    const list = reachable(container);
    let to = null;
    if (STEPS[e.key]) {
      const [dx, dy] = STEPS[e.key];
      to = nearest(e.target, list, dx, dy);
    } else if (e.key === 'Home' || e.key === 'End') {
      const order = readingOrder(list);
      to = e.key === 'Home' ? order[0] : order[order.length - 1];
    } else if (e.key === 'Escape') {
      to = container;
      inside = false;
    } else {
      return;
    }
    e.preventDefault();
    e.stopPropagation();
    if (to) focus(to);
  });

  return {
    /**
     * After a redraw: one symbol is the tab stop (the one focused last if it is still drawn, else
     * the first in reading order), and focus that the redraw took from a symbol goes back to it or
     * to the symbol nearest where it was.
     */
    sync() {
      activating = false;
      const list = reachable(container);
      for (const n of container.querySelectorAll(FOCUSABLE)) if (!list.includes(n)) n.tabIndex = -1;
      if (!list.length) {
        // Nothing to focus in this view (or not yet drawn): the map holds focus meanwhile, and
        // the next redraw that has symbols gives it back to one.
        if (inside && !isSymbol(document.activeElement) && document.activeElement !== container) {
          parking = true;
          focus(container);
          parking = false;
        }
        return;
      }
      const active = document.activeElement;
      let stop = list.includes(active) ? active : null;
      if (!stop && last) stop = list.find((n) => nameOf(n) === last.name) || null;
      if (!stop && last && last.at) {
        stop = list.reduce((b, n) => {
          const c = centre(n);
          const d = (c.x - last.at.x) ** 2 + (c.y - last.at.y) ** 2;
          return !b || d < b.d ? { n, d } : b;
        }, null).n;
      }
      if (!stop) stop = readingOrder(list)[0];
      setStop(stop);
      // The focused symbol was replaced or dropped by the redraw: focus follows to its successor.
      if (inside && !isSymbol(document.activeElement)) focus(stop);
    },
  };
}
