// Server clusters (`/clusters`): grid cells of records, combined across the answers of one view
// (one per kind, less what is drawn elsewhere), then drawn as numbered circles that never overlap —
// circles that would touch on screen are merged into one, their records added up.
import { el, onActivate, KINDS, KIND_LABEL } from './dom.js';
import { fmtInt, plural } from './format.js';

const L = window.L;
const key = (lon, lat, size) => `${Math.floor(lon / size)}|${Math.floor(lat / size)}`;

/** Cells keyed by grid cell from cluster features (several answers over the same grid add up). */
export function cellsOf(features, size) {
  const cells = new Map();
  for (const f of features) {
    const [lon, lat] = f.geometry.coordinates;
    const p = f.properties;
    const k = key(lon, lat, size);
    const c = cells.get(k);
    if (!c) {
      cells.set(k, { lon, lat, best: p.records, records: p.records, totals: { ...p.totals }, bbox: [...p.bbox], record: p.record, partial: 0 });
      continue;
    }
    // The cell sits on the point of its largest part (a record of the cell).
    if (p.records > c.best) { c.lon = lon; c.lat = lat; c.best = p.records; }
    c.records += p.records;
    for (const [kind, n] of Object.entries(p.totals)) c.totals[kind] = (c.totals[kind] || 0) + n;
    c.bbox = [Math.min(c.bbox[0], p.bbox[0]), Math.min(c.bbox[1], p.bbox[1]), Math.max(c.bbox[2], p.bbox[2]), Math.max(c.bbox[3], p.bbox[3])];
    c.record = null;
  }
  return cells;
}

/** `cells` with the records of `features` (same grid) taken away (`sign` −1) or added back (+1). */
export function subtractCells(cells, features, size, sign) {
  for (const f of features) {
    const [lon, lat] = f.geometry.coordinates;
    const c = cells.get(key(lon, lat, size));
    if (!c) continue;
    c.records += sign * f.properties.records;
    for (const [kind, n] of Object.entries(f.properties.totals)) c.totals[kind] = Math.max(0, (c.totals[kind] || 0) + sign * n);
    c.record = null;
  }
  return cells;
}

/** Marks how many records of each cell reach outside the window (those not wholly inside). */
export function markPartial(cells, withinFeatures, size) {
  const within = new Map();
  for (const f of withinFeatures) {
    const [lon, lat] = f.geometry.coordinates;
    const k = key(lon, lat, size);
    within.set(k, (within.get(k) || 0) + f.properties.records);
  }
  for (const [k, c] of cells) c.partial = Math.min(c.records, Math.max(0, c.records - (within.get(k) || 0)));
}

/** Pixel diameter of a circle of `n` records. */
export const diameter = (n) => Math.round(Math.min(56, 26 + 7 * Math.log10(Math.max(1, n))));

/**
 * Merges cells whose circles would overlap at the map's zoom, biggest first, so that no circle
 * hides another and every record is still counted once.
 */
export function declutter(map, cells) {
  const sorted = [...cells].sort((a, b) => b.records - a.records);
  const placed = [];
  const tree = new window.RBush();
  for (const c of sorted) {
    const pt = map.latLngToLayerPoint([c.lat, c.lon]);
    const r = diameter(c.records) / 2 + 2;
    // Boxes, not circles: a circle's square of screen stays its own.
    const hit = tree.search({ minX: pt.x - r, minY: pt.y - r, maxX: pt.x + r, maxY: pt.y + r })[0];
    if (hit) {
      const m = hit.cell;
      m.records += c.records;
      m.partial += c.partial;
      for (const [k, n] of Object.entries(c.totals)) m.totals[k] = (m.totals[k] || 0) + n;
      m.bbox = [Math.min(m.bbox[0], c.bbox[0]), Math.min(m.bbox[1], c.bbox[1]), Math.max(m.bbox[2], c.bbox[2]), Math.max(m.bbox[3], c.bbox[3])];
      m.record = null;
      m.merged = (m.merged || 1) + 1;
      continue;
    }
    const m = { ...c, totals: { ...c.totals }, bbox: [...c.bbox], d: diameter(c.records) };
    const R = m.d / 2 + 2;
    // The circle keeps the size of what it first held (`d`), so neighbours placed later stay clear.
    tree.insert({ minX: pt.x - R, minY: pt.y - R, maxX: pt.x + R, maxY: pt.y + R, x: pt.x, y: pt.y, r: R, cell: m });
    placed.push(m);
  }
  return placed;
}

/** Words for a cell: "1,429 records here — Attacks 310 events, …; 12 reach outside the selected time". */
export function cellTitle(c) {
  const parts = KINDS.filter((k) => c.totals[k]).map((k) => `${KIND_LABEL[k]} ${plural(c.totals[k], 'event')}`).join(', ');
  const partial = c.partial ? `; ${fmtInt(c.partial)} of them reach outside the selected time` : '';
  return `${plural(c.records, 'record')} here (${parts})${partial}. Zoom in to see them.`;
}

/** The marker of one (decluttered) cell; `onOpen(cell)` on click or Enter. */
export function cellMarker(c, onOpen) {
  const d = c.d || diameter(c.records);
  const label = c.records >= 100000 ? `${Math.round(c.records / 1000)}k` : c.records >= 10000 ? `${(c.records / 1000).toFixed(1)}k` : fmtInt(c.records);
  const node = el('div', { class: `cluster-disc${c.partial ? ' partial' : ''}` }, label);
  const m = L.marker([c.lat, c.lon], {
    icon: L.divIcon({ className: 'marker-cluster server-cluster', html: node, iconSize: [d, d] }),
    title: cellTitle(c), keyboard: true,
  });
  onActivate(m, () => onOpen(c));
  return m;
}
