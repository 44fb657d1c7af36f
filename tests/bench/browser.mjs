// `cargo xtask bench browser`: times the app in Chromium on the files given as arguments,
// from choosing the file to the ranking table, and prints the page's own phase table (the
// worker's steps and the transfer to the page). Not a test: figures for BENCHMARKS.md.
//
// Environment (set by the xtask): KB_XTASK (serves the build), KB_DIST, KB_CHROMIUM.
import { basename } from 'node:path';
import { serveDist, launchBrowser, recordingPage } from '../e2e/support.mjs';

const files = process.argv.slice(2);
const PAUSE_MS = Number(process.env.KB_PAUSE_MS ?? 2000);
console.log(`pause on the columns step: ${PAUSE_MS} ms (KB_PAUSE_MS)`);
const browser = await launchBrowser();
const server = await serveDist(process.env.KB_DIST, '/');
try {
  for (const file of files) {
    const session = await recordingPage(browser);
    const page = session.page;
    // The longest task on the main thread while analysing and rendering (Long Tasks API).
    await page.addInitScript(() => {
      globalThis.__longest = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) globalThis.__longest = Math.max(globalThis.__longest, entry.duration);
      }).observe({ type: 'longtask', buffered: true });
    });
    await page.goto(server.url);
    const chosen = performance.now();
    await page.locator('#spell-file').setInputFiles(file);
    await page.locator('#columns-heading').waitFor({ timeout: 600_000 });
    const columns = performance.now();
    // An officer reads the columns step before choosing "Analysér" (the worker warms up
    // meanwhile, `work::warm_up`): 2 s, or KB_PAUSE_MS. Not counted in "file → table".
    await page.waitForTimeout(PAUSE_MS);
    await page.evaluate(() => { globalThis.__longest = 0; });
    // Timed inside the page: a click, and a MutationObserver for the table's first row
    // (Playwright's own click and polling would add a few hundred milliseconds).
    const analyseMs = await page.evaluate(() => new Promise((resolve) => {
      const start = performance.now();
      const observer = new MutationObserver(() => {
        if (document.querySelector('#ranking-table tbody tr')) {
          observer.disconnect();
          resolve(performance.now() - start);
        }
      });
      observer.observe(document.body, { childList: true, subtree: true });
      [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Analysér').click();
    }));
    // The page's render is timed to the frame after it, then added to the phase table.
    await page.locator('#phase-table tr[data-phase="Render"]').waitFor({ state: 'attached' });
    const longest = await page.evaluate(() => globalThis.__longest);
    const phases = await page.locator('#phase-table tbody tr').evaluateAll((rows) =>
      rows.map((row) => [...row.querySelectorAll('th, td')].map((c) => c.textContent.trim())),
    );
    const memory = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? null);
    const workerMemory = await page.locator('#worker-memory').textContent();
    const fileToTable = (columns - chosen) / 1000 + analyseMs / 1000;
    console.log(`browser ${basename(file)}: file → columns ${((columns - chosen) / 1000).toFixed(2)} s, analyse → table ${(analyseMs / 1000).toFixed(2)} s (in the page), file → table ${fileToTable.toFixed(2)} s; longest main-thread task ${longest.toFixed(0)} ms; page JS heap ${memory === null ? '?' : (memory / 1e6).toFixed(0) + ' MB'}; ${workerMemory}`);
    for (const [phase, seconds, share] of phases) console.log(`  ${phase}: ${seconds} s (${share})`);
    if (session.errors.length > 0) console.log(`  errors: ${session.errors.join(' | ')}`);
    await session.close();
  }
} finally {
  await browser.close();
  server.close();
}
