// Place search over the gazetteer (`/api/geocode`): a keyboard-driven list box; the chosen place is
// flown to, pinned on the map and labelled.
import { el } from './dom.js';
import { api } from './api.js';

const L = window.L;
const $ = (id) => document.getElementById(id);
const ZOOM_FOR = { country: 5, province: 7, district: 9, city: 10, landmark: 13 };

export function createSearch(map, { onPin }) {
  const input = $('search-input');
  const list = $('search-results');
  const pin = L.marker([0, 0], { icon: L.divIcon({ className: 'search-pin', iconSize: [18, 26], iconAnchor: [9, 26] }), keyboard: false, interactive: false, pane: 'pinPane' });
  let results = [];
  let active = -1;
  let timer = null;

  const choose = (f) => {
    const [lon, lat] = f.geometry.coordinates;
    const p = f.properties;
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.value = p.name;
    pin.setLatLng([lat, lon]).addTo(map);
    pin.getElement().title = `${p.name} (${p.level}, ${p.country_name || p.country})`;
    onPin({ text: p.name, lat, lon, level: p.level });
    document.body.dataset.busy = 'true';
    map.flyTo([lat, lon], ZOOM_FOR[p.level] || 8, { duration: 0.8 });
  };
  const render = () => {
    list.replaceChildren(...results.map((f, i) => el('li', { role: 'option', id: `sr-${i}`, 'aria-selected': String(i === active), onclick: () => choose(f) },
      f.properties.name, ' ', el('small', {}, `${f.properties.level}, ${f.properties.country_name || f.properties.country}`))));
    list.hidden = results.length === 0;
    input.setAttribute('aria-expanded', String(!list.hidden));
    if (active >= 0) input.setAttribute('aria-activedescendant', `sr-${active}`); else input.removeAttribute('aria-activedescendant');
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
    if (e.key === 'Escape') { list.hidden = true; input.setAttribute('aria-expanded', 'false'); }
  });
  $('search').addEventListener('submit', (e) => {
    e.preventDefault();
    if (results[active]) choose(results[active]);
  });
  return { pin };
}
