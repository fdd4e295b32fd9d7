// Time: the months of the data's span, the window a month range makes, how much of a record's
// interval falls inside it, and the yearly timeline chart.
import { svgEl } from './dom.js';

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

/**
 * How a record sits in the window: the share of its days inside it (its count is shared out by
 * days, as `/api/stats` does for `inside`), and whether it reaches outside.
 */
export function windowShare(p, win) {
  const [a, b] = recordDays(p);
  const inside = Math.max(0, Math.min(b, win[1]) - Math.max(a, win[0]) + 1);
  const share = inside / (b - a + 1);
  return { share, partial: share < 1 };
}

/**
 * Draws yearly bars of `value(period)` in `svg`: dark inside the selected range, and while playing
 * a marked cursor year. `label(period, v)` gives each bar's title.
 */
export function drawTimeline(svg, timeline, value, range, cursor, label) {
  svg.replaceChildren();
  if (!timeline.length) return;
  const max = Math.max(1, ...timeline.map(value));
  const w = 300 / timeline.length;
  timeline.forEach((t, i) => {
    const v = value(t);
    const h = v > 0 ? Math.max(1, Math.sqrt(v / max) * 70) : 0;
    const on = t.period >= range.from.slice(0, 4) && t.period <= range.to.slice(0, 4);
    const now = cursor && t.period >= cursor.from.slice(0, 4) && t.period <= cursor.to.slice(0, 4);
    const r = svgEl('rect', { x: i * w + 1, y: 76 - h, width: Math.max(1, w - 2), height: h, class: `bar${on ? ' on' : ''}${now ? ' now' : ''}` });
    r.append(svgEl('title', {}, label(t.period, v)));
    svg.append(r);
    if (timeline.length <= 16 || i % 2 === 0) {
      svg.append(svgEl('text', { x: i * w + w / 2, y: 87, 'text-anchor': 'middle' }, `'${t.period.slice(2)}`));
    }
  });
}
