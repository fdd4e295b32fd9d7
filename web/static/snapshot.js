// "Save map as PNG": the map as drawn (its SVG and DOM symbols, labels and badges) composed with
// a title, the time range and filters, the legend and the credits, drawn to an image by
// html-to-image (npm, pinned; /vendor/html-to-image) and downloaded. The composition is built
// off screen for the drawing and removed afterwards.
import { el } from './dom.js';
import { filterText } from './filters.js';
import { state } from './state.js';
import { dataset, today } from './dataset.js';
import { TITLE, timeText, kindsText } from './cite.js';

const $ = (id) => document.getElementById(id);
export const CREDITS = 'Data: five analysts’ documents (2022–2024), cited per record. Boundaries: Natural Earth. Places: GeoNames (CC BY 4.0).';

/** A copy of `node` without ids (the page keeps its own), for the composition. */
function copy(node) {
  const c = node.cloneNode(true);
  c.removeAttribute('id');
  for (const n of c.querySelectorAll('[id]')) n.removeAttribute('id');
  return c;
}

const PAINT = ['fill', 'stroke', 'stroke-width', 'stroke-dasharray', 'stroke-linejoin', 'fill-opacity', 'stroke-opacity', 'opacity'];

/**
 * Writes the painting of every shape inside the composition's SVGs (kind symbols, arrows) as
 * attributes: html-to-image inlines the styles of elements but not of an SVG's shapes, whose
 * colours come from the stylesheet (.k-attack .shape > *), and the image has no stylesheet.
 */
function inlinePaint(root) {
  for (const n of root.querySelectorAll('svg *')) {
    if (!(n instanceof SVGGraphicsElement) || n instanceof SVGSVGElement) continue;
    const cs = getComputedStyle(n);
    for (const k of PAINT) n.setAttribute(k, cs.getPropertyValue(k));
  }
}

/** The composition: heading, map and legend side by side (or the legend below on narrow maps), credits. */
async function compose() {
  const map = $('map');
  const { width, height } = map.getBoundingClientRect();
  const w = Math.round(width);
  const h = Math.round(height);
  const shot = copy(map);
  for (const n of shot.querySelectorAll('.leaflet-control-container')) n.remove();
  shot.classList.add('snap-map');
  shot.style.width = `${w}px`;
  shot.style.height = `${h}px`;
  let data = null;
  try { data = await dataset(); } catch { /* the image says less, but is made */ }
  const f = filterText();
  const wide = w >= 640;
  const legend = el('div', { class: 'snap-legend' }, el('p', { class: 'snap-h' }, 'Legend'), copy($('legend')), copy($('symbols')));
  // The hatching pattern the shading refers to (url(#hatch)) has to travel with the picture.
  const defs = document.querySelector('svg.defs').cloneNode(true);
  const frame = el('div', { class: `snapshot ${wide ? 'wide' : 'narrow'}`, 'aria-hidden': 'true' },
    defs,
    el('div', { class: 'snap-head' },
      el('p', { class: 'snap-title' }, TITLE),
      el('p', {}, `Time: ${timeText()}`),
      el('p', {}, `Kinds: ${kindsText()} · Filters: ${f || 'none'}${state.outside ? ' · outside Afghanistan only' : ''}`)),
    el('div', { class: 'snap-body' }, shot, legend),
    el('p', { class: 'snap-credits' }, `${CREDITS} ${data && data.version ? `Data version ${data.version}, changed at ${data.changedAt}. ` : ''}Map: iskp-map, ${window.location.host}, ${today()}.`));
  // A narrow map keeps the picture narrow: the legend and credits wrap below it.
  if (!wide) frame.style.width = `${w + 34}px`;
  return frame;
}

/** Draws the composition to a PNG and downloads it; resolves to the file's name. */
export async function saveMapPng() {
  const H = window.htmlToImage;
  if (!H) throw new Error('the image library did not load');
  const frame = await compose();
  document.body.append(frame);
  try {
    inlinePaint(frame);
    const blob = await H.toBlob(frame, {
      backgroundColor: '#ffffff',
      pixelRatio: Math.min(2, window.devicePixelRatio || 1),
      skipFonts: true,
      // Drawn where it lies off screen, the copy is placed at the image's origin.
      style: { position: 'static', left: '0', top: '0' },
    });
    if (!blob) throw new Error('no image');
    const name = `iskp-map-${today()}.png`;
    const href = URL.createObjectURL(blob);
    const a = el('a', { href, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(href), 60000);
    return name;
  } finally {
    frame.remove();
  }
}
