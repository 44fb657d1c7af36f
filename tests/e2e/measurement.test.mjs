// The officer's measurement (issue 15): MODEL.md §9's choices on the options step, the
// comparison with an earlier measurement, the method page from every step, accessibility
// (axe-core, WCAG 2.1 A/AA) and no sideways scrolling at 390 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { serveDist, launchBrowser, recordingPage, screenshot, danish, rankingRows } from './support.mjs';

const DEMO_CSV = process.env.KB_DEMO_CSV;
const DEMO_JSON = process.env.KB_DEMO_JSON;
const MEASURED_JSON = process.env.KB_DEMO_MEASURED_JSON;
const AXE_SOURCE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let browser;
let server;
before(async () => {
  browser = await launchBrowser();
  server = await serveDist(process.env.KB_DIST, '/');
});
after(async () => {
  await browser?.close();
  server?.close();
});

/** axe-core's WCAG 2.1 A and AA rules on the page as it is now: no violation. */
async function assertAccessible(page, where) {
  // Evaluated through the DevTools protocol, so the page's CSP (no inline script) holds.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const result = await globalThis.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
  });
  assert.deepEqual(violations, [], `axe-core on ${where}`);
}

async function assertNoSidewaysScroll(page, where) {
  const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(widths[0] <= widths[1], `${where}: the page is ${widths[0]} px wide in a ${widths[1]} px window`);
}

test('self-support only in 2001–2003, compared with the whole period: the CLI numbers and rank changes', async () => {
  const measured = JSON.parse(await readFile(MEASURED_JSON, 'utf8'));
  const session = await recordingPage(browser);
  const page = session.page;
  try {
    // The earlier measurement: the whole period (the demo as loaded), exported as the
    // page's own Danish ranking CSV.
    await page.goto(server.url);
    await page.getByRole('button', { name: 'Indlæs demodata' }).click();
    await page.locator('#ranking-table tbody tr').first().waitFor({ timeout: 120_000 });
    const [earlier] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Hent rangordningen (CSV)' }).click(),
    ]);
    assert.equal(earlier.suggestedFilename(), 'kommunebench-rangordning.csv');
    const earlierCsv = await readFile(await earlier.path());
    await page.getByRole('button', { name: 'Start forfra' }).click();
    await assertAccessible(page, 'the start page');
    await page.locator('#spell-file').setInputFiles({
      name: 'demo.csv',
      mimeType: 'text/csv',
      buffer: await readFile(DEMO_CSV),
    });
    await page.getByRole('heading', { name: 'Kolonner og indstillinger' }).waitFor({ timeout: 60_000 });
    // Focus moves to the new step's heading.
    await page.waitForFunction(() => document.activeElement?.id === 'columns-heading', null, { timeout: 5_000 });
    assert.ok((await page.locator('details.help').textContent()).includes('permit_date'));
    await assertAccessible(page, 'the columns step');

    // A window written the wrong way round is named on screen, not replaced by a default.
    await page.getByLabel('Kun selvforsørgelse').check();
    await page.getByLabel('Fra og med år').fill('2003');
    await page.getByLabel('Til og med år').fill('2001');
    await page.getByRole('button', { name: 'Analysér' }).click();
    assert.ok((await page.locator('#permit-years-error').textContent()).includes('fire cifre'));
    assert.equal(await page.getByLabel('Fra og med år').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Fra og med år').fill('2001');
    await page.getByLabel('Til og med år').fill('2003');
    await page.getByRole('button', { name: 'Analysér' }).click();
    await page.locator('#ranking-table tbody tr').first().waitFor({ timeout: 120_000 });

    // The ranking is the CLI's with the same choices (`--success self_support
    // --permit-years 2001-2003`), not the whole period's.
    const rows = await rankingRows(page);
    assert.equal(rows.length, measured.ranking.length);
    for (const [i, want] of measured.ranking.entries()) {
      assert.ok(rows[i][1].startsWith(want.municipality), `${rows[i][1]} / ${want.municipality}`);
      assert.equal(rows[i][4], danish(want.effect_months, 3), `effect of ${want.municipality}`);
    }
    const whole = JSON.parse(await readFile(DEMO_JSON, 'utf8'));
    assert.notDeepEqual(
      measured.ranking.slice(0, 5).map((r) => r.municipality),
      whole.ranking.slice(0, 5).map((r) => r.municipality),
      'the choices change the ranking',
    );
    const options = await page.locator('.options-used').textContent();
    assert.ok(options.includes('Hvad tæller som succes: selvforsørgelse;'), options);
    assert.ok(options.includes('tilladelsesår 2001-2003'), options);
    assert.ok((await page.locator('.summary').textContent()).includes(measured.national.spells.toLocaleString('da-DK')));

    // The earlier measurement: the whole period's ranking as the page exported it (the CLI's
    // `--compare` took the whole period's JSON: the same ranks). The table gains the change.
    await page.locator('#previous-file').setInputFiles({
      name: 'hele-perioden.csv',
      mimeType: 'text/csv',
      buffer: earlierCsv,
    });
    await page.locator('#ranking-table td.rank-change').first().waitFor({ timeout: 30_000 });
    const compared = await rankingRows(page);
    for (const [i, want] of measured.ranking.entries()) {
      const change = want.rank_change;
      const shown = change === null ? 'ny' : change > 0 ? `▲ ${change}` : change < 0 ? `▼ ${-change}` : '=';
      assert.ok(compared[i][9].startsWith(shown), `change of ${want.municipality}: ${compared[i][9]} / ${shown}`);
    }
    const summary = await page.locator('#summary-heading ~ p').allTextContents();
    assert.ok(
      summary.some((p) => p.startsWith('Sammenlignet med den tidligere måling (hele-perioden.csv)')),
      summary.join('\n'),
    );
    await assertAccessible(page, 'the results');

    // The method page from the results, and back to them.
    await page.getByRole('link', { name: 'Metode' }).click();
    await page.getByRole('heading', { name: 'Metode: sådan måler kommunebench' }).waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'method-heading', null, { timeout: 5_000 });
    assert.ok((await page.locator('.method').textContent()).includes('Benjamini–Hochberg'));
    await assertAccessible(page, 'the method page');
    await page.getByRole('button', { name: 'Tilbage' }).click();
    assert.ok(await page.locator('#ranking-table').isVisible());

    // At 390 px nothing scrolls sideways (wide tables scroll inside their own box).
    await page.setViewportSize({ width: 390, height: 844 });
    await assertNoSidewaysScroll(page, 'the results at 390 px');
    await screenshot(page, 'measurement-results-390');

    // Start over keeps the file and the options.
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('button', { name: 'Start forfra' }).click();
    await page.getByRole('button', { name: 'Analysér den igen' }).click();
    await page.getByRole('heading', { name: 'Kolonner og indstillinger' }).waitFor({ timeout: 60_000 });
    assert.equal(await page.getByLabel('Fra og med år').inputValue(), '2001');
    assert.ok(await page.getByLabel('Kun selvforsørgelse').isChecked());

    // A mapping file merges two municipalities; the report names it and the merged unit.
    await page.locator('#map-file').setInputFiles({
      name: 'reform.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('from;to\nHerning;Herning-Ikast\nIkast;Herning-Ikast\n'),
    });
    assert.ok((await page.locator('.mapping').textContent()).includes('reform.csv'));
    await page.getByRole('button', { name: 'Analysér' }).click();
    await page.locator('#ranking-table tbody tr').first().waitFor({ timeout: 120_000 });
    assert.ok((await rankingRows(page)).some((row) => row[1].startsWith('Herning-Ikast')));
    assert.ok((await page.locator('.options-used').textContent()).includes('kommuner omkodet efter reform.csv'));
    assert.ok((await page.locator('main').textContent()).includes('«Herning-Ikast» (af «Herning», «Ikast»)'));
    assert.deepEqual(session.errors, [], 'no console errors');
  } finally {
    await session.close();
  }
});

test('the method page opens from the start page, in both languages, and prints', async () => {
  const session = await recordingPage(browser, { width: 390, height: 844 });
  const page = session.page;
  try {
    await page.goto(server.url);
    await assertNoSidewaysScroll(page, 'the start page at 390 px');
    await page.getByRole('link', { name: 'Metode' }).click();
    await page.getByRole('heading', { name: 'Metode: sådan måler kommunebench' }).waitFor();
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Method: how kommunebench measures' }).waitFor();
    assert.ok((await page.locator('.method').textContent()).includes('rank interval'));
    await assertNoSidewaysScroll(page, 'the method page at 390 px');
    await page.emulateMedia({ media: 'print' });
    await screenshot(page, 'method-print');
    await page.emulateMedia({ media: 'screen' });
    await page.getByRole('button', { name: 'Back' }).click();
    assert.ok(await page.getByRole('heading', { name: 'Load spell data' }).isVisible());
    await page.waitForFunction(() => document.activeElement?.id === 'upload-heading', null, { timeout: 5_000 });
    assert.deepEqual(session.errors, [], 'no console errors');
  } finally {
    await session.close();
  }
});

test('a ranking of 300 municipalities is paged, with its full row count for screen readers', async () => {
  const session = await recordingPage(browser);
  const page = session.page;
  try {
    await page.goto(server.url);
    // Another file analysed first in the same page: the worker keeps a chosen file's bytes
    // by the page's number for the file, so the second file gives its own ranking.
    await page.locator('#spell-file').setInputFiles(DEMO_CSV);
    await page.getByRole('heading', { name: 'Kolonner og indstillinger' }).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Analysér' }).click();
    await page.locator('#ranking-table tbody tr').first().waitFor({ timeout: 120_000 });
    assert.equal(await page.locator('.results').getAttribute('data-n-ranked'), '72');
    await page.getByRole('button', { name: 'Start forfra' }).click();
    await page.locator('#spell-file').setInputFiles(process.env.KB_MANY_CSV);
    await page.getByRole('heading', { name: 'Kolonner og indstillinger' }).waitFor({ timeout: 60_000 });
    await page.getByLabel('Mindste antal forløb for at blive rangordnet').fill('30');
    await page.getByRole('button', { name: 'Analysér' }).click();
    await page.locator('#ranking-table tbody tr').first().waitFor({ timeout: 120_000 });
    const total = Number(await page.locator('.results').getAttribute('data-n-ranked'));
    assert.ok(total > 200, `${total} ranked`);
    assert.equal(await page.locator('#ranking-table tbody tr').count(), 100);
    // Header + every ranked row + the national row.
    assert.equal(await page.locator('#ranking-table').getAttribute('aria-rowcount'), String(total + 2));
    assert.equal(await page.locator('.pager [role=status]').textContent(), `Række 1–100 af ${total}`);
    await page.getByRole('button', { name: 'Næste 100' }).click();
    const first = page.locator('#ranking-table tbody tr').first();
    assert.equal(await first.getAttribute('aria-rowindex'), '102');
    assert.equal((await first.locator('td').first().textContent()).trim(), '101');
    // A search starts again on the first page.
    await page.getByLabel('Søg kommune').fill('Kommune 0000');
    assert.ok((await page.locator('#ranking-table tbody tr').count()) <= 10);
    assert.equal(await page.locator('.pager').count(), 0);
    await assertAccessible(page, 'a paged ranking');
    assert.deepEqual(session.errors, [], 'no console errors');
  } finally {
    await session.close();
  }
});
