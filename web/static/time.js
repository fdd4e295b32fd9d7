// Months of the data's span, the datetime parameter they make, and the timeline chart.

const SVG = 'http://www.w3.org/2000/svg';

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

/** The OGC datetime interval covering whole months `from`..`to`. */
export function datetimeParam(from, to) {
  const [y, m] = to.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${from}-01/${to}-${String(last).padStart(2, '0')}`;
}

/** Draws yearly bars of `value(period)` in `svg`, dark inside `from`..`to`. */
export function drawTimeline(svg, timeline, value, from, to) {
  svg.replaceChildren();
  if (!timeline.length) return;
  const years = timeline.map((t) => t.period);
  const max = Math.max(1, ...timeline.map(value));
  const w = 300 / years.length;
  const fromY = from.slice(0, 4);
  const toY = to.slice(0, 4);
  timeline.forEach((t, i) => {
    const v = value(t);
    const h = v > 0 ? Math.max(1, Math.sqrt(v / max) * 70) : 0;
    const r = document.createElementNS(SVG, 'rect');
    r.setAttribute('x', String(i * w + 1));
    r.setAttribute('y', String(76 - h));
    r.setAttribute('width', String(Math.max(1, w - 2)));
    r.setAttribute('height', String(h));
    r.setAttribute('class', `bar${t.period >= fromY && t.period <= toY ? ' on' : ''}`);
    const title = document.createElementNS(SVG, 'title');
    title.textContent = `${t.period}: ${Math.round(v * 10) / 10}`;
    r.append(title);
    svg.append(r);
    if (years.length <= 16 || i % 2 === 0) {
      const label = document.createElementNS(SVG, 'text');
      label.setAttribute('x', String(i * w + w / 2));
      label.setAttribute('y', '87');
      label.setAttribute('text-anchor', 'middle');
      label.textContent = `'${t.period.slice(2)}`;
      svg.append(label);
    }
  });
}
