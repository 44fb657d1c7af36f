// Files an attacker would craft: the page says what is wrong within seconds and the start
// page works again; values that look like formulas never come out live.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { serveDist, launchBrowser, recordingPage } from './support.mjs';

const HOSTILE_XLSX = new URL('./fixtures/hostile.xlsx', import.meta.url).pathname;
const DEMO_CSV = process.env.KB_DEMO_CSV;

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

test('a hostile xlsx shows an error within seconds and the start page works again', async () => {
  const session = await recordingPage(browser);
  try {
    await session.page.goto(server.url);
    const started = Date.now();
    await session.page.locator('#spell-file').setInputFiles(HOSTILE_XLSX);
    const failure = session.page.getByRole('alert');
    await failure.waitFor({ timeout: 10_000 });
    assert.ok(Date.now() - started < 10_000, 'within seconds');
    assert.match(await failure.textContent(), /angiver 99999999999 tekster/);
    await session.page.getByRole('button', { name: 'Start forfra' }).click();
    // The same worker analyses the next file.
    await session.page.getByRole('button', { name: 'Indlæs demodata' }).click();
    await session.page.locator('#ranking-table tbody tr').first().waitFor({ timeout: 120_000 });
    assert.equal(await session.page.locator('#ranking-table tbody tr').count(), 72);
  } finally {
    await session.close();
  }
});

test('the excluded rows download has no live formula', async () => {
  const demo = (await readFile(DEMO_CSV, 'utf8')).trimEnd().split('\n');
  // Three rows excluded for their outcome, each a formula; one row too long to show.
  const rows = demo.slice(0, 400);
  for (const [i, formula] of [[5, '=HYPERLINK("http://x";"y")'], [9, '+SUM(A1:A9)'], [12, '@cmd']].entries()) {
    const line = formula[0];
    rows[line] = rows[line].replace(/,(none|self_support|education),/, `,"${formula[1].replaceAll('"', '""')}",`);
    void i;
  }
  const session = await recordingPage(browser);
  try {
    await session.page.goto(server.url);
    await session.page.locator('#spell-file').setInputFiles({
      name: 'formler.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(rows.join('\n') + '\n', 'utf8'),
    });
    await session.page.getByRole('heading', { name: 'Kolonner og indstillinger' }).waitFor({ timeout: 60_000 });
    await session.page.getByLabel('Mindste antal forløb for at blive rangordnet').fill('5');
    await session.page.getByRole('button', { name: 'Analysér' }).click();
    await session.page.locator('#excluded-rows tbody tr').first().waitFor({ timeout: 120_000 });
    assert.equal(await session.page.locator('#excluded-rows tbody tr').count(), 3);
    const [download] = await Promise.all([
      session.page.waitForEvent('download'),
      session.page.locator('#excluded-rows').getByRole('button').click(),
    ]);
    const csv = await readFile(await download.path(), 'utf8');
    const cells = csv.trim().split('\r\n').slice(1).flatMap((line) => line.split(';'));
    for (const cell of cells) {
      const text = cell.replace(/^"|"$/g, '');
      assert.ok(!/^[=+\-@\t\r]/.test(text), `a live formula: ${cell}`);
    }
    assert.ok(csv.includes(`"'=HYPERLINK(""http://x"";""y"")"`), csv);
  } finally {
    await session.close();
  }
});

test('warnings about the file stand above the results', async () => {
  const demo = (await readFile(DEMO_CSV, 'utf8')).trimEnd().split('\n');
  const header = demo[0].split(',');
  const spellId = header.indexOf('spell_id');
  const municipality = header.indexOf('municipality');
  const rows = demo.slice(0, 3001).map((line) => line.split(','));
  // Two rows share a spell id; one municipality is typed in lower case once.
  rows[3][spellId] = rows[2][spellId];
  const name = rows[10][municipality];
  rows[10][municipality] = name.toLowerCase() === name ? name.toUpperCase() : name.toLowerCase();
  const session = await recordingPage(browser);
  try {
    await session.page.goto(server.url);
    await session.page.locator('#spell-file').setInputFiles({
      name: 'advarsler.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(rows.map((r) => r.join(',')).join('\n') + '\n', 'utf8'),
    });
    await session.page.getByRole('heading', { name: 'Kolonner og indstillinger' }).waitFor({ timeout: 60_000 });
    await session.page.getByLabel('Mindste antal forløb for at blive rangordnet').fill('20');
    await session.page.getByRole('button', { name: 'Analysér' }).click();
    await session.page.locator('.warnings li').first().waitFor({ timeout: 120_000 });
    const codes = await session.page.locator('.warnings li').evaluateAll((items) => items.map((li) => li.dataset.code));
    assert.deepEqual(codes, ['duplicate_spell_id', 'lookalike_municipalities']);
    const text = await session.page.locator('.warnings').textContent();
    assert.ok(text.includes('linje 3, 4'), text);
    // Above the ranking.
    const above = await session.page.evaluate(() =>
      document.querySelector('.warnings').compareDocumentPosition(document.querySelector('#ranking-table')) &
      Node.DOCUMENT_POSITION_FOLLOWING,
    );
    assert.ok(above);
  } finally {
    await session.close();
  }
});

test('a model that cannot be fitted leaves the tables and says why', async () => {
  // The first 2,000 spells of the demo rank too few municipalities for stage 2's six
  // columns (the intercept and five municipal covariates).
  const demo = (await readFile(DEMO_CSV, 'utf8')).trimEnd().split('\n');
  const session = await recordingPage(browser);
  try {
    await session.page.goto(server.url);
    await session.page.locator('#spell-file').setInputFiles({
      name: 'lille.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(demo.slice(0, 2001).join('\n') + '\n', 'utf8'),
    });
    await session.page.getByRole('heading', { name: 'Kolonner og indstillinger' }).waitFor({ timeout: 60_000 });
    await session.page.getByRole('button', { name: 'Analysér' }).click();
    const error = session.page.locator('#model-error');
    await error.waitFor({ timeout: 120_000 });
    assert.match(await error.textContent(), /rangordnede kommuner, men sammenligningen/);
    // The outcome and cohort tables stand all the same.
    assert.ok((await session.page.locator('#outcomes-table tbody tr').count()) >= 1);
    assert.equal(await session.page.locator('#ranking-table tbody tr td[colspan]').count(), 1, 'an empty ranking says so');
  } finally {
    await session.close();
  }
});
