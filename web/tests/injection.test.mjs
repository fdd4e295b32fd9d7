// Issue #17, "markup injection on the map": markup in every text field of the data — a record's
// title, summary, place, target and launch site, a gazetteer entry's name and alias, a document's
// title, author and publisher, a citation's section — reaches every view of the page (markers,
// the record card, the list of a jurisdiction, the cross-border arrow's tooltip, the search
// results, the hover box) as text only: no element is made from it, nothing runs, nothing
// navigates.
//
//   ISKP_MAP_BIN=target/debug/iskp-map node --test web/tests/injection.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, cpSync, appendFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, root, launchBrowser } from './server.mjs';
import { idle, openPage, artifacts } from './helpers.mjs';

// Each part would be live markup if a string reached innerHTML: an image whose error handler
// runs, a javascript: link, a refresh that navigates away, an SVG whose load handler runs, bold.
const P = '<img src=x onerror="window.__xss=1"><a href="javascript:window.__xss=2">lnk</a>'
  + '<meta http-equiv="refresh" content="0;url=about:blank"><svg onload="window.__xss=3"></svg><b>bold</b>';
const PLACE = `Hill ${P}`;
const cell = (s) => `"${String(s).replaceAll('"', '""')}"`;
const row = (cells) => `${cells.map(cell).join(',')}\n`;
// Elements the payload would make, anywhere in the document.
const MADE = 'img[src="x"], a[href^="javascript"], meta[http-equiv], svg[onload], [onerror], [onload], b';

let server;
let context;
let scratch;

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  scratch = mkdtempSync(path.join(tmpdir(), 'iskp-map-injection-'));
  const data = path.join(scratch, 'geodata');
  cpSync(path.join(root, 'geodata'), data, { recursive: true });
  appendFileSync(path.join(data, 'places.csv'), row([PLACE, `Alias ${P}`, 'AFG', 'landmark', '65.7', '31.6', `Note ${P}`, '']));
  appendFileSync(path.join(data, 'sources.csv'), row(['S99', `Title ${P}`, `Author ${P}`, `Publisher ${P}`, '', 'https://example.org/report']));
  // A presence record at the hostile place, and a cross-border attack launched from it.
  appendFileSync(path.join(data, 'records.csv'), row(['zz-inj-a', 'presence', `Title ${P}`, `Summary ${P}`, '2023-06-01', '', 'day', PLACE, 'AFG', 'exact', '', '', '1', '', '', '', 'suspected', '', '', `Target ${P}`, '', '', '', '', '']));
  appendFileSync(path.join(data, 'records.csv'), row(['zz-inj-b', 'attack', `Arrow ${P}`, `Summary ${P}`, '2023-07-01', '', 'day', 'Termez', 'UZB', 'near', '', '', '1', 'exact', '0', '', 'claimed', '', '', '', PLACE, 'AFG', '', '', '']));
  appendFileSync(path.join(data, 'citations.csv'), row(['zz-inj-a', 'S99', `Section ${P}`]) + row(['zz-inj-b', 'S99', `Section ${P}`]));
  server = await startServer(data);
  context = await launchBrowser(path.join(scratch, 'profile'));
});

after(async () => {
  if (context) await context.close();
  if (server) server.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Fails if anything the payload could make exists, ran or navigated. */
async function clean(page, where) {
  const made = await page.evaluate((sel) => [...document.querySelectorAll(sel)]
    .filter((n) => !n.closest('#legend'))
    .map((n) => n.outerHTML.slice(0, 120)), MADE);
  assert.deepEqual(made, [], `${where}: elements made from the data`);
  assert.equal(await page.evaluate(() => window.__xss), undefined, `${where}: a handler ran`);
  assert.ok(page.url().startsWith(server.base), `${where}: the page navigated to ${page.url()}`);
}

const text = (page, sel) => page.locator(sel).first().textContent();

test('the record card shows every field of the record and its documents as text', async () => {
  const { page, log } = await openPage(context, server.base, '#map=7/31.6/65.7&sel=zz-inj-a');
  const card = page.locator('#details article.record');
  await card.waitFor();
  assert.equal(await card.locator('h3').textContent(), `Title ${P}`);
  const all = await card.textContent();
  for (const part of [`Summary ${P}`, `Target ${P}`, PLACE, `Title ${P}`, `Author ${P}`, `Publisher ${P}`, `Section ${P}`]) {
    assert.ok(all.includes(part), `the card holds ${part.slice(0, 20)}… as text`);
  }
  await clean(page, 'card');
  // The marker's title is an attribute: text by construction, but check it is the whole title.
  const titled = await page.locator('.leaflet-marker-icon[title^="Title <img"]').count();
  assert.ok(titled >= 1, 'the marker carries the title as its tooltip text');
  assert.deepEqual(log.dialogs, []);
  assert.deepEqual(log.errors, []);
  await page.screenshot({ path: path.join(artifacts, 'injection-card.png') });
  await page.close();
});

test('the cross-border arrow tooltip is text', async () => {
  const { page, log } = await openPage(context, server.base, '#map=6/36.5/66.5');
  const arrows = page.locator('path.arrow-line');
  const n = await arrows.count();
  assert.ok(n >= 1, 'arrows are drawn');
  let seen = false;
  for (let i = 0; i < n; i += 1) {
    // Sticky tooltips follow the mouse over the line: hover points on the drawn path itself (its
    // box's diagonal misses a line drawn the other way, or a curved one).
    const points = await arrows.nth(i).evaluate((el) => [0.5, 0.3, 0.7].map((f) => {
      const p = el.getPointAtLength(el.getTotalLength() * f);
      const m = el.getScreenCTM();
      return { x: p.x * m.a + p.y * m.c + m.e, y: p.x * m.b + p.y * m.d + m.f };
    }));
    for (const { x, y } of points) {
      await page.mouse.move(x - 1, y);
      await page.mouse.move(x, y);
      const tips = await page.locator('.leaflet-tooltip').allTextContents();
      if (tips.some((t) => t.startsWith(`Arrow ${P}: launched from ${PLACE}`))) seen = true;
      await clean(page, 'arrow tooltip');
    }
  }
  assert.ok(seen, 'the hostile arrow showed its tooltip, as text');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('the list of a jurisdiction, the search results and the hover box are text', async () => {
  const { page, log } = await openPage(context, server.base, '#map=6/33/66&area=country:AFG');
  await page.locator('#details button[data-id="zz-inj-a"]').first().waitFor();
  const item = await text(page, '#details button[data-id="zz-inj-a"]');
  assert.ok(item.includes(`Title ${P}`), item);
  await clean(page, 'jurisdiction list');
  // The list opens the card.
  await page.locator('#details button[data-id="zz-inj-a"]').first().click();
  await page.locator('#details article.record[data-id="zz-inj-a"]').waitFor();
  await clean(page, 'card from the list');
  // Search: the gazetteer entry's name and alias.
  await page.fill('#search-input', 'Hill img src');
  await page.locator('#search-results li').first().waitFor();
  const results = (await page.locator('#search-results').textContent());
  assert.ok(results.includes(PLACE), results.slice(0, 200));
  await clean(page, 'search results');
  await page.keyboard.press('Enter');
  await idle(page);
  await clean(page, 'search pin');
  // The hover box over Afghanistan.
  await page.mouse.move(640, 400);
  await page.mouse.move(645, 405);
  await clean(page, 'hover box');
  assert.deepEqual(log.dialogs, []);
  assert.deepEqual(log.errors, []);
  await page.screenshot({ path: path.join(artifacts, 'injection-list.png') });
  await page.close();
});

test('a document link is only ever http(s)', async () => {
  const { page } = await openPage(context, server.base, '#map=7/31.6/65.7&sel=zz-inj-a');
  await page.locator('#details article.record').waitFor();
  const hrefs = await page.$$eval('#details a[href]', (as) => as.map((a) => a.getAttribute('href')));
  assert.ok(hrefs.length >= 1);
  for (const h of hrefs) assert.match(h, /^https?:\/\//i);
  await page.close();
});
