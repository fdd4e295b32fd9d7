// Shading: countries — and from zoom 5 provinces — by the events of the checked kinds inside the
// selected time. The meaning holds at every zoom: a country's events that are known only to the
// country are never dropped when provinces are shown; the country is hatched and its badge says
// how many are not located in a province. Class breaks are Jenks-style natural breaks (ckmeans,
// from simple-statistics) of the values of the jurisdictions in view.
import { groupFigure, shown, HOME } from './figures.js';
import { state } from './state.js';

const L = window.L;
export const RAMPS = {
  1: ['#9e9ac8'], 2: ['#cbc9e2', '#6a51a3'], 3: ['#dadaeb', '#9e9ac8', '#6a51a3'],
  4: ['#dadaeb', '#bcbddc', '#807dba', '#54278f'], 5: ['#efedf5', '#cbc9e2', '#9e9ac8', '#756bb1', '#54278f'],
};
export const EMPTY = '#f4f4f1';
export const EXCLUDED = '#dcdcdc';

/** Classes of `values` (positive numbers): [{ lo, hi, colour }], at most five. */
export function classify(values) {
  const v = values.filter((x) => x > 0);
  if (!v.length) return [];
  const k = Math.min(5, new Set(v.map((x) => Math.round(x * 10))).size);
  const groups = window.ss.ckmeans(v, k);
  return groups.map((g, i) => ({ lo: g[0], hi: g[g.length - 1], colour: RAMPS[groups.length][i] }));
}

/** The colour of `v` among `classes`: the highest class whose lower bound it reaches. */
export function colourOf(v, classes) {
  if (!(v > 0) || !classes.length) return EMPTY;
  let c = classes[0];
  for (const x of classes) if (v >= x.lo) c = x;
  return c.colour;
}

export function createChoropleth(map, { onHover, onLeave, onClick }) {
  // Each shaded feature gets `bounds` from its own layer (the labels and views use them).
  const countryLayer = new Map();
  const handlers = (level) => (f, layer) => {
    f.bounds = layer.getBounds();
    if (level === 'country') {
      countryLayer.set(f.id, layer);
      // Which outline is drawn, for a reader of the DOM (and the tests): simplified or stored.
      layer.on('add', () => {
        const e = layer.getElement();
        e.dataset.country = f.id;
        e.dataset.outline = f.outline || 'simplified';
      });
    }
    layer.on('mouseover mousemove', (e) => onHover(level, f, e));
    layer.on('mouseout', onLeave);
    layer.on('click', () => onClick(level, f));
  };
  let classes = [];
  let snap = null;
  const value = (level, id) => {
    if (!snap) return 0;
    const g = level === 'country' ? snap.countries.get(id) : snap.provinceStats.get(id);
    return shown(groupFigure(g, snap.kinds));
  };
  const excluded = (country) => state.outside && country === HOME;
  const countries = L.geoJSON(null, {
    pane: 'countriesPane', onEachFeature: handlers('country'),
    style: (f) => ({ weight: 0.6, color: '#8a949c', fillOpacity: 1, fillColor: excluded(f.id) ? EXCLUDED : colourOf(value('country', f.id), classes) }),
  }).addTo(map);
  const provinces = L.geoJSON(null, {
    pane: 'provincesPane', onEachFeature: handlers('province'),
    style: (f) => ({ weight: 0.5, color: '#6b747c', fillOpacity: 1, fillColor: excluded(f.properties.country) ? EXCLUDED : colourOf(value('province', f.id), classes) }),
  });
  // Countries with events known only to the country: hatched over whatever is shaded beneath.
  const hatch = L.geoJSON(null, { pane: 'hatchPane', interactive: false, style: { stroke: false, fillColor: 'url(#hatch)', fillOpacity: 1 } }).addTo(map);
  const countryById = new Map();
  const provinceIds = new Set();
  let hatched = '';

  function inView(layer, bounds) {
    return layer.getBounds().intersects(bounds);
  }

  function render(s) {
    snap = s;
    const bounds = map.getBounds();
    if (s.provinces) provinces.addTo(map); else map.removeLayer(provinces);
    const vals = [];
    if (s.provinces) {
      provinces.eachLayer((l) => { if (!excluded(l.feature.properties.country) && inView(l, bounds)) vals.push(value('province', l.feature.id)); });
    } else {
      countries.eachLayer((l) => { if (!excluded(l.feature.id) && inView(l, bounds)) vals.push(value('country', l.feature.id)); });
    }
    classes = classify(vals);
    countries.setStyle(countries.options.style);
    provinces.setStyle(provinces.options.style);
    const ids = [...s.countryLevel.values()].filter((g) => !excluded(g.id) && shown(groupFigure(g, s.kinds)) > 0).map((g) => g.id).sort();
    if (ids.join() !== hatched) {
      hatched = ids.join();
      hatch.clearLayers();
      for (const id of ids) if (countryById.has(id)) hatch.addData(countryById.get(id));
    }
  }

  return {
    countries, provinces,
    setCountries(fc) { for (const f of fc.features) countryById.set(f.id, f); countries.addData(fc); },
    addProvinces(fc) {
      const fresh = fc.features.filter((f) => !provinceIds.has(f.id));
      for (const f of fresh) provinceIds.add(f.id);
      if (fresh.length) provinces.addData({ type: 'FeatureCollection', features: fresh });
    },
    country: (id) => countryById.get(id),
    /** Draws country `id` (shading and hatching) with `geometry`, which its feature keeps. */
    setOutline(id, geometry) {
      const f = countryById.get(id);
      if (!f) return;
      f.geometry = geometry;
      f.outline = 'stored';
      const old = countryLayer.get(id);
      if (old) countries.removeLayer(old);
      countries.addData(f);
      const hatched = [];
      hatch.eachLayer((l) => { if (l.feature.id === id) hatched.push(l); });
      for (const l of hatched) { hatch.removeLayer(l); hatch.addData(f); }
    },
    render,
    classes: () => classes,
  };
}
