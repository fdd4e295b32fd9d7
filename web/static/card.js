// The record card and record lists: DOM nodes only, every string from the data set as text.
import { el, KIND_ONE } from './dom.js';
import { formatDate, formatCount, fmtShare, periodLabel } from './format.js';
import { windowShare } from './time.js';
import { recordCitation, recordQuery, citationManifest, copyInto } from './cite.js';

const PRECISION = {
  exact: 'exact site', near: 'near the named place (a few km)', district: 'somewhere in the district',
  province: 'somewhere in the province (not an exact location)', country: 'somewhere in the country (not an exact location)',
  region: 'somewhere in the named provinces, not said which (no point on the map)',
  multinational: 'somewhere in the named countries, not said which (no point on the map)',
};

/**
 * How much of a record falls inside the selected window, in words, or null when all of it does:
 * "partly outside the selected time: ≈0.8 of 4 fall inside it, shared by days".
 */
export function windowNote(p, win) {
  if (!win) return null;
  const { share, partial, bySplit } = windowShare(p, win);
  if (!partial) return null;
  const pct = Math.round(share * 100);
  if (bySplit) {
    const periods = bySplit.periods.map((q) => `${q.count} ${periodLabel(q)}`).join(', ');
    return `Partly outside the selected time: ${fmtShare(p.count * share)} of ${formatCount(p)} fall inside it, shared out as the source splits the total (${periods}).`;
  }
  return p.count > 1
    ? `Partly outside the selected time: ${fmtShare(p.count * share)} of ${formatCount(p)} fall inside it, shared out by days (${pct}% of its span).`
    : `Partly outside the selected time: ${pct}% of its span falls inside it.`;
}

/** The full card of one record: what, when, where, how sure, and every source with its section. */
export function recordCard(f, win) {
  const p = f.properties;
  const note = windowNote(p, win);
  const rows = [
    ['Kind', KIND_ONE[p.kind] || p.kind],
    ['Date', formatDate(p)],
    ['Place', [p.place, p.admin1, p.country_name].filter((x, i, a) => x && a.indexOf(x) === i).join(', ')],
    ['Located', PRECISION[p.geo_precision] || p.geo_precision],
    ['Events', formatCount(p) + (p.count > 1 || p.count_basis !== 'exact' ? ' (a reported total)' : '')],
    ['Claim', p.claim + (p.link ? `, ${p.link}` : '')],
    p.fatalities !== null && p.fatalities !== undefined ? ['Killed', String(p.fatalities)] : null,
    p.injured !== null && p.injured !== undefined ? ['Injured', String(p.injured)] : null,
    p.target ? ['Target', p.target] : null,
    p.denied_by && p.denied_by.length ? ['Denied by', p.denied_by.join(', ')] : null,
    p.origin ? ['Launched from', `${p.origin.place} (${p.origin.country}; ${PRECISION[p.origin.geo_precision] || p.origin.geo_precision})`] : null,
  ].filter(Boolean);
  return el('article', { class: 'record', 'data-id': p.id },
    el('h3', {}, p.title),
    note ? el('p', { class: 'window-note' }, note) : null,
    el('dl', {}, rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
    el('p', { class: 'summary' }, p.summary),
    el('h4', { class: 'sr' }, 'Sources'),
    el('ol', { class: 'sources', 'aria-label': 'Sources' }, (p.sources || []).map((s) => el('li', {},
      el('cite', {}, s.title), ` — ${[s.author, s.publisher, s.published].filter(Boolean).join(', ')}; `,
      el('span', { class: 'section' }, s.section),
      // Only http(s) links: the loader refuses other schemes, and the page does not trust it alone.
      /^https?:\/\//i.test(s.url || '') ? [' ', el('a', { href: s.url, rel: 'noreferrer noopener', target: '_blank' }, 'link')] : null))),
    citeButton(f));
}

/** "Copy citation" of a record, with the text shown below it. */
function citeButton(f) {
  const out = el('div', { class: 'copy', id: `cite-${f.properties.id.replace(/[^a-z0-9-]/gi, '')}`, hidden: true });
  const b = el('button', { type: 'button', class: 'cite-record' }, 'Copy citation');
  b.addEventListener('click', async () => {
    try {
      const m = await citationManifest(recordQuery(f.properties.id), { raw: true });
      await copyInto(out, recordCitation(f, m), 'Citation of this record');
    } catch (e) {
      out.hidden = false;
      out.textContent = `The citation could not be made: ${e.message}`;
    }
  });
  return el('div', { class: 'cite' }, b, out);
}

/** A list of records; a click (or Enter) on one calls `onPick(feature)`. */
export function recordList(features, onPick, win) {
  const list = el('ul', { class: 'list' });
  for (const f of features) {
    const p = f.properties;
    const partial = win && windowShare(p, win).partial;
    list.append(el('li', {}, el('button', { type: 'button', 'data-id': p.id, onclick: () => onPick(f) },
      el('strong', {}, p.title), el('br'),
      `${formatDate(p)} · ${KIND_ONE[p.kind] || p.kind} · ${formatCount(p)}${partial ? ' · partly outside the selected time' : ''}`)));
  }
  return list;
}
