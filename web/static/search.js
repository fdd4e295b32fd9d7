// The search box: records (the API's free-text `q`, over every record whatever the view) and
// places (the gazetteer, `/api/geocode`) in one keyboard-driven list box. A record is opened and
// flown to; "every record matching …" sets the words filter (places whose name holds the words
// come first, then records, then places only spelt alike); a place is flown to, pinned on the
// map and labelled; "No match" says when neither finds anything.
import { el, KIND_ONE } from './dom.js';
import { apiRaw } from './api.js';
import { formatDate, plural } from './format.js';

const L = window.L;
const $ = (id) => document.getElementById(id);
const ZOOM_FOR = { country: 5, province: 7, district: 9, city: 10, landmark: 13 };
const RECORDS_SHOWN = 5;
/** Records asked for to rank (the API answers in date order; ranking looks at the newest this many). */
const RECORDS_RANKED = 200;

/** Text folded as the API folds it, near enough to rank: lower case, no diacritics. */
const fold = (s) => (s || '').normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();

/**
 * Records whose title holds the words first, then those whose place or target does, then the
 * rest (summary, sources); newest first within each.
 */
function rank(features, q) {
  const words = fold(q).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const score = (p) => {
    const t = fold(p.title);
    const at = fold(`${p.place} ${p.target || ''}`);
    return words.every((w) => t.includes(w)) ? 3 : words.some((w) => t.includes(w)) ? 2 : words.some((w) => at.includes(w)) ? 1 : 0;
  };
  return features.map((f) => ({ f, s: score(f.properties) }))
    .sort((a, b) => b.s - a.s || (a.f.properties.date < b.f.properties.date ? 1 : a.f.properties.date > b.f.properties.date ? -1 : 0))
    .map((x) => x.f);
}

export function createSearch(map, { onPin, onRecord, onWords }) {
  const input = $('search-input');
  const list = $('search-results');
  const pin = L.marker([0, 0], { icon: L.divIcon({ className: 'search-pin', iconSize: [18, 26], iconAnchor: [9, 26] }), keyboard: false, interactive: false, pane: 'pinPane' });
  let options = []; // { kind: 'record'|'words'|'place', f?, q?, n? }
  let active = -1;
  let timer = null;
  let asked = 0;

  const close = () => { list.hidden = true; input.setAttribute('aria-expanded', 'false'); input.removeAttribute('aria-activedescendant'); };
  const choosePlace = (f) => {
    const [lon, lat] = f.geometry.coordinates;
    const p = f.properties;
    input.value = p.name;
    pin.setLatLng([lat, lon]).addTo(map);
    pin.getElement().title = `${p.name} (${p.level}, ${p.country_name || p.country})`;
    onPin({ text: p.name, lat, lon, level: p.level });
    document.body.dataset.busy = 'true';
    map.flyTo([lat, lon], ZOOM_FOR[p.level] || 8, { duration: 0.8 });
  };
  const choose = (o) => {
    close();
    if (o.kind === 'place') choosePlace(o.f);
    else if (o.kind === 'record') onRecord(o.f);
    else if (o.kind === 'words') onWords(o.q);
  };
  const render = (q) => {
    const items = [];
    const option = (o, i, ...content) => el('li', { role: 'option', id: `sr-${i}`, 'data-kind': o.kind, 'aria-selected': String(i === active), onclick: () => choose(o) }, ...content);
    options.forEach((o, i) => {
      if (o.kind === 'record') {
        const p = o.f.properties;
        items.push(option(o, i, p.title, ' ', el('small', {}, `record · ${KIND_ONE[p.kind] || p.kind}, ${formatDate(p)}`)));
      } else if (o.kind === 'words') {
        items.push(option(o, i, `Every record matching “${o.q}”`, ' ', el('small', {}, `${plural(o.n, 'record')}: filter the map and the list`)));
      } else {
        const p = o.f.properties;
        items.push(option(o, i, p.name, ' ', el('small', {}, `place · ${p.level}, ${p.country_name || p.country}`)));
      }
    });
    if (!options.length && q) items.push(el('li', { role: 'presentation', class: 'none', id: 'search-none' }, `No match for “${q}”: no record and no place.`));
    list.replaceChildren(...items);
    list.hidden = items.length === 0;
    input.setAttribute('aria-expanded', String(!list.hidden));
    if (active >= 0) input.setAttribute('aria-activedescendant', `sr-${active}`); else input.removeAttribute('aria-activedescendant');
    const a = active >= 0 && document.getElementById(`sr-${active}`);
    if (a) a.scrollIntoView({ block: 'nearest' });
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = input.value.trim();
      const mine = ++asked;
      if (!q) { options = []; active = -1; render(''); return; }
      const [recs, places] = await Promise.all([
        apiRaw('/api/collections/incidents/items', { q, limit: 1 }).then((first) => (first.numberMatched > 1
          ? apiRaw('/api/collections/incidents/items', { q, limit: RECORDS_RANKED, offset: Math.max(0, first.numberMatched - RECORDS_RANKED) })
          : first)).catch(() => null),
        apiRaw('/api/geocode', { q, limit: 8 }).then((r) => r.features).catch(() => []),
      ]);
      if (mine !== asked) return;
      // Places whose name holds the words come first, then records, then places spelt alike.
      const named = (f) => f.properties.match !== 'similar';
      options = places.filter(named).map((f) => ({ kind: 'place', f }));
      if (recs && recs.numberMatched) {
        options.push(...rank(recs.features, q).slice(0, RECORDS_SHOWN).map((f) => ({ kind: 'record', f })));
        options.push({ kind: 'words', q, n: recs.numberMatched });
      }
      options.push(...places.filter((f) => !named(f)).map((f) => ({ kind: 'place', f })));
      active = options.length ? 0 : -1;
      render(q);
    }, 180);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') { active = Math.min(options.length - 1, active + 1); render(input.value.trim()); e.preventDefault(); }
    if (e.key === 'ArrowUp') { active = Math.max(0, active - 1); render(input.value.trim()); e.preventDefault(); }
    if (e.key === 'Escape') close();
  });
  $('search').addEventListener('submit', (e) => {
    e.preventDefault();
    if (options[active]) choose(options[active]);
  });
  return { pin };
}
