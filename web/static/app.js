// The iskp-map page: per-kind layers, a choropleth of countries and provinces, a time filter with a
// timeline, cross-border arrows, place search and permalinks. Everything is read from the API of the
// same origin (bbox + datetime), so the page keeps working as the data grows.
import { el, KINDS, KIND_LABEL, recordCard, recordList } from './dom.js';
import { monthsBetween, datetimeParam, drawTimeline } from './time.js';

const L = window.L;
// Above this many records in view, the server gathers them into clusters: the browser never
// receives more than this many features at once.
const MAX_FEATURES = 3000;
const PROVINCE_ZOOM = 5;
const BREAKS = [1, 2, 5, 10, 20, 50, 100, 500];
const RAMP = ['#fff7bc', '#fee391', '#fec44f', '#fe9929', '#ec7014', '#cc4c02', '#993404', '#662506'];
const EMPTY = '#f4f4f1';
const $ = (id) => document.getElementById(id);

async function api(path, params = {}) {
  const u = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.searchParams.set(k, v);
  const r = await fetch(u);
  if (!r.ok) throw new Error(`${u.pathname}: ${r.status}`);
  return r.json();
}

// ---- state and permalink -------------------------------------------------------------------------
const state = {
  kinds: new Set(KINDS), arrows: true, measure: 'total', from: null, to: null, sel: null, outside: false,
  view: null,
};

function readHash() {
  const h = new URLSearchParams(window.location.hash.slice(1));
  if (h.get('kinds') !== null) state.kinds = new Set(h.get('kinds').split(',').filter((k) => KINDS.includes(k)));
  if (h.get('arrows') === '0') state.arrows = false;
  if (['total', ...KINDS].includes(h.get('measure'))) state.measure = h.get('measure');
  if (/^\d{4}-\d{2}$/.test(h.get('from') || '')) state.from = h.get('from');
  if (/^\d{4}-\d{2}$/.test(h.get('to') || '')) state.to = h.get('to');
  if (h.get('sel')) state.sel = h.get('sel');
  state.outside = h.get('outside') === '1';
  const m = (h.get('map') || '').split('/').map(Number);
  if (m.length === 3 && m.every(Number.isFinite)) state.view = { zoom: m[0], lat: m[1], lon: m[2] };
}

function writeHash() {
  const c = map.getCenter();
  const h = new URLSearchParams();
  h.set('map', `${map.getZoom()}/${c.lat.toFixed(4)}/${c.lng.toFixed(4)}`);
  if (state.kinds.size !== KINDS.length) h.set('kinds', [...state.kinds].join(','));
  if (!state.arrows) h.set('arrows', '0');
  if (state.measure !== 'total') h.set('measure', state.measure);
  h.set('from', state.from);
  h.set('to', state.to);
  if (state.sel) h.set('sel', state.sel);
  if (state.outside) h.set('outside', '1');
  window.history.replaceState(null, '', `#${h.toString()}`);
}

// ---- map and layers ------------------------------------------------------------------------------
readHash();
const map = L.map('map', { minZoom: 2, maxZoom: 14, worldCopyJump: false, zoomSnap: 0.5, keyboard: true })
  .setView(state.view ? [state.view.lat, state.view.lon] : [33.9, 66.0], state.view ? state.view.zoom : 4);
map.attributionControl.setPrefix(false);
map.attributionControl.addAttribution('Boundaries: Natural Earth · Places: GeoNames (CC BY 4.0)');
// Leaflet only watches the window; the panel can resize the map's box too (phone layout).
new ResizeObserver(() => map.invalidateSize()).observe(document.getElementById('map'));
map.createPane('jurisdictions').style.zIndex = 350;
map.createPane('provincesPane').style.zIndex = 360;

const kindLayers = {};
for (const k of KINDS) {
  kindLayers[k] = {
    cluster: L.markerClusterGroup({
      maxClusterRadius: 40, showCoverageOnHover: false,
      iconCreateFunction: (c) => L.divIcon({ className: 'marker-cluster', html: `<div>${Number(c.getChildCount())}</div>`, iconSize: [40, 40] }),
    }),
    badges: L.layerGroup(),
  };
}
const arrows = L.layerGroup();
// Server-side clusters, shown instead of single records when a view holds more than MAX_FEATURES.
const serverClusters = L.layerGroup();
let lastClusters = null;
let countriesLayer = null;
let provincesLayer = null;
let countryStats = new Map();
let provinceStats = new Map();
let extent = null;
let months = [];

function applyLayerVisibility() {
  for (const k of KINDS) {
    for (const layer of [kindLayers[k].cluster, kindLayers[k].badges]) {
      if (state.kinds.has(k)) layer.addTo(map); else map.removeLayer(layer);
    }
  }
  if (state.arrows) arrows.addTo(map); else map.removeLayer(arrows);
  serverClusters.addTo(map);
  if (lastClusters) drawServerClusters(lastClusters);
}

// ---- choropleth -------------------------------------------------------------------------------------
function colour(v) {
  if (!v) return EMPTY;
  let i = 0;
  while (i + 1 < BREAKS.length && v >= BREAKS[i + 1]) i += 1;
  return RAMP[i];
}

function measureOf(g) {
  return g ? g[state.measure] || 0 : 0;
}

function styleCountry(f) {
  const excluded = state.outside && f.id === 'AFG';
  return {
    pane: 'jurisdictions', weight: 0.6, color: '#8a949c', fillOpacity: 1,
    fillColor: excluded ? '#e3e3e3' : colour(measureOf(countryStats.get(f.id))),
  };
}

function styleProvince(f) {
  const excluded = state.outside && f.properties.country === 'AFG';
  return {
    pane: 'provincesPane', weight: 0.5, color: '#6b747c', fillOpacity: 1,
    fillColor: excluded ? '#e3e3e3' : colour(measureOf(provinceStats.get(f.id))),
  };
}

function drawLegend() {
  const what = $('measure').selectedOptions[0].textContent;
  const rows = [el('div', { class: 'row' }, el('span', { class: 'box legend-empty' }), 'none')];
  BREAKS.forEach((b, i) => {
    const next = BREAKS[i + 1];
    const box = el('span', { class: 'box' });
    box.style.background = RAMP[i];
    rows.push(el('div', { class: 'row' }, box, next ? (next - 1 === b ? `${b}` : `${b}–${next - 1}`) : `${b}+`));
  });
  rows[0].firstChild.style.background = EMPTY;
  $('legend').replaceChildren(
    el('strong', {}, `Events (${what}) in the selected time, by ${map.getZoom() >= PROVINCE_ZOOM ? 'province where known, else country' : 'country'}`),
    ...rows,
    el('p', { class: 'note' }, 'Dashed badges are totals known only to a country or province; they sit inside it, not at a place.'),
  );
}

function hoverBox(name, g, event) {
  const box = $('hover');
  const rows = [['All', g ? g.total : 0], ...KINDS.map((k) => [KIND_LABEL[k], g ? g[k] : 0])];
  box.replaceChildren(el('strong', {}, name), el('table', {}, el('tbody', {}, rows.map(([k, v]) => el('tr', {}, el('td', {}, k), el('td', { class: 'n' }, v))))));
  box.hidden = false;
  const e = event.originalEvent;
  box.style.left = `${Math.min(e.clientX + 14, window.innerWidth - 220)}px`;
  box.style.top = `${e.clientY + 14}px`;
}

function jurisdictionHandlers(kind) {
  return (f, layer) => {
    layer.on('mouseover', (e) => hoverBox(f.properties.name, (kind === 'country' ? countryStats : provinceStats).get(f.id), e));
    layer.on('mousemove', (e) => hoverBox(f.properties.name, (kind === 'country' ? countryStats : provinceStats).get(f.id), e));
    layer.on('mouseout', () => { $('hover').hidden = true; });
    layer.on('click', () => showJurisdiction(kind, f));
  };
}

async function showJurisdiction(kind, f) {
  const params = { datetime: datetimeParam(state.from, state.to), limit: 1000 };
  if (kind === 'country') params.country = f.id; else params.province = f.id;
  const fc = await api('/api/collections/incidents/items', params);
  const feats = fc.features.filter((x) => state.kinds.has(x.properties.kind));
  const note = kind === 'province' ? 'Records known to this province or more precisely; country-level totals are listed under the country.' : null;
  showList(`${f.properties.name}: ${feats.length} record${feats.length === 1 ? '' : 's'}`, feats, note);
}

// ---- records ----------------------------------------------------------------------------------------
function icon(p) {
  return L.divIcon({ className: `kind-icon k-${p.kind}${p.geo_precision === 'district' ? ' hollow' : ''}`, iconSize: [16, 16] });
}

function badgeIcon(kind, total, i) {
  // Badges of different kinds at one jurisdiction fan out around its point.
  const a = (i / KINDS.length) * 2 * Math.PI;
  const dx = Math.round(Math.cos(a) * 18);
  const dy = Math.round(Math.sin(a) * 14);
  const span = document.createElement('span');
  span.textContent = String(total);
  return L.divIcon({ className: `area-badge k-${kind}`, html: span.outerHTML, iconSize: [30, 22], iconAnchor: [15 - dx, 11 - dy] });
}

function arrowShapes(f) {
  const o = f.properties.origin;
  const [lon, lat] = f.geometry.coordinates;
  const line = L.polyline([[o.lat, o.lon], [lat, lon]], { color: '#222', weight: 2, dashArray: o.geo_precision === 'country' ? '6 5' : null, interactive: true });
  const dx = lon - o.lon;
  const dy = lat - o.lat;
  const len = Math.hypot(dx, dy) || 1;
  const s = Math.min(0.6, len * 0.15);
  const ux = dx / len;
  const uy = dy / len;
  const head = L.polygon([[lat, lon], [lat - uy * s + ux * s * 0.5, lon - ux * s - uy * s * 0.5], [lat - uy * s - ux * s * 0.5, lon - ux * s + uy * s * 0.5]], { color: '#222', weight: 1, fillOpacity: 1 });
  const title = `${f.properties.title} (from ${o.place})`;
  line.bindTooltip(title);
  line.on('click', () => showRecord(f));
  head.on('click', () => showRecord(f));
  return [line, head];
}

const markersById = new Map();

function drawRecords(features) {
  clearRecords();
  serverClusters.clearLayers();
  lastClusters = null;
  const areas = new Map();
  const counts = Object.fromEntries(KINDS.map((k) => [k, 0]));
  for (const f of features) {
    const p = f.properties;
    if (state.outside && p.country === 'AFG') continue;
    counts[p.kind] += p.count;
    if (p.origin) for (const s of arrowShapes(f)) arrows.addLayer(s);
    if (p.geo_precision === 'country' || p.geo_precision === 'province') {
      const key = `${p.kind}|${p.admin1_id || p.country}|${p.geo_precision}`;
      if (!areas.has(key)) areas.set(key, { kind: p.kind, features: [], where: p.geo_precision === 'province' ? p.admin1 : p.country_name });
      areas.get(key).features.push(f);
      continue;
    }
    const [lon, lat] = f.geometry.coordinates;
    const m = L.marker([lat, lon], { icon: icon(p), title: `${p.title} (${p.kind})`, alt: p.title, keyboard: true, riseOnHover: true });
    m.bindPopup(() => recordCard(f), { maxWidth: 320 });
    m.on('click', () => { state.sel = p.id; writeHash(); showDetails(recordCard(f)); });
    kindLayers[p.kind].cluster.addLayer(m);
    markersById.set(p.id, { marker: m, feature: f });
  }
  for (const a of areas.values()) {
    const [lon, lat] = a.features[0].geometry.coordinates;
    const total = a.features.reduce((s, f) => s + f.properties.count, 0);
    const b = L.marker([lat, lon], { icon: badgeIcon(a.kind, total, KINDS.indexOf(a.kind)), keyboard: true, title: `${KIND_LABEL[a.kind]} in ${a.where}: ${total} (known only to ${a.features[0].properties.geo_precision} level)` });
    b.on('click', () => showList(`${KIND_LABEL[a.kind]} in ${a.where}`, a.features, `Known only to ${a.features[0].properties.geo_precision} level: not exact locations.`));
    kindLayers[a.kind].badges.addLayer(b);
    for (const f of a.features) markersById.set(f.properties.id, { marker: b, feature: f });
  }
  for (const k of KINDS) {
    const n = document.querySelector(`[data-count="${k}"]`);
    if (n) n.textContent = String(counts[k]);
  }
}

function clearRecords() {
  for (const k of KINDS) { kindLayers[k].cluster.clearLayers(); kindLayers[k].badges.clearLayers(); }
  arrows.clearLayers();
  markersById.clear();
}

// Clusters from /clusters: one marker per grid cell, sized and labelled by the records of the kinds
// shown; a click zooms to the cell's records (or opens the record when the cell holds one).
function drawServerClusters(fc) {
  serverClusters.clearLayers();
  const counts = Object.fromEntries(KINDS.map((k) => [k, 0]));
  for (const f of fc.features) {
    const p = f.properties;
    const total = KINDS.filter((k) => state.kinds.has(k)).reduce((s, k) => s + (p.totals[k] || 0), 0);
    for (const k of KINDS) counts[k] += p.totals[k] || 0;
    if (total === 0) continue;
    const [lon, lat] = f.geometry.coordinates;
    const size = total < 100 ? 34 : total < 10000 ? 42 : 52;
    const label = total >= 10000 ? `${Math.round(total / 1000)}k` : String(total);
    const parts = KINDS.filter((k) => state.kinds.has(k) && p.totals[k]).map((k) => `${KIND_LABEL[k]} ${p.totals[k]}`).join(', ');
    const m = L.marker([lat, lon], {
      icon: L.divIcon({ className: 'marker-cluster server-cluster', html: `<div>${label}</div>`, iconSize: [size, size] }),
      title: `${p.records} records here: ${parts}`, keyboard: true,
    });
    m.on('click', async () => {
      if (p.record) {
        const f1 = await api(`/api/collections/incidents/items/${encodeURIComponent(p.record)}`);
        showRecord(f1);
        return;
      }
      const [w, s, e, n] = p.bbox;
      map.fitBounds([[s, w], [n, e]], { maxZoom: map.getZoom() + 3, padding: [20, 20] });
    });
    serverClusters.addLayer(m);
  }
  for (const k of KINDS) {
    const n = document.querySelector(`[data-count="${k}"]`);
    if (n) n.textContent = String(counts[k]);
  }
}

// ---- details panel ------------------------------------------------------------------------------------
function showDetails(node) {
  $('details').replaceChildren(node);
}

function showRecord(f) {
  state.sel = f.properties.id;
  writeHash();
  showDetails(recordCard(f));
}

function showList(title, features, note) {
  showDetails(recordList(title, features, (f) => {
    showRecord(f);
    const hit = markersById.get(f.properties.id);
    if (hit && hit.feature.properties.geo_precision !== 'country' && hit.feature.properties.geo_precision !== 'province') {
      const cluster = kindLayers[f.properties.kind].cluster;
      cluster.zoomToShowLayer(hit.marker, () => hit.marker.openPopup());
    }
  }, note));
}

// ---- loading --------------------------------------------------------------------------------------------
function viewBbox() {
  const b = map.getBounds().pad(0.2);
  const clamp = (x, lo, hi) => Math.max(lo, Math.min(hi, x));
  const w = b.getWest();
  const e = b.getEast();
  if (e - w >= 360) return '-180,-90,180,90';
  return [clamp(w, -180, 180), clamp(b.getSouth(), -90, 90), clamp(e, -180, 180), clamp(b.getNorth(), -90, 90)].map((x) => x.toFixed(4)).join(',');
}

let generation = 0;
async function refresh() {
  const mine = ++generation;
  const datetime = datetimeParam(state.from, state.to);
  const bbox = viewBbox();
  $('status').textContent = 'Loading…';
  try {
    const wantProvinces = map.getZoom() >= PROVINCE_ZOOM;
    const zoom = Math.floor(map.getZoom());
    const [clusters, cstats, pstats, provinces] = await Promise.all([
      api('/api/collections/incidents/clusters', { bbox, datetime, zoom }),
      api('/api/stats', { by: 'country', datetime }),
      wantProvinces ? api('/api/stats', { by: 'province', datetime, bbox }) : null,
      wantProvinces ? api('/api/collections/provinces/items', { bbox, limit: 3000 }) : null,
    ]);
    if (mine !== generation) return;
    countryStats = new Map(cstats.groups.map((g) => [g.id, g]));
    provinceStats = new Map(pstats ? pstats.groups.map((g) => [g.id, g]) : []);
    countriesLayer.setStyle(styleCountry);
    if (provincesLayer) { map.removeLayer(provincesLayer); provincesLayer = null; }
    if (provinces) {
      provincesLayer = L.geoJSON(provinces, { style: styleProvince, onEachFeature: jurisdictionHandlers('province') }).addTo(map);
    }
    const matched = clusters.numberMatched;
    if (matched <= MAX_FEATURES) {
      const items = await api('/api/collections/incidents/items', { bbox, datetime, limit: MAX_FEATURES });
      if (mine !== generation) return;
      drawRecords(items.features);
      $('status').textContent = `${matched} record${matched === 1 ? '' : 's'} in view, ${state.from} to ${state.to}.`;
    } else {
      clearRecords();
      lastClusters = clusters;
      drawServerClusters(clusters);
      $('status').textContent = `${matched.toLocaleString('en')} records in view, ${state.from} to ${state.to}, in ${clusters.numberReturned} clusters — zoom in to see single records.`;
    }
    drawLegend();
    writeHash();
  } catch (err) {
    if (mine === generation) $('status').textContent = `Could not load: ${err.message}`;
  }
}

async function refreshTimeline() {
  const st = await api('/api/stats', { period: 'year' });
  const value = (t) => {
    if (state.kinds.size === KINDS.length) return t.spread;
    const all = t.total || 1;
    return t.spread * ([...state.kinds].reduce((s, k) => s + t[k], 0) / all);
  };
  drawTimeline($('timeline'), st.timeline, value, state.from, state.to);
}

// ---- controls ---------------------------------------------------------------------------------------------
function buildKindControls() {
  const box = $('kinds');
  for (const k of KINDS) {
    const input = el('input', { type: 'checkbox', id: `kind-${k}`, 'data-kind': k });
    input.checked = state.kinds.has(k);
    input.addEventListener('change', () => {
      if (input.checked) state.kinds.add(k); else state.kinds.delete(k);
      applyLayerVisibility();
      refreshTimeline();
      writeHash();
    });
    box.append(el('label', { class: 'check', for: `kind-${k}` }, input, el('span', { class: `swatch k-${k}`, 'aria-hidden': 'true' }), KIND_LABEL[k], el('span', { class: 'n', 'data-count': k }, '')));
  }
  const arrowsBox = $('layer-arrows');
  arrowsBox.checked = state.arrows;
  arrowsBox.addEventListener('change', () => { state.arrows = arrowsBox.checked; applyLayerVisibility(); writeHash(); });
}

function setRange(fromIdx, toIdx) {
  const f = Math.max(0, Math.min(fromIdx, months.length - 1));
  const t = Math.max(f, Math.min(toIdx, months.length - 1));
  $('from').value = String(f);
  $('to').value = String(t);
  state.from = months[f];
  state.to = months[t];
  $('from-out').textContent = state.from;
  $('to-out').textContent = state.to;
}

let playTimer = null;
function stopPlay() {
  clearInterval(playTimer);
  playTimer = null;
  $('play').setAttribute('aria-pressed', 'false');
  $('play').textContent = '▶ Play';
}

function buildTimeControls() {
  for (const id of ['from', 'to']) {
    const input = $(id);
    input.max = String(months.length - 1);
    input.addEventListener('input', () => {
      const f = Number($('from').value);
      const t = Number($('to').value);
      if (id === 'from') setRange(f, Math.max(f, t)); else setRange(Math.min(f, t), t);
    });
    input.addEventListener('change', () => { refresh(); refreshTimeline(); });
  }
  $('play').addEventListener('click', () => {
    if (playTimer) { stopPlay(); return; }
    let f = Number($('from').value);
    let t = Number($('to').value);
    if (t - f >= months.length - 1) { f = 0; t = 11; }
    if (t >= months.length - 1) { t -= f; f = 0; }
    setRange(f, t);
    $('play').setAttribute('aria-pressed', 'true');
    $('play').textContent = '⏸ Pause';
    refresh();
    refreshTimeline();
    playTimer = setInterval(() => {
      const ff = Number($('from').value);
      const tt = Number($('to').value);
      if (tt >= months.length - 1) { stopPlay(); return; }
      setRange(ff + 1, tt + 1);
      refresh();
      refreshTimeline();
    }, 900);
  });
}

function buildViews() {
  $('view-world').addEventListener('click', () => map.setView([25, 40], 2));
  $('view-afghanistan').addEventListener('click', () => map.setView([33.9, 66.0], 5));
  const outside = $('view-outside');
  outside.setAttribute('aria-pressed', String(state.outside));
  outside.addEventListener('click', () => {
    state.outside = !state.outside;
    outside.setAttribute('aria-pressed', String(state.outside));
    if (state.outside) {
      if (state.measure === 'total') { state.measure = 'plot'; $('measure').value = 'plot'; }
      map.setView([35, 45], 3);
    }
    refresh();
  });
  const measure = $('measure');
  measure.value = state.measure;
  measure.addEventListener('change', () => {
    state.measure = measure.value;
    countriesLayer.setStyle(styleCountry);
    if (provincesLayer) provincesLayer.setStyle(styleProvince);
    drawLegend();
    writeHash();
  });
}

function buildSearch() {
  const input = $('search-input');
  const list = $('search-results');
  let results = [];
  let active = -1;
  let timer = null;
  const zoomFor = { country: 5, province: 7, district: 9, city: 10, landmark: 14 };
  const choose = (f) => {
    const [lon, lat] = f.geometry.coordinates;
    map.flyTo([lat, lon], zoomFor[f.properties.level] || 8);
    list.hidden = true;
    input.value = f.properties.name;
  };
  const render = () => {
    list.replaceChildren(...results.map((f, i) => el('li', { role: 'option', id: `sr-${i}`, 'aria-selected': String(i === active), onclick: () => choose(f) },
      f.properties.name, ' ', el('small', {}, `${f.properties.level}, ${f.properties.country_name || f.properties.country}`))));
    list.hidden = results.length === 0;
    input.setAttribute('aria-activedescendant', active >= 0 ? `sr-${active}` : '');
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = input.value.trim();
      if (!q) { results = []; render(); return; }
      try { results = (await api('/api/geocode', { q, limit: 8 })).features; } catch { results = []; }
      active = results.length ? 0 : -1;
      render();
    }, 180);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') { active = Math.min(results.length - 1, active + 1); render(); e.preventDefault(); }
    if (e.key === 'ArrowUp') { active = Math.max(0, active - 1); render(); e.preventDefault(); }
    if (e.key === 'Escape') { list.hidden = true; }
  });
  $('search').addEventListener('submit', (e) => {
    e.preventDefault();
    if (results[active]) choose(results[active]);
  });
}

async function restoreSelection() {
  if (!state.sel) return;
  try {
    const f = await api(`/api/collections/incidents/items/${encodeURIComponent(state.sel)}`);
    showDetails(recordCard(f));
  } catch {
    state.sel = null;
  }
}

// ---- start ------------------------------------------------------------------------------------------------
async function start() {
  buildKindControls();
  applyLayerVisibility();
  const [incidents, countries] = await Promise.all([
    api('/api/collections/incidents'),
    api('/api/collections/countries/items', { limit: 1000 }),
  ]);
  extent = incidents.extent.temporal.interval[0];
  months = monthsBetween(extent[0], extent[1]);
  const fromIdx = state.from && months.includes(state.from) ? months.indexOf(state.from) : 0;
  const toIdx = state.to && months.includes(state.to) ? months.indexOf(state.to) : months.length - 1;
  buildTimeControls();
  setRange(fromIdx, toIdx);
  countriesLayer = L.geoJSON(countries, { style: styleCountry, onEachFeature: jurisdictionHandlers('country') }).addTo(map);
  buildViews();
  buildSearch();
  map.on('moveend', () => refresh());
  await Promise.all([refresh(), refreshTimeline(), restoreSelection()]);
  document.body.dataset.ready = 'true';
}

start().catch((err) => { $('status').textContent = `The map could not start: ${err.message}`; });
