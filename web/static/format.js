// How numbers and dates are written on the page. Every figure and every date goes through one of
// these functions, so the same number reads the same in the status line, the layer list, the
// legend, the badges and the cards.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const FMT = new Intl.NumberFormat('en-GB');

/** A whole number with thousands separators: "1,000,000". */
export function fmtInt(n) {
  return FMT.format(Math.round(n));
}

/**
 * A share of events (a total spread over the days of its span may be fractional): whole numbers
 * as they are, "0.8" and "12.4" below 100, rounded above; a share that rounds to 0 is "<0.1".
 */
export function fmtShare(x) {
  if (!x) return '0';
  if (Math.abs(x - Math.round(x)) < 0.05) return fmtInt(x);
  if (x < 0.05) return '<0.1';
  if (x < 100) return x.toFixed(1);
  return fmtInt(x);
}

/** "1 record", "2 records"; `n` written with fmtInt. */
export function plural(n, one, many = `${one}s`) {
  return `${fmtInt(n)} ${n === 1 ? one : many}`;
}

/** "Mar 2024" for "2024-03". */
export function monthLabel(ym) {
  const [y, m] = ym.split('-').map(Number);
  return `${MONTHS[m - 1]} ${y}`;
}

/** "Jan 2023 – Dec 2024", "2024" for a whole year, "Mar 2024" for one month. */
export function rangeLabel(from, to) {
  if (from === to) return monthLabel(from);
  if (from.endsWith('-01') && to.endsWith('-12')) {
    return from.slice(0, 4) === to.slice(0, 4) ? from.slice(0, 4) : `${from.slice(0, 4)} – ${to.slice(0, 4)}`;
  }
  return `${monthLabel(from)} – ${monthLabel(to)}`;
}

function lastDay(y, m) {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/**
 * One end of a date span at `prec` (day | month | year | unknown). Without a stated precision it
 * is inferred from the date itself: a span that starts on 1 January is known to its year, one
 * that starts on the 1st to its month (and likewise 31 December / the last day of a month for the
 * end) — never "1 January 2020" for a span that the source gives as "2020".
 */
function spanEnd(iso, prec, isEnd) {
  const [y, m, d] = iso.split('-').map(Number);
  let p = prec;
  if (!p) {
    if (isEnd) p = m === 12 && d === 31 ? 'year' : d === lastDay(y, m) ? 'month' : 'day';
    else p = m === 1 && d === 1 ? 'year' : d === 1 ? 'month' : 'day';
  }
  if (p === 'year') return String(y);
  if (p === 'month') return `${MONTHS[m - 1]} ${y}`;
  if (p === 'unknown') return null;
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

/**
 * A record's date at its precision: "22 Mar 2024", "Mar 2024", "2024", "Aug 2018 – Jul 2019",
 * "2020 – 11 Sep 2023", and with per-end precisions (`start_precision`, `end_precision`) when the
 * API gives them: "2020 – Sep 2023", "by Sep 2023 (start not stated)", "from 2020 (end not stated)".
 */
export function formatDate(p) {
  const [y, m, d] = p.date.split('-').map(Number);
  switch (p.date_precision) {
    case 'month': return `${MONTHS[m - 1]} ${y}`;
    case 'year': return String(y);
    case 'day':
      if (!p.date_end || p.date_end === p.date) return `${d} ${MONTHS[m - 1]} ${y}`;
      break;
    default:
  }
  const a = spanEnd(p.date, p.start_precision, false);
  const b = p.date_end ? spanEnd(p.date_end, p.end_precision, true) : null;
  // An end the source does not state is a bound the context gives (ISKP's founding, the
  // document's date): shown as a bound, never as a date of the events.
  const bound = (iso, isEnd) => spanEnd(iso, null, isEnd);
  if (a === null && b === null) {
    return p.date_end ? `between ${bound(p.date, false)} and ${bound(p.date_end, true)} (dates not stated)` : 'date not stated';
  }
  if (a === null) return `by ${b} (start not stated; not before ${bound(p.date, false)})`;
  if (b === null) return `from ${a} (end not stated${p.date_end ? `; by ${bound(p.date_end, true)}` : ''})`;
  return a === b ? a : `${a} – ${b}`;
}

/** A period of a stated time split: "in 2022", "from 2015 to Aug 2021". */
export function periodLabel(q) {
  const a = spanEnd(q.from, null, false);
  const b = spanEnd(q.to, null, true);
  return a === b ? `in ${a}` : `from ${a} to ${b}`;
}

/** A record's count with its basis: "33", "≈33" (approximate), "≥2" (at least). */
export function formatCount(p) {
  return (p.count_basis === 'approx' ? '≈' : p.count_basis === 'minimum' ? '≥' : '') + fmtInt(p.count);
}
