// Time: the months of the data's span, the window a month range makes, and how much of a record's
// interval falls inside it.

const DAY = 86400000;

/** Every month ("YYYY-MM") from the month of `start` to the month of `end` (ISO strings). */
export function monthsBetween(start, end) {
  let [y, m] = start.slice(0, 7).split('-').map(Number);
  const [y1, m1] = end.slice(0, 7).split('-').map(Number);
  const out = [];
  while (y < y1 || (y === y1 && m <= m1)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m += 1;
    if (m > 12) { m = 1; y += 1; }
  }
  return out;
}

function lastOfMonth(ym) {
  const [y, m] = ym.split('-').map(Number);
  return `${ym}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

/** The OGC datetime interval covering whole months `from`..`to`. */
export function datetimeParam(from, to) {
  return `${from}-01/${lastOfMonth(to)}`;
}

const days = (iso) => Math.floor(Date.parse(`${iso}T00:00:00Z`) / DAY);

/**
 * A record's interval in days since 1970, both ends inclusive: `date` to `date_end`, or to the end
 * of its month or year for month- and year-precision dates (as the API matches them).
 */
export function recordDays(p) {
  let end = p.date_end || p.date;
  if (!p.date_end && p.date_precision === 'month') end = lastOfMonth(p.date.slice(0, 7));
  if (!p.date_end && p.date_precision === 'year') end = `${p.date.slice(0, 4)}-12-31`;
  return [days(p.date), days(end)];
}

/** The window of months `from`..`to` in days, both ends inclusive. */
export function windowDays(from, to) {
  return [days(`${from}-01`), days(lastOfMonth(to))];
}

/** The stated time splits (`/api/splits`) by id, once loaded. */
const splits = new Map();

/** Keeps the stated time splits, as `/api/splits` gives them, for windowShare(). */
export function setSplits(list) {
  splits.clear();
  for (const s of list) splits.set(s.id, s);
}

/** The share of days `a`..`b` (inclusive) inside `win`. */
function dayShare(a, b, win) {
  return Math.max(0, Math.min(b, win[1]) - Math.max(a, win[0]) + 1) / (b - a + 1);
}

/**
 * How a record sits in the window: the share of its count inside it, as `/api/stats` computes
 * `inside` (shared out by days, or for a record sharing a stated time split, by the split's periods
 * in proportion to their counts and by days within each), and whether any of it falls outside.
 * `bySplit` tells the reader which of the two was used.
 */
export function windowShare(p, win) {
  const s = p.split && splits.get(p.split);
  if (s && s.total > 0) {
    const share = s.periods.reduce((acc, q) => acc + (q.count / s.total) * dayShare(days(q.from), days(q.to), win), 0);
    return { share, partial: share < 1 - 1e-9, bySplit: s };
  }
  const [a, b] = recordDays(p);
  const share = dayShare(a, b, win);
  return { share, partial: share < 1, bySplit: null };
}
