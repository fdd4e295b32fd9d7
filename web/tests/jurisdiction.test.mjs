// A country's or province's profile (its events by kind and claim in the selected time, and per
// year), in Debian's Chromium against the real server: each figure equals the API's, with the
// map's time accounting. Screenshots go to artifacts/jurisdiction-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { artifacts, desktopAndPhone, openPage, idle, apiJson } from './helpers.mjs';

const T = { timeout: 90000 };
const KINDS = ['attack', 'plot', 'arrest', 'designation', 'raid', 'presence'];
const CLAIMS = ['claimed', 'attributed', 'suspected'];
let base;
let context;
let close;

before(async () => {
  ({ base, context, close } = await desktopAndPhone('iskp-map-area-', { width: 1400, height: 900 }));
});

after(async () => {
  if (close) await close();
});

/** The profile's table as numbers: { rows: [[kind label, claimed, attributed, suspected, all]], foot }. */
function readTable(page) {
  return page.$eval('#details .profile-table', (t) => {
    const num = (s) => (s.trim() === '<0.1' ? 0.05 : Number(s.replaceAll(',', '')));
    const row = (tr) => [tr.querySelector('th').textContent, ...[...tr.querySelectorAll('td')].map((td) => num(td.textContent))];
    return { rows: [...t.tBodies[0].rows].map(row), foot: row(t.tFoot.rows[0]), caption: t.caption.textContent };
  });
}

const near = (a, b, what) => assert.ok(Math.abs(a - b) <= 0.051 + Math.abs(b) * 0.001, `${what}: page ${a}, API ${b}`);

async function checkAgainstApi(page, level, id, time, kinds, windowed) {
  const t = await readTable(page);
  assert.equal(t.rows.length, kinds.length, 'one row per checked kind');
  const fig = (g, k) => (!g ? 0 : windowed ? g.inside[k] : g[k]);
  const q = `by=${level}&${level}=${id}${time}`;
  const any = (await apiJson(base, `/api/stats?${q}`)).groups.find((g) => g.id === id);
  for (const [ci, c] of CLAIMS.entries()) {
    const g = (await apiJson(base, `/api/stats?${q}&claim=${c}`)).groups.find((x) => x.id === id);
    kinds.forEach((k, ki) => near(t.rows[ki][1 + ci], fig(g, k), `${id} ${k} ${c}`));
  }
  kinds.forEach((k, ki) => near(t.rows[ki][4], fig(any, k), `${id} ${k} all`));
  near(t.foot[4], kinds.reduce((s, k) => s + fig(any, k), 0), `${id} all kinds`);
  return t;
}

test('a country\'s profile: events by kind and claim in the selected time, and per year, as the API counts them', T, async () => {
  const { page, log } = await openPage(context, base, '#map=4/33.9/66&from=2020-01&to=2023-12&area=country:IRN');
  await page.locator('#details .profile').waitFor();
  await idle(page);
  const t = await checkAgainstApi(page, 'country', 'IRN', '&datetime=2020-01-01/2023-12-31', KINDS, true);
  assert.match(t.caption, /shared out by days/);
  assert.ok(t.foot[4] > 0, 'Iran has events in 2020 – 2023');
  // The series: every year of the API's timeline (all kinds: one answer), the selected ones marked.
  const api = await apiJson(base, '/api/stats?by=country&country=IRN&period=year');
  const rows = await page.$$eval('#details .profile-series tbody tr', (trs) => trs.map((r) => ({ y: r.dataset.year, v: Number(r.dataset.spread), on: r.classList.contains('on') })));
  assert.deepEqual(rows.map((r) => r.y), api.timeline.map((x) => x.period));
  rows.forEach((r, i) => near(r.v, api.timeline[i].spread, `spread ${r.y}`));
  assert.deepEqual(rows.filter((r) => r.on).map((r) => r.y), ['2020', '2021', '2022', '2023']);
  await page.screenshot({ path: path.join(artifacts, 'jurisdiction-country.png') });
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('a province\'s profile follows the checked kinds and "only records wholly inside"', T, async () => {
  const { page, log } = await openPage(context, base, '#map=6/34.5/68&from=2022-01&to=2024-12&area=province:AFG-1767&kinds=attack,presence');
  await page.locator('#details .profile').waitFor();
  await idle(page);
  await checkAgainstApi(page, 'province', 'AFG-1767', '&datetime=2022-01-01/2024-12-31', ['attack', 'presence'], true);
  // Counting only records wholly inside: the figures are those records' whole counts.
  await page.check('#match-within');
  await idle(page);
  await page.locator('#details .profile').waitFor();
  const t = await checkAgainstApi(page, 'province', 'AFG-1767', '&datetime=2022-01-01/2024-12-31&datetime_match=within', ['attack', 'presence'], false);
  assert.doesNotMatch(t.caption, /shared out/);
  assert.deepEqual(log.errors, []);
  await page.close();
});
