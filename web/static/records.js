// Records drawn one by one (views of at most 3 000 records): one symbol per record at its site,
// gathered by Leaflet.markercluster into numbered circles where they crowd. Markers are kept from
// one refresh to the next (a record still in view keeps its marker, its focus and its highlight).
import { el, kindSymbol, onActivate, KINDS, KIND_LABEL } from './dom.js';
import { fmtInt, plural } from './format.js';
import { windowShare } from './time.js';
import { diameter } from './clusters.js';

const L = window.L;

/** A circle's icon whose element carries its words, so that the focusable element has a name. */
const NamedIcon = L.DivIcon.extend({
  createIcon(old) {
    const div = L.DivIcon.prototype.createIcon.call(this, old);
    div.setAttribute('title', this.options.words);
    return div;
  },
});

function countTitle(markers) {
  const by = {};
  let partial = 0;
  for (const m of markers) {
    by[m.options.kind] = (by[m.options.kind] || 0) + 1;
    if (m.options.partial) partial += 1;
  }
  const parts = KINDS.filter((k) => by[k]).map((k) => `${KIND_LABEL[k]} ${fmtInt(by[k])}`).join(', ');
  return { partial, text: `${plural(markers.length, 'record')} here (${parts})${partial ? `; ${fmtInt(partial)} reach outside the selected time` : ''}. Click to zoom in.` };
}

export function createRecordLayer(map, { onOpen }) {
  const group = L.markerClusterGroup({
    maxClusterRadius: 44, showCoverageOnHover: false, animate: false, spiderfyOnMaxZoom: true,
    iconCreateFunction: (c) => {
      const markers = c.getAllChildMarkers();
      const { partial, text } = countTitle(markers);
      const d = diameter(markers.length);
      const node = el('div', { class: `cluster-disc${partial ? ' partial' : ''}`, 'aria-hidden': 'true' }, fmtInt(markers.length));
      return new NamedIcon({ className: 'marker-cluster client-cluster', html: node, iconSize: [d, d], words: text });
    },
  });
  group.on('clusterkeypress', (e) => { if (e.originalEvent.key === 'Enter') e.layer.zoomToBounds({ padding: [30, 30] }); });
  group.addTo(map);
  const byId = new Map();
  let selected = null;

  function iconFor(p, partial) {
    const hollow = p.geo_precision === 'district';
    const node = kindSymbol(p.kind, { px: 18, hollow });
    return L.divIcon({ className: `kind-icon k-${p.kind}${partial ? ' partial' : ''}${p.id === selected ? ' selected' : ''}`, html: node, iconSize: [18, 18] });
  }

  /** Shows exactly `features` (points), keeping the markers of records already shown. */
  function update(features, win) {
    const next = new Map(features.map((f) => [f.properties.id, f]));
    const gone = [];
    for (const [id, m] of byId) if (!next.has(id)) { gone.push(m); byId.delete(id); }
    group.removeLayers(gone);
    const added = [];
    for (const [id, f] of next) {
      const p = f.properties;
      const partial = win ? windowShare(p, win).partial : false;
      const had = byId.get(id);
      if (had) {
        if (had.options.partial !== partial) { had.options.partial = partial; had.setIcon(iconFor(p, partial)); }
        had.feature = f;
        continue;
      }
      const [lon, lat] = f.geometry.coordinates;
      const where = p.geo_precision === 'district' ? 'somewhere in the district' : p.geo_precision;
      const m = L.marker([lat, lon], {
        icon: iconFor(p, partial), kind: p.kind, partial, keyboard: true, riseOnHover: true,
        title: `${p.title} (${KIND_LABEL[p.kind]}; ${where}${partial ? '; reaches outside the selected time' : ''})`,
      });
      m.feature = f;
      onActivate(m, () => onOpen(m.feature));
      byId.set(id, m);
      added.push(m);
    }
    group.addLayers(added);
    group.refreshClusters();
  }

  function clear() { group.clearLayers(); byId.clear(); }

  /** Highlights the marker of `id` (or the circle it is gathered into); null clears. */
  function select(id) {
    for (const old of document.querySelectorAll('.client-cluster.selected')) old.classList.remove('selected');
    const prev = selected && byId.get(selected);
    selected = id;
    if (prev && prev.getElement()) prev.getElement().classList.remove('selected');
    const m = id && byId.get(id);
    if (!m) return;
    const shown = group.getVisibleParent(m);
    if (shown && shown.getElement()) shown.getElement().classList.add('selected');
  }

  map.on('moveend', () => select(selected));
  return { update, clear, select, has: (id) => byId.has(id) };
}
