// History, where the server keeps one (team mode, or files with a journal): the map as the data
// stood at an instant (`as_of` on every request about records, kept in the permalink), and what
// changed since a time — by default since the reader's last visit, kept in local storage.
import { el } from './dom.js';
import { state } from './state.js';

const $ = (id) => document.getElementById(id);
const LAST_VISIT = 'iskp-map:last-visit';
/** Changes listed at once; the API pages on beyond them. */
const LISTED = 100;

/** An RFC 3339 instant (UTC, to the second) from a `datetime-local` value (the reader's time zone). */
export function instantOf(local) {
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? null : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A `datetime-local` value (the reader's time zone) from an RFC 3339 instant. */
export function localOf(instant) {
  const d = new Date(instant);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 19);
}

const when = (instant) => new Date(instant).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * Wires the History section. `onAsOf()` is called when the instant shown changes; `onOpen(id)`
 * opens a record from the list of changes. The section stays hidden when the server keeps no
 * history (its landing page links no change feed).
 */
export function createHistory({ onAsOf, onOpen }) {
  const section = $('history');
  const at = $('asof-at');
  const since = $('changes-since');
  const note = $('asof-note');
  const list = $('changes');

  function show() {
    note.hidden = !state.asOf;
    note.replaceChildren(...(state.asOf
      ? ['Showing the data as it stood at ', el('time', { datetime: state.asOf }, when(state.asOf)), ' — every figure, symbol, list and download.']
      : []));
    // Always in sight, in the header: which state the whole page shows.
    const badge = $('asof-badge');
    badge.hidden = !state.asOf;
    badge.replaceChildren(...(state.asOf ? ['As of ', el('time', { datetime: state.asOf }, when(state.asOf))] : []));
    $('asof-now').disabled = !state.asOf;
    at.value = state.asOf ? localOf(state.asOf) : '';
    document.body.dataset.asOf = state.asOf || '';
  }

  function setAsOf(instant) {
    if (instant === state.asOf) return;
    state.asOf = instant;
    show();
    onAsOf();
  }

  // Forms, so that Enter in a field does what its button does. They are `novalidate`: this handler
  // checks the field (the browser's own check would keep a field marked invalid once, and enforce
  // `max`, the time the page opened).
  $('asof-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const i = instantOf(at.value);
    if (!i) { at.setCustomValidity('Give a date and time'); at.reportValidity(); return; }
    at.setCustomValidity('');
    setAsOf(i);
  });
  $('asof-now').addEventListener('click', () => setAsOf(null));

  async function listChanges(e) {
    e.preventDefault();
    const from = instantOf(since.value);
    if (!from) { since.setCustomValidity('Give a date and time'); since.reportValidity(); return; }
    since.setCustomValidity('');
    list.dataset.busy = 'true';
    try {
      const u = new URL('/api/changes', window.location.origin);
      u.searchParams.set('since', from);
      u.searchParams.set('limit', String(LISTED));
      const r = await fetch(u);
      if (!r.ok) throw new Error(`${r.status}`);
      const page = await r.json();
      const items = page.changes.map((c) => {
        const what = c.table === 'records' ? 'record' : c.table === 'citations' ? 'citations of record' : 'source';
        const id = c.table === 'sources' || c.op === 'deleted' && c.table === 'records'
          ? el('code', {}, c.id)
          : el('button', { type: 'button', class: 'linkish', onclick: () => onOpen(c.id) }, c.id);
        const fields = c.fields && c.fields.length ? `: ${c.fields.join(', ')}` : '';
        return el('li', { 'data-op': c.op, 'data-id': c.id },
          el('time', { datetime: c.time }, when(c.time)), ` — ${what} `, id, ` ${c.op}${fields}`, el('span', { class: 'hint' }, ` (by ${c.role})`));
      });
      const head = el('p', { class: 'hint', role: 'status' }, page.changes.length
        ? `${page.changes.length}${page.links.some((l) => l.rel === 'next') ? ` (the first ${LISTED}; the API pages on)` : ''} change${page.changes.length === 1 ? '' : 's'} since ${when(from)}`
        : `No change since ${when(from)}`);
      list.replaceChildren(head, ...(items.length ? [el('ul', {}, ...items)] : []));
    } catch (e) {
      list.replaceChildren(el('p', { role: 'status' }, `The changes could not be read: ${e.message}`));
    } finally {
      list.dataset.busy = 'false';
    }
  }
  $('changes-form').addEventListener('submit', listChanges);

  // The last visit is read before this one is written: "since my last visit" is the default.
  const last = window.localStorage.getItem(LAST_VISIT);
  window.localStorage.setItem(LAST_VISIT, new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'));
  since.value = localOf(last || new Date(Date.now() - 30 * 86400000).toISOString());
  $('changes-since-hint').textContent = last ? '(your last visit, kept in this browser)' : '(30 days ago: no earlier visit kept in this browser)';
  at.max = localOf(new Date().toISOString());
  show();

  // The landing page links the change feed (rel version-history) where the server keeps a history.
  const ready = fetch('/api').then((r) => r.json())
    .then((api) => { const kept = api.links.some((l) => l.rel === 'version-history'); section.hidden = !kept; return kept; })
    .catch(() => false);
  return { show, ready };
}
