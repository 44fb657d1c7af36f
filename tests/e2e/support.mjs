// Shared by the end-to-end tests: a static server for the built app and a Chromium page that
// records every request and every console error.
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const OUT_DIR = new URL('./out/', import.meta.url).pathname;

/**
 * Serves the build `root` under `prefix` (e.g. `/` or `/kommunebench/`) on 127.0.0.1, a free
 * port, with `cargo xtask serve`'s own server (`KB_XTASK` is the xtask binary running the
 * tests): the same server officers use, sending the Content-Security-Policy as a header.
 * `{ headers: false }` serves like a plain static host (no headers but the content type).
 */
export async function serveDist(root, prefix = '/', { headers = true } = {}) {
  const args = ['serve', '--dist', root, '--public-url', prefix, '--port', '0'];
  if (!headers) args.push('--no-headers');
  const child = spawn(process.env.KB_XTASK, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let seen = '';
    child.stdout.on('data', (chunk) => {
      seen += chunk;
      const match = /served at (http:\/\/\S+)/.exec(seen);
      if (match) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`xtask serve exited with ${code}: ${seen}`)));
  });
  const origin = new URL(url).origin;
  return { origin, url, close: () => child.kill() };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.KB_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Extra flags for experiments (e.g. `--js-flags=--no-liftoff`); never set by the tests.
      ...(process.env.KB_CHROMIUM_FLAGS ? process.env.KB_CHROMIUM_FLAGS.split(' ') : []),
    ],
  });
}

/** A new page that records requests and console errors (including CSP violations). */
export async function recordingPage(browser, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const requests = [];
  const errors = [];
  page.on('request', (request) => requests.push(request.url()));
  // Name the failing resource: Chromium's console message alone does not.
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  return { page, requests, errors, close: () => context.close() };
}

export async function screenshot(page, name) {
  await mkdir(OUT_DIR, { recursive: true });
  await page.screenshot({ path: join(OUT_DIR, `${name}.png`), fullPage: true });
}

/** A number as the Danish page shows it: decimal comma, U+2212 for negatives, no "-0,000". */
export function danish(value, decimals) {
  const text = Math.abs(value).toFixed(decimals);
  const isZero = /^[0.]+$/.test(text);
  return (value < 0 && !isZero ? '\u2212' : '') + text.replace('.', ',');
}

/** The ranking table's body as text, row by row, cell by cell. */
export async function rankingRows(page) {
  return page.locator('#ranking-table tbody tr').evaluateAll((rows) =>
    rows.map((row) => [...row.querySelectorAll('th, td')].map((cell) => cell.textContent.trim())),
  );
}
