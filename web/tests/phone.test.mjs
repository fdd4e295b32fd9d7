// The page on a phone (390 x 844, touch) in Debian's Chromium: a map of most of the screen with the
// panel as a bottom sheet, touch targets of at least 24 px, one scroll (the sheet's), and the
// journey "which plots abroad between 2020 and 2023, and what are their sources?" by touch.
// Screenshots go to artifacts/phone-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { artifacts, desktopAndPhone, openPage, idle, hashView, apiJson, slide } from './helpers.mjs';

const T = { timeout: 120000 };
const VIEW = { width: 390, height: 844 };
let base;
let phone;
let close;

before(async () => {
  ({ base, phone, close } = await desktopAndPhone('iskp-map-phone-', { width: 1280, height: 800 }));
});

after(async () => {
  if (close) await close();
});

const shot = (page, name) => page.screenshot({ path: path.join(artifacts, `phone-${name}.png`) });
const box = (page, sel) => page.locator(sel).first().boundingBox();
const sheet = (page) => page.getAttribute('#panel', 'data-sheet');

test('the map takes most of the screen; the sheet rises and lowers by its handle; the page never scrolls', T, async () => {
  const { page, log } = await openPage(phone, base, '#map=4/33.9/66');
  const map = await box(page, '#map');
  assert.ok(map.height >= VIEW.height * 0.65, `the map is most of the screen: ${map.height} of ${VIEW.height}`);
  assert.equal(await sheet(page), 'low');
  const status = await box(page, '#status');
  assert.ok(status.y >= map.y + map.height && status.y + status.height <= VIEW.height, 'the status line is seen under the map, not behind it');
  const handle = await box(page, '#sheet-handle');
  assert.ok(handle.height >= 24 && handle.width >= 24, `the handle is a real target: ${handle.width}x${handle.height}`);
  await shot(page, 'low');
  const heights = [];
  for (const want of ['half', 'full', 'low']) {
    await page.tap('#sheet-handle');
    await idle(page);
    assert.equal(await sheet(page), want);
    heights.push((await box(page, '#panel')).height);
    assert.equal(await page.evaluate(() => document.scrollingElement.scrollHeight <= window.innerHeight + 1), true, `${want}: the page itself does not scroll`);
    if (want === 'half') await shot(page, 'half');
  }
  assert.ok(heights[0] > 300 && heights[1] > heights[0] && heights[2] < heights[0], `three heights: ${heights.join(', ')}`);
  // A drag on the handle, finger let go high up: the sheet is raised.
  const h = await box(page, '#sheet-handle');
  const cdp = await page.context().newCDPSession(page);
  const touch = (type, y) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x: h.x + h.width / 2, y }] });
  await touch('touchStart', h.y + h.height / 2);
  for (let y = h.y; y > 120; y -= 60) await touch('touchMove', y);
  await touch('touchEnd', 120);
  await idle(page);
  assert.equal(await sheet(page), 'full', 'dragged up, the sheet is raised');
  // Touch targets in the panel: every control at least 24 x 24 px.
  const small = await page.$$eval('#panel button, #panel select, #panel input, #panel label.check', (ns) => ns
    .filter((n) => n.offsetParent !== null && !n.closest('table') && !n.classList.contains('linkish'))
    .map((n) => ({ n: n.id || n.className || n.tagName, r: n.getBoundingClientRect() }))
    .filter(({ r }) => r.width > 0 && (r.height < 23.5 || r.width < 23.5))
    .map(({ n, r }) => `${n} ${Math.round(r.width)}x${Math.round(r.height)}`));
  assert.deepEqual(small, [], 'no control under 24 px');
  await shot(page, 'full');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('journey by touch: which plots abroad between 2020 and 2023, and what are their sources?', T, async () => {
  const { page, log } = await openPage(phone, base, '#map=2/25/40');
  await page.tap('#sheet-handle');
  await page.tap('#sheet-handle');
  assert.equal(await sheet(page), 'full');
  for (const k of ['attack', 'arrest', 'designation', 'raid', 'presence']) {
    await page.locator(`#kind-${k}`).scrollIntoViewIfNeeded();
    await page.tap(`#kind-${k}`);
    await idle(page);
  }
  await page.tap('#view-outside');
  await idle(page);
  // The sliders, moved as a finger would (through their values).
  await slide(page, 'from', 'Jan 2020');
  await slide(page, 'to', 'Dec 2023');
  await page.selectOption('#filter-claim', 'attributed');
  await idle(page);
  // Back to the map (the sheet lowered), the whole world, then the sheet half-way for the list.
  await page.tap('#sheet-handle');
  assert.equal(await sheet(page), 'low');
  await page.tap('#view-world');
  await idle(page);
  await page.tap('#sheet-handle');
  assert.equal(await sheet(page), 'half');
  await idle(page);
  const hv = (await hashView(page)).h;
  assert.deepEqual([hv.get('kinds'), hv.get('outside'), hv.get('from'), hv.get('to'), hv.get('claim')], ['plot', '1', '2020-01', '2023-12', 'attributed']);
  // The list is what is in view: the API's answer for the box the phone's map shows.
  const bbox = await page.getAttribute('#list-count', 'data-bbox');
  const api = await apiJson(base, `/api/collections/plots/items?limit=1000&claim=attributed&datetime=2020-01-01/2023-12-31&bbox=${bbox}`);
  const abroad = api.features.filter((f) => f.properties.country !== 'AFG').map((f) => f.id).sort();
  const rows = await page.$$eval('#list button.pick', (bs) => bs.map((b) => b.dataset.id));
  assert.deepEqual([...rows].sort(), abroad);
  assert.ok(rows.includes('2020-04-germany-tajik-cell-plot') && rows.length >= 6, `the plots abroad in a world view: ${rows.join(', ')}`);
  for (const id of rows) {
    const row = page.locator(`#list button.pick[data-id="${id}"]`);
    await row.scrollIntoViewIfNeeded();
    await row.tap();
    await page.locator(`#details article.record[data-id="${id}"]`).waitFor();
    await idle(page);
    // The card is seen at once, in the sheet, with the map above it.
    const card = await box(page, '#details article.record h3');
    assert.ok(card.y >= 0 && card.y + card.height <= VIEW.height, `${id}: the card's title is on screen (y=${card.y})`);
    assert.ok((await box(page, '#map')).height >= 150, 'the map stays in sight above the card');
    const srcs = await page.$$eval('#details ol.sources li cite', (cs) => cs.map((c) => c.textContent));
    assert.ok(srcs.length > 0, `${id}: its sources`);
  }
  await shot(page, 'journey');
  assert.deepEqual(log.errors, []);
  await page.close();
});
