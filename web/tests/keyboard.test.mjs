// The page by keyboard alone, in Debian's Chromium against the real server: the map's symbols are
// one tab stop (arrows move between them, Enter opens, a redraw keeps focus), and the journey
// "which plots abroad between 2020 and 2023, and what are their sources?" without a mouse.
// Screenshots go to artifacts/keyboard-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { artifacts, desktopAndPhone, openPage, idle, hashView, apiJson } from './helpers.mjs';

const T = { timeout: 120000 };
let base;
let context;
let close;

before(async () => {
  ({ base, context, close } = await desktopAndPhone('iskp-map-keys-', { width: 1280, height: 800 }));
});

after(async () => {
  if (close) await close();
});

const shot = (page, name) => page.screenshot({ path: path.join(artifacts, `keyboard-${name}.png`) });

/** What has focus: its classes, title and whether it is one of the map's symbols. */
const active = (page) => page.evaluate(() => {
  const a = document.activeElement;
  return { cls: typeof a.className === 'string' ? a.className : a.className.baseVal, title: a.getAttribute('title') || a.getAttribute('aria-label'), id: a.id,
    symbol: a.matches('.leaflet-marker-icon, path.arrow-line') && document.getElementById('map').contains(a),
    inMap: document.getElementById('map').contains(a) };
});

/** Presses Tab until `pred(active)` holds; fails after `max` presses. Returns how many it took. */
async function tabUntil(page, pred, max = 80, key = 'Tab') {
  for (let k = 1; k <= max; k += 1) {
    await page.keyboard.press(key);
    if (pred(await active(page))) return k;
  }
  assert.fail(`not reached in ${max} presses of ${key}; at ${JSON.stringify(await active(page))}`);
}

test('the map\'s symbols are one tab stop; arrows move between them without moving the map', T, async () => {
  const { page, log } = await openPage(context, base, '#map=5/34.5/67');
  const stops = await page.$$eval('#map .leaflet-pane [tabindex]', (ns) => ns.filter((n) => n.tabIndex === 0).length);
  assert.equal(stops, 1, 'exactly one symbol is in the tab order');
  const all = await page.$$eval('#map .leaflet-marker-icon[tabindex]', (ns) => ns.length);
  assert.ok(all > 5, `many symbols are drawn (${all})`);
  // Every reachable symbol has a name.
  const unnamed = await page.$$eval('#map .leaflet-pane [tabindex]', (ns) => ns.filter((n) => !(n.getAttribute('title') || n.getAttribute('aria-label'))).length);
  assert.equal(unnamed, 0, 'every symbol has a label');
  await page.focus('#map');
  const before = (await hashView(page)).h.get('map');
  await page.keyboard.press('Tab');
  const first = await active(page);
  assert.ok(first.symbol, `Tab from the map reaches a symbol: ${JSON.stringify(first)}`);
  // The arrows visit other symbols; the map does not move.
  const seen = new Set([first.title]);
  for (const key of ['ArrowRight', 'ArrowRight', 'ArrowDown', 'ArrowLeft', 'ArrowUp', 'End', 'Home']) {
    await page.keyboard.press(key);
    const a = await active(page);
    assert.ok(a.symbol, `${key} keeps focus on a symbol`);
    seen.add(a.title);
  }
  assert.ok(seen.size >= 3, `the arrows reach several symbols: ${[...seen].join(' | ')}`);
  await idle(page);
  assert.equal((await hashView(page)).h.get('map'), before, 'focusing symbols never pans the map');
  await shot(page, 'roving');
  // One Tab leaves the symbols (for the map's zoom buttons); Shift+Tab comes back to the same symbol.
  const at = (await active(page)).title;
  await page.keyboard.press('Tab');
  const next = await active(page);
  assert.ok(!next.symbol && (next.cls.includes('leaflet-control') || !next.inMap), `the next stop after the symbols is no symbol: ${JSON.stringify(next)}`);
  await page.keyboard.press('Shift+Tab');
  assert.equal((await active(page)).title, at, 'Shift+Tab returns to the symbol last focused');
  await page.keyboard.press('Escape');
  assert.equal((await active(page)).id, 'map', 'Escape goes back to the map');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('Enter opens a record, a badge and a circle; a redraw keeps focus on the symbol', T, async () => {
  const { page, log } = await openPage(context, base, '#map=5/34.5/67');
  const focusOn = (sel) => page.$eval(sel, (n) => n.focus({ preventScroll: true }));
  // A badge (totals known only to a province or the country).
  await focusOn('#map .area-badge-icon[tabindex]');
  const badge = (await active(page)).title;
  await page.keyboard.press('Enter');
  await page.locator('#sel-h').waitFor();
  await idle(page);
  assert.ok(await page.$eval('#selection', (s) => !s.hidden), 'Enter on a badge opens its jurisdiction');
  // A redraw (a layer switched elsewhere) replaces the badges: focus stays on the same badge.
  await focusOn(`#map .area-badge-icon[title="${badge.replaceAll('"', '\\"')}"]`);
  await page.$eval('#layer-arrows', (b) => b.click());
  await idle(page);
  const after = await active(page);
  assert.ok(after.symbol, `focus is still on a symbol after the redraw: ${JSON.stringify(after)}`);
  assert.equal(after.title, badge, 'the same badge');
  await page.$eval('#layer-arrows', (b) => b.click());
  await idle(page);
  // A circle of several records zooms in on them.
  const z0 = (await hashView(page)).z;
  await focusOn('#map .marker-cluster[tabindex]');
  await page.keyboard.press('Enter');
  await page.waitForFunction((z) => Number(new URLSearchParams(window.location.hash.slice(1)).get('map').split('/')[0]) > z, z0);
  await idle(page);
  assert.ok((await hashView(page)).z > z0, 'Enter on a circle zooms in');
  assert.ok((await active(page)).symbol, 'after the zoom, focus is on a symbol again, not on the page');
  // A record opens its card.
  const { page: p2 } = await openPage(context, base, '#map=8/34.4/70.4');
  await p2.$eval('#map .kind-icon[tabindex]', (n) => n.focus({ preventScroll: true }));
  const view = (await hashView(p2)).h.get('map');
  await p2.keyboard.press('Enter');
  await p2.locator('#details article.record').waitFor();
  await idle(p2);
  assert.equal((await hashView(p2)).h.get('map'), view, 'opening a record keeps the view');
  assert.ok((await hashView(p2)).h.get('sel'), 'the record is selected');
  await shot(p2, 'record');
  assert.deepEqual(log.errors, []);
  await page.close();
  await p2.close();
});

test('journey by keyboard only: which plots abroad between 2020 and 2023, and what are their sources?', T, async () => {
  const { page, log } = await openPage(context, base, '#map=2/25/40');
  await page.evaluate(() => { document.activeElement.blur(); window.scrollTo(0, 0); });
  const presses = { n: 0 };
  const tab = async (pred, max, key) => { presses.n += await tabUntil(page, pred, max, key); };
  // The kinds: Space on each checkbox but plots.
  for (const k of ['attack', 'arrest', 'designation', 'raid', 'presence']) {
    await tab((a) => a.id === `kind-${k}`, 120);
    await page.keyboard.press('Space');
    await idle(page);
  }
  // Outside Afghanistan, then the whole world (Shift+Tab back up to the header).
  await tab((a) => a.id === 'view-outside', 120, 'Shift+Tab');
  await page.keyboard.press('Enter');
  await idle(page);
  await tab((a) => a.id === 'view-world', 5, 'Shift+Tab');
  await page.keyboard.press('Enter');
  await idle(page);
  // The time: arrows on the sliders.
  const slideTo = async (id, label, key) => {
    await tab((a) => a.id === id, 200);
    for (let k = 0; k < 400 && (await page.textContent(`#${id}-out`)) !== label; k += 1) await page.keyboard.press(key);
    assert.equal(await page.textContent(`#${id}-out`), label);
    await idle(page);
  };
  await slideTo('from', 'Jan 2020', 'ArrowRight');
  await slideTo('to', 'Dec 2023', 'ArrowLeft');
  // Claim: attributed, from the keyboard.
  await tab((a) => a.id === 'filter-claim', 120, 'Shift+Tab');
  for (let k = 0; k < 5 && (await page.inputValue('#filter-claim')) !== 'attributed'; k += 1) await page.keyboard.press('ArrowDown');
  assert.equal(await page.inputValue('#filter-claim'), 'attributed');
  await idle(page);
  const h = (await hashView(page)).h;
  assert.deepEqual([h.get('kinds'), h.get('outside'), h.get('from'), h.get('to'), h.get('claim')], ['plot', '1', '2020-01', '2023-12', 'attributed']);
  const api = await apiJson(base, '/api/collections/plots/items?limit=1000&claim=attributed&datetime=2020-01-01/2023-12-31&bbox=-180,-90,180,90');
  const abroad = api.features.filter((f) => f.properties.country !== 'AFG').map((f) => f.id).sort();
  // Back up to the list (its last row comes first), then each row, Enter to read its sources.
  await tab((a) => a.cls.includes('pick'), 120, 'Shift+Tab');
  const rows = await page.$$eval('#list button.pick', (bs) => bs.map((b) => b.dataset.id));
  assert.deepEqual([...rows].sort(), abroad, 'the list holds every plot abroad in the time');
  const answer = {};
  for (const id of [...rows].reverse()) {
    if (Object.keys(answer).length) await tab((a) => a.cls.includes('pick'), 10, 'Shift+Tab');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.id), id, 'rows come in order');
    await page.keyboard.press('Enter');
    await page.locator(`#details article.record[data-id="${id}"]`).waitFor();
    await idle(page);
    answer[id] = await page.$$eval('#details ol.sources li', (ls) => ls.map((l) => l.querySelector('cite').textContent));
    assert.ok(answer[id].length > 0, `${id}: its sources are read`);
    // Focus stays in the list, on the row just opened.
    assert.equal(await page.evaluate(() => document.activeElement.dataset.id), id);
  }
  assert.equal(Object.keys(answer).length, abroad.length);
  await shot(page, 'journey');
  console.log(`keyboard journey: ${presses.n} presses of Tab/Shift+Tab`);
  assert.deepEqual(log.errors, []);
  await page.close();
});
