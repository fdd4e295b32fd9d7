// The timeline: a histogram of events per month and kind (the API's `spread`) with a brush over it
// that sets the time range in one drag, presets, the keyboard, and Play — in Debian's Chromium
// against the real server over geodata/ (plus one hostile record). Screenshots go to
// artifacts/timeline-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { artifacts, desktopAndPhone, openPage, idle, hashView, apiJson } from './helpers.mjs';

const T = { timeout: 90000 };
const KINDS = ['attack', 'plot', 'arrest', 'designation', 'raid', 'presence'];
let base;
let context;
let phone;
let close;
let months;

before(async () => {
  ({ base, context, phone, close } = await desktopAndPhone('iskp-map-timeline-', { width: 1400, height: 900 }));
  const c = await apiJson(base, '/api/collections/incidents');
  const [a, b] = c.extent.temporal.interval[0];
  months = [];
  let [y, m] = a.slice(0, 7).split('-').map(Number);
  const end = b.slice(0, 7);
  for (let ym = a.slice(0, 7); ym <= end; ym = `${y}-${String(m).padStart(2, '0')}`) {
    months.push(ym);
    if (m === 12) { m = 1; y += 1; } else m += 1;
  }
});

after(async () => {
  if (close) await close();
});

const shot = (page, name) => page.screenshot({ path: path.join(artifacts, `timeline-${name}.png`) });

/** What the page says the range is: sliders, the announced label, the permalink. */
async function shown(page) {
  const h = (await hashView(page)).h;
  return {
    from: months[Number(await page.inputValue('#from'))],
    to: months[Number(await page.inputValue('#to'))],
    out: await page.textContent('#range-out'),
    hashFrom: h.get('from'),
    hashTo: h.get('to'),
  };
}

function expectRange(s, from, to, label) {
  assert.equal(s.from, from, 'the From slider');
  assert.equal(s.to, to, 'the To slider');
  assert.equal(s.hashFrom, from, 'the permalink\'s from');
  assert.equal(s.hashTo, to, 'the permalink\'s to');
  if (label) assert.equal(s.out, label, '#range-out');
}

/** The screen x of the start of `month` on the chart (its axis tick). */
async function tickX(page, month) {
  const b = await page.locator(`#timeline .axis line.tick[data-period="${month}"]`).boundingBox();
  assert.ok(b, `a tick for ${month}`);
  return b.x + b.width / 2;
}

const lastOfMonth = (ym) => {
  const [y, m] = ym.split('-').map(Number);
  return `${ym}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
};

test('dragging across the chart sets the range: sliders, label, permalink, and the figures are asked again', T, async () => {
  const { page, log } = await openPage(context, base, '#map=2/25/40');
  expectRange(await shown(page), months[0], months[months.length - 1]);
  await page.locator('#timeline').scrollIntoViewIfNeeded();
  const chart = await page.locator('#timeline').boundingBox();
  const y = chart.y + chart.height / 2;
  const x0 = await tickX(page, '2020-01');
  const x1 = await tickX(page, '2022-01');
  const asked = log.requests.length;
  await page.mouse.move(x0 + 1, y);
  await page.mouse.down();
  await page.mouse.move((x0 + x1) / 2, y, { steps: 5 });
  await page.mouse.move(x1 - 1, y, { steps: 5 });
  await page.mouse.up();
  await idle(page);
  expectRange(await shown(page), '2020-01', '2021-12', '2020 – 2021');
  assert.equal(await page.textContent('#from-out'), 'Jan 2020');
  assert.equal(await page.textContent('#to-out'), 'Dec 2021');
  const want = `2020-01-01/${lastOfMonth('2021-12')}`;
  const figures = log.requests.slice(asked).map((u) => new URL(u)).filter((u) => u.pathname === '/api/stats' && u.searchParams.get('datetime') === want);
  assert.ok(figures.length >= 1, `the map's figures are asked for ${want}`);
  // The bars inside the range are bright, the others faded; the brush covers exactly those months.
  const on = await page.$$eval('#timeline g.month.on', (gs) => gs.map((g) => g.dataset.period));
  assert.equal(on.length, 24);
  assert.equal(on[0], '2020-01');
  assert.equal(on[23], '2021-12');
  const sel = await page.locator('#timeline .brush .selection').boundingBox();
  assert.ok(Math.abs(sel.x - x0) < 1.5 && Math.abs(sel.x + sel.width - x1) < 1.5, `the brush snaps to whole months: ${sel.x}–${sel.x + sel.width} for ${x0}–${x1}`);
  // Dragging the brush's right edge resizes it.
  await page.mouse.move(x1, y);
  await page.mouse.down();
  await page.mouse.move(await tickX(page, '2023-01') - 1, y, { steps: 6 });
  await page.mouse.up();
  await idle(page);
  expectRange(await shown(page), '2020-01', '2022-12', '2020 – 2022');
  // A click picks one month.
  const x = (await tickX(page, '2018-01') + await tickX(page, '2019-01')) / 2;
  await page.mouse.click(x, y);
  await idle(page);
  const s = await shown(page);
  assert.equal(s.from, s.to, 'a single month');
  assert.ok(s.from >= '2018-06' && s.from <= '2018-07', s.from);
  await shot(page, 'drag');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('on a phone, a finger dragged across the chart sets the range', T, async () => {
  const { page, log } = await openPage(phone, base, '#map=4/33.9/66');
  await page.locator('#timeline').scrollIntoViewIfNeeded();
  const b = await page.locator('#timeline').boundingBox();
  const y = b.y + b.height / 2;
  // Touch points are whole CSS pixels and a month is under 3 of them: start and end on the ticks.
  const x0 = await tickX(page, '2019-01');
  const x1 = await tickX(page, '2021-01');
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: x0, y }] });
  for (let i = 1; i <= 8; i += 1) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: x0 + ((x1 - x0) * i) / 8, y }] });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await idle(page);
  expectRange(await shown(page), '2019-01', '2020-12', '2019 – 2020');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('each preset sets its range in one click, and says so (aria-pressed)', T, async () => {
  const { page, log } = await openPage(context, base, '#map=2/25/40&from=2019-03&to=2019-04');
  const n = months.length;
  const years = [...new Set(months.map((m) => m.slice(0, 4)))];
  assert.deepEqual(await page.$$eval('#presets button', (bs) => bs.map((b) => b.textContent)), ['All', 'Last 12 months', ...years]);
  assert.equal(await page.locator('#presets button[aria-pressed="true"]').count(), 0);
  const cases = [
    ['All', months[0], months[n - 1]],
    ['Last 12 months', months[n - 12], months[n - 1]],
    ...years.map((y) => [y, months.find((m) => m.startsWith(y)), months.findLast((m) => m.startsWith(y))]),
  ];
  for (const [label, from, to] of cases) {
    await page.getByRole('button', { name: label, exact: true }).click();
    await idle(page);
    expectRange(await shown(page), from, to);
    assert.equal(await page.getAttribute(`#presets button[data-preset="${label === 'All' ? 'all' : label === 'Last 12 months' ? 'last12' : label}"]`, 'aria-pressed'), 'true', label);
    // One button is pressed, even where two presets are one range (the last twelve months of
    // data that ends in December are its last year).
    assert.equal(await page.locator('#presets button[aria-pressed="true"]').count(), 1, `${label}: one preset pressed`);
  }
  assert.equal(await page.textContent('#range-out'), years[years.length - 1]);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('keyboard only: Tab to the chart, arrows move the range, Shift+arrows its end, Home/End, Page Up/Down', T, async () => {
  const { page, log } = await openPage(context, base, '#map=2/25/40&from=2020-01&to=2020-12');
  await page.focus('#layer-arrows');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'timeline', 'the chart is next in the tab order');
  const ring = await page.$eval('#timeline', (e) => ({ style: getComputedStyle(e).outlineStyle, width: getComputedStyle(e).outlineWidth, visible: e.matches(':focus-visible') }));
  assert.deepEqual(ring, { style: 'solid', width: '3px', visible: true }, 'a visible focus ring');
  assert.equal(await page.getAttribute('#timeline', 'role'), 'slider');
  assert.equal(await page.getAttribute('#timeline', 'aria-label'), 'Selected time');
  // The slider's value speaks the range and what its bars hold (its children are presentational).
  const spoken = () => page.$eval('#timeline', (svg) => {
    const sums = new Map();
    for (const r of svg.querySelectorAll('.month.on rect.seg')) sums.set(r.dataset.kind, (sums.get(r.dataset.kind) || 0) + Number(r.dataset.value));
    return { text: svg.getAttribute('aria-valuetext'), total: [...sums.values()].reduce((a, b) => a + b, 0), kinds: [...sums].filter(([, v]) => v > 0).map(([k]) => k) };
  });
  const says = async (label, what) => {
    const { text, total, kinds } = await spoken();
    const [range, rest] = text.split(': ');
    assert.equal(range, label, `${what}: the chart says the range`);
    assert.ok(total > 0, `${what}: bars in the range`);
    const n = Number(rest.match(/^([\d,.]+) events/)[1].replaceAll(',', ''));
    assert.ok(Math.abs(n - total) <= Math.max(0.5, total * 0.01), `${what}: it says ${n} events, the bars hold ${total}`);
    const parts = ((rest.match(/\((.*)\)$/) || [])[1] || '').split(', ').filter(Boolean);
    assert.equal(parts.length, kinds.length, `${what}: one figure per kind in the range: ${rest}`);
  };
  await says('2020', 'at start');
  const press = async (key, from, to) => {
    await page.keyboard.press(key);
    await idle(page);
    const s = await shown(page);
    expectRange(s, from, to);
    await says(s.out, key);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'timeline', `${key}: focus stays`);
  };
  await press('ArrowRight', '2020-02', '2021-01');
  await press('ArrowLeft', '2020-01', '2020-12');
  await press('Shift+ArrowRight', '2020-01', '2021-01');
  await press('Shift+ArrowLeft', '2020-01', '2020-12');
  await press('Shift+ArrowLeft', '2020-01', '2020-11');
  await press('PageUp', '2021-01', '2021-11');
  await press('PageDown', '2020-01', '2020-11');
  await press('Home', months[0], months[10]);
  await press('End', months[months.length - 11], months[months.length - 1]);
  await press('Shift+Home', months[0], months[months.length - 1]);
  assert.equal(await page.textContent('#range-out'), `${months[0].slice(0, 4)} – ${months[months.length - 1].slice(0, 4)}`);
  // Presets are real buttons, reached with Tab and pressed with Enter.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.preset), 'all');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await idle(page);
  expectRange(await shown(page), months[months.length - 12], months[months.length - 1]);
  await page.focus('#timeline');
  await shot(page, 'keyboard');
  assert.deepEqual(log.errors, []);
  await page.close();
});

/** The API's `spread` per month for each kind, optionally less a country's. */
async function spreads(less) {
  const out = {};
  for (const kind of KINDS) {
    const all = await apiJson(base, `/api/stats?period=month&kind=${kind}`);
    const v = new Map(all.timeline.map((t) => [t.period, t.spread]));
    if (less) {
      const home = await apiJson(base, `/api/stats?period=month&kind=${kind}&country=${less}`);
      for (const t of home.timeline) v.set(t.period, (v.get(t.period) || 0) - t.spread);
    }
    out[kind] = v;
  }
  return out;
}

/** The bars drawn: per kind, month → { value, height }. */
const drawn = (page) => page.$$eval('#timeline rect.seg', (rs) => rs.map((r) => ({
  kind: r.dataset.kind, period: r.parentNode.dataset.period, value: Number(r.dataset.value), height: r.getBBox().height,
})));

function compare(bars, api, kinds) {
  const per = {};
  for (const b of bars) (per[b.kind] ||= new Map()).set(b.period, b);
  assert.deepEqual(Object.keys(per).sort(), [...kinds].sort(), 'a colour per checked kind, and only those');
  for (const kind of kinds) {
    let total = 0;
    for (const [period, spread] of api[kind]) {
      if (!(spread > 1e-9)) continue;
      const b = per[kind].get(period);
      assert.ok(b, `${kind} ${period}: a bar for ${spread}`);
      assert.ok(Math.abs(b.value - spread) < 1e-6, `${kind} ${period}: ${b.value} drawn, ${spread} in the API`);
      total += spread;
    }
    const sum = [...per[kind].values()].reduce((a, b) => a + b.value, 0);
    assert.ok(Math.abs(sum - total) < 1e-6, `${kind}: the bars add up to the API's spread (${sum} vs ${total})`);
  }
  // One scale for every bar: height proportional to the value.
  const ratios = bars.filter((b) => b.value > 0).map((b) => b.height / b.value);
  const k = Math.max(...ratios);
  for (const b of bars) assert.ok(Math.abs(b.height - b.value * k) < 0.05, `${b.kind} ${b.period}: height ${b.height} for ${b.value}`);
}

test('the bars per kind are the API\'s spread per month, stacked; outside Afghanistan leaves it out', T, async () => {
  const { page, log } = await openPage(context, base, '#map=2/25/40');
  const api = await spreads(null);
  compare(await drawn(page), api, KINDS);
  // Each month's stack holds its kinds bottom to top in the layer list's order, touching.
  const stacks = await page.$$eval('#timeline g.month', (gs) => gs.map((g) => [...g.querySelectorAll('rect.seg')].map((r) => ({ kind: r.dataset.kind, y: Number(r.getAttribute('y')), h: Number(r.getAttribute('height')) }))));
  for (const s of stacks) {
    for (let i = 1; i < s.length; i += 1) assert.ok(Math.abs(s[i].y + s[i].h - s[i - 1].y) < 1e-6, 'stacked');
  }
  for (const k of ['plot', 'raid', 'presence']) await page.uncheck(`#kind-${k}`);
  await idle(page);
  compare(await drawn(page), api, ['attack', 'arrest', 'designation']);
  await page.click('#view-outside');
  await idle(page);
  const outside = await spreads('AFG');
  for (const k of KINDS) for (const [p, v] of outside[k]) outside[k].set(p, Math.max(0, v));
  compare(await drawn(page), outside, ['attack', 'arrest', 'designation']);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('Play steps through the range and the chart marks the step it is at', T, async () => {
  const { page, log } = await openPage(context, base, '#map=4/33.9/66&from=2024-01&to=2024-06');
  await page.click('#play');
  assert.equal(await page.getAttribute('#play', 'aria-pressed'), 'true');
  const seen = new Set();
  const t0 = Date.now();
  while (await page.getAttribute('#play', 'aria-pressed') === 'true' && Date.now() - t0 < 30000) {
    const now = await page.$$eval('#timeline g.month.now', (gs) => gs.map((g) => g.dataset.period));
    if (now.length) {
      assert.equal(now.length, 1, 'one month at a time');
      assert.ok(now[0] >= '2024-01' && now[0] <= '2024-06', now[0]);
      seen.add(now[0]);
      // The brush keeps the chosen range while playing.
      assert.equal(await page.locator('#timeline g.month.on').count(), 6);
      if (seen.size === 2) await shot(page, 'play');
    }
    await page.waitForTimeout(150);
  }
  assert.ok(seen.size >= 4, `the chart followed the steps: ${[...seen].join(' ')}`);
  await idle(page);
  assert.equal(await page.locator('#timeline g.month.now').count(), 0, 'no step marked after Play');
  expectRange(await shown(page), '2024-01', '2024-06', 'Jan 2024 – Jun 2024');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('screenshots: desktop and phone; the chart\'s year labels do not overlap', T, async () => {
  for (const [ctx, name] of [[context, 'desktop'], [phone, 'phone']]) {
    const { page, log } = await openPage(ctx, base, '#map=4/33.9/66&from=2021-06&to=2022-09');
    await page.locator('#time-h').scrollIntoViewIfNeeded();
    const labels = await page.$$eval('#timeline .axis text', (ts) => ts.map((t) => t.getBoundingClientRect()).map((r) => ({ x: r.x, w: r.width })));
    assert.ok(labels.length >= 2);
    for (let i = 1; i < labels.length; i += 1) assert.ok(labels[i - 1].x + labels[i - 1].w + 2 <= labels[i].x, `${name}: labels ${i - 1} and ${i} apart`);
    const chart = await page.locator('#timeline').boundingBox();
    for (const l of labels) assert.ok(l.x >= chart.x && l.x + l.w <= chart.x + chart.width + 0.5, `${name}: label inside the chart`);
    await page.screenshot({ path: path.join(artifacts, `timeline-${name}.png`) });
    await page.locator('section[aria-labelledby="time-h"]').screenshot({ path: path.join(artifacts, `timeline-${name}-section.png`) });
    assert.deepEqual(log.errors, []);
    await page.close();
  }
});
