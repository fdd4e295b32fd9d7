// Place names from the bundled data, placed so that none overlaps another or any symbol: countries
// (larger first), from zoom 5 provinces, from zoom 6 the places records name, and the searched
// place always. Collisions are tested in an R-tree (rbush) of what is already on screen.
import { el } from './dom.js';

const L = window.L;
const FONTS = { country: '600 12px system-ui, sans-serif', province: '11px system-ui, sans-serif', place: 'italic 11px system-ui, sans-serif', pin: '700 12px system-ui, sans-serif' };
const ctx = document.createElement('canvas').getContext('2d');
const widthOf = (text, font) => { ctx.font = font; return ctx.measureText(text).width; };

/** An R-tree of screen boxes with a collision test. */
export function screenTree() {
  const tree = new window.RBush();
  return {
    tree,
    insert: (b) => tree.insert({ ...b }),
    collides: (b) => tree.collides(b),
  };
}

/**
 * Where an area's name may go, nearest its label point first: spots on a grid over the middle of
 * the area's box on screen (a crowded country is still named, inside itself).
 */
function areaSpots(map, c, p) {
  const spots = [[0, 0]];
  if (c.bounds) {
    const a = map.latLngToContainerPoint(c.bounds.getNorthWest());
    const b = map.latLngToContainerPoint(c.bounds.getSouthEast());
    const cx = (a.x + b.x) / 2 - p.x;
    const cy = (a.y + b.y) / 2 - p.y;
    const W = Math.abs(b.x - a.x) * 0.42;
    const H = Math.abs(b.y - a.y) * 0.42;
    for (let dx = -W; dx <= W; dx += 10) for (let dy = -H; dy <= H; dy += 7) spots.push([cx + dx, cy + dy]);
  }
  return spots.sort((u, v) => Math.hypot(u[0], u[1]) - Math.hypot(v[0], v[1])).slice(0, 400);
}

export const LabelLayer = L.Layer.extend({
  onAdd(map) {
    this._map = map;
    this._box = el('div', { class: 'map-labels' });
    map.getPane('labelsPane').append(this._box);
    this._candidates = [];
    map.on('zoomstart', this._hide, this);
  },
  onRemove(map) {
    this._box.remove();
    map.off('zoomstart', this._hide, this);
  },
  _hide() { this._box.classList.add('hidden'); },
  /** Label candidates: [{ text, lat, lon, level: country|province|place|pin, rank }]. */
  setCandidates(c) { this._candidates = c; },
  /** Places every label that fits, in order of rank, avoiding what `tree` holds. */
  place(tree) {
    const map = this._map;
    if (!map) return [];
    const size = map.getSize();
    const shown = [];
    const nodes = [];
    const sorted = [...this._candidates].sort((a, b) => a.rank - b.rank);
    for (const c of sorted) {
      const p = map.latLngToContainerPoint([c.lat, c.lon]);
      if (p.x < 0 || p.y < 0 || p.x > size.x || p.y > size.y) continue;
      // A crowded country is named by its code (AFG) when its name finds no room.
      for (const t of [c.text, c.short].filter(Boolean)) {
        const text = c.level === 'country' ? t.toUpperCase() : t;
        const w = widthOf(text, FONTS[c.level]) + (c.level === 'country' ? text.length * 0.8 : 0);
        const h = c.level === 'country' ? 14 : 13;
        // Points are labelled beside them (right, then left); areas near their label point.
        const tries = c.level === 'place' || c.level === 'pin' ? [[14, -h / 2], [-14 - w, -h / 2], [-w / 2, 12], [-w / 2, -12 - h]] : areaSpots(map, c, p).map(([x, y]) => [x - w / 2, y - h / 2]);
        const spot = tries.map(([dx, dy]) => ({ dx, dy, box: { minX: p.x + dx - 2, minY: p.y + dy - 1, maxX: p.x + dx + w + 2, maxY: p.y + dy + h + 1 } }))
          .find(({ box }) => box.minX >= 0 && box.maxX <= size.x && box.minY >= 0 && box.maxY <= size.y && !tree.collides(box));
        if (!spot) continue;
        tree.insert(spot.box);
        const n = el('div', { class: `map-label ${c.level}`, title: c.text }, text);
        L.DomUtil.setPosition(n, map.containerPointToLayerPoint([p.x + spot.dx, p.y + spot.dy]));
        nodes.push(n);
        shown.push(c);
        break;
      }
    }
    this._box.replaceChildren(...nodes);
    this._box.classList.remove('hidden');
    return shown;
  },
});
