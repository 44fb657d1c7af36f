// The analysis in the browser: the demo, a Danish Excel CSV with bad rows, an xlsx workbook.
// Every request stays on the serving origin; no console errors; screenshots for review.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { serveDist, launchBrowser, recordingPage, screenshot, OUT_DIR, danish, rankingRows } from './support.mjs';

const DEMO_CSV = process.env.KB_DEMO_CSV;
const DEMO_JSON = process.env.KB_DEMO_JSON;
const UPLOAD_XLSX = new URL('./fixtures/upload.xlsx', import.meta.url).pathname;

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

function assertPrivateAndClean(session) {
  // `blob:` URLs of this origin are in-memory objects of the page itself (downloads, the PNG
  // rendering of a plot): they never touch the network.
  const local = (url) => url.startsWith(server.origin + '/') || url.startsWith(`blob:${server.origin}/`);
  const foreign = session.requests.filter((url) => !local(url));
  assert.deepEqual(foreign, [], 'every request goes to the serving origin');
  assert.deepEqual(session.errors, [], 'no console errors');
}

test('the demo data: 72 ranked municipalities with the numbers of `kommunebench analyse`', async () => {
  const session = await recordingPage(browser);
  try {
    await session.page.goto(server.url);
    await session.page.getByRole('button', { name: 'Indlæs demodata' }).click();
    await session.page.locator('#ranking-table tbody tr').first().waitFor({ timeout: 120_000 });
    const rows = await rankingRows(session.page);
    assert.equal(rows.length, 72);

    const expected = JSON.parse(await readFile(DEMO_JSON, 'utf8'));
    assert.equal(expected.ranking.length, 72);
    for (const [i, want] of expected.ranking.entries()) {
      const got = rows[i];
      assert.equal(got[0], String(want.rank));
      assert.ok(got[1].startsWith(want.municipality), `${got[1]} / ${want.municipality}`);
      assert.equal(got[2], danish(want.observed_months, 3), `observed of ${want.municipality}`);
      assert.equal(got[3], danish(want.expected_months, 3), `expected of ${want.municipality}`);
      assert.equal(got[4], danish(want.effect_months, 3), `effect of ${want.municipality}`);
      assert.equal(got[5], want.stars, `stars of ${want.municipality}`);
      assert.equal(got[6], want.spells.toLocaleString('da-DK'), 'spells with the Danish thousands separator');
      assert.equal(got[7], `${danish(100 * want.completed_share, 0)} %`);
      // MODEL.md §8: the rank interval, as `kommunebench analyse` drew it (same seed).
      assert.equal(got[8], `${want.rank_interval[0]}–${want.rank_interval[1]}`, `rank interval of ${want.municipality}`);
    }
    // Top and bottom five are marked.
    assert.equal(await session.page.locator('#ranking-table tbody tr.fastest').count(), 5);
    assert.equal(await session.page.locator('#ranking-table tbody tr.slowest').count(), 5);
    // The outcome table: 31,8 % self-support overall, as published.
    const outcomes = await session.page.locator('#outcomes-table tbody tr').first().textContent();
    assert.ok(outcomes.includes('31,8 %'), outcomes);
    // The plots are drawn in tasks of their own after the results are painted.
    await session.page.locator('#funnel-plot svg').waitFor();
    assert.equal(await session.page.locator('.svg-host svg').count(), 3, 'cohort, caterpillar and funnel plots');
    assert.equal(await session.page.locator('#caterpillar-plot svg circle').count(), 72);
    assert.equal(await session.page.locator('#funnel-plot svg title').count(), 72, 'every funnel point is labelled');
    await session.page.getByLabel('Fremhæv kommune').selectOption('København');
    // The caterpillar and funnel after the SE fix, for review (the funnel with its
    // overdispersed limits too).
    await session.page.locator('#caterpillar-plot').screenshot({ path: `${OUT_DIR}caterpillar.png` });
    await session.page.locator('#funnel-plot').screenshot({ path: `${OUT_DIR}funnel.png` });
    const funnelPaths = await session.page.locator('#funnel-plot svg polyline').count();
    await session.page.getByLabel('Vis også grænser med overspredning (Spiegelhalter 2005)').check();
    await session.page.waitForFunction(
      (before) => document.querySelectorAll('#funnel-plot svg polyline').length > before,
      funnelPaths,
    );
    await session.page.locator('#funnel-plot').screenshot({ path: `${OUT_DIR}funnel-overdispersed.png` });

    // The empirical-Bayes view: the table, ranked by the shrunken effects, and back.
    await session.page.getByLabel('Krympede effekter (empirisk Bayes)').check();
    const shrunkenRows = await rankingRows(session.page);
    const byShrunkenRank = [...expected.ranking].sort((a, b) => a.shrunken_rank - b.shrunken_rank);
    for (const [i, want] of byShrunkenRank.entries()) {
      assert.equal(shrunkenRows[i][0], String(want.shrunken_rank));
      assert.ok(shrunkenRows[i][1].startsWith(want.municipality), `${shrunkenRows[i][1]} / ${want.municipality}`);
      assert.equal(shrunkenRows[i][4], danish(want.shrunken_effect_months, 3), `shrunken effect of ${want.municipality}`);
    }
    assert.ok((await session.page.locator('#summary-heading + p + p').textContent()).startsWith(byShrunkenRank[0].municipality));
    await session.page.locator('#caterpillar-plot').screenshot({ path: `${OUT_DIR}caterpillar-shrunken.png` });
    await session.page.getByLabel('Som i 2006 (faste effekter)').check();
    assert.equal((await rankingRows(session.page))[0][0], '1');
    assert.ok((await rankingRows(session.page))[0][1].startsWith(expected.ranking[0].municipality));

    // Drill-down from a table row: the municipality's curves, its table-4 row and its mix.
    await session.page.locator('#ranking-table').getByRole('button', { name: 'Odense', exact: true }).click();
    await session.page.locator('#profile-plot svg').waitFor();
    const odense = expected.ranking.find((row) => row.municipality === 'Odense');
    const profileText = await session.page.locator('#profile').textContent();
    assert.ok(profileText.includes(`${odense.rank} / 72`), profileText.slice(0, 300));
    assert.ok(profileText.includes(danish(odense.effect_months, 3)), 'the effect of Odense');
    assert.ok((await session.page.locator('#profile tbody tr').count()) > 10, 'the covariate mix');
    await screenshot(session.page, 'results-1280x800');

    // Where the time went (issue 13): the worker's steps, the transfer and the page's
    // render (timed after the render, so it is added last), each timed.
    await session.page.locator('#phase-table tr[data-phase="Render"]').waitFor({ state: 'attached' });
    const phases = await session.page.locator('#phase-table tbody tr').allTextContents();
    assert.equal(phases.length, 10, phases.join(' | '));
    assert.ok(phases[0].startsWith('Læsning og kontrol af filen'), phases[0]);
    assert.ok(phases[9].startsWith('Visning af resultaterne'), phases[9]);
    assert.ok(phases.some((row) => row.startsWith('Trin 1: Newton-iterationer')));
    const total = Number((await session.page.locator('#phase-table tfoot td').first().textContent()).replace(',', '.'));
    assert.ok(total > 0, `total ${total}`);
    // The worker's peak memory (its wasm memory only grows).
    const memory = /: ([\d.]+) MB$/.exec(await session.page.locator('#worker-memory').textContent());
    assert.ok(memory && Number(memory[1].replace('.', '')) > 1, 'the worker memory is shown');

    // The ranking as CSV: BOM, `;`, decimal comma, the same numbers as the CLI's JSON.
    const [csvDownload] = await Promise.all([
      session.page.waitForEvent('download'),
      session.page.getByRole('button', { name: 'Hent rangordningen (CSV)' }).click(),
    ]);
    const csv = await readFile(await csvDownload.path(), 'utf8');
    assert.ok(csv.startsWith('\ufeffrang;kommune;'), csv.slice(0, 40));
    const csvRows = csv.trim().split('\r\n').slice(1).map((line) => line.split(';'));
    assert.equal(csvRows.length, 73);
    for (const [i, want] of expected.ranking.entries()) {
      // wasm's and the native libm's exp may differ in the last bit: equal to 1e-9 months.
      const effect = Number(csvRows[i][4].replace(',', '.'));
      assert.ok(Math.abs(effect - want.effect_months) < 1e-9, `CSV effect of ${want.municipality}: ${effect}`);
      assert.equal(csvRows[i][1], `"${want.municipality}"`);
    }
    const [xlsxDownload] = await Promise.all([
      session.page.waitForEvent('download'),
      session.page.getByRole('button', { name: 'Hent rangordningen (Excel)' }).click(),
    ]);
    const xlsx = await readFile(await xlsxDownload.path());
    assert.equal(xlsx.subarray(0, 4).toString('latin1'), 'PK\x03\x04');

    // Every plot downloads as SVG and as PNG.
    const plotButtons = session.page.locator('.uncertainty .plot-downloads button');
    const [svgDownload] = await Promise.all([session.page.waitForEvent('download'), plotButtons.nth(2).click()]);
    assert.ok((await readFile(await svgDownload.path(), 'utf8')).startsWith('<svg'));
    const [pngDownload] = await Promise.all([session.page.waitForEvent('download'), plotButtons.nth(3).click()]);
    assert.equal((await readFile(await pngDownload.path())).subarray(1, 4).toString('latin1'), 'PNG');
    assert.equal(pngDownload.suggestedFilename(), 'kommunebench-tragt.png');

    // The print view renders as a report.
    await session.page.emulateMedia({ media: 'print' });
    // Names and headers print (on screen they are buttons; the print view hides buttons).
    assert.ok(await session.page.locator('#ranking-table tbody th button.municipality').first().isVisible());
    assert.ok(await session.page.locator('#ranking-table thead button.sort').first().isVisible());
    assert.ok(!(await session.page.getByRole('button', { name: 'Hent rangordningen (CSV)' }).isVisible()));
    await screenshot(session.page, 'results-print');
    await session.page.emulateMedia({ media: 'screen' });

    // Search narrows the table; sorting by spells puts København first.
    await session.page.getByLabel('Søg kommune').fill('københ');
    assert.equal((await rankingRows(session.page)).length, 1);
    await session.page.getByLabel('Søg kommune').fill('');
    await session.page.getByRole('button', { name: /^Forløb/ }).click();
    await session.page.getByRole('button', { name: /^Forløb/ }).click();
    assert.ok((await rankingRows(session.page))[0][1].startsWith('København'));

    // English: labels and number format change.
    await session.page.getByRole('button', { name: 'English' }).click();
    await session.page.getByRole('heading', { name: 'Ranking (table 4)' }).waitFor();
    const english = await session.page.locator('#outcomes-table tbody tr').first().textContent();
    assert.ok(english.includes('31.8 %'), english);
    await session.page.setViewportSize({ width: 390, height: 844 });
    await screenshot(session.page, 'results-390x844-en');
    assertPrivateAndClean(session);
  } finally {
    await session.close();
  }
});

test('a Windows-1252 `;` file with two bad rows: results, and both rows named', async () => {
  const demo = (await readFile(DEMO_CSV, 'utf8')).trimEnd().split('\n');
  const danishRows = demo.slice(0, 6001).map((line, i) => {
    const fields = line.split(',');
    if (i === 0) return fields.join(';');
    return fields
      .map((field) => (/^\d{4}-\d{2}-\d{2}$/.test(field) ? field.split('-').reverse().join('-') : field.replace('.', ',')))
      .join(';');
  });
  // A municipality named like a formula: it must come out neutralised in the export.
  for (let i = 1; i < danishRows.length; i += 1) {
    danishRows[i] = danishRows[i].replace(';Århus;', ';"=HYPERLINK(""x"")";');
  }
  // Line 4: an impossible date; line 7: an unknown outcome.
  danishRows[3] = danishRows[3].replace(/;\d\d-\d\d-(\d{4});/, ';30-02-$1;');
  danishRows[6] = danishRows[6].replace(/;(none|self_support|education);/, ';arbejde;');
  const bytes = Buffer.from(danishRows.join('\r\n') + '\r\n', 'latin1');

  const session = await recordingPage(browser);
  try {
    await session.page.goto(server.url);
    await session.page.locator('#spell-file').setInputFiles({ name: 'forloeb.csv', mimeType: 'text/csv', buffer: bytes });
    await session.page.getByRole('heading', { name: 'Kolonner og indstillinger' }).waitFor({ timeout: 60_000 });
    assert.ok((await session.page.locator('#file-format').textContent()).includes('Windows-1252'));
    await session.page.getByLabel('Mindste antal forløb for at blive rangordnet').fill('30');
    await session.page.getByRole('button', { name: 'Analysér' }).click();
    await session.page.locator('#ranking-table tbody tr').first().waitFor({ timeout: 120_000 });
    const excluded = await session.page.locator('#excluded-rows tbody tr').allTextContents();
    assert.equal(excluded.length, 2, excluded.join('\n'));
    assert.ok(excluded[0].startsWith('4') && excluded[0].includes('ikke er en gyldig dato'), excluded[0]);
    assert.ok(excluded[1].startsWith('7') && excluded[1].includes('«arbejde»'), excluded[1]);
    assert.ok((await session.page.locator('#excluded-heading').textContent()).includes('(2)'));
    // Danish letters survived the Windows-1252 round trip.
    assert.ok((await rankingRows(session.page)).some((row) => row[1].startsWith('København')));
    assert.ok((await rankingRows(session.page)).some((row) => row[1].startsWith('=HYPERLINK("x")')));
    const [download] = await Promise.all([
      session.page.waitForEvent('download'),
      session.page.getByRole('button', { name: 'Hent rangordningen (CSV)' }).click(),
    ]);
    const csv = await readFile(await download.path(), 'utf8');
    assert.ok(csv.includes(`"'=HYPERLINK(""x"")"`), 'the formula is neutralised');
    assert.ok(!/(^|;)"?=HYPERLINK/m.test(csv), 'no cell starts with =');
    assertPrivateAndClean(session);
  } finally {
    await session.close();
  }
});

test('an xlsx workbook: results appear', async () => {
  const session = await recordingPage(browser);
  try {
    await session.page.goto(server.url);
    await session.page.locator('#spell-file').setInputFiles(UPLOAD_XLSX);
    await session.page.getByRole('heading', { name: 'Kolonner og indstillinger' }).waitFor({ timeout: 60_000 });
    // The first sheet holds notes: choose the sheet with the spells, its columns are read.
    assert.ok((await session.page.locator('#file-format').textContent()).includes('xlsx, Noter'));
    await session.page.getByLabel('Regneark (fane) med forløbene').selectOption('Forløb');
    await session.page.locator('#file-format', { hasText: 'xlsx, Forløb' }).waitFor({ timeout: 60_000 });
    assert.ok(await session.page.getByRole('rowheader', { name: 'municipality' }).isVisible());
    await session.page.getByLabel('Mindste antal forløb for at blive rangordnet').fill('20');
    await session.page.getByRole('button', { name: 'Analysér' }).click();
    await session.page.locator('#ranking-table tbody tr').first().waitFor({ timeout: 120_000 });
    assert.equal((await rankingRows(session.page)).length, 21);
    assertPrivateAndClean(session);
  } finally {
    await session.close();
  }
});

test('cancel stops the analysis and returns to the start page', async () => {
  const session = await recordingPage(browser);
  try {
    await session.page.goto(server.url);
    await session.page.getByRole('button', { name: 'Indlæs demodata' }).click();
    await session.page.getByRole('button', { name: 'Annullér' }).click();
    await session.page.getByRole('button', { name: 'Indlæs demodata' }).waitFor();
    // A new analysis after the cancel works (a fresh worker).
    await session.page.getByRole('button', { name: 'Indlæs demodata' }).click();
    await session.page.locator('#ranking-table tbody tr').first().waitFor({ timeout: 120_000 });
    assertPrivateAndClean(session);
  } finally {
    await session.close();
  }
});
