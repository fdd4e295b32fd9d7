// Export and cite, the map as a PNG, print, and "About this map", in Debian's Chromium against the
// real server over geodata/ (plus one hostile record). Screenshots go to artifacts/export-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync, copyFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { artifacts, desktopAndPhone, openPage, idle, apiJson } from './helpers.mjs';
import { root } from './server.mjs';

const T = { timeout: 120000 };
let base;
let context;
let phone;
let close;

before(async () => {
  ({ base, context, phone, close } = await desktopAndPhone('iskp-map-export-', { width: 1400, height: 900 }));
});

after(async () => {
  if (close) await close();
});

const shot = (page, name, opts = {}) => page.screenshot({ path: path.join(artifacts, `export-${name}.png`), ...opts });
const matched = async (page) => Number(await page.getAttribute('#list-count', 'data-matched'));
// Attacks and plots, 2020 – 2024, in the world view.
const VIEW = '#map=2/25/40&kinds=attack,plot&from=2020-01&to=2024-12';

/** Records of a CSV text (RFC 4180: quoted fields may hold commas, quotes and line breaks). */
function csvRows(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 1; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** The list's requests for records (items with an offset) as sorted "key=value" lists, less paging. */
function listRequests(urls) {
  return urls.filter((u) => u.includes('/api/collections/incidents/items') && /[?&]offset=/.test(u)).map((u) => {
    const q = new URL(u).searchParams;
    for (const k of ['offset', 'limit']) q.delete(k);
    return q;
  });
}

/** Width, height and a sample of distinct colours of an 8-bit RGB(A) PNG. */
function decodePng(buf) {
  assert.deepEqual([...buf.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'the PNG signature');
  let pos = 8;
  let width = 0;
  let height = 0;
  let type = 0;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const name = buf.toString('latin1', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (name === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      assert.equal(data[8], 8, '8 bits a channel');
      type = data[9];
    } else if (name === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const bpp = type === 6 ? 4 : type === 2 ? 3 : null;
  assert.ok(bpp, `colour type ${type}`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const out = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y += 1) {
    const f = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x += 1) {
      const a = x >= bpp ? out[y * stride + x - bpp] : 0;
      const b = y ? out[(y - 1) * stride + x] : 0;
      const c = x >= bpp && y ? out[(y - 1) * stride + x - bpp] : 0;
      const p = a + b - c;
      const pred = [0, a, b, Math.floor((a + b) / 2), Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c][f];
      out[y * stride + x] = (line[x] + pred) & 255;
    }
  }
  const colours = new Set();
  for (let i = 0; i < out.length; i += bpp * 97) colours.add(out.readUIntBE(i, 3));
  return { width, height, colours: colours.size, pixel: (x, y) => out.readUIntBE(y * stride + x * bpp, 3) };
}

test('the downloads ask for exactly the list\'s records: the same query, and the CSV has M rows', T, async () => {
  const { page, log } = await openPage(context, base, `${VIEW}&claim=attributed`);
  const m = await matched(page);
  assert.ok(m > 5, `a list of some records (${m})`);
  assert.equal(Number(await page.getAttribute('#export-count', 'data-records')), m, 'the count shown is the list\'s M');
  assert.match(await page.textContent('#export-count'), new RegExp(`${m} records`));
  const lists = listRequests(log.requests);
  assert.ok(lists.length >= 2, 'the list asked once per checked kind');
  const kinds = lists.map((q) => q.get('kind')).sort();
  assert.deepEqual([...new Set(kinds)], ['attack', 'plot']);
  const shared = (q) => [...q.entries()].filter(([k]) => !['kind', 'filter', 'format'].includes(k)).map(([k, v]) => `${k}=${v}`).sort();
  for (const [format, ext] of [['csv', 'csv'], ['geojson', 'geojson'], ['fgb', 'fgb']]) {
    const href = await page.getAttribute(`#export-${format}`, 'href');
    const u = new URL(href, base);
    assert.equal(u.pathname, '/api/collections/incidents/download');
    assert.equal(u.searchParams.get('format'), format);
    assert.deepEqual(shared(u.searchParams), shared(lists[0]), `${format}: the list's box, time and filters`);
    assert.equal(u.searchParams.get('filter'), "kind IN ('attack','plot')", 'the kinds the list asks one by one');
    assert.ok((await page.getAttribute(`#export-${format}`, 'download')).endsWith(`.${ext}`));
  }
  assert.ok(shared(lists[0]).includes('claim=attributed') && shared(lists[0]).some((p) => p.startsWith('datetime=2020-01-01')), 'the time and the filter are in the list\'s query');
  const csv = await (await fetch(new URL(await page.getAttribute('#export-csv', 'href'), base))).text();
  const rows = csvRows(csv).filter((r) => r.length > 1);
  assert.equal(rows.length - 1, m, 'one CSV row per record of the list (and a header)');
  const ids = new Set(rows.slice(1).map((r) => r[rows[0].indexOf('id')]));
  assert.equal(ids.size, m);
  // And the same records: the list's rows (one page here) are the CSV's.
  const rowsShown = await page.$$eval('#list tbody tr', (trs) => trs.map((t) => t.dataset.id));
  assert.ok(m <= 50);
  assert.deepEqual([...rowsShown].sort(), [...ids].sort(), 'the list holds the CSV\'s records, inside the selected time');
  const gj = await (await fetch(new URL(await page.getAttribute('#export-geojson', 'href'), base))).json();
  assert.equal(gj.features.length, m);
  // The download follows the view: outside Afghanistan, every kind.
  await page.click('#view-outside');
  await idle(page);
  for (const k of ['arrest', 'designation', 'raid', 'presence']) await page.check(`#kind-${k}`);
  await idle(page);
  const m2 = await matched(page);
  const u2 = new URL(await page.getAttribute('#export-csv', 'href'), base);
  assert.equal(u2.searchParams.get('kind'), null);
  assert.equal(u2.searchParams.get('filter'), "(country IS NULL OR country <> 'AFG')");
  const rows2 = csvRows(await (await fetch(u2)).text()).filter((r) => r.length > 1);
  assert.equal(rows2.length - 1, m2, 'outside Afghanistan: the CSV holds the list\'s records');
  assert.equal(Number(await page.getAttribute('#export-count', 'data-records')), m2);
  await page.locator('#export-section').scrollIntoViewIfNeeded();
  await shot(page, 'section-desktop');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('the view\'s citation holds the data version, the filters and time, the access date and the documents in view', T, async () => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const { page, log } = await openPage(context, base, `${VIEW}&claim=attributed`);
  const ready = await apiJson(base, '/readyz');
  await page.click('#export-cite');
  await page.locator('#export-copy-text').waitFor();
  await page.waitForFunction(() => document.querySelector('#export-copy .copy-status').dataset.copied);
  const text = await page.inputValue('#export-copy-text');
  assert.match(text, new RegExp(`Data version ${ready.version}`));
  assert.match(text, /Time: 2020 – 2024 \(records overlapping it/);
  assert.match(text, /Kinds: Attacks, Interdicted plots\./);
  assert.match(text, /Filters: attributed by others\./);
  const today = await page.evaluate(() => { const d = new Date(); return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`; });
  assert.ok(text.includes(`Accessed ${today}.`));
  const url = await page.evaluate(() => window.location.href);
  assert.ok(text.includes(`Permalink: ${url}`), 'the permalink of the view');
  // The documents behind the records in view: those their citations name, and no other.
  const href = await page.getAttribute('#export-geojson', 'href');
  const fc = await (await fetch(new URL(href, base))).json();
  const docs = new Set(fc.features.flatMap((f) => f.properties.sources.map((s) => s.id)));
  assert.ok(docs.size >= 1);
  for (const d of docs) assert.match(text, new RegExp(`^  ${d} — `, 'm'), `document ${d}`);
  const listed = [...text.matchAll(/^ {2}(S\d+) — /gm)].map((x) => x[1]);
  assert.deepEqual(listed.sort(), [...docs].sort());
  assert.match(text, new RegExp(`Documents behind these records \\(${docs.size}\\)`));
  // Copied to the clipboard too (permission granted), and the status says so.
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), text);
  assert.match(await page.textContent('#export-copy .copy-status'), /Copied to the clipboard/);
  // The citation is made from the manifest of the download's own query, which it names.
  const manifest = /^Citation manifest \(CSL-JSON, BibTeX\): (\S+)$/m.exec(text);
  assert.ok(manifest, 'the manifest\'s address');
  const mu = new URL(manifest[1]);
  assert.equal(mu.pathname, '/api/citation');
  const du = new URL(href, base);
  for (const k of ['bbox', 'datetime', 'claim', 'filter']) assert.equal(mu.searchParams.get(k), du.searchParams.get(k), k);
  // "Copy BibTeX": one entry per document in view and one for the data set.
  await page.click('#export-bibtex');
  await page.waitForFunction(() => /^@misc\{/.test(document.getElementById('export-copy-text')?.value || ''));
  const bib = await page.inputValue('#export-copy-text');
  assert.equal((bib.match(/^@misc\{/gm) || []).length, docs.size + 1);
  for (const d of docs) assert.match(bib, new RegExp(`^@misc\\{${d},$`, 'm'));
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), bib);
  await page.locator('#export-copy').scrollIntoViewIfNeeded();
  await shot(page, 'citation-view');
  await context.clearPermissions();
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('a record card\'s citation names the record, its documents and sections, and its permalink; without the clipboard the box stays', T, async () => {
  const id = '2020-04-germany-tajik-cell-plot';
  const { page, log } = await openPage(context, base, `#map=4/33.9/66&sel=${id}`);
  await page.locator('#details article.record').waitFor();
  await page.click('#details .cite-record');
  await page.locator('#details .copy-text').waitFor();
  await page.waitForFunction(() => document.querySelector('#details .copy-status').dataset.copied);
  const text = await page.inputValue('#details .copy-text');
  const item = await apiJson(base, `/api/collections/incidents/items/${id}`);
  const ready = await apiJson(base, '/readyz');
  assert.ok(text.includes(`record ${id}`));
  assert.ok(text.includes(item.properties.title));
  assert.ok(text.includes(`Data version ${ready.version}`));
  assert.ok(text.includes(`Permalink: ${base}/#sel=${id}`));
  assert.ok(item.properties.sources.length >= 1);
  for (const s of item.properties.sources) {
    assert.ok(text.includes(`${s.id} — `) && text.includes(s.title) && text.includes(`section: ${s.section}`), `${s.id} ${s.section}`);
  }
  // No clipboard permission here: the status says to copy from the box, whose text is selected.
  const status = await page.textContent('#details .copy-status');
  if (await page.getAttribute('#details .copy-status', 'data-copied') === 'false') {
    assert.match(status, /select the text/);
    assert.equal(await page.evaluate(() => document.activeElement.classList.contains('copy-text')), true);
  }
  await shot(page, 'citation-record');
  // The permalink opens the record.
  const p2 = await openPage(context, base, `#sel=${id}`);
  await p2.page.locator(`#details article.record[data-id="${id}"]`).waitFor();
  await p2.page.close();
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('"Save map as PNG" downloads a real image of the map with its title, time, legend and credits', T, async () => {
  for (const [ctx, name] of [[context, 'desktop'], [phone, 'phone']]) {
    const { page, log } = await openPage(ctx, base, '#map=4/33.9/66&from=2022-01&to=2023-12');
    const mapBox = await page.locator('#map').boundingBox();
    await page.locator('#export-png').scrollIntoViewIfNeeded();
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }), page.click('#export-png')]);
    const file = path.join(artifacts, `export-map-${name}.png`);
    await download.saveAs(file);
    assert.match(download.suggestedFilename(), /^iskp-map-\d{4}-\d{2}-\d{2}\.png$/);
    const buf = readFileSync(file);
    assert.ok(buf.length > 30000, `${name}: a non-trivial file (${buf.length} bytes)`);
    const png = decodePng(buf);
    const ratio = await page.evaluate(() => Math.min(2, window.devicePixelRatio || 1));
    assert.ok(png.width >= mapBox.width * ratio && png.height > mapBox.height * ratio, `${name}: ${png.width}×${png.height} holds the ${mapBox.width}×${mapBox.height} map and more`);
    assert.ok(png.colours > 20, `${name}: not blank (${png.colours} colours sampled)`);
    await page.waitForFunction(() => /^Saved /.test(document.getElementById('export-png-status').textContent));
    // The composition is gone from the page once drawn.
    assert.equal(await page.locator('.snapshot').count(), 0);
    assert.deepEqual(log.errors, []);
    await page.close();
  }
  copyFileSync(path.join(artifacts, 'export-map-desktop.png'), path.join(artifacts, 'export-map.png'));
});

test('print shows the title, the time, the map, the legend and the credits, and none of the controls', T, async () => {
  const { page, log } = await openPage(context, base, `${VIEW}&claim=attributed`);
  await page.emulateMedia({ media: 'print' });
  for (const sel of ['#search', 'nav.views', '#about-open', '#records', '#filters', '#kinds', '#export-section', '#play', '#from', '.leaflet-control-zoom']) {
    assert.equal(await page.locator(sel).first().isVisible(), false, `${sel} is not printed`);
  }
  for (const sel of ['.bar h1', '#print-head', '#map', '#legend', '#symbols', '#panel .about', '#map .leaflet-pane > svg']) {
    assert.equal(await page.locator(sel).first().isVisible(), true, `${sel} is printed`);
  }
  assert.match(await page.textContent('#print-head'), /Time: 2020 – 2024.*Filters: attributed by others/s);
  const mapBox = await page.locator('#map').boundingBox();
  assert.ok(mapBox.width > 600 && mapBox.height > 300, `the map is printed large (${mapBox.width}×${mapBox.height})`);
  await shot(page, 'print', { fullPage: true });
  // At the width of an A4 page (the phone layout's width too) the map still spans the page.
  await page.setViewportSize({ width: 794, height: 1123 });
  await page.waitForTimeout(300);
  const a4 = await page.locator('#map').boundingBox();
  assert.ok(a4.width > 700 && a4.height > 300, `A4: ${a4.width}×${a4.height}`);
  assert.equal(await page.locator('#legend').isVisible(), true);
  assert.equal(await page.locator('#filters').isVisible(), false);
  await shot(page, 'print-a4', { fullPage: true });
  const pdf = await page.pdf({ format: 'A4' });
  assert.ok(pdf.length > 10000);
  await page.emulateMedia({ media: 'screen' });
  assert.equal(await page.locator('#search').isVisible(), true);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('"About this map" opens from the header, holds the method, and says when the data changed as the API does', T, async () => {
  const axe = readFileSync(path.join(root, 'web/node_modules/axe-core/axe.min.js'), 'utf8');
  for (const [ctx, name] of [[context, 'desktop'], [phone, 'phone']]) {
    const { page, log } = await openPage(ctx, base, '#map=4/33.9/66');
    const api = await apiJson(base, '/api/collections/incidents/items?limit=1');
    await page.click('#about-open');
    await page.locator('#about[open]').waitFor();
    await page.waitForFunction(() => document.getElementById('about-changed').dataset.changed);
    const heads = await page.$$eval('#about h3', (hs) => hs.map((h) => h.textContent));
    for (const h of ['What a record is', 'location precision', 'claim grades', 'time accounting', 'Sources and licences']) {
      assert.ok(heads.some((x) => x.includes(h)), `${name}: a section on ${h}`);
    }
    assert.equal(await page.getAttribute('#about-changed', 'data-changed'), api.timeStamp);
    assert.equal(await page.getAttribute('#about-changed time', 'datetime'), api.timeStamp);
    assert.match(await page.textContent('#about-changed'), /^Data changed at \d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC/);
    const sources = await apiJson(base, '/api/sources');
    assert.equal(await page.locator('#about-documents li').count(), sources.sources.length);
    await shot(page, `about-${name}`);
    await page.evaluate(axe);
    const violations = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
    });
    const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad, [], `${name}, about open: ${JSON.stringify(bad, null, 1)}`);
    // Escape closes it and gives focus back to the button that opened it.
    await page.keyboard.press('Escape');
    await page.locator('#about[open]').waitFor({ state: 'detached' }).catch(() => {});
    assert.equal(await page.locator('#about').evaluate((d) => d.open), false);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'about-open');
    // The footer's link opens it too.
    await page.click('#panel .about a[data-opens="about"]');
    assert.equal(await page.locator('#about').evaluate((d) => d.open), true);
    await page.click('#about-close');
    assert.equal(await page.locator('#about').evaluate((d) => d.open), false);
    if (name === 'phone') {
      await page.locator('#export-section').scrollIntoViewIfNeeded();
      await shot(page, 'section-phone');
    }
    assert.deepEqual(log.errors, []);
    await page.close();
  }
});

test('axe-core finds no serious or critical violation with a record\'s citation and the view\'s open', T, async () => {
  const axe = readFileSync(path.join(root, 'web/node_modules/axe-core/axe.min.js'), 'utf8');
  const { page } = await openPage(context, base, '#map=4/33.9/66&sel=2024-03-22-crocus-city-hall');
  await page.locator('#details article.record').waitFor();
  await page.click('#details .cite-record');
  await page.locator('#details .copy-text').waitFor();
  await page.click('#export-cite');
  await page.locator('#export-copy-text').waitFor();
  await page.evaluate(axe);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], JSON.stringify(bad, null, 1));
  await page.close();
});
