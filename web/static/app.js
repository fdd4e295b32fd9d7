// The iskp-map page: wiring. Each concern lives in its own module — state.js (choices and the
// permalink), load.js (what a view holds), records.js and clusters.js (records and circles),
// areas.js (totals known only to a country or province), choropleth.js (shading) with outlines.js
// (the countries simplified, then as stored from zoom 5), arrows.js,
// labels.js, details.js (the selection), list.js (the records list), filters.js, timebar.js,
// search.js, summary.js, legend.js, roving.js (one tab stop for the map's symbols), history.js (as of
// an instant, what changed) and sheet.js
// (the panel as a bottom sheet on a phone); export.js (downloads, citations, the print heading) with
// cite.js, snapshot.js (the map as a PNG) and dataset.js, and about.js (the methodology dialog).
import { el, kindSymbol, KINDS, KIND_LABEL } from './dom.js';
import { api, NotFound } from './api.js';
import { coarseOutlines, createOutlineDetail } from './outlines.js';
import { state, parseHash, writeHash, onHashEdit } from './state.js';
import { windowDays, setSplits } from './time.js';
import { collection, splits, monthsOf, rangeIn } from './first.js';
import { loadView, viewBbox, viewBounds, PROVINCE_ZOOM, provinceStatsKept } from './load.js';
import { createRecordLayer } from './records.js';
import { declutter, cellMarker } from './clusters.js';
import { createAreaLayer } from './areas.js';
import { createChoropleth } from './choropleth.js';
import { createArrowLayer } from './arrows.js';
import { LabelLayer, screenTree } from './labels.js';
import { createDetails } from './details.js';
import { createTimebar } from './timebar.js';
import { createSearch } from './search.js';
import { drawSummary } from './summary.js';
import { drawSymbolLegend, drawShadingLegend } from './legend.js';
import { hoverBox, jurisdictionRecords, drawAreaBox, wideRecords } from './jurisdictions.js';
import { createList } from './list.js';
import { createFilters } from './filters.js';
import { createRoving } from './roving.js';
import { createSheet } from './sheet.js';
import { jurisdictionProfile } from './profile.js';
import { createExport } from './export.js';
import { createAbout } from './about.js';
import { createHistory } from './history.js';

const L = window.L;
const $ = (id) => document.getElementById(id);

Object.assign(state, parseHash(window.location.hash));
// Focusing a symbol never moves the map: the roving tab stop (roving.js) only reaches symbols on screen.
L.Marker.mergeOptions({ autoPanOnFocus: false });
// No glide after a drag: the map stops where the reader lets go and its view loads at once (a
// glide delayed every pan's figures by up to half a second at a million records).
const map = L.map('map', { inertia: false, minZoom: 2, maxZoom: 14, zoomSnap: 0.5, keyboard: true, worldCopyJump: false })
  .setView(state.view ? [state.view.lat, state.view.lon] : [33.9, 66.0], state.view ? state.view.zoom : 4);
map.attributionControl.setPrefix(false);
map.attributionControl.addAttribution('Boundaries: Natural Earth · Places: GeoNames (CC BY 4.0)');
new ResizeObserver(() => map.invalidateSize()).observe($('map'));
const roving = createRoving(map);
const sheet = createSheet(map);
for (const [name, z] of [['countriesPane', 350], ['provincesPane', 360], ['hatchPane', 370], ['arrowsPane', 420], ['labelsPane', 450], ['badgesPane', 610], ['pinPane', 630], ['selectionPane', 640]]) {
  map.createPane(name).style.zIndex = String(z);
}

let snap = null;
let months = [];
let pin = null;
const win = () => (state.match === 'within' || wholeSpan() ? null : windowDays(state.from, state.to));
const wholeSpan = () => state.from === months[0] && state.to === months[months.length - 1];

// ---- the selection -------------------------------------------------------------------------------
const details = createDetails(map, { onClose: () => closeSelection(), onShow: () => sheet.reveal() });
function areaFeature(level, id) {
  return level === 'country' ? choropleth.country(id) : provinceById.get(id);
}
function openRecord(f) {
  state.sel = f.properties.id;
  state.area = null;
  const p = f.properties;
  const area = p.geo_precision === 'country' ? areaFeature('country', p.country) : p.geo_precision === 'province' ? areaFeature('province', p.admin1_id) : null;
  details.record(f, win(), area);
  if (f.geometry) sheet.keepInSight([f.geometry.coordinates[1], f.geometry.coordinates[0]]);
  records.select(p.id);
  list.select(p.id);
  writeHash(map);
}

/** Opens a record's card and flies the map to it: to its point, or to the box of its area. */
function openAndFly(f, { fromList = false } = {}) {
  openRecord(f);
  if (fromList) list.hold();
  const p = f.properties;
  const box = f.geometry ? null : (p.area && p.area.bbox) || f.bbox;
  document.body.dataset.busy = 'true';
  if (f.geometry && f.geometry.type === 'Point') {
    const [lon, lat] = f.geometry.coordinates;
    map.flyTo([lat, lon], Math.max(map.getZoom(), p.geo_precision === 'district' ? 8 : 9), { duration: 0.6 });
  } else if (box) {
    const [w, s, e, n] = box;
    map.flyToBounds([[s, w], [n, e]], { padding: [30, 30], maxZoom: 8, duration: 0.6 });
  } else document.body.dataset.busy = 'false';
}
async function openRecordById(id) {
  try {
    openRecord(await api(`/api/collections/incidents/items/${encodeURIComponent(id)}`));
  } catch (e) {
    if (!(e instanceof NotFound)) throw e;
    state.sel = null;
    details.missing(id);
    writeHash(map);
  }
}
/** How the open jurisdiction was opened ({ areaOnly } from a badge), to read it again alike. */
let areaOpts = {};
async function openArea(level, id, opts = {}) {
  if (level === 'region' || level === 'multinational') {
    // No jurisdiction: its records are in the snapshot already; nothing to outline.
    const g = snap && snap.wideLevel.get(`${level}:${id}`);
    if (!g) return;
    state.area = null;
    state.sel = null;
    records.select(null);
    const list = wideRecords(g, snap);
    details.list(list.title, list.notes, list.features, openRecord, win(), null);
    writeHash(map);
    return;
  }
  const f = areaFeature(level, id) || await api(`/api/collections/${level === 'country' ? 'countries' : 'provinces'}/items/${encodeURIComponent(id)}`).catch(() => null);
  if (!f) return;
  state.area = { level, id };
  areaOpts = opts;
  state.sel = null;
  records.select(null);
  const [list, profile] = await Promise.all([
    jurisdictionRecords(level, id, f.properties.name, snap, opts),
    jurisdictionProfile(level, id, snap.kinds, opts).catch(() => null),
  ]);
  details.list(list.title, list.notes, list.features, openRecord, win(), f, profile);
  writeHash(map);
}
function closeSelection() {
  state.sel = null;
  state.area = null;
  details.clear();
  records.select(null);
  list.select(null);
  writeHash(map);
}

// ---- layers ----------------------------------------------------------------------------------------
const provinceById = new Map();
const choropleth = createChoropleth(map, {
  onHover: (level, f, e) => { if (snap) hoverBox(level, f, snap, e); },
  onLeave: () => { $('hover').hidden = true; },
  onClick: (level, f) => openArea(level, f.id),
});
const records = createRecordLayer(map, { onOpen: openRecord });
const exporter = createExport({ permalink: () => { writeHash(map); return window.location.href; } });
const list = createList({ onPick: (f) => openAndFly(f, { fromList: true }), onShown: (view) => exporter.update(view).catch(() => {}) });
createAbout();
window.addEventListener('iskp:state', () => writeHash(map));
const clusterLayer = L.layerGroup().addTo(map);
const areas = createAreaLayer(map, { onOpenArea: openArea, countryFeature: (id) => choropleth.country(id), provinceFeature: (id) => provinceById.get(id) });
const arrows = createArrowLayer(map, { onOpen: openRecord, areaGeometry: (id) => choropleth.country(id) });
arrows.layer.addTo(map);
arrows.outlines.addTo(map);
map.on('zoomend', () => arrows.redraw());
const labels = new LabelLayer().addTo(map);
let countryRank = [];

function openCell(c) {
  if (c.record) { openRecordById(c.record); return; }
  const [w, s, e, n] = c.bbox;
  map.fitBounds([[s, w], [n, e]], { maxZoom: map.getZoom() + 3, padding: [30, 30] });
}

/** Places badges, then labels, around the symbols on screen; none overlaps another. */
function place() {
  const tree = screenTree();
  const origin = $('map').getBoundingClientRect();
  for (const n of document.querySelectorAll('.leaflet-marker-pane .leaflet-marker-icon, .leaflet-pin-pane .leaflet-marker-icon')) {
    const r = n.getBoundingClientRect();
    if (r.width) tree.insert({ minX: r.left - origin.left, minY: r.top - origin.top, maxX: r.right - origin.left, maxY: r.bottom - origin.top });
  }
  const items = areas.place(tree);
  drawAreaBox(items, snap, openArea);
  const z = map.getZoom();
  const cands = [];
  if (pin) cands.push({ ...pin, level: 'pin', rank: -1 });
  // Countries with activity of the checked kinds are named first, then the others, larger first.
  const active = (id) => snap && snap.kinds.some((k) => (snap.countries.get(id) || {})[k] > 0);
  countryRank.forEach((f, i) => {
    if (z >= 3 || i < 40) cands.push({ text: f.properties.name, lat: f.properties.label_lat, lon: f.properties.label_lon, level: 'country', rank: (active(f.id) ? 0 : 500) + i, bounds: f.bounds, short: f.id.length === 3 ? f.id : null });
  });
  if (z >= 5) {
    const ps = [...provinceById.values()].filter((f) => !(state.outside && f.properties.country === 'AFG'));
    const activeP = (id) => snap && snap.kinds.some((k) => (snap.provinceStats.get(id) || {})[k] > 0);
    ps.forEach((f) => cands.push({ text: f.properties.name, lat: f.properties.label_lat, lon: f.properties.label_lon, level: 'province', rank: (activeP(f.id) ? 1000 : 2000) - f.area / 1000, bounds: f.bounds }));
  }
  if (z >= 6 && snap && snap.points) {
    const seen = new Set();
    for (const f of snap.points) {
      const p = f.properties;
      if (seen.has(p.place) || p.geo_precision === 'district') continue;
      seen.add(p.place);
      cands.push({ text: p.place, lat: f.geometry.coordinates[1], lon: f.geometry.coordinates[0], level: 'place', rank: 5000 });
    }
  }
  labels.setCandidates(cands);
  labels.place(tree);
  roving.sync();
  document.body.dataset.placed = String(Number(document.body.dataset.placed || 0) + 1);
}

// ---- refresh -----------------------------------------------------------------------------------------
let generation = 0;
let controller = null;
/** The view an animated zoom is going to, asked at its start (Leaflet's `zoomanim`), not at its end. */
let anticipated = null;
let zooming = null;
map.on('zoomstart', () => { if (!zooming) { let done; zooming = new Promise((r) => { done = r; }); zooming.done = done; } });
map.on('zoomend', () => { if (zooming) { zooming.done(); zooming = null; } });
const viewKey = (v) => `${v.zoom} ${v.bbox}`;
const currentView = () => ({ bbox: viewBbox(map), zoom: Math.floor(map.getZoom()) });

/**
 * Reads and draws `view` (default: the map's). The requests leave at once; the drawing waits for
 * a running zoom to end (clusters are laid out in the new zoom's pixels).
 */
async function refresh(view = null, preloaded = null) {
  if (!view) anticipated = null;
  view = view || currentView();
  // A view asked ahead (the first one, while the countries came) is dropped if the map moved since.
  if (preloaded && viewKey(view) !== viewKey(currentView())) { preloaded = null; view = currentView(); }
  const mine = ++generation;
  if (controller) controller.abort();
  controller = new AbortController();
  const { signal } = controller;
  $('status').textContent = 'Loading…';
  document.body.dataset.busy = 'true';
  try {
    // The provinces' outlines are asked beside the view's figures, not after them.
    const outlines = view.zoom >= PROVINCE_ZOOM
      ? api('/api/collections/provinces/items', { bbox: view.bbox, limit: 3000 }, signal)
      : null;
    if (outlines) outlines.catch(() => {});
    const next = await (preloaded || loadView(view, { wholeSpan: wholeSpan(), clustered: Boolean(snap && snap.cells) }, signal));
    if (next.provinces && outlines) {
      const fc = await outlines;
      // The shading's layers give each new province its bounds.
      choropleth.addProvinces(fc);
      for (const f of fc.features) {
        if (provinceById.has(f.id) || !f.bounds) continue;
        const b = f.bounds;
        f.area = (b.getEast() - b.getWest()) * (b.getNorth() - b.getSouth());
        provinceById.set(f.id, f);
      }
    }
    if (mine !== generation) return;
    // The list does not depend on the zoom's pixels: its page is asked before the zoom ends.
    list.update(next);
    if (zooming) await zooming;
    if (mine !== generation) return;
    snap = next;
    choropleth.render(snap);
    let drawn = {};
    if (snap.cells) {
      records.clear();
      const placed = declutter(map, snap.cells);
      clusterLayer.clearLayers();
      for (const c of placed) clusterLayer.addLayer(cellMarker(c, openCell));
      drawn = { cells: placed.length };
    } else {
      clusterLayer.clearLayers();
      records.update(snap.points, win());
    }
    arrows.update(state.arrows && state.kinds.has('attack') ? snap.arrows : []);
    await areas.update(snap);
    if (mine !== generation) return;
    drawShadingLegend($('legend'), choropleth.classes(), snap);
    drawSummary(snap, drawn);
    timebar.drawChart();
    records.select(state.sel);
    requestAnimationFrame(place);
    writeHash(map);
    // One zoom level short of the provinces, their figures are asked ahead (kept once asked).
    if (view.zoom === PROVINCE_ZOOM - 1) provinceStatsKept().catch(() => {});
  } catch (err) {
    if (err.name === 'AbortError') return;
    if (mine === generation) $('status').textContent = `Could not load: ${err.message}`;
  } finally {
    if (mine === generation) document.body.dataset.busy = 'false';
  }
}

// ---- controls ------------------------------------------------------------------------------------------
function buildKindControls() {
  const box = $('kinds');
  box.append(el('div', { class: 'check head', 'aria-hidden': 'true' }, el('span', {}, ''), el('span', { class: 'counts' }, el('span', { class: 'rec' }, 'records'), el('span', { class: 'ev' }, 'events'))));
  for (const k of KINDS) {
    const input = el('input', { type: 'checkbox', id: `kind-${k}`, 'data-kind': k });
    input.checked = state.kinds.has(k);
    input.addEventListener('change', () => {
      if (input.checked) state.kinds.add(k); else state.kinds.delete(k);
      choicesChanged();
    });
    box.append(el('label', { class: 'check', for: `kind-${k}` }, input, kindSymbol(k, { px: 14 }), el('span', { class: 'name' }, KIND_LABEL[k]),
      el('span', { class: 'counts', 'data-count': k }, el('span', { class: 'rec' }), el('span', { class: 'ev' }))));
  }
  const arrowsBox = $('layer-arrows');
  arrowsBox.checked = state.arrows;
  arrowsBox.addEventListener('change', () => { state.arrows = arrowsBox.checked; refresh(); });
}

function syncControls() {
  for (const k of KINDS) $(`kind-${k}`).checked = state.kinds.has(k);
  $('layer-arrows').checked = state.arrows;
  $('view-outside').setAttribute('aria-pressed', String(state.outside));
  timebar.syncMatch();
  timebar.show();
}

function buildViews() {
  // Leaflet starts an animated move in the next frame: say at once that the view is not drawn yet.
  const busy = () => { document.body.dataset.busy = 'true'; };
  $('view-world').addEventListener('click', () => { busy(); map.setView([25, 40], 2); });
  $('view-afghanistan').addEventListener('click', () => { busy(); map.setView([33.9, 66.0], 5); });
  const outside = $('view-outside');
  outside.setAttribute('aria-pressed', String(state.outside));
  outside.addEventListener('click', () => {
    state.outside = !state.outside;
    outside.setAttribute('aria-pressed', String(state.outside));
    const c = map.getCenter();
    const moves = state.outside && (map.getZoom() !== 3 || Math.abs(c.lat - 35) > 1e-6 || Math.abs(c.lng - 45) > 1e-6);
    // A move refreshes on its own (moveend); refreshing now as well would draw the old view first.
    busy();
    if (moves) map.setView([35, 45], 3); else refresh();
  });
  // The skip link moves focus past the map's symbols to the list; the fragment is the permalink's,
  // so it is not followed as a link.
  document.querySelector('.skip').addEventListener('click', (e) => { e.preventDefault(); $('list-h').focus(); });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && $('panel').contains(document.activeElement) && !$('selection').hidden) closeSelection();
  });
}

let timebar = null;
let outlines = null;
let filters = null;
let historyPanel = null;

/** An open jurisdiction is read again (its list and profile follow the kinds, time and filters). */
function reopenArea() {
  if (state.area) openArea(state.area.level, state.area.id, areaOpts);
}

/** The kinds or the time changed: the map is drawn again, and an open jurisdiction read again. */
function choicesChanged() {
  reopenArea();
  return refresh();
}

/** The filters changed: everything is asked again (the timeline too, which they narrow). */
function filtersChanged() {
  // A jurisdiction's list is asked again under the new filters.
  reopenArea();
  writeHash(map);
  timebar.loadTimeline().then(() => timebar.drawChart()).catch(() => {});
  refresh();
}

/** The instant the data is shown as of changed: everything is asked again, the open record too. */
function asOfChanged() {
  historyPanel.show();
  filtersChanged();
  if (state.sel) openRecordById(state.sel);
}

/** The reader edited the fragment of the open page: apply it as if it had been opened. */
function applyHash(h) {
  const filtered = JSON.stringify(h.filter) !== JSON.stringify(state.filter) || h.asOf !== state.asOf;
  Object.assign(state, { kinds: h.kinds || new Set(KINDS), arrows: h.arrows, match: h.match, outside: h.outside, filter: h.filter, sort: h.sort, asOf: h.asOf });
  historyPanel.show();
  filters.sync();
  if (filtered) timebar.loadTimeline().then(() => timebar.drawChart()).catch(() => {});
  timebar.stop(false);
  timebar.setRange(...rangeIn(months, h.from, h.to));
  syncControls();
  if (h.sel && h.sel !== state.sel) openRecordById(h.sel);
  else if (h.area && (!state.area || state.area.id !== h.area.id)) openArea(h.area.level, h.area.id);
  else if (!h.sel && !h.area && (state.sel || state.area)) closeSelection();
  const c = map.getCenter();
  if (h.view && (h.view.zoom !== map.getZoom() || Math.abs(h.view.lat - c.lat) > 1e-4 || Math.abs(h.view.lon - c.lng) > 1e-4)) {
    map.setView([h.view.lat, h.view.lon], h.view.zoom, { animate: false });
  } else refresh();
}

// ---- start -------------------------------------------------------------------------------------------------
async function start() {
  buildKindControls();
  drawSymbolLegend($('symbols'));
  // The countries' outlines are the largest answer: the first view is asked while they come (and
  // index.html asks them before the scripts run: this takes that answer).
  const countriesP = coarseOutlines();
  countriesP.catch(() => {});
  // first.js asked these (and the first view's answers that do not depend on its box) already.
  const [incidents, timeSplits] = await Promise.all([collection(), splits()]);
  setSplits(timeSplits.splits);
  months = monthsOf(incidents);
  timebar = createTimebar(map, months, { onChange: () => choicesChanged() });
  timebar.setRange(...rangeIn(months, state.from, state.to));
  timebar.syncMatch();
  const firstView = currentView();
  const first = loadView(firstView, { wholeSpan: wholeSpan(), clustered: false });
  first.catch(() => {});
  const timeline = timebar.loadTimeline();
  timeline.catch(() => {});
  const countries = await countriesP;
  // The shading's layers give each country its bounds (no second layer per country).
  choropleth.setCountries(countries);
  countryRank = countries.features.filter((f) => f.bounds).map((f) => {
    const b = f.bounds;
    return { f, a: (b.getEast() - b.getWest()) * (b.getNorth() - b.getSouth()) * Math.cos((b.getCenter().lat * Math.PI) / 180) };
  }).sort((x, y) => y.a - x.a).map((x) => x.f);
  buildViews();
  outlines = createOutlineDetail(map, {
    ids: () => countries.features.map((f) => f.id),
    bounds: (id) => choropleth.country(id)?.bounds,
    setOutline: (id, geometry) => choropleth.setOutline(id, geometry),
    // The selected area's outline and the arrows' dashed areas copy the geometry when drawn.
    onDetailed: () => { details.reoutline(); arrows.redraw(); },
  });
  filters = createFilters(countries, { onChange: filtersChanged });
  historyPanel = createHistory({ onAsOf: asOfChanged, onOpen: (id) => openRecordById(id) });
  createSearch(map, {
    onPin: (p) => { pin = p; },
    onRecord: openAndFly,
    onWords: (q) => { state.filter = { ...state.filter, q }; filters.sync(); filtersChanged(); },
  });
  // While the map moves (an animated zoom, a fly to a searched place) the view is not drawn yet.
  map.on('movestart zoomstart', () => { document.body.dataset.busy = 'true'; });
  map.on('zoomanim', (e) => {
    const v = { bbox: viewBbox(map, e.center, e.zoom), zoom: Math.floor(e.zoom) };
    outlines.view(viewBounds(map, e.center, e.zoom), e.zoom);
    anticipated = viewKey(v);
    refresh(v);
  });
  // The end of a move draws its view, unless that view was asked when the zoom began.
  map.on('moveend', () => {
    const v = currentView();
    const asked = anticipated === viewKey(v);
    anticipated = null;
    if (!asked) refresh(v);
    outlines.view(map.getBounds(), map.getZoom());
  });
  onHashEdit(applyHash);
  await Promise.all([timeline, refresh(firstView, first)]);
  timebar.drawChart();
  if (state.sel) await openRecordById(state.sel);
  else if (state.area) await openArea(state.area.level, state.area.id);
  document.body.dataset.ready = 'true';
  outlines.view(map.getBounds(), map.getZoom());
  outlines.prefetch();
}

start().catch((err) => { $('status').textContent = `The map could not start: ${err.message}`; });
