// The records list beside the map, the filters and the search box over records, in Debian's
// Chromium against the real server over geodata/ (plus one hostile record). Screenshots go to
// artifacts/list-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { artifacts, desktopAndPhone, openPage, idle, hashView, apiJson, slide } from './helpers.mjs';

const T = { timeout: 90000 };
let base;
let context;
let phone;
let close;

before(async () => {
  ({ base, context, phone, close } = await desktopAndPhone('iskp-map-list-', { width: 1280, height: 800 }));
});

after(async () => {
  if (close) await close();
});

const shot = (page, name) => page.screenshot({ path: path.join(artifacts, `list-${name}.png`) });
const rowIds = (page) => page.$$eval('#list tbody tr', (trs) => trs.map((t) => t.dataset.id));
const matched = async (page) => Number(await page.getAttribute('#list-count', 'data-matched'));

test('the list holds every record in view: showing N of M, M the API\'s numberMatched', T, async () => {
  const { page, log } = await openPage(context, base, '#map=2/25/40');
  const all = await apiJson(base, '/api/collections/incidents/items?limit=1&bbox=-180,-90,180,90');
  const m = await matched(page);
  assert.equal(m, all.numberMatched, 'M is what the API matched in the (world) view');
  assert.match(await page.textContent('#list-count'), new RegExp(`Showing 1–50 of ${m} records`));
  assert.equal((await rowIds(page)).length, 50, 'a page of 50 rows');
  // The status line counts the same records.
  assert.equal(Number(await page.getAttribute('#status', 'data-records')), m);
  await page.click('#list-next');
  await idle(page);
  assert.match(await page.textContent('#list-count'), new RegExp(`Showing 51–${m} of ${m}`));
  assert.equal((await rowIds(page)).length, m - 50);
  // Every record of the view is on one of the pages, once.
  await page.click('#list-prev');
  await idle(page);
  const first = await rowIds(page);
  await page.click('#list-next');
  await idle(page);
  const second = await rowIds(page);
  const seen = new Set([...first, ...second]);
  assert.equal(seen.size, m);
  const api = await apiJson(base, '/api/collections/incidents/items?limit=1000&bbox=-180,-90,180,90');
  assert.deepEqual([...seen].sort(), api.features.map((f) => f.id).sort());
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('the list sorts by date, kind, country, events and fatalities, and the order is in the permalink', T, async () => {
  const { page } = await openPage(context, base, '#map=2/25/40');
  // Newest first by default.
  const dates = await page.$$eval('#list tbody tr', (trs) => trs.length);
  assert.ok(dates > 0);
  const api = await apiJson(base, '/api/collections/incidents/items?limit=1000&bbox=-180,-90,180,90');
  const byId = new Map(api.features.map((f) => [f.id, f.properties]));
  const ids0 = await rowIds(page);
  for (let i = 1; i < ids0.length; i += 1) assert.ok(byId.get(ids0[i - 1]).date >= byId.get(ids0[i]).date, 'newest first');
  await page.click('button[data-sort="fatalities"]');
  await idle(page);
  let ids = await rowIds(page);
  const killed = (id) => byId.get(id).fatalities ?? -1;
  for (let i = 1; i < ids.length; i += 1) assert.ok(killed(ids[i - 1]) >= killed(ids[i]), 'most killed first');
  assert.equal(ids[0], '2021-08-kabul-airport-bombing');
  assert.equal((await hashView(page)).h.get('sort'), 'fatalities-desc');
  assert.equal(await page.getAttribute('th:has(button[data-sort="fatalities"])', 'aria-sort'), 'descending');
  await page.click('button[data-sort="country"]');
  await idle(page);
  ids = await rowIds(page);
  const cn = (id) => byId.get(id).country_name || '\uffff';
  for (let i = 1; i < ids.length; i += 1) assert.ok(cn(ids[i - 1]) <= cn(ids[i]), `A to Z: ${cn(ids[i - 1])} ≤ ${cn(ids[i])}`);
  await page.click('button[data-sort="count"]');
  await idle(page);
  ids = await rowIds(page);
  for (let i = 1; i < ids.length; i += 1) assert.ok(byId.get(ids[i - 1]).count >= byId.get(ids[i]).count, 'largest totals first');
  await page.click('button[data-sort="kind"]');
  await idle(page);
  assert.equal((await hashView(page)).h.get('sort'), 'kind-asc');
  // The permalink's order is kept on opening it.
  const url = await page.evaluate(() => window.location.href);
  const again = await openPage(context, base, url.slice(base.length + 1));
  assert.equal(await again.page.getAttribute('th:has(button[data-sort="kind"])', 'aria-sort'), 'ascending');
  await again.page.close();
  await page.close();
});

test('a row opens the record\'s card with its sources and flies the map to it; an area record to its box', T, async () => {
  const { page } = await openPage(context, base, '#map=2/25/40');
  // A point record: Crocus City Hall.
  await page.click('button[data-sort="fatalities"]');
  await idle(page);
  await page.click('#list button.pick[data-id="2024-03-22-crocus-city-hall"]');
  await page.locator('#details article.record[data-id="2024-03-22-crocus-city-hall"]').waitFor();
  await page.waitForFunction(() => Number(new URLSearchParams(window.location.hash.slice(1)).get('map').split('/')[0]) >= 9, null, { timeout: 15000 });
  await idle(page);
  let v = await hashView(page);
  assert.ok(Math.abs(v.lat - 55.8) < 0.3 && Math.abs(v.lon - 37.4) < 0.5, `flew to Moscow Oblast: ${v.lat},${v.lon}`);
  const sources = await page.$$eval('#details ol.sources li', (ls) => ls.map((l) => ({ title: l.querySelector('cite').textContent, section: l.querySelector('.section').textContent })));
  assert.ok(sources.length >= 1 && sources.every((s) => s.title && s.section), JSON.stringify(sources));
  assert.equal(v.h.get('sel'), '2024-03-22-crocus-city-hall');
  // An area record (known only to Iran): geometry null, the map flies to its box.
  await page.goto(`${base}/#map=2/25/40&kinds=plot`);
  await idle(page);
  await page.click('#list button.pick[data-id="irn-plots-2020-2023"]');
  await page.locator('#details article.record[data-id="irn-plots-2020-2023"]').waitFor();
  await page.waitForFunction(() => Number(new URLSearchParams(window.location.hash.slice(1)).get('map').split('/')[0]) >= 4, null, { timeout: 15000 });
  await idle(page);
  v = await hashView(page);
  assert.ok(v.lat > 25 && v.lat < 40 && v.lon > 44 && v.lon < 64, `over Iran: ${v.lat},${v.lon}`);
  assert.equal(await page.$eval('#list tr.selected', (t) => t.dataset.id), 'irn-plots-2020-2023', 'the row stays marked');
  await page.close();
});

test('journey: which plots abroad between 2020 and 2023, and what are their sources?', T, async () => {
  const { page, log } = await openPage(context, base, '#map=2/25/40');
  // Only plots, outside Afghanistan, 2020 – 2023.
  for (const k of ['attack', 'arrest', 'designation', 'raid', 'presence']) await page.uncheck(`#kind-${k}`);
  await idle(page);
  await page.click('#view-outside');
  await idle(page);
  await page.click('#view-world');
  await idle(page);
  // The time range by its sliders, as a reader sets it.
  await slide(page, 'from', 'Jan 2020');
  await slide(page, 'to', 'Dec 2023');
  await page.selectOption('#filter-claim', 'attributed');
  await idle(page);
  const h = (await hashView(page)).h;
  assert.equal(h.get('from'), '2020-01');
  assert.equal(h.get('to'), '2023-12');
  assert.equal(h.get('kinds'), 'plot');
  assert.equal(h.get('outside'), '1');
  assert.equal(h.get('claim'), 'attributed');
  const api = await apiJson(base, '/api/collections/plots/items?limit=1000&claim=attributed&datetime=2020-01-01/2023-12-31&bbox=-180,-90,180,90');
  const abroad = api.features.filter((f) => f.properties.country !== 'AFG');
  const ids = await rowIds(page);
  assert.deepEqual([...ids].sort(), abroad.map((f) => f.id).sort(), 'the list is every plot abroad in the time');
  assert.equal(await matched(page), abroad.length);
  assert.ok(ids.includes('2020-04-germany-tajik-cell-plot') && ids.includes('irn-plots-2020-2023'));
  const url = await page.evaluate(() => window.location.href);
  // Each card names its sources and their sections.
  const answer = [];
  for (const id of ids) {
    await page.click(`#list button.pick[data-id="${id}"]`);
    await page.locator(`#details article.record[data-id="${id}"]`).waitFor();
    const srcs = await page.$$eval('#details ol.sources li', (ls) => ls.map((l) => `${l.querySelector('cite').textContent} (${l.querySelector('.section').textContent})`));
    assert.ok(srcs.length > 0, `${id} has sources`);
    answer.push({ id, srcs });
    await idle(page);
  }
  assert.equal(answer.length, abroad.length);
  await shot(page, 'journey');
  // The whole answer is one link away (the link of the list, before a row flew the map).
  const again = await openPage(context, base, url.slice(base.length + 1));
  assert.equal(await again.page.inputValue('#filter-claim'), 'attributed');
  assert.deepEqual((await rowIds(again.page)).sort(), [...ids].sort());
  await again.page.close();
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('filters narrow the map, the figures and the list alike, and live in the permalink', T, async () => {
  const { page } = await openPage(context, base, '#map=2/25/40');
  const all = await matched(page);
  await page.fill('#filter-fatalities_min', '100');
  await page.waitForFunction(() => new URLSearchParams(window.location.hash.slice(1)).get('fatalities_min') === '100');
  await idle(page);
  assert.deepEqual((await rowIds(page)).sort(), ['2021-08-kabul-airport-bombing', '2024-03-22-crocus-city-hall']);
  assert.equal(Number(await page.getAttribute('#status', 'data-records')), 2, 'the status line counts the same two');
  assert.match(await page.textContent('#status'), /at least 100 killed/);
  await page.selectOption('#filter-country', 'RUS');
  await idle(page);
  assert.deepEqual(await rowIds(page), ['2024-03-22-crocus-city-hall']);
  // A province list appears for the country.
  assert.ok(await page.locator('#filter-province option').count() > 1);
  await page.selectOption('#filter-geo_precision', 'country');
  await idle(page);
  assert.equal(await matched(page), 0, 'Crocus is located exactly, not to the country only');
  assert.match(await page.textContent('#list-count'), /No records/);
  await page.selectOption('#filter-link', 'directed');
  await idle(page);
  const h = (await hashView(page)).h;
  assert.deepEqual(['fatalities_min', 'country', 'geo_precision', 'link'].map((k) => h.get(k)), ['100', 'RUS', 'country', 'directed']);
  await page.click('#filters-clear');
  await idle(page);
  assert.equal(await matched(page), all);
  assert.equal((await hashView(page)).h.get('country'), null);
  await page.close();
});

test('the search box finds records ("Crocus", "Tajik", "Kerman bombing") and places, and says when nothing matches', T, async () => {
  const { page } = await openPage(context, base, '#map=4/33.9/66');
  const options = async (q) => {
    await page.fill('#search-input', '');
    await page.fill('#search-input', q);
    await page.locator('#search-results li').first().waitFor();
    await page.waitForTimeout(400);
    return page.$$eval('#search-results li', (ls) => ls.map((l) => ({ kind: l.dataset.kind || 'none', text: l.textContent })));
  };
  let o = await options('Crocus');
  assert.ok(o.some((x) => x.kind === 'record' && x.text.startsWith('Attack on Crocus City Hall')), JSON.stringify(o));
  o = await options('Tajik');
  assert.ok(o.filter((x) => x.kind === 'record').length >= 2, JSON.stringify(o));
  o = await options('Kerman bombing');
  assert.ok(o.some((x) => x.kind === 'record' && x.text.startsWith('Bombings in Kerman')), JSON.stringify(o));
  o = await options('Mazar-i-Sharif');
  assert.equal(o[0].kind, 'place', 'a place named so comes first');
  o = await options('qqzxv');
  assert.deepEqual(o.map((x) => x.kind), ['none']);
  assert.match(o[0].text, /No match/);
  // "Every record matching" sets the words filter.
  o = await options('Tajik');
  const i = o.findIndex((x) => x.kind === 'words');
  for (let k = 0; k < i; k += 1) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => new URLSearchParams(window.location.hash.slice(1)).get('q') === 'Tajik');
  await idle(page);
  assert.equal(await page.inputValue('#filter-q'), 'Tajik');
  assert.match(await page.textContent('#status'), /words “Tajik”/);
  // A record option opens its card and flies there.
  o = await options('Crocus');
  const r = o.findIndex((x) => x.kind === 'record');
  assert.ok(o[r].text.startsWith('Attack on Crocus City Hall'), 'the record whose title holds the word ranks first');
  for (let k = 0; k < r; k += 1) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.locator('#details article.record[data-id="2024-03-22-crocus-city-hall"]').waitFor();
  await shot(page, 'search');
  await page.close();
});

test('on a phone the list pages and opens cards by touch', T, async () => {
  const { page, log } = await openPage(phone, base, '#map=2/25/40&kinds=plot');
  await page.locator('#list button.pick').first().scrollIntoViewIfNeeded();
  await page.locator('#list button.pick').first().tap();
  await page.locator('#details article.record').waitFor();
  const box = await page.locator('#list button.pick').first().boundingBox();
  assert.ok(box.height >= 24, `a row's target is at least 24 px high: ${box.height}`);
  await shot(page, 'phone');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('axe-core finds no serious or critical violation; the skip link jumps past the map to the list', T, async () => {
  const { readFileSync } = await import('node:fs');
  const { root } = await import('./server.mjs');
  const axe = readFileSync(path.join(root, 'web/node_modules/axe-core/axe.min.js'), 'utf8');
  for (const [ctx, name] of [[context, 'desktop'], [phone, 'phone']]) {
    const { page } = await openPage(ctx, base, '#map=4/33.9/66&sel=2024-03-22-crocus-city-hall');
    await page.locator('#details article.record').waitFor();
    await idle(page);
    // The permalink's card is in sight: the panel (on a phone, the risen sheet) at its top, the
    // card's top inside the panel's visible box, with room below it.
    const sight = await page.evaluate(() => {
      const p = document.getElementById('panel').getBoundingClientRect();
      const s = document.getElementById('selection').getBoundingClientRect();
      return { scroll: document.getElementById('panel').scrollTop, top: s.top, from: p.top, to: Math.min(p.bottom, window.innerHeight) };
    });
    assert.equal(sight.scroll, 0, `${name}: the panel is scrolled to its top`);
    assert.ok(sight.top >= sight.from && sight.top <= sight.to - 60, `${name}: the card's top is in sight ${JSON.stringify(sight)}`);
    // Evaluated through the DevTools protocol: the page's Content-Security-Policy forbids inline scripts.
    await page.evaluate(axe);
    const violations = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
    });
    const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad, [], `${name}: ${JSON.stringify(bad, null, 1)}`);
    if (name === 'desktop') {
      // As a reader arrives by a permalink with a card open: nothing focused yet (no blur() here,
      // which leaves Chromium's starting point where the focus was), and the first Tab is the skip link.
      assert.ok(await page.evaluate(() => document.activeElement === document.body), 'nothing is focused on arrival');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
      await shot(page, 'skip-link');
      const h = await page.evaluate(() => window.location.hash);
      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'list-h');
      assert.equal(await page.evaluate(() => window.location.hash), h, 'the permalink is untouched');
      await page.keyboard.press('Tab');
      assert.ok(await page.evaluate(() => document.getElementById('records').contains(document.activeElement)), 'the next stop is in the list');
      // By keyboard alone: on to the first row, Enter opens its card.
      for (let k = 0; k < 10 && !(await page.evaluate(() => document.activeElement.classList.contains('pick'))); k += 1) await page.keyboard.press('Tab');
      const id = await page.evaluate(() => document.activeElement.dataset.id);
      assert.ok(id, 'a row is reached by Tab');
      await page.keyboard.press('Enter');
      await page.locator(`#details article.record[data-id="${id}"]`).waitFor();
      await idle(page);
      assert.equal((await hashView(page)).h.get('sel'), id);
    }
    await page.close();
  }
});
