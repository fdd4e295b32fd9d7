// Shared by the page tests: a copy of geodata/ with one hostile record, opening the page and
// waiting until a view is drawn, and reading boxes of what is on screen.
import { mkdtempSync, mkdirSync, cpSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { root, startServer, launchBrowser } from './server.mjs';

export const artifacts = path.join(root, 'artifacts');
export const XSS = '<img src=x onerror="window.__xss=1">';

/** A scratch dir holding geodata/ plus a record whose title and summary hold markup. */
export function scratchData(prefix) {
  mkdirSync(artifacts, { recursive: true });
  const scratch = mkdtempSync(path.join(tmpdir(), prefix));
  const data = path.join(scratch, 'geodata');
  cpSync(path.join(root, 'geodata'), data, { recursive: true });
  appendFileSync(path.join(data, 'records.csv'),
    `zz-xss-test,presence,"${XSS.replaceAll('"', '""')} title","Summary with ${XSS.replaceAll('"', '""')} inside",2023-06-01,,day,Kandahar,AFG,near,,,1,,,,suspected,,,,,,,,\n`);
  appendFileSync(path.join(data, 'citations.csv'), 'zz-xss-test,S1,test record\n');
  return { scratch, data };
}

/** Waits until the page has drawn its current view (data loaded, badges and labels placed). */
export async function idle(page, timeout = 30000) {
  await page.waitForFunction(() => document.body.dataset.ready === 'true' && (document.body.dataset.busy || 'false') === 'false'
    && !document.getElementById('status').textContent.startsWith('Loading')
    && (document.getElementById('list') || { dataset: {} }).dataset.busy !== 'true', null, { timeout });
  // Placement runs in the next animation frame after a view is drawn.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** Opens `${base}/${suffix}`, recording console errors, failed requests and every URL requested. */
export async function openPage(context, base, suffix = '', viewport) {
  const page = await context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  const log = { errors: [], requests: [], dialogs: [] };
  page.on('console', (m) => { if (m.type() === 'error') log.errors.push(m.text()); });
  page.on('pageerror', (e) => log.errors.push(String(e)));
  page.on('request', (r) => log.requests.push(r.url()));
  page.on('dialog', (d) => { log.dialogs.push(d.message()); d.dismiss(); });
  await page.goto(`${base}/${suffix}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  await idle(page);
  return { page, log };
}

/** The map view in the fragment: { z, lat, lon }. */
export async function hashView(page) {
  const h = new URLSearchParams((await page.evaluate(() => window.location.hash)).slice(1));
  const [z, lat, lon] = h.get('map').split('/').map(Number);
  return { z, lat, lon, h };
}

/** Screen boxes of every visible symbol on the map: markers, circles, badges, arrowheads. */
export function symbolBoxes(page) {
  return page.evaluate(() => {
    const out = [];
    for (const n of document.querySelectorAll('.leaflet-marker-icon')) {
      if (n.classList.contains('selection-halo') || n.classList.contains('arrow-head-icon')) continue;
      const t = n.classList.contains('area-badge-icon') ? n.firstElementChild : n;
      if (!t || t.classList.contains('hidden')) continue;
      const r = t.getBoundingClientRect();
      if (r.width === 0) continue;
      out.push({ kind: n.className.split(' ').slice(1, 3).join(' '), title: n.title || t.title || '', x: r.x, y: r.y, w: r.width, h: r.height });
    }
    return out;
  });
}

/** Pairs of boxes overlapping by more than `slack` pixels each way. */
export function overlaps(boxes, slack = 1) {
  const out = [];
  for (let i = 0; i < boxes.length; i += 1) {
    for (let j = i + 1; j < boxes.length; j += 1) {
      const a = boxes[i];
      const b = boxes[j];
      const ox = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
      const oy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
      if (ox > slack && oy > slack) out.push([a, b]);
    }
  }
  return out;
}

/** Calls /api on the test server. */
export async function apiJson(base, p) {
  const r = await fetch(base + p);
  if (!r.ok) throw new Error(`${p}: ${r.status}`);
  return r.json();
}

/**
 * A server over a scratch copy of geodata/ (see `scratchData`), a desktop browser of `viewport` and a
 * phone (390 x 844, touch), each with a fresh profile. `close()` ends all of them and removes the
 * scratch directory.
 */
export async function desktopAndPhone(prefix, viewport) {
  const { scratch, data } = scratchData(prefix);
  const server = await startServer(data);
  const context = await launchBrowser(path.join(scratch, 'profile'), { viewport });
  const phone = await launchBrowser(path.join(scratch, 'profile-phone'), { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 });
  const close = async () => {
    await context.close();
    await phone.close();
    server.stop();
    rmSync(scratch, { recursive: true, force: true });
  };
  return { base: server.base, context, phone, close };
}

/**
 * Moves the time slider `id` ('from' or 'to') to the month labelled `label` through its values, as
 * a reader drags it (from its far end, so that it never pushes the other slider), then waits for
 * the redraw.
 */
export async function slide(page, id, label) {
  await page.$eval(`#${id}`, (input, [out, want]) => {
    const max = Number(input.max);
    for (let k = 0; k <= max; k += 1) {
      input.value = String(input.id === 'to' ? max - k : k);
      input.dispatchEvent(new Event('input'));
      if (document.getElementById(out).textContent === want) break;
    }
    input.dispatchEvent(new Event('change'));
  }, [`${id}-out`, label]);
  await idle(page);
}
