// The filters the API offers, on the page: claim, location precision, link, country and province,
// fatalities and words. Each is a query parameter of every record request (api.js) and a key of
// the permalink (state.js); a change redraws the map, the figures and the list.
import { el } from './dom.js';
import { apiRaw } from './api.js';
import { state } from './state.js';

const $ = (id) => document.getElementById(id);

const CHOICES = {
  claim: [['', 'any'], ['claimed', 'claimed by ISKP'], ['attributed', 'attributed by others'], ['suspected', 'suspected']],
  geo_precision: [['', 'any'], ['exact', 'exact site'], ['near', 'near a named place'], ['district', 'district'], ['province', 'province only'], ['region', 'several provinces'], ['country', 'country only'], ['multinational', 'several countries']],
  link: [['', 'any'], ['directed', 'directed'], ['guided', 'guided'], ['inspired', 'inspired']],
};

/** Says in words which filters are set: "claimed by ISKP · at least 1 killed", or ''. */
export function filterText() {
  const f = state.filter;
  const parts = [];
  for (const k of ['claim', 'geo_precision', 'link']) {
    if (f[k]) parts.push(`${k === 'link' ? 'link: ' : k === 'geo_precision' ? 'located: ' : ''}${(CHOICES[k].find(([v]) => v === f[k]) || [, f[k]])[1]}`);
  }
  if (f.province) parts.push(`province ${$('filter-province').selectedOptions[0]?.textContent || f.province}`);
  else if (f.country) parts.push(`in ${$('filter-country').selectedOptions[0]?.textContent || f.country}`);
  if (f.fatalities_min && f.fatalities_max) parts.push(`${f.fatalities_min}–${f.fatalities_max} killed`);
  else if (f.fatalities_min) parts.push(`at least ${f.fatalities_min} killed`);
  else if (f.fatalities_max) parts.push(`at most ${f.fatalities_max} killed`);
  if (f.q) parts.push(`words “${f.q}”`);
  return parts.join(' · ');
}

/**
 * Builds the filter controls into #filters. `countries` is the countries collection (names);
 * `onChange()` is called after state.filter changed.
 */
export function createFilters(countries, { onChange }) {
  const box = $('filters');
  const names = new Map(countries.features.map((f) => [f.id, f.properties.name]));
  const select = (key, label, options) => el('label', { class: 'field' }, el('span', {}, label),
    el('select', { id: `filter-${key}`, 'data-filter': key }, options.map(([v, t]) => el('option', { value: v }, t))));
  const number = (key, label) => el('label', { class: 'field num' }, el('span', {}, label),
    el('input', { id: `filter-${key}`, 'data-filter': key, type: 'number', min: 0, step: 1, inputmode: 'numeric' }));
  box.append(
    select('claim', 'Claim', CHOICES.claim),
    select('geo_precision', 'Located', CHOICES.geo_precision),
    select('link', 'Link to ISKP', CHOICES.link),
    select('country', 'Country', [['', 'any']]),
    select('province', 'Province', [['', 'any']]),
    el('div', { class: 'field-row' }, number('fatalities_min', 'Killed at least'), number('fatalities_max', 'at most')),
    el('label', { class: 'field' }, el('span', {}, 'Words'), el('input', { id: 'filter-q', 'data-filter': 'q', type: 'search', maxlength: 200, placeholder: 'in titles, summaries, places, sources' })),
    el('button', { type: 'button', id: 'filters-clear' }, 'Clear filters'),
  );
  const country = $('filter-country');
  const province = $('filter-province');

  // Countries that hold records, by name.
  apiRaw('/api/stats', { by: 'country' }).then((st) => {
    const ids = st.groups.map((g) => g.id).filter((id) => names.has(id)).sort((a, b) => names.get(a).localeCompare(names.get(b)));
    country.append(...ids.map((id) => el('option', { value: id }, names.get(id))));
    sync();
  }).catch(() => {});

  async function provincesOf(cc) {
    province.replaceChildren(el('option', { value: '' }, 'any'));
    province.disabled = !cc;
    if (!cc) return;
    const [st, fc] = await Promise.all([
      apiRaw('/api/stats', { by: 'province', country: cc }),
      apiRaw('/api/collections/provinces/items', { country: cc, limit: 1000 }),
    ]);
    const pn = new Map(fc.features.map((f) => [f.id, f.properties.name]));
    const ids = st.groups.map((g) => g.id).filter((id) => pn.has(id)).sort((a, b) => pn.get(a).localeCompare(pn.get(b)));
    province.append(...ids.map((id) => el('option', { value: id }, pn.get(id))));
    province.value = state.filter.province || '';
  }

  let timer = null;
  const set = (key, value) => {
    const next = { ...state.filter };
    if (value === '' || value === null || value === undefined) delete next[key]; else next[key] = value;
    if (key === 'country') delete next.province;
    state.filter = next;
    if (key === 'country') provincesOf(next.country).catch(() => {});
    onChange();
  };
  for (const input of box.querySelectorAll('[data-filter]')) {
    const key = input.dataset.filter;
    if (input.tagName === 'SELECT') input.addEventListener('change', () => set(key, input.value));
    else {
      input.addEventListener('input', () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          const v = input.value.trim();
          if (key !== 'q' && v !== '' && !/^\d{1,9}$/.test(v)) return;
          set(key, v);
        }, 400);
      });
    }
  }
  $('filters-clear').addEventListener('click', () => {
    state.filter = {};
    sync();
    onChange();
  });

  /** Shows state.filter in the controls (after a permalink or an edited fragment). */
  function sync() {
    for (const input of box.querySelectorAll('[data-filter]')) {
      const v = state.filter[input.dataset.filter] || '';
      if (input.value !== v && document.activeElement !== input) input.value = v;
    }
    if ((province.dataset.country || '') !== (state.filter.country || '')) {
      province.dataset.country = state.filter.country || '';
      provincesOf(state.filter.country).catch(() => {});
    }
    const n = Object.keys(state.filter).length;
    $('filters-h').querySelector('small').textContent = n ? `(${n} set)` : '';
  }
  sync();
  return { sync };
}
