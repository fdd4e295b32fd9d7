// Every figure the page prints or shades by is computed here, from `/api/stats` answers, for the
// kinds checked, the time window and its accounting, and the "outside Afghanistan" filter.
//
// A figure is { records, events, inside, partialEvents, partialRecords }:
//   events         the sum of `count` of the records that overlap the window (whole totals);
//   inside         the part of those events that falls inside the window, totals shared out by
//                  the days of their span (the API's `inside`); with "only records wholly inside"
//                  every record is inside and inside = events;
//   partialEvents  the whole counts of the records that reach outside the window;
//   partialRecords how many records reach outside it (only where the API counts them);
//   records        how many records (only where the API counts them for the kinds in question).
import { fmtShare, fmtInt, plural } from './format.js';

export const HOME = 'AFG';
export const ZERO = Object.freeze({ records: 0, events: 0, inside: 0, partialEvents: 0, partialRecords: 0 });

/** The figure of one stats group (or `all` with its `all_window`) for `kinds`. */
export function groupFigure(g, kinds, win = g && g.inside ? g : null) {
  if (!g) return ZERO;
  let events = 0;
  let inside = 0;
  let partialEvents = 0;
  for (const k of kinds) {
    events += g[k] || 0;
    inside += win ? win.inside[k] || 0 : g[k] || 0;
    partialEvents += win ? win.partial[k] || 0 : 0;
  }
  return { records: null, events, inside, partialEvents, partialRecords: null };
}

/** a + b, field by field (null stays null: not counted). */
export function add(a, b) {
  const out = {};
  for (const k of Object.keys(ZERO)) out[k] = a[k] === null || b[k] === null ? null : a[k] + b[k];
  return out;
}

/** a − b, field by field. */
export function sub(a, b) {
  const out = {};
  for (const k of Object.keys(ZERO)) out[k] = a[k] === null || b[k] === null ? null : Math.max(0, a[k] - b[k]);
  return out;
}

/**
 * The figure of one kind in the view from a `stats?by=country&kind=K&bbox=…` answer: every
 * record of the kind in view, less Afghanistan's when only activity outside it is shown.
 */
export function viewKindFigure(st, kind, outside) {
  const all = { ...groupFigure(st.all, [kind], st.all_window), records: st.all.records, partialRecords: st.all_window ? st.all_window.partial.records : 0 };
  if (!outside) return all;
  const home = st.groups.find((g) => g.id === HOME);
  if (!home) return all;
  return sub(all, { ...groupFigure(home, [kind]), records: home.records, partialRecords: home.partial ? home.partial.records : 0 });
}

/** The value a jurisdiction is shaded by and a badge shows: the events inside the window. */
export const shown = (fig) => fig.inside;

/** "161 events" or "93.8 of 161 events inside the selected time". */
export function eventsText(fig) {
  if (!fig.partialEvents) return plural(fig.events, 'event');
  return `${fmtShare(fig.inside)} of ${plural(fig.events, 'event')} inside the selected time`;
}

/** A compact form for symbols and tables: "161", or "93.8" (partly outside) with a mark. */
export function shortText(fig) {
  return fig.partialEvents ? fmtShare(fig.inside) : fmtInt(fig.events);
}

/** The sentence saying how much reaches outside the window, or ''. */
export function partialText(fig) {
  if (!fig.partialEvents) return '';
  const who = fig.partialRecords ? `${plural(fig.partialRecords, 'record')} (${plural(fig.partialEvents, 'event')})` : plural(fig.partialEvents, 'event');
  return `${who} reach outside the selected time and count only for their days inside it.`;
}
