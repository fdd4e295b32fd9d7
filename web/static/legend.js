// The legend: every symbol the map draws, and the classes of the shading in view.
import { el, kindSymbol, svgEl } from './dom.js';
import { fmtShare, rangeLabel } from './format.js';
import { EMPTY, EXCLUDED } from './choropleth.js';
import { state } from './state.js';

const row = (sym, ...text) => el('li', {}, el('span', { class: 'key' }, sym), el('span', {}, ...text));
const box = (colour, cls = '') => { const b = el('span', { class: `box ${cls}` }); if (colour) b.style.background = colour; return b; };

/** The symbols (drawn once: they do not change with the view). */
export function drawSymbolLegend(node) {
  node.replaceChildren(el('ul', { class: 'symbols' },
    row(el('span', { class: 'pair' }, kindSymbol('attack'), kindSymbol('plot'), kindSymbol('arrest')), 'Solid: a record at an exact site or near a named place (shape and colour: its kind, as in Layers)'),
    row(kindSymbol('attack', { hollow: true }), 'Hollow: known only to a district'),
    row(el('span', { class: 'faded' }, kindSymbol('attack')), 'Faded: the record reaches outside the selected time'),
    row(el('span', { class: 'legend-disc' }, '12'), 'Numbered circle: that many records crowd here (size grows with the number); click to zoom in'),
    row(el('span', { class: 'legend-disc partial' }, '12'), 'Dashed circle: some of them reach outside the selected time'),
    row(el('span', { class: 'area-badge legend-badge' }, el('span', { class: 'seg k-attack' }, kindSymbol('attack', { px: 12 }), '27')), 'Dashed badge: events known only to a country or province, at no place; the number is the part inside the selected time'),
    row(box(null, 'hatch'), 'Hatched: the country has events known only to the country (not located in a province)'),
    row(svgEl('svg', { width: 34, height: 12, 'aria-hidden': 'true' }, svgEl('circle', { cx: 5, cy: 6, r: 3.5, class: 'arrow-origin' }), svgEl('path', { d: 'M9 6H26', class: 'arrow-stroke' }), svgEl('path', { d: 'M33 6 24 2 26 6 24 10Z', class: 'arrow-tip' })), 'Cross-border fire from a known launch site (○) to its target'),
    row(svgEl('svg', { width: 34, height: 12, 'aria-hidden': 'true' }, svgEl('path', { d: 'M2 6H26', class: 'arrow-stroke dashed' }), svgEl('path', { d: 'M33 6 24 2 26 6 24 10Z', class: 'arrow-tip' })), 'Short dashed arrow: one end known only to a country or region, outlined dashed; no line starts at an invented point'),
    row(el('span', { class: 'legend-pin' }), 'The place you searched for'),
    row(el('span', { class: 'selection-halo legend-halo' }), 'The selected record (its area is outlined when it has no site)'),
  ));
}

/** The shading classes of the snapshot. */
export function drawShadingLegend(node, classes, snap) {
  const what = snap.provinces ? 'events located in each province' : 'events in each country';
  const time = state.match === 'within' ? 'records wholly inside' : 'inside';
  const rows = [row(box(EMPTY), 'none')];
  for (const c of classes) rows.push(row(box(c.colour), c.lo === c.hi ? fmtShare(c.lo) : `${fmtShare(c.lo)} – ${fmtShare(c.hi)}`));
  if (state.outside) rows.push(row(box(EXCLUDED), 'Afghanistan (left out: outside Afghanistan only)'));
  node.replaceChildren(
    el('p', { class: 'legend-title' }, `Shading: ${what} of the checked kinds, ${time} ${rangeLabel(state.from, state.to)}${state.match === 'within' ? '' : ' (totals spread over the days of their span)'}. Classes: natural breaks of the ${snap.provinces ? 'provinces' : 'countries'} in view.`),
    el('ul', { class: 'classes' }, rows),
    ...(snap.provinces ? [el('p', { class: 'note' }, 'A country’s events known only to the country are not in any province: the country is hatched and its badge says how many.')] : []),
  );
}
