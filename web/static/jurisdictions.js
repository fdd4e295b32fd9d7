// Countries and provinces as things to read: the hover box of a jurisdiction's figures, the list
// of its records on click (through the API's `country=` / `province=` filters, never from points
// in view), and the panel box of totals known only to a country or province.
import { el, KINDS, KIND_LABEL } from './dom.js';
import { api, timeParams } from './api.js';
import { groupFigure, eventsText, shortText, HOME } from './figures.js';
import { fmtInt, plural } from './format.js';
import { state } from './state.js';

const $ = (id) => document.getElementById(id);
const LIST_LIMIT = 1000;

/** The hover box: a jurisdiction's events per checked kind, and what is known only to its level. */
export function hoverBox(level, f, snap, event) {
  const box = $('hover');
  const g = level === 'country' ? snap.countries.get(f.id) : snap.provinceStats.get(f.id);
  const rows = snap.kinds.map((k) => [KIND_LABEL[k], shortText(groupFigure(g, [k]))]);
  const notes = [];
  const total = groupFigure(g, snap.kinds);
  notes.push(`${level === 'province' ? 'Located in the province' : 'In the country'}: ${eventsText(total)}.`);
  if (level === 'country') {
    const only = groupFigure(snap.countryLevel.get(f.id), snap.kinds);
    if (only.events) notes.push(`Of these, ${eventsText(only)} known only to the country.`);
  } else {
    const c = f.properties.country;
    const only = groupFigure(snap.countryLevel.get(c), snap.kinds);
    if (only.events) notes.push(`${f.properties.country_name} also has ${eventsText(only)} not located in any province.`);
  }
  if (state.outside && (f.properties.country || f.id) === HOME) notes.push('Left out of the figures: outside Afghanistan only.');
  box.replaceChildren(el('strong', {}, f.properties.name),
    el('table', {}, el('tbody', {}, rows.map(([k, v]) => el('tr', {}, el('td', {}, k), el('td', { class: 'n' }, v))))),
    ...notes.map((n) => el('p', {}, n)));
  box.hidden = false;
  const e = event.originalEvent;
  box.style.left = `${Math.min(e.clientX + 14, window.innerWidth - 250)}px`;
  box.style.top = `${Math.min(e.clientY + 14, window.innerHeight - box.offsetHeight - 8)}px`;
}

/**
 * The records of a jurisdiction (of the checked kinds, in the selected time): every record when
 * `areaOnly` is false, else only those known only to that level. Resolves to
 * { title, notes, features }.
 */
export async function jurisdictionRecords(level, id, name, snap, { areaOnly = false } = {}) {
  const params = { ...timeParams(), limit: LIST_LIMIT };
  params[level] = id;
  if (areaOnly) params.geo_precision = level;
  const kinds = snap.kinds;
  const pages = kinds.length === KINDS.length
    ? [await api('/api/collections/incidents/items', params)]
    : await Promise.all(kinds.map((kind) => api('/api/collections/incidents/items', { ...params, kind })));
  const features = pages.flatMap((p) => p.features).sort((a, b) => (a.properties.date < b.properties.date ? 1 : -1));
  const matched = pages.reduce((s, p) => s + p.numberMatched, 0);
  const stats = areaOnly ? (level === 'country' ? snap.countryLevel : snap.provinceLevel).get(id)
    : (level === 'country' ? snap.countries : snap.provinceStats).get(id);
  const fig = groupFigure(stats, kinds);
  const notes = [];
  const what = areaOnly ? `known only to the ${level}` : level === 'province' ? 'located in the province' : 'in the country';
  notes.push(`${plural(matched, 'record')} ${what}: ${stats ? eventsText(fig) : `${plural(features.reduce((s, f) => s + f.properties.count, 0), 'event')}`}.`);
  if (matched > features.length) notes.push(`The ${fmtInt(features.length)} most recent are listed; narrow the time to see the others.`);
  if (level === 'province' && !areaOnly) notes.push('Records known only to the country are not in any province: they are listed under the country.');
  return { title: areaOnly ? `${name}: ${what}` : name, notes, features };
}

/** The records known only to a region or a group of countries (all of them are in the snapshot). */
export function wideRecords(g, snap) {
  const features = g.features.filter((f) => snap.kinds.includes(f.properties.kind))
    .sort((a, b) => (a.properties.date < b.properties.date ? 1 : -1));
  const what = g.level === 'region' ? `known only to these provinces together (${g.members.join(', ')})`
    : `known only to this group of ${fmtInt(g.members.length)} countries`;
  return { title: `${g.name}: ${what}`, notes: [`${plural(features.length, 'record')}: ${eventsText(groupFigure(g, snap.kinds))}.`], features };
}

/** The panel box of totals known only to a country or province, in view — drawn on the map or not. */
export function drawAreaBox(items, snap, onOpen) {
  const box = $('areas');
  const rows = items.filter((r) => r.inView);
  const hidden = rows.filter((r) => !r.drawn && !r.at.listOnly).length;
  const where = { province: 'province', country: 'country', region: 'provinces together', multinational: 'countries together' };
  const head = el('p', { class: 'hint' }, rows.length
    ? `${plural(rows.length, 'jurisdiction')} in view with events at no place${hidden ? ` (${fmtInt(hidden)} listed here only: no room for their badge at this zoom)` : ''}.`
    : 'None in view.');
  const table = el('table', { class: 'area-table' },
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Known only to'), el('th', { scope: 'col', class: 'n' }, 'events'))),
    el('tbody', {}, rows.map((r) => el('tr', { 'data-area': `${r.level}:${r.id}` },
      el('td', {}, el('button', { type: 'button', class: 'linkish', onclick: () => onOpen(r.level, r.id, { areaOnly: true }) },
        `${r.at.name}${r.level === 'province' || r.level === 'region' ? `, ${r.at.country}` : ''}`), el('small', {}, ` ${where[r.level] || r.level}`)),
      el('td', { class: 'n', title: eventsText(r.fig) }, shortText(r.fig))))));
  box.replaceChildren(head, rows.length ? table : '');
}
