// End-to-end tests of the map page in Debian's Chromium, driven by playwright-core, against the real
// server binary over a copy of geodata/ with one hostile record added. Screenshots go to artifacts/.
//
//   ISKP_MAP_BIN=target/release/iskp-map node --test web/tests/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, cpSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, root, launchBrowser } from './server.mjs';
import { idle, openPage } from './helpers.mjs';

const artifacts = path.join(root, 'artifacts');
const XSS = '<img src=x onerror="window.__xss=1">';

let server;
let base;
let context;
let scratch;

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  scratch = mkdtempSync(path.join(tmpdir(), 'iskp-map-e2e-'));
  const data = path.join(scratch, 'geodata');
  cpSync(path.join(root, 'geodata'), data, { recursive: true });
  appendFileSync(path.join(data, 'records.csv'),
    `zz-xss-test,presence,"${XSS.replaceAll('"', '""')} title","Summary with ${XSS.replaceAll('"', '""')} inside",2023-06-01,,day,Kandahar,AFG,near,,,1,,,,suspected,,,,,,,,\n`);
  appendFileSync(path.join(data, 'citations.csv'), 'zz-xss-test,S1,test record\n');
  server = await startServer(data);
  base = server.base;
  context = await launchBrowser(path.join(scratch, 'profile'));
});

after(async () => {
  if (context) await context.close();
  if (server) server.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Opens the page, recording console errors, failed requests and every URL requested. */
const open = (hash = '', viewport) => openPage(context, base, hash, viewport);

const markerCount = (page) => page.locator('.leaflet-marker-icon').count();
// Records drawn: single markers, the numbers in the circles that gather them, and the kinds'
// parts of the badges of totals known only to a country or province (one badge holds every kind
// of its jurisdiction, so toggling a kind changes its parts, not the number of badges).
const drawnCount = (page) => page.evaluate(() => document.querySelectorAll('#map .kind-icon').length
  + [...document.querySelectorAll('#map .client-cluster .cluster-disc')].reduce((s, n) => s + Number(n.textContent.replaceAll(',', '')), 0)
  + document.querySelectorAll('#map .area-badge .seg').length);

test('the page loads with no console errors and no request leaving 127.0.0.1', async () => {
  const { page, log } = await open();
  assert.deepEqual(log.errors, []);
  const foreign = log.requests.filter((u) => new URL(u).hostname !== '127.0.0.1');
  assert.deepEqual(foreign, [], 'every request stays on the server');
  assert.ok(log.requests.some((u) => u.includes('/vendor/leaflet/leaflet.js')));
  assert.ok(log.requests.some((u) => u.includes('/api/collections/incidents/items?')), 'records come through the API');
  await page.screenshot({ path: path.join(artifacts, 'page-afghanistan.png') });
  await page.close();
});

// Changed on purpose: a toggle refreshes the view (the figures follow it), and badges combine
// kinds, so what is counted is the records drawn rather than the number of Leaflet markers.
test('each kind layer toggles its markers', async () => {
  const { page } = await open('#map=2/25/40');
  for (const kind of ['attack', 'plot', 'arrest', 'designation', 'raid', 'presence']) {
    const before = await drawnCount(page);
    await page.uncheck(`#kind-${kind}`);
    await idle(page);
    const without = await drawnCount(page);
    assert.ok(without < before, `${kind}: ${before} drawn, ${without} without it`);
    assert.equal(await page.locator(`#map .kind-icon.k-${kind}, #map .area-badge .seg.k-${kind}`).count(), 0, `no ${kind} symbol left`);
    await page.check(`#kind-${kind}`);
    await idle(page);
    assert.equal(await drawnCount(page), before, `${kind} comes back`);
  }
  await page.screenshot({ path: path.join(artifacts, 'page-world.png') });
  await page.close();
});

// Changed on purpose: classes are natural breaks of the countries in view (not fixed 1…500
// breaks), and the shading follows the layer checkboxes instead of a separate "measure" menu.
test('the choropleth and its legend render, and follow the checked kinds', async () => {
  const { page } = await open('#map=3/33/60');
  assert.ok(await page.locator('#legend .classes li').count() >= 3, 'none and at least two classes');
  const fills = async () => page.$$eval('.leaflet-countries-pane path.leaflet-interactive', (ps) => ps.map((p) => p.getAttribute('fill')));
  const shaded = (await fills()).filter((f) => f && f !== '#f4f4f1');
  assert.ok(shaded.length >= 10, `countries with activity are shaded: ${shaded.length}`);
  assert.ok(shaded.includes('#54278f'), 'Afghanistan, with hundreds of events, takes the darkest class');
  for (const k of ['attack', 'plot', 'arrest', 'raid', 'presence']) await page.uncheck(`#kind-${k}`);
  await idle(page);
  const onlyDesignations = (await fills()).filter((f) => f && f !== '#f4f4f1');
  assert.ok(onlyDesignations.length < shaded.length, 'fewer countries have designations');
  await page.hover('#map', { position: { x: 640, y: 400 } });
  await page.close();
});

test('the time filter changes what is drawn', async () => {
  const { page } = await open('#map=2/25/40');
  const all = await markerCount(page);
  const statusAll = await page.textContent('#status');
  await page.evaluate(() => {
    const set = (id, v) => { const e = document.getElementById(id); e.value = String(v); e.dispatchEvent(new Event('input')); e.dispatchEvent(new Event('change')); };
    const months = Number(document.getElementById('to').max);
    set('to', months);
    set('from', months - 5);
  });
  await page.waitForFunction((s) => document.getElementById('status').textContent !== s && !document.getElementById('status').textContent.startsWith('Loading'), statusAll);
  await idle(page);
  const late = await markerCount(page);
  assert.ok(late < all, `${late} markers in the last six months, ${all} in all`);
  // Changed on purpose: months are written "Jul 2024", not "2024-07".
  assert.match(await page.textContent('#from-out'), /^[A-Z][a-z]{2} \d{4}$/);
  // Changed on purpose: the timeline is monthly, so the range lights exactly its six months.
  assert.equal(await page.locator('#timeline g.month.on').count(), 6, 'the timeline highlights the range');
  await page.click('#play');
  assert.equal(await page.getAttribute('#play', 'aria-pressed'), 'true');
  await page.click('#play');
  await page.close();
});

// Changed on purpose: a marker opens its card at the top of the panel (no popup: Leaflet's
// auto-pan moved the map away from what was clicked).
test('a marker opens the record and all its sources in the panel', async () => {
  const { page } = await open('#map=7/36.7/70.6');
  const marker = page.locator('.leaflet-marker-icon.kind-icon').first();
  await marker.click();
  const card = page.locator('#details article.record');
  await card.waitFor();
  assert.ok(await card.locator('ol.sources li').count() >= 1);
  assert.ok((await card.locator('h3').textContent()).length > 0);
  assert.equal(await page.locator('.leaflet-popup').count(), 0);
  await page.screenshot({ path: path.join(artifacts, 'page-popup.png') });
  await page.close();
  const { page: p2 } = await open('#map=5/55.8/37.4&sel=2024-03-22-crocus-city-hall');
  const card2 = p2.locator('#details article.record');
  assert.equal(await card2.getAttribute('data-id'), '2024-03-22-crocus-city-hall');
  assert.ok(await card2.locator('ol.sources li').count() >= 2, 'both documents are cited');
  assert.match(await card2.textContent(), /Killed145/);
  await p2.close();
});

test('record text holding HTML is shown as text, never run', async () => {
  const { page, log } = await open('#map=7/31.6/65.7&sel=zz-xss-test');
  const card = page.locator('#details article.record');
  await card.waitFor();
  assert.equal(await card.locator('h3').textContent(), `${XSS} title`);
  assert.ok((await card.locator('p.summary').textContent()).includes(XSS));
  assert.equal(await page.locator('#details img').count(), 0, 'no element was created from the text');
  await page.locator('#selection .close').click();
  await page.locator('.leaflet-marker-icon[title^="<img"]').first().click();
  await page.locator('#details article.record h3').waitFor();
  assert.equal(await page.textContent('#details article.record h3'), `${XSS} title`);
  assert.equal(await page.locator('#details img, .leaflet-pane img').count(), 0);
  assert.equal(await page.evaluate(() => window.__xss), undefined, 'the onerror handler never ran');
  assert.deepEqual(log.dialogs, []);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('a permalink restores the view, layers, time range and selection', async () => {
  // Changed on purpose: no "measure" (shading follows the kinds); months written "Jan 2022".
  const hash = '#map=6/34.5/69.2&kinds=attack,plot&from=2022-01&to=2022-12&sel=2022-04-24-faizabad-mines-director';
  const { page } = await open(hash);
  assert.equal(await page.isChecked('#kind-attack'), true);
  assert.equal(await page.isChecked('#kind-raid'), false);
  assert.equal(await page.textContent('#from-out'), 'Jan 2022');
  assert.equal(await page.textContent('#to-out'), 'Dec 2022');
  assert.equal(await page.getAttribute('#details article.record', 'data-id'), '2022-04-24-faizabad-mines-director');
  const h = new URLSearchParams((await page.evaluate(() => window.location.hash)).slice(1));
  const [z, lat, lon] = h.get('map').split('/').map(Number);
  assert.equal(z, 6);
  assert.ok(Math.abs(lat - 34.5) < 0.05 && Math.abs(lon - 69.2) < 0.05, `centre kept to within a pixel: ${h.get('map')}`);
  assert.equal(h.get('kinds'), 'attack,plot');
  await page.close();
});

test('outside Afghanistan, on a phone-sized screen, by keyboard', async () => {
  const { page } = await open('', { width: 390, height: 800 });
  await page.click('#view-outside');
  await idle(page);
  assert.equal(await page.getAttribute('#view-outside', 'aria-pressed'), 'true');
  // Changed on purpose: "outside" leaves Afghanistan out of every figure (drawn grey) rather
  // than switching the shading to plots.
  assert.ok((await page.$$eval('.leaflet-countries-pane path', (ps) => ps.map((p) => p.getAttribute('fill')))).includes('#dcdcdc'));
  assert.match(await page.textContent('#status'), /outside Afghanistan/);
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(artifacts, 'page-phone-outside.png'), fullPage: true });
  await page.focus('#search-input');
  await page.keyboard.type('Kerman');
  await page.locator('#search-results li').first().waitFor();
  await page.keyboard.press('Enter');
  // The first suggestion is the province of Kerman (provinces rank before cities): the map flies there.
  await page.waitForFunction(() => {
    const [z, lat, lon] = new URLSearchParams(window.location.hash.slice(1)).get('map').split('/').map(Number);
    return z >= 7 && Math.abs(lat - 30) < 2 && Math.abs(lon - 57) < 3;
  }, null, { timeout: 15000 });
  await page.close();
});

test('the first view draws simplified outlines; from zoom 5 the countries in view get their stored ones', async () => {
  const { page, log } = await open('#map=4/33.9/66');
  await idle(page);
  const outlines = (u) => /\/api\/collections\/countries\/items\?/.test(u);
  const first = log.requests.filter(outlines);
  assert.match(first[0], /[?&]max-allowable-offset=0\.04(&|$)/, 'the first view asks them simplified');
  const outline = (id) => page.getAttribute(`.leaflet-countries-pane path[data-country="${id}"]`, 'data-outline');
  assert.equal(await outline('AFG'), 'simplified');
  assert.equal(await page.locator('.leaflet-countries-pane path[data-outline="stored"]').count(), 0, 'none stored at zoom 4');
  await page.evaluate(() => { location.hash = location.hash.replace(/map=[^&]*/, 'map=7/34.5/69.2'); });
  await page.waitForFunction(() => /^#map=7\//.test(window.location.hash));
  await idle(page);
  // Afghanistan and a neighbour in view; the countries are redrawn a few per idle moment.
  await page.waitForFunction(() => ['AFG', 'PAK'].every((id) => document.querySelector(`.leaflet-countries-pane path[data-country="${id}"]`)?.dataset.outline === 'stored'), null, { timeout: 10000 });
  assert.equal(await outline('BRA'), 'simplified', 'not a country far out of view');
  const asked = log.requests.filter(outlines);
  assert.equal(asked.filter((u) => !/max-allowable-offset/.test(u)).length, 1, `the stored outlines asked once: ${asked.join(' ')}`);
  assert.deepEqual(log.errors, []);
  await page.close();
});

// A zoom's view is asked when the zoom starts (its target is known then), so the reader does not
// wait out the animation first; the end of the zoom must then not ask the same view again.
test('a zoom asks its view once, at its start, and draws that view', async () => {
  const { page, log } = await open('#map=4/33.9/66');
  await idle(page);
  const before = log.requests.length;
  // When the zoom ends: Leaflet's own zoomend, before the moveend that follows it.
  await page.evaluate(() => {
    const fire = window.L.Map.prototype.fire;
    window.__zoomEnd = null;
    window.L.Map.prototype.fire = function (type, ...rest) {
      if (type === 'zoomend' && window.__zoomEnd === null) window.__zoomEnd = performance.now();
      return fire.call(this, type, ...rest);
    };
  });
  await page.click('.leaflet-control-zoom-in');
  // Leaflet starts an animated zoom in the next frame: until then the page looks idle.
  await page.waitForFunction(() => /^#map=5\//.test(window.location.hash));
  await idle(page);
  const asked = log.requests.slice(before).filter((u) => /\/api\/stats\?by=kind&bbox=/.test(u));
  assert.equal(asked.length, 1, `one view asked for the zoom: ${asked.join(' ')}`);
  const bbox = new URL(asked[0]).searchParams.get('bbox');
  assert.equal(await page.getAttribute('#list-count', 'data-bbox'), bbox, 'the list is of the view asked');
  assert.match(await page.evaluate(() => location.hash), /^#map=5\//);
  const { started, ended } = await page.evaluate(() => ({
    started: performance.getEntriesByType('resource').filter((e) => /\/api\/stats\?by=kind&bbox=/.test(e.name)).pop().startTime,
    ended: window.__zoomEnd,
  }));
  assert.ok(ended !== null, 'the zoom ended');
  assert.ok(started < ended, `the view was asked before the zoom ended (${Math.round(started)} < ${Math.round(ended)})`);
  assert.deepEqual(log.errors, []);
  await page.close();
});
