// DOM helpers, the kinds and their symbols. Record text is only ever set as text (text nodes,
// textContent): a summary that holds markup is shown as the characters it is made of.

export const KINDS = ['attack', 'plot', 'arrest', 'designation', 'raid', 'presence'];
export const KIND_LABEL = {
  attack: 'Attacks', plot: 'Interdicted plots', arrest: 'Arrests', designation: 'Designations',
  raid: 'Counter-terrorism raids', presence: 'Signs of presence',
};
export const KIND_ONE = {
  attack: 'attack', plot: 'interdicted plot', arrest: 'arrest', designation: 'designation',
  raid: 'counter-terrorism raid', presence: 'sign of presence',
};

const SVG = 'http://www.w3.org/2000/svg';

function append(e, children) {
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/** Creates an element with attributes (`on…` are listeners) and text or child nodes. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  return append(e, children);
}

/** Creates an SVG element with attributes and children. */
export function svgEl(tag, attrs = {}, ...children) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  return append(e, children);
}

// One shape per kind, drawn in a 16×16 box; colours come from the stylesheet (.k-KIND).
const SHAPES = {
  attack: () => svgEl('circle', { cx: 8, cy: 8, r: 6 }),
  plot: () => svgEl('path', { d: 'M8 1.5 14.5 8 8 14.5 1.5 8Z' }),
  arrest: () => svgEl('rect', { x: 2.5, y: 2.5, width: 11, height: 11 }),
  designation: () => svgEl('path', { d: 'M2.5 2.5h11v6.5L8 14 2.5 9Z' }),
  raid: () => svgEl('path', { d: 'M8 1.5 14.5 14H1.5Z' }),
  presence: () => svgEl('path', { d: 'M8 1.5 13.6 4.75v6.5L8 14.5 2.4 11.25v-6.5Z' }),
};

/**
 * The symbol of a kind as an inline SVG, `px` pixels wide: solid for exact and near sites,
 * `hollow` for district-level ones.
 */
export function kindSymbol(kind, { px = 16, hollow = false } = {}) {
  return svgEl('svg', { class: `sym k-${kind}${hollow ? ' hollow' : ''}`, width: px, height: px, viewBox: '0 0 16 16', 'aria-hidden': 'true', focusable: 'false' },
    svgEl('g', { class: 'halo' }, SHAPES[kind]()), svgEl('g', { class: 'shape' }, SHAPES[kind]()));
}

/** A small inline SVG icon for buttons (play, pause, close), never a font glyph. */
export function icon(name) {
  const paths = {
    play: 'M4 2.5v11l9-5.5Z',
    pause: 'M3.5 2.5h3v11h-3ZM9.5 2.5h3v11h-3Z',
    close: 'M3.5 3.5l9 9M12.5 3.5l-9 9',
  };
  return svgEl('svg', { class: `icon icon-${name}`, width: 14, height: 14, viewBox: '0 0 16 16', 'aria-hidden': 'true', focusable: 'false' },
    svgEl('path', { d: paths[name] }));
}

/** Runs `fn` when a Leaflet marker is clicked, tapped, or has Enter pressed while it has focus. */
export function onActivate(marker, fn) {
  marker.on('click', fn);
  marker.on('keypress', (e) => { if (e.originalEvent.key === 'Enter') fn(e); });
}
