// Cross-border fire: an arrow from the launch site to the target, with a head sized in pixels.
// Where an end is known only to a country or region, no line is drawn from or to a point: a short
// dashed arrow points in from the side of the area (or out towards it) and the area is outlined.
import { el, svgEl } from './dom.js';

const L = window.L;
const AREA = new Set(['country', 'province']);
const STUB = 46; // pixels of a short arrow at an area end

function head(latlng, angle, dashed) {
  const node = el('div', { class: `arrow-head${dashed ? ' dashed' : ''}` },
    svgEl('svg', { width: 14, height: 14, viewBox: '-7 -7 14 14', 'aria-hidden': 'true' }, svgEl('path', { d: 'M7 0-6 -5.5-3 0-6 5.5Z' })));
  // The angle is that of the line on screen; Web Mercator keeps it at every zoom.
  node.firstChild.style.transform = `rotate(${angle}rad)`;
  return L.marker(latlng, { icon: L.divIcon({ className: 'arrow-head-icon', html: node, iconSize: [14, 14] }), interactive: false, keyboard: false, pane: 'arrowsPane' });
}

export function createArrowLayer(map, { onOpen, areaGeometry }) {
  const layer = L.layerGroup();
  const outlines = L.geoJSON(null, { pane: 'arrowsPane', interactive: false, style: { color: '#222', weight: 1.5, dashArray: '5 4', fill: false } });
  let features = [];

  function draw() {
    layer.clearLayers();
    outlines.clearLayers();
    const z = map.getZoom();
    const outlined = new Set();
    for (const f of features) {
      const p = f.properties;
      const o = p.origin;
      if (!f.geometry || !o) continue;
      const [lon, lat] = f.geometry.coordinates;
      const fromArea = AREA.has(o.geo_precision) || o.lon === undefined || o.lon === null;
      const toArea = AREA.has(p.geo_precision);
      const title = `${p.title}: launched from ${o.place}${fromArea ? ' (somewhere in the area, launch site not known)' : ''}`;
      // Directions come from the points the API gives (an area's representative point); they
      // only orient the arrow, they are never drawn as an end.
      const a = map.project([o.lat ?? lat, o.lon ?? lon], z);
      const b = map.project([lat, lon], z);
      const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
      const u = { x: (b.x - a.x) / len, y: (b.y - a.y) / len };
      let start = a;
      let end = b;
      if (fromArea && toArea) continue;
      if (fromArea) start = { x: b.x - u.x * STUB, y: b.y - u.y * STUB };
      if (toArea) end = { x: a.x + u.x * STUB, y: a.y + u.y * STUB };
      const latlngs = [map.unproject(L.point(start.x, start.y), z), map.unproject(L.point(end.x, end.y), z)];
      const line = L.polyline(latlngs, { pane: 'arrowsPane', color: '#222', weight: 2.5, dashArray: fromArea || toArea ? '6 5' : null, className: 'arrow-line' });
      line.bindTooltip(el('span', {}, title), { sticky: true });
      line.on('click', () => onOpen(f));
      // Named and operable like the other symbols (Leaflet makes a line with a tooltip focusable;
      // roving.js keeps it out of the tab order but for one symbol, and Enter is a click).
      line.on('add', () => {
        const path = line.getElement();
        path.setAttribute('tabindex', '-1');
        path.setAttribute('role', 'button');
        path.setAttribute('aria-label', title);
      });
      layer.addLayer(line);
      layer.addLayer(head(latlngs[1], Math.atan2(u.y, u.x), fromArea || toArea));
      if (!fromArea) layer.addLayer(L.circleMarker(latlngs[0], { pane: 'arrowsPane', radius: 4, color: '#222', weight: 2, fillColor: '#fff', fillOpacity: 1, interactive: false }));
      if (fromArea) outlined.add(o.country);
      if (toArea) outlined.add(p.country);
    }
    for (const id of outlined) {
      const g = areaGeometry(id);
      if (g) outlines.addData(g);
    }
  }

  return {
    layer, outlines,
    update(fs) { features = fs; draw(); },
    redraw: draw,
  };
}
