/**
 * The segment layout in real Chromium localStorage (Debian's, via launchChromium), with its real
 * quota: a page runs an esbuild bundle of the sources with the real Snowplow kit (its outbox in
 * localStorage), sending to a local collector that can refuse.
 */
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SessionHub } from '@sessionhub/core';
import { fillLocalStorage, launchChromium, openReadyPage, servePage, type PageServer, type TestBrowser } from '@sessionhub/testing/chromium';
import { bundleForBrowser } from '../../../scripts/workspace-sources';

declare global {
  interface Window {
    hub: SessionHub;
    ready: Promise<void>;
    longestWrite: number;
  }
}

const packagesDir = fileURLToPath(new URL('../../', import.meta.url));

const PAGE_SCRIPT = `
  import { createBrowserHub } from '@sessionhub/core/browser';
  import { snowplowKit } from '@sessionhub/kit-snowplow';
  const snowplow = snowplowKit({
    collectorUrl: location.origin, appId: 'app', encodeBase64: false,
    catchAllSchema: 'iglu:dev.sessionhub.test/app_event/jsonschema/1-0-0',
    sessionEvents: { start: 'iglu:dev.sessionhub.test/session_start/jsonschema/1-0-0', end: 'iglu:dev.sessionhub.test/session_end/jsonschema/1-0-0' },
    delivery: { retryBaseMs: 100, retryMaxMs: 200 },
  });
  // The longest value the page has written to localStorage (what a commit costs at most).
  const setItem = Storage.prototype.setItem;
  window.longestWrite = 0;
  Storage.prototype.setItem = function (key, value) {
    window.longestWrite = Math.max(window.longestWrite, String(value).length);
    return setItem.call(this, key, value);
  };
  const hub = createBrowserHub({ kits: [snowplow], sessionTimeout: 600, foregroundTimeout: 600 });
  window.hub = hub;
  window.ready = hub.start();
`;

let server: PageServer;
let origin: string;
/** Bodies the collector took (2xx). */
let accepted: string[] = [];
let collectorUp = true;
let browser: TestBrowser;

beforeAll(async () => {
  const js = await bundleForBrowser(PAGE_SCRIPT, packagesDir);
  server = await servePage({
    title: 'storage',
    script: js,
    onPost(_path, body) {
      if (collectorUp) accepted.push(body);
      return collectorUp ? 200 : 503;
    },
  });
  origin = server.origin;
});
afterAll(async () => {
  await server?.close();
});
beforeEach(async () => {
  accepted = [];
  collectorUp = true;
  browser = await launchChromium();
});
afterEach(async () => {
  await browser?.close();
});

const openTab = (): Promise<Page> => openReadyPage(browser.context, origin);

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const stored = (page: Page): Promise<Record<string, string>> => page.evaluate(() => ({ ...localStorage }));
/** How many accepted payloads carry `name` (events are named uniquely, e.g. `evt-07-x`). */
const received = (name: string) => accepted.join('\n').split(name).length - 1;
const schemas = (part: string) => accepted.join('\n').split(`/${part}/jsonschema`).length - 1;

async function waitFor(done: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`never saw ${what}`);
    await sleep(50);
  }
}

describe('the segment layout in real Chromium localStorage', () => {
  it('keeps a queue of 60 events in at most 16 segment keys, and a reload sends each once', async () => {
    collectorUp = false;
    const page = await openTab();
    for (let i = 0; i < 60; i++) await page.evaluate((name) => void window.hub.logEvent(name), `evt-${String(i).padStart(2, '0')}-x`);
    await page.evaluate(() => window.hub.flush());
    const keys = Object.keys(await stored(page));
    expect(keys.filter((k) => /^sessionhub:tab\d+:seg:\d+$/.test(k)).length).toBeLessThanOrEqual(16);
    expect(keys.filter((k) => !/^sessionhub:(tab\d+:seg:\d+|shared)$/.test(k))).toEqual([]);
    await page.reload();
    await page.evaluate(() => window.ready);
    collectorUp = true;
    await page.evaluate(() => window.hub.flush());
    await waitFor(() => received('evt-59-x') > 0, 'the last event at the collector');
    for (let i = 0; i < 60; i++) expect(received(`evt-${String(i).padStart(2, '0')}-x`), `evt-${i}`).toBe(1);
  }, 60_000);

  it('an outage long enough to spill: the queue moves into spill keys, no write grows with it, a reload reads them, and each event arrives once', async () => {
    collectorUp = false;
    const page = await openTab();
    const name = (i: number) => `out-${String(i).padStart(3, '0')}-x`;
    for (let i = 0; i < 400; i++) await page.evaluate((n) => void window.hub.logEvent(n), name(i));
    await page.evaluate(() => window.hub.flush());
    const keys = Object.keys(await stored(page));
    expect(keys.filter((k) => /^sessionhub:tab\d+:spill:\d+$/.test(k)).length).toBeGreaterThan(0);
    expect(keys.filter((k) => !/^sessionhub:(tab\d+:(seg|spill):\d+|shared)$/.test(k))).toEqual([]);
    // Carried round instead (no spills), the queue's values make the writes grow with it: 33,168
    // characters by the end. With spills a write holds one burst's items and what it carries: 9.4 to
    // 12.9 K measured in 12 runs, more the slower the commits (a burst is the events logged while the
    // one before commits), so the bound leaves room for slower machines and still fails the growth.
    const longest = await page.evaluate(() => window.longestWrite);
    expect(longest).toBeLessThan(20_000);
    await page.reload();
    await page.evaluate(() => window.ready);
    collectorUp = true;
    await page.evaluate(() => window.hub.flush());
    await waitFor(() => received(name(399)) > 0, 'the last event at the collector');
    for (let i = 0; i < 400; i++) expect(received(name(i)), name(i)).toBe(1);
    // Delivered, the spills go (with the commit that removes their last items).
    const deadline = Date.now() + 10_000;
    while (Object.keys(await stored(page)).some((k) => k.includes(':spill:')) && Date.now() < deadline) await sleep(100);
    expect(Object.keys(await stored(page)).filter((k) => k.includes(':spill:'))).toEqual([]);
  }, 60_000);

  it('with the quota full, warns once and still sends the session start, events and end, each once', async () => {
    collectorUp = false;
    const page = await openTab();
    const warnings: string[] = [];
    page.on('console', (m) => void (m.type() === 'warning' && warnings.push(m.text())));
    // Fill the origin's real quota (~5 M UTF-16 characters in Chromium) with the app's own data.
    const filled = await fillLocalStorage(page);
    expect(filled).toBeGreaterThan(1_000_000);
    for (let i = 0; i < 20; i++) await page.evaluate((name) => void window.hub.logEvent(name), `full-${String(i).padStart(2, '0')}-x`);
    await page.evaluate(() => window.hub.endSession());
    collectorUp = true;
    await page.evaluate(() => window.hub.flush());
    await waitFor(() => received('full-19-x') > 0 && schemas('session_end') > 0, 'the events and the session end at the collector');
    for (let i = 0; i < 20; i++) expect(received(`full-${String(i).padStart(2, '0')}-x`)).toBe(1);
    expect([schemas('session_start'), schemas('session_end')]).toEqual([1, 1]);
    expect(warnings.filter((w) => /localStorage/.test(w))).toHaveLength(1);
  }, 60_000);
});
