// DOM helpers and the record card. Record text is only ever set with textContent: a summary that
// holds markup is shown as the characters it is made of.

export const KINDS = ['attack', 'plot', 'arrest', 'designation', 'raid', 'presence'];
export const KIND_LABEL = {
  attack: 'Attacks', plot: 'Interdicted plots', arrest: 'Arrests', designation: 'Designations',
  raid: 'Counter-terrorism raids', presence: 'Signs of presence',
};
const PRECISION = {
  exact: 'exact site', near: 'near the named place (a few km)', district: 'somewhere in the district',
  province: 'somewhere in the province (not an exact location)', country: 'somewhere in the country (not an exact location)',
};
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Creates an element with attributes and text or child nodes. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function fmtDay(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

/** A record's date at its precision: "22 March 2024", "March 2024", "2024", "1 August 2018 – 31 July 2019". */
export function formatDate(p) {
  const [y, m] = p.date.split('-').map(Number);
  switch (p.date_precision) {
    case 'month': return `${MONTHS[m - 1]} ${y}`;
    case 'year': return String(y);
    case 'period': return `${fmtDay(p.date)} – ${fmtDay(p.date_end)}`;
    default: return p.date_end ? `${fmtDay(p.date)} – ${fmtDay(p.date_end)}` : fmtDay(p.date);
  }
}

/** "33", "≈33", "≥2". */
export function formatCount(p) {
  return (p.count_basis === 'approx' ? '≈' : p.count_basis === 'minimum' ? '≥' : '') + p.count;
}

/** The full card of one record: what, when, where, how sure, and every source with its section. */
export function recordCard(f) {
  const p = f.properties;
  const rows = [
    ['Kind', p.kind],
    ['Date', formatDate(p)],
    ['Place', [p.place, p.admin1, p.country_name].filter((x, i, a) => x && a.indexOf(x) === i).join(', ')],
    ['Located', PRECISION[p.geo_precision] || p.geo_precision],
    ['Events', formatCount(p) + (p.count > 1 || p.count_basis !== 'exact' ? ' (a reported total)' : '')],
    ['Claim', p.claim + (p.link ? `, ${p.link}` : '')],
    p.fatalities !== null ? ['Killed', String(p.fatalities)] : null,
    p.injured !== null ? ['Injured', String(p.injured)] : null,
    p.target ? ['Target', p.target] : null,
    p.denied_by.length ? ['Denied by', p.denied_by.join(', ')] : null,
    p.origin ? ['Launched from', `${p.origin.place} (${p.origin.country})`] : null,
  ].filter(Boolean);
  return el('article', { class: 'record', 'data-id': p.id },
    el('h3', {}, p.title),
    el('dl', {}, rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
    el('p', { class: 'summary' }, p.summary),
    el('h4', { class: 'sr' }, 'Sources'),
    el('ol', { class: 'sources', 'aria-label': 'Sources' }, p.sources.map((s) => el('li', {},
      el('cite', {}, s.title), ` — ${[s.author, s.publisher, s.published].filter(Boolean).join(', ')}; `,
      el('span', { class: 'section' }, s.section),
      s.url ? [' ', el('a', { href: s.url, rel: 'noreferrer noopener', target: '_blank' }, 'link')] : null))));
}

/** A clickable list of records that opens each card. */
export function recordList(title, features, onPick, note) {
  const list = el('div', { class: 'list' });
  for (const f of features) {
    const p = f.properties;
    list.append(el('button', { type: 'button', onclick: () => onPick(f) },
      el('strong', {}, p.title), el('br'), `${formatDate(p)} · ${p.kind} · ${formatCount(p)}`));
  }
  return el('div', {}, el('h3', {}, title), note ? el('p', { class: 'hint' }, note) : null,
    features.length ? list : el('p', { class: 'hint' }, 'No records in the selected time range.'));
}
