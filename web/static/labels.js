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
      const text = c.level === 'country' ? c.text.toUpperCase() : c.text;
      const w = widthOf(text, FONTS[c.level]) + (c.level === 'country' ? text.length * 0.8 : 0);
      const h = c.level === 'country' ? 14 : 13;
      // Points are labelled beside them (right, then left); areas centred on their label point.
      const tries = c.level === 'place' || c.level === 'pin' ? [[10, -h / 2], [-10 - w, -h / 2]] : [[-w / 2, -h / 2]];
      for (const [dx, dy] of tries) {
        const box = { minX: p.x + dx - 2, minY: p.y + dy - 1, maxX: p.x + dx + w + 2, maxY: p.y + dy + h + 1 };
        if (box.minX < 0 || box.maxX > size.x || box.minY < 0 || box.maxY > size.y) continue;
        if (tree.collides(box)) continue;
        tree.insert(box);
        const lp = map.containerPointToLayerPoint([p.x + dx, p.y + dy]);
        const n = el('div', { class: `map-label ${c.level}` }, text);
        L.DomUtil.setPosition(n, lp);
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
