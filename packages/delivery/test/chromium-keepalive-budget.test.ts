/**
 * The page-hide budget in real Chromium (Debian's, via launchChromium): keepalive requests in flight
 * may carry 64 KiB in all per page, not per outbox. Three kits' outboxes, each with more queued than
 * the budget, hand their page-hide requests to Chromium in one task (the hub's page hide): none may
 * be refused. The page runs an esbuild bundle of the sources: `createBrowserHub`, three kits on
 * `createOutbox` with the real `fetchTransport`, each request's outcome recorded in the page.
 */
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openReadyPage, servePage, type PageServer, type TestBrowser } from '@sessionhub/testing/chromium';
import { bundleForBrowser } from '../../../scripts/workspace-sources';

const packagesDir = fileURLToPath(new URL('../../', import.meta.url));

const PAGE_SCRIPT = `
  import { createBrowserHub } from '@sessionhub/core/browser';
  import { createOutbox, fetchTransport } from '@sessionhub/delivery';
  const outcomes = (window.outcomes = []);
  const kit = (name) => {
    let outbox;
    return {
      name,
      init(context) {
        outbox = createOutbox({
          name,
          storage: context.storage,
          logger: context.logger,
          clock: context.clock,
          // Nothing goes before the page hide: no batch is ever full, none waits long enough.
          flushIntervalMs: 3_600_000,
          maxBatchBytes: 200_000,
          maxBatchItems: 1000,
          transport: (request, options) =>
            fetchTransport(request, options).then(
              (answer) => (outcomes.push({ name, keepalive: options.keepalive, bytes: request.body.length, ok: true }), answer),
              (error) => (outcomes.push({ name, keepalive: options.keepalive, bytes: request.body.length, ok: false, error: String(error) }), Promise.reject(error)),
            ),
          buildRequest: (items) => ({ url: location.origin + '/collect/' + name, method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(items) }),
        });
        return outbox.load();
      },
      onEvent: (record) => void outbox.enqueue({ id: record.eventId, pad: record.attributes.pad }),
      onPageHide: () => outbox.flushOnPageHide(),
      flush: () => outbox.flush(),
      getHealth: () => outbox?.health(),
    };
  };
  const hub = createBrowserHub({ kits: [kit('a'), kit('b'), kit('c')] });
  window.hub = hub;
  window.ready = hub.start();
`;

let server: PageServer;
let browser: TestBrowser;
const received: { path: string; bytes: number }[] = [];

beforeAll(async () => {
  const script = await bundleForBrowser(PAGE_SCRIPT, packagesDir);
  server = await servePage({ title: 'keepalive', script, onPost: (path, body) => void received.push({ path, bytes: body.length }) });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

interface Outcome {
  readonly name: string;
  readonly keepalive: boolean;
  readonly bytes: number;
  readonly ok: boolean;
  readonly error?: string;
}

const outcomes = (page: Page): Promise<Outcome[]> => page.evaluate(() => (window as unknown as { outcomes: Outcome[] }).outcomes);

describe('the page-hide budget in Chromium', () => {
  it('refuses keepalive requests past 64 KiB in flight for the page: the budget is the page’s (the fact the outbox relies on)', async () => {
    const page = await openReadyPage(browser.context, `${server.origin}/fact`);
    const results = await page.evaluate(async () => {
      const body = 'x'.repeat(30_000);
      const sent = [1, 2, 3].map((i) => fetch(`/fact/${i}`, { method: 'POST', body, keepalive: true }).then(() => 'ok', (error: unknown) => String(error)));
      return Promise.all(sent);
    });
    // 30,000 + 30,000 fit in 65,536; a third does not while the two are in flight.
    expect(results.slice(0, 2)).toEqual(['ok', 'ok']);
    expect(results[2]).toMatch(/TypeError/);
    await page.close();
  }, 60_000);

  it("three kits' page-hide requests stay within the page's budget together: Chromium refuses none", async () => {
    const page = await openReadyPage(browser.context, `${server.origin}/kits`);
    // 60 events of ~1 KB each: every outbox holds ~62 KB, the three ~186 KB.
    await page.evaluate(() => {
      const hub = (window as unknown as { hub: { logEvent(name: string, attributes: object): boolean } }).hub;
      for (let i = 0; i < 60; i++) hub.logEvent('read', { pad: 'p'.repeat(1000) });
    });
    await page.waitForTimeout(100);
    expect(await outcomes(page)).toEqual([]);
    // The hub's page hide, as at a tab closed (synthetic: the page stays, so the outcomes can be read).
    await page.evaluate(() => window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false })));
    await page.waitForFunction(() => (window as unknown as { outcomes: unknown[] }).outcomes.length > 0);
    await page.waitForTimeout(500);
    const seen = await outcomes(page);
    expect(seen.filter((o) => !o.ok)).toEqual([]);
    expect(seen.every((o) => o.keepalive)).toBe(true);
    const bytes = seen.reduce((sum, o) => sum + o.bytes, 0);
    expect(bytes).toBeLessThanOrEqual(65_536);
    expect(bytes).toBeGreaterThan(50_000);
    expect(received.filter((r) => r.path.startsWith('/collect/')).reduce((sum, r) => sum + r.bytes, 0)).toBe(bytes);
    await page.close();
  }, 60_000);
});
