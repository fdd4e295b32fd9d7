// History on the page (#21): over files with a journal (serve --history), the History section lists
// what changed since a time and shows the map, the list and a record's card as the data stood at
// an instant (in the permalink, on every request about records); without history it is not shown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, cpSync, readFileSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, root, launchBrowser } from './server.mjs';
import { idle, openPage } from './helpers.mjs';

const ID = '2018-darzab-taliban-offensive';
let scratch;
let server;
let plain;
let context;

before(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'iskp-map-history-'));
  const data = path.join(scratch, 'geodata');
  cpSync(path.join(root, 'geodata'), data, { recursive: true });
  server = await startServer(data, 60000, ['--history', path.join(scratch, 'history.ndjson')]);
  plain = await startServer();
  // en-US: the keyboard journey types the date-time field's parts in that locale's order.
  context = await launchBrowser(path.join(scratch, 'profile'), { locale: 'en-US' });
});

after(async () => {
  if (context) await context.close();
  if (server) server.stop();
  if (plain) plain.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const title = async (base) => (await (await fetch(`${base}/api/collections/incidents/items/${ID}`)).json()).properties.title;
const localOf = (instant) => { const d = new Date(instant); return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 19); };

test('what changed since a time, and the data as it stood before the change', async () => {
  const before = await title(server.base);
  await new Promise((r) => setTimeout(r, 1100));
  const t0 = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  await new Promise((r) => setTimeout(r, 1100));
  const file = path.join(scratch, 'geodata', 'records.csv');
  writeFileSync(file, readFileSync(file, 'utf8').replace(before, 'Edited for the history test'));
  server.signal('SIGHUP');
  for (let i = 0; i < 100 && await title(server.base) === before; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await title(server.base), 'Edited for the history test');

  const { page, log } = await openPage(context, server.base, '#map=4/33.9/66');
  await idle(page);
  assert.equal(await page.isVisible('#history'), true, 'a server with history shows the section');
  // What changed since t0: the edit, with the field it changed; its id opens the record.
  await page.fill('#changes-since', localOf(t0));
  await page.focus('#changes-since');
  await page.keyboard.press('Enter');
  await page.waitForSelector(`#changes li[data-id="${ID}"]`);
  const item = await page.textContent(`#changes li[data-id="${ID}"]`);
  assert.match(item, /record .* updated: title/);
  await page.click(`#changes li[data-id="${ID}"] button`);
  await page.waitForFunction((t) => (document.querySelector('#details h3') || {}).textContent === t, 'Edited for the history test');
  // As of t0: the card, the list and every request about records are those of before the edit.
  await page.fill('#asof-at', localOf(t0));
  await page.click('#asof-show');
  await page.waitForFunction((t) => (document.querySelector('#details h3') || {}).textContent === t, before);
  await idle(page);
  assert.match(await page.evaluate(() => location.hash), new RegExp(`as_of=${t0.replaceAll(':', '(:|%3A)')}`));
  assert.equal(await page.isVisible('#asof-note'), true);
  assert.match(await page.textContent('#asof-note'), /as it stood at/);
  assert.match(await page.textContent('#asof-badge'), /^As of /, 'the header says it, whatever the panel shows');
  const asked = log.requests.filter((u) => /\/api\/(stats|collections\/incidents\/(items|clusters))/.test(u));
  const late = asked.slice(asked.findIndex((u) => u.includes('as_of=')));
  assert.ok(late.length > 3 && late.every((u) => u.includes(`as_of=${encodeURIComponent(t0)}`) || u.includes(`as_of=${t0}`)), `every request after it is dated: ${late.filter((u) => !u.includes('as_of')).join(' ')}`);
  mkdirSync(path.join(root, 'artifacts'), { recursive: true });
  await page.screenshot({ path: path.join(root, 'artifacts', 'history-as-of.png') });
  // The permalink opens the same state in a new page.
  const url = page.url();
  const again = await context.newPage();
  await again.goto(url);
  await again.waitForFunction((t) => (document.querySelector('#details h3') || {}).textContent === t, before, { timeout: 30000 });
  await again.close();
  // Now: back to the data as it is.
  await page.click('#asof-now');
  await page.waitForFunction((t) => (document.querySelector('#details h3') || {}).textContent === t, 'Edited for the history test');
  assert.doesNotMatch(await page.evaluate(() => location.hash), /as_of=/);
  // An empty field is refused with a message, and the form works again once it holds an instant.
  await page.fill('#asof-at', '');
  await page.click('#asof-show');
  assert.equal(await page.evaluate(() => document.getElementById('asof-at').validationMessage), 'Give a date and time');
  assert.equal(await page.isVisible('#asof-badge'), false);
  await page.fill('#asof-at', localOf(t0));
  await page.click('#asof-show');
  await page.waitForFunction((t) => (document.querySelector('#details h3') || {}).textContent === t, before);
  await page.click('#asof-now');
  await page.waitForFunction((t) => (document.querySelector('#details h3') || {}).textContent === t, 'Edited for the history test');
  // By keyboard only: the instant typed into the field's parts in one go (month, day, year, hour,
  // minute, second, AM/PM: en-US; each part passes to the next when full — the year's too, as the
  // field has a max), then Enter.
  await page.focus('#asof-at');
  // To its first part (focus may land on the part last used).
  for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowLeft');
  const [d, t] = new Date(t0).toLocaleString('en-US', { hourCycle: 'h12', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).split(', ');
  const [mo, da, ye] = d.split('/');
  const [clock, half] = t.split(' ');
  await page.keyboard.type([mo, da, ye, ...clock.split(':')].join(''));
  await page.keyboard.type(half[0].toLowerCase());
  assert.equal(await page.inputValue('#asof-at'), localOf(t0), 'the typed instant is the field\'s value');
  await page.keyboard.press('Enter');
  await page.waitForFunction((t) => (document.querySelector('#details h3') || {}).textContent === t, before);
  assert.match(await page.textContent('#asof-badge'), /^As of /);
  await page.focus('#asof-now');
  await page.keyboard.press('Enter');
  await page.waitForFunction((t) => (document.querySelector('#details h3') || {}).textContent === t, 'Edited for the history test');
  // An instant before the history began is refused with the API's reason, and nothing breaks.
  await page.fill('#asof-at', '2001-01-01T00:00:00');
  await page.click('#asof-show');
  await page.waitForFunction(() => /history begins/.test(document.getElementById('status').textContent), null, { timeout: 15000 });
  assert.deepEqual(log.errors.filter((e) => !/400/.test(e)), []);
  await page.close();
});

test('a server without history shows no History section', async () => {
  const { page, log } = await openPage(context, plain.base);
  await idle(page);
  await page.waitForFunction(() => document.getElementById('history').hidden === true);
  assert.deepEqual(log.errors.filter((e) => !/404/.test(e)), []);
  await page.close();
});
