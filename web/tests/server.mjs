// Starts the real server binary on a free loopback port for the node tests.
import { spawn } from 'node:child_process';
import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The server binary: ISKP_MAP_BIN, else a release build, else a debug build. */
export function bin() {
  for (const p of [process.env.ISKP_MAP_BIN, 'target/release/iskp-map', 'target/debug/iskp-map']) {
    if (p && existsSync(path.resolve(root, p))) return path.resolve(root, p);
  }
  throw new Error('build the server first (cargo build)');
}

/** The page served: web/, or ISKP_MAP_WEB (to run the tests against another copy of the page). */
export const webDir = () => process.env.ISKP_MAP_WEB || path.join(root, 'web');

/** Serves `data` (and the page from web/) with `extra` arguments; resolves to { base, stop, signal }. */
export async function startServer(data = path.join(root, 'geodata'), startupMs = 60000, extra = []) {
  const child = spawn(bin(), ['serve', '--addr', '127.0.0.1:0', '--data', data, '--web', webDir(), ...extra], {
    env: { ...process.env, RUST_LOG: 'iskp_map=info', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = await new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('server did not start')), startupMs);
    child.stdout.on('data', (d) => {
      buf += d;
      const m = buf.match(/serving (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (c) => reject(new Error(`server exited ${c}`)));
  });
  child.stdout.resume();
  return { base, stop: () => child.kill('SIGTERM'), signal: (s) => child.kill(s) };
}

/**
 * Debian's Chromium, headless, with a fresh profile in `profileDir` and no background networking;
 * `options` (viewport, hasTouch, isMobile, …) go to the browser context.
 */
export function launchBrowser(profileDir, options = {}) {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    viewport: { width: 1280, height: 800 },
    ...options,
  });
}
