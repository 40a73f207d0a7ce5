/**
 * The example page in real headless Chromium (Debian's, driven by playwright-core), against the
 * local collectors, with session timeouts of a few seconds. What each test checks at the vendors is
 * read back from the collectors' decoded requests (src/vendor-view.ts), as the page's live view does.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SessionHub, SessionSnapshot } from '@sessionhub/core';
import { startExample, type ExampleServer, type PageSettings } from '../src/example-server';
import { vendorViews, type VendorViews } from '../src/vendor-view';
import { launchChromium, type TestBrowser } from '@sessionhub/testing/chromium';

declare global {
  interface Window {
    sessionHub: SessionHub;
    setVisibility?: (state: 'visible' | 'hidden') => void;
  }
}

const SCREENSHOT = fileURLToPath(new URL('../../../.tmp/web-example.png', import.meta.url));

let example: ExampleServer;
let browser: TestBrowser;
let consoleLines: string[] = [];

beforeAll(async () => {
  example = await startExample();
});
afterAll(async () => {
  await example?.close();
});
beforeEach(async () => {
  example.collector.collector.reset();
  consoleLines = [];
  browser = await launchChromium();
});
afterEach(async () => {
  await browser?.close();
});

/** Opens the example page in a new tab and waits until its hub has started. */
async function openPage(settings: PageSettings, initScript?: () => void): Promise<Page> {
  const page = await browser.context.newPage();
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
  if (initScript) await page.addInitScript(initScript);
  await page.goto(example.pageUrl(settings));
  await waitReady(page);
  return page;
}

const waitReady = (page: Page) => page.waitForFunction(() => document.body.dataset.ready === 'true');
const session = (page: Page): Promise<SessionSnapshot | null> => page.evaluate(() => window.sessionHub.getSession());
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const views = (): VendorViews => vendorViews(example.collector.collector.received());
/** CleverTap's session id of a canonical session (its start in epoch seconds, for a device's sessions a second apart). */
const cleverTapId = (s: SessionSnapshot) => String(Math.floor(s.startTime / 1000));

/** Polls the collectors until `done(views)` holds; fails with what they received after `ms`. */
async function waitForVendors(what: string, done: (v: VendorViews) => boolean, ms = 10_000): Promise<VendorViews> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = views();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`the collectors never showed ${what}; they got ${JSON.stringify(v)}\n${consoleLines.join('\n')}`);
    await sleep(100);
  }
}

/** Installed before the page's scripts: headless Chromium never hides a page, so tests drive `visibilityState`. */
function visibilityControl(): void {
  let state: 'visible' | 'hidden' = 'visible';
  Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => state });
  Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => state === 'hidden' });
  window.setVisibility = (next) => {
    state = next;
    document.dispatchEvent(new Event('visibilitychange'));
  };
}

describe('web example in Chromium: reloads', () => {
  it('a reload within the timeout keeps the session; coming back after it ends the old one at its last activity and starts a new one', async () => {
    const settings = { timeout: 2, flush: 200 };
    const page = await openPage(settings);
    await page.click('#log-event');
    const first = (await session(page)) as SessionSnapshot;
    expect(first).not.toBeNull();
    await page.reload();
    await waitReady(page);
    expect((await session(page))?.id).toBe(first.id);
    await page.click('#log-event');
    expect((await session(page))?.eventIndex).toBe(2); // the reloaded page continues the count

    const lastSeen = (await session(page)) as SessionSnapshot;
    await page.goto('about:blank'); // pagehide: the session's last activity
    const left = Date.now();
    await sleep(2600); // past the 2 s timeout, with no page of the origin open
    await page.goto(example.pageUrl(settings));
    await waitReady(page);
    const second = (await session(page)) as SessionSnapshot;
    expect(second.id).not.toBe(first.id);
    expect(second.previousSessionId).toBe(first.id);

    const v = await waitForVendors('the old session ended and the new one started everywhere', (v) =>
      v.braze.ends.includes(first.id) && v.snowplow.ends.includes(first.id) && v.clevertap.ends.includes(cleverTapId(first)) &&
      v.braze.starts.includes(second.id) && v.snowplow.starts.includes(second.id) && v.clevertap.starts.includes(cleverTapId(second)),
    );
    const end = v.snowplow.endDetails[first.id];
    expect(end?.reason).toBe('recovered'); // no tab was left to end it: the next load did
    expect(end?.endTime).toBeGreaterThanOrEqual(lastSeen.lastActivity);
    expect(end?.endTime).toBeLessThanOrEqual(left); // the last activity, not when the expiry was noticed
    expect(second.startTime - (end?.endTime ?? 0)).toBeGreaterThanOrEqual(2000);
    expect(v.braze.endDetails[first.id]?.endTime).toBe(end?.endTime);
    expect(v.braze.starts).toEqual([first.id, second.id]);
    expect(v.snowplow.starts).toEqual([first.id, second.id]);
    expect(v.clevertap.starts).toEqual([cleverTapId(first), cleverTapId(second)]);
  });
});

describe.each([
  ['Web Locks', undefined],
  [
    'no Web Locks (compare-and-set)',
    () => Object.defineProperty(Navigator.prototype, 'locks', { configurable: true, get: () => undefined }),
  ],
] as const)('web example in Chromium: two tabs, %s', (_mode, initScript) => {
  it('share one session and produce exactly one session start at every vendor', async () => {
    const settings = { timeout: 30, flush: 200 };
    const a = await openPage(settings, initScript);
    const b = await openPage(settings, initScript);
    if (initScript) expect(await b.evaluate(() => 'locks' in navigator && navigator.locks !== undefined)).toBe(false);
    await a.click('#log-event');
    await b.click('#log-event');
    await b.click('#increment-attribute');
    await a.click('#increment-attribute');
    await a.click('#log-event');
    const sa = (await session(a)) as SessionSnapshot;
    await b.waitForFunction((id) => document.body.dataset.sessionId === id, sa.id);
    const v = await waitForVendors('three events at every vendor', (v) =>
      v.braze.events.length === 3 && v.snowplow.events.length === 3 && v.clevertap.events.length === 3,
    );
    expect(v.braze.starts).toEqual([sa.id]);
    expect(v.snowplow.starts).toEqual([sa.id]);
    expect(v.clevertap.starts).toEqual([cleverTapId(sa)]);
    expect(v.braze.sessions).toEqual([sa.id]);
    expect(v.snowplow.sessions).toEqual([sa.id]);
    // Both tabs' increments counted.
    await a.waitForFunction(() => window.sessionHub.getSessionAttributes().articles === 2);
    expect(await b.evaluate(() => window.sessionHub.getSessionAttributes())).toEqual({ articles: 2 });
    expect(consoleLines.filter((l) => l.startsWith('pageerror'))).toEqual([]);
  });
});

describe('web example in Chromium: hidden pages', () => {
  it('a page hidden longer than the timeout, then shown, starts a new session; hidden shorter, it keeps it', async () => {
    const settings = { timeout: 2, flush: 200 };
    const page = await openPage(settings, visibilityControl);
    await page.click('#log-event');
    const first = (await session(page)) as SessionSnapshot;
    await page.evaluate(() => window.setVisibility?.('hidden'));
    await sleep(500);
    await page.evaluate(() => window.setVisibility?.('visible'));
    expect((await session(page))?.id).toBe(first.id);

    await page.evaluate(() => window.setVisibility?.('hidden'));
    const hiddenAt = Date.now();
    await sleep(2600);
    await page.evaluate(() => window.setVisibility?.('visible'));
    await page.waitForFunction((id) => window.sessionHub.getSession()?.id !== id, first.id);
    const second = (await session(page)) as SessionSnapshot;
    const v = await waitForVendors('the hidden session ended and a new one started', (v) =>
      v.snowplow.ends.includes(first.id) && v.braze.ends.includes(first.id) && v.braze.starts.includes(second.id) && v.clevertap.starts.length === 2,
    );
    const end = v.snowplow.endDetails[first.id];
    expect(end?.reason).toBe('timeout');
    expect(end?.endTime).toBeLessThanOrEqual(hiddenAt); // ended when it was hidden: its last activity
    expect(second.startTime - (end?.endTime ?? 0)).toBeGreaterThanOrEqual(2000);
    expect(v.braze.starts).toEqual([first.id, second.id]);
  });
});

describe('web example in Chromium: closing pages', () => {
  const names = ['queued-1', 'queued-2', 'queued-3', 'queued-4', 'queued-5'];
  const allThere = (v: VendorViews) => names.every((n) => v.braze.events.includes(n) && v.snowplow.events.includes(n) && v.clevertap.events.includes(n));

  it('a page closed with queued events sends them with the page hide (keepalive)', async () => {
    const settings = { timeout: 60, flush: 60_000 }; // events wait in the outboxes until the page goes
    const page = await openPage(settings);
    await page.evaluate((list) => list.forEach((n) => window.sessionHub.logEvent(n)), names);
    await page.close(); // at once: pagehide has to commit and send them; no later load helps here
    const v = await waitForVendors('the queued events, sent at page hide', allThere, 5000);
    for (const vendor of ['braze', 'snowplow', 'clevertap'] as const) expect(v[vendor].starts).toHaveLength(1);
  });

  it('when the collectors fail during the page hide, the next load sends what was left', async () => {
    const settings = { timeout: 60, flush: 60_000 };
    const page = await openPage(settings);
    await page.evaluate((list) => list.forEach((n) => window.sessionHub.logEvent(n)), names);
    example.collector.collector.setFaults({ failureRate: 1, mix: [{ type: 'status', status: 503 }] });
    await page.close();
    await sleep(500);
    expect(allThere(views())).toBe(false);
    example.collector.collector.setFaults({ failureRate: 0 });
    // Left items wait out their flush interval since they were queued: let this load send at once.
    await openPage({ ...settings, flush: 200 });
    const v = await waitForVendors('the events the closed page left, sent by the next load', allThere);
    expect(v.braze.starts).toHaveLength(1);
  });
});

describe('web example in Chromium: storage', () => {
  it('works without localStorage, with a warning', async () => {
    const page = await openPage({ timeout: 30, flush: 200 }, () => {
      Object.defineProperty(window, 'localStorage', {
        configurable: true,
        get() {
          throw new DOMException('Access is denied for this document.', 'SecurityError');
        },
      });
    });
    const s = (await session(page)) as SessionSnapshot;
    expect(s).not.toBeNull();
    await expect.poll(() => page.textContent('#warnings')).toMatch(/localStorage is unavailable.*SecurityError/);
    expect(consoleLines.some((l) => l.startsWith('warning:') && l.includes('keeping the session and the outboxes in memory'))).toBe(true);
    await page.click('#log-event');
    const v = await waitForVendors('the event', (v) => v.braze.events.length === 1 && v.snowplow.events.length === 1 && v.clevertap.events.length === 1);
    expect(v.braze.sessions).toEqual([s.id]);
    expect(consoleLines.filter((l) => l.startsWith('pageerror'))).toEqual([]);
  });
});

describe('web example in Chromium: the live view', () => {
  it('after a scripted session, shows the session id each vendor received (DOM and screenshot)', async () => {
    const page = await openPage({ timeout: 60, flush: 200 });
    await page.click('#log-event');
    await page.click('#set-attribute');
    await page.fill('#attr-key', 'articles_read');
    await page.click('#increment-attribute');
    await page.click('#increment-attribute');
    await page.fill('#user-id', 'user-42');
    await page.click('#change-user'); // anonymous → identified: the same session
    await page.fill('#event-name', 'video_played');
    await page.click('#log-event');
    await page.click('#new-session');
    await page.click('#log-event');
    const s = (await session(page)) as SessionSnapshot;
    expect(s.index).toBe(2);
    expect(s.userId).toBe('user-42');
    // CleverTap's id for the new session is the one its first event carried; the kit makes ids strictly
    // increasing (both sessions may start in one second), so it is above the ended session's id.
    const ct = (await waitForVendors('the new session at CleverTap', (v) => v.clevertap.ends.length >= 1 && v.clevertap.starts.length >= 2)).clevertap;
    const expectedCleverTap = ct.starts.at(-1) as string;
    expect(Number(expectedCleverTap)).toBeGreaterThan(Number(ct.ends.at(-1)));
    expect(Number(expectedCleverTap)).toBeGreaterThanOrEqual(Number(cleverTapId(s)));
    for (const [vendor, id] of [['braze', s.id], ['snowplow', s.id], ['clevertap', expectedCleverTap]] as const) {
      const current = page.locator(`.vendor[data-vendor="${vendor}"] li.current`);
      await expect.poll(() => current.textContent(), { timeout: 10_000 }).toBe(id);
    }
    expect(await page.textContent('#session [data-field="id"]')).toBe(s.id);
    await expect.poll(() => page.textContent('#session [data-field="clevertapId"]'), { timeout: 10_000 }).toBe(expectedCleverTap);
    expect(await page.getAttribute('.vendor[data-vendor="braze"]', 'data-starts')).toBe(`${s.previousSessionId} ${s.id}`);
    mkdirSync(fileURLToPath(new URL('.', `file://${SCREENSHOT}`)), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    const png = readFileSync(SCREENSHOT);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.length).toBeGreaterThan(20_000);
  });
});
