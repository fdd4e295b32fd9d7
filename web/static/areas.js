// Totals known only to a country or a province: never pins. Their figures come from `/api/stats`
// (`geo_precision=country|province`), each drawn as one dashed badge per jurisdiction at the
// jurisdiction's label point, and listed — all of them in view, drawn or not — in the panel's
// "Not located more precisely" box. Records known only to a region of several provinces get a
// badge named after the region at the middle of its extent; those known only to a group of
// countries ("Europe, Russia, Iran and Turkey") have no point that would not mislead, and are
// listed in the box whatever the view. Badges are placed largest first and never overlap each other,
// a marker or a circle: one that finds no free spot near its point is listed, not drawn.
import { el, kindSymbol, onActivate, KIND_LABEL } from './dom.js';
import { groupFigure, shown, shortText, eventsText, HOME } from './figures.js';
import { state } from './state.js';
import { apiKept } from './api.js';

const L = window.L;
const OFFSETS = [[0, 0], [0, -30], [0, 30], [-60, 0], [60, 0], [-50, -30], [50, -30], [-50, 30], [50, 30], [0, -60], [0, 60]];

export function createAreaLayer(map, { onOpenArea, countryFeature, provinceFeature }) {
  const layer = L.layerGroup().addTo(map);
  let items = [];

  async function anchor(level, id) {
    const f = level === 'country' ? countryFeature(id) : provinceFeature(id) || await apiKept(`/api/collections/provinces/items/${encodeURIComponent(id)}`).catch(() => null);
    if (!f) return null;
    return { lat: f.properties.label_lat, lon: f.properties.label_lon, name: f.properties.name, country: f.properties.country_name || f.properties.name };
  }

  /** The area totals of the snapshot, with their anchors, largest first. */
  async function collect(snap) {
    const rows = [];
    for (const [level, m] of [['country', snap.countryLevel], ['province', snap.provinceLevel]]) {
      for (const g of m.values()) {
        if (state.outside && (g.country || g.id) === HOME) continue;
        const fig = groupFigure(g, snap.kinds);
        if (!(fig.events > 0)) continue;
        rows.push({ level, id: g.id, g, fig });
      }
    }
    const anchors = await Promise.all(rows.map((r) => anchor(r.level, r.id)));
    rows.forEach((r, i) => { r.at = anchors[i]; });
    for (const g of snap.wideLevel.values()) {
      if (state.outside && g.country === HOME) continue;
      const fig = groupFigure(g, snap.kinds);
      if (!(fig.events > 0)) continue;
      const [w, s, e, n] = g.bbox;
      const at = g.level === 'region'
        ? { lat: (s + n) / 2, lon: (w + e) / 2, name: g.name, country: g.country_name || '' }
        : { lat: null, lon: null, name: g.name, country: '', listOnly: true };
      rows.push({ level: g.level, id: g.id, g, fig, at });
    }
    return rows.filter((r) => r.at).sort((a, b) => shown(b.fig) - shown(a.fig) || b.fig.events - a.fig.events);
  }

  function badge(r, snap) {
    const segs = snap.kinds.filter((k) => r.g[k] > 0).map((k) => {
      const f = groupFigure(r.g, [k]);
      return el('span', { class: `seg k-${k}` }, kindSymbol(k, { px: 12 }), shortText(f));
    });
    const what = r.level === 'country' ? (snap.provinces ? 'not located in a province' : 'known only to the country')
      : r.level === 'region' ? `known only to these provinces together (${r.g.members.join(', ')})` : 'known only to the province';
    const words = `${r.at.name}, ${what}: ${snap.kinds.filter((k) => r.g[k] > 0).map((k) => `${KIND_LABEL[k]} ${eventsText(groupFigure(r.g, [k]))}`).join('; ')}`;
    const inner = el('div', { class: `area-badge ${r.level}${r.fig.partialEvents ? ' partial' : ''}`, 'data-area': `${r.level}:${r.id}` },
      r.level === 'country' && snap.provinces ? el('span', { class: 'cap' }, 'not in a province') : null,
      r.level === 'region' ? el('span', { class: 'cap' }, r.at.name) : null,
      el('span', { class: 'segs' }, segs));
    const m = L.marker([r.at.lat, r.at.lon], {
      icon: L.divIcon({ className: 'area-badge-icon', html: inner, iconSize: null }),
      keyboard: true, title: words, pane: 'badgesPane',
    });
    onActivate(m, () => onOpenArea(r.level, r.id, { areaOnly: true }));
    r.words = words;
    return m;
  }

  return {
    layer,
    /** Rebuilds the badges of a snapshot (placement comes after, in place()). */
    async update(snap) {
      const rows = await collect(snap);
      layer.clearLayers();
      const bounds = map.getBounds();
      items = rows.map((r) => ({ ...r, inView: r.at.listOnly || bounds.contains([r.at.lat, r.at.lon]) }));
      for (const r of items) if (r.at.listOnly) r.words = `${r.at.name}, known only to this group of countries: ${eventsText(r.fig)}`;
      for (const r of items) if (r.inView && !r.at.listOnly) { r.marker = badge(r, snap); layer.addLayer(r.marker); }
      return items;
    },
    /** Moves each badge to the first free spot near its point, largest first; `tree` holds what is taken. */
    place(tree) {
      for (const r of items) {
        if (!r.marker) continue;
        const node = r.marker.getElement() && r.marker.getElement().firstChild;
        if (!node) continue;
        node.style.transform = '';
        node.classList.remove('hidden');
        const w = node.offsetWidth;
        const h = node.offsetHeight;
        const p = map.latLngToContainerPoint([r.at.lat, r.at.lon]);
        const spot = OFFSETS.map(([dx, dy]) => ({ dx, dy, box: { minX: p.x + dx - w / 2 - 2, minY: p.y + dy - h / 2 - 2, maxX: p.x + dx + w / 2 + 2, maxY: p.y + dy + h / 2 + 2 } }))
          .find((s) => !tree.collides(s.box));
        r.drawn = Boolean(spot);
        if (!spot) { node.classList.add('hidden'); continue; }
        node.style.transform = `translate(${spot.dx - w / 2}px, ${spot.dy - h / 2}px)`;
        tree.insert(spot.box);
      }
      return items;
    },
    items: () => items,
  };
}
