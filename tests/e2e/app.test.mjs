// The built app in real Chromium: it loads its wasm, makes no request outside its own origin,
// logs no console error, and switches language.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launchBrowser, recordingPage, screenshot } from './support.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function loadStartPage(dist, prefix, shotName) {
  const server = await serveDist(dist, prefix);
  const session = await recordingPage(browser);
  try {
    const response = await session.page.goto(server.url);
    assert.equal(response.status(), 200);
    // The heading exists only once the wasm has loaded and mounted the app.
    await session.page.locator('h1', { hasText: 'kommunebench' }).waitFor({ timeout: 30_000 });
    await session.page.getByText('Dine data bliver i denne browser').waitFor();
    if (shotName) await screenshot(session.page, shotName);

    await session.page.getByRole('button', { name: 'English' }).click();
    await session.page.getByText('Your data stays in this browser').waitFor();
    assert.equal(await session.page.locator('html').getAttribute('lang'), 'en');

    assert.ok(session.requests.some((url) => url.endsWith('.wasm')), 'the wasm was requested');
    const foreign = session.requests.filter((url) => !url.startsWith(server.origin + '/'));
    assert.deepEqual(foreign, [], 'every request goes to the serving origin');
    assert.deepEqual(session.errors, [], 'no console errors');
  } finally {
    await session.close();
    server.close();
  }
}

test('the start page loads its wasm from the root, privately and without errors', async () => {
  await loadStartPage(process.env.KB_DIST, '/', 'start-1280x800');
});

test('the release build works from a sub-path (/kommunebench/)', async () => {
  await loadStartPage(process.env.KB_DIST_SUBPATH, '/kommunebench/', null);
});

test('the language choice is remembered across reloads', async () => {
  const server = await serveDist(process.env.KB_DIST, '/');
  const session = await recordingPage(browser, { width: 390, height: 844 });
  try {
    await session.page.goto(server.url);
    await session.page.getByRole('button', { name: 'English' }).click();
    await session.page.getByText('Your data stays in this browser').waitFor();
    await session.page.reload();
    await session.page.getByText('Your data stays in this browser').waitFor({ timeout: 30_000 });
    await screenshot(session.page, 'start-390x844-en');
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
    server.close();
  }
});

test('the worker and the demo work from a sub-path too', async () => {
  const server = await serveDist(process.env.KB_DIST_SUBPATH, '/kommunebench/');
  const session = await recordingPage(browser);
  try {
    await session.page.goto(server.url);
    await session.page.getByRole('button', { name: 'Indlæs demodata' }).click();
    await session.page.locator('#ranking-table tbody tr').first().waitFor({ timeout: 120_000 });
    assert.equal(await session.page.locator('#ranking-table tbody tr').count(), 72);
    assert.ok(session.requests.some((url) => url.startsWith(server.origin + '/kommunebench/kommunebench-worker')));
    const foreign = session.requests.filter((url) => !url.startsWith(server.origin + '/kommunebench/'));
    assert.deepEqual(foreign, [], 'every request goes to the sub-path of the serving origin');
    assert.deepEqual(session.errors, []);
  } finally {
    await session.close();
    server.close();
  }
});
