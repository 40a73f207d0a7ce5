/**
 * Moving a site off CleverTap's web SDK, in Chromium: the real SDK (the pinned devDependency) runs a
 * visit on an origin and leaves its storage (`WZRK_G`, `WZRK_X`, the session cookie
 * `WZRK_S_<accountId>`); then the same origin loads SessionHub with the kit. While the SDK's session
 * is live, the kit carries it on (CleverTap counts no second session); once it has expired, the kit
 * starts a new one. Decided as the SDK itself decides, to the second.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium, type TestBrowser } from '@sessionhub/testing/chromium';
import { openSite, realNow, type Site } from './conformance/web-sdk-run';

const ACCOUNT_ID = 'W9R-486-4W5Z';
let browser: TestBrowser;
/** Where the next site's clock starts: the sites of the browser follow each other in time. */
let clock: number;
let sites = 0;

beforeAll(async () => {
  browser = await launchChromium();
  clock = realNow();
});
afterAll(async () => {
  await browser?.close();
});

type Item = Record<string, unknown> & { type: string; s: number; pg: number };

/**
 * The SDK's visit: two pages, events, a sign-in; then the visitor leaves until `gap` (ms) after the
 * SDK's last answer (the cookie's `t`). Returns what the SDK sent last and the session cookie it left.
 */
async function sdkVisit(gap: number) {
  const site = await openSite(browser.context, `https://www.shop-${++sites}.test`, ACCOUNT_ID, clock);
  await site.loadSdk();
  await site.play([{ t: 'event', name: 'Product Viewed', data: { 'Product ID': 42 } }]);
  await site.loadSdk();
  await site.play([{ t: 'event', name: 'Added To Cart' }, { t: 'login', identity: 'user-1' }, { t: 'event', name: 'Checkout' }]);
  site.checkDecoding();
  // The visitor leaves the site (no SDK page open: no more pings).
  await site.page.goto(`${site.origin}/away.html`);
  const last = site.requests.at(-1)!.payload as { g: string; s: number; pg: number };
  const cookie = await site.page.evaluate((name) => document.cookie.split('; ').find((c) => c.startsWith(name + '='))?.slice(name.length + 1), `WZRK_S_${ACCOUNT_ID}`);
  // The SDK's cookie (clevertap.js `setSessionCookieObject` → `createCookie`): its session, its last
  // answer (epoch s), its pages; JSON, URL-encoded once.
  const session = JSON.parse(decodeURIComponent(cookie!)) as { s: number; t: number; p: number };
  expect(session).toEqual({ s: last.s, t: expect.any(Number), p: 2 });
  expect(last).toMatchObject({ g: expect.stringMatching(/^g\d$/), s: expect.any(Number), pg: 2 });
  const now = await site.page.evaluate(() => Date.now());
  await site.advance(session.t * 1000 + gap - now);
  clock = session.t * 1000 + gap + 3_600_000;
  return { site, last, session };
}

/** The kit on the same origin: the signed-in user, an event; its uploads. */
async function kitVisit(site: Site) {
  const before = site.uploads.length;
  await site.loadKit();
  await site.page.evaluate(() => {
    const { hub } = window as unknown as { hub: { setUser(id: string): void; logEvent(name: string): void } };
    hub.setUser('user-1');
    hub.logEvent('Paid');
  });
  await site.flush();
  const uploads = site.uploads.slice(before);
  const items = uploads.flatMap((u) => u.body.slice(1) as Item[]);
  expect(items.map((i) => i.type + ':' + String(i.evtName ?? (i.profile as { Identity?: string } | undefined)?.Identity ?? ''))).toEqual(['page:', 'profile:user-1', 'event:Paid']);
  return { headers: uploads.map((u) => u.body[0]), items };
}

it("carries on the SDK's live session: its device id, its session id, its page count; no new session at CleverTap", async () => {
  const { site, last } = await sdkVisit(5 * 60_000);
  const { headers, items } = await kitVisit(site);
  expect(headers.map((h) => h.g)).toEqual(headers.map(() => last.g));
  // Not a session's first request: CleverTap counts none.
  expect(headers.map((h) => h.frs)).toEqual(headers.map(() => false));
  expect(items.map((i) => [i.s, i.pg])).toEqual(items.map(() => [last.s, 3]));
  await site.page.close();
});

it('starts a new session once the SDK\'s has expired (20 minutes and 60 s after its last answer), under its device id', async () => {
  const { site, last } = await sdkVisit(1261_000);
  const { headers, items } = await kitVisit(site);
  expect(headers.map((h) => h.g)).toEqual(headers.map(() => last.g));
  expect(headers[0]!.frs).toBe(true);
  const s = items[0]!.s;
  expect(s).toBeGreaterThan(last.s);
  expect(items.map((i) => [i.s, i.pg])).toEqual(items.map(() => [s, 1]));
  // The SDK, loaded again then, would have started a new session too.
  const sent = site.requests.length;
  await site.loadSdk();
  site.checkDecoding();
  expect(site.requests[sent]!.payload).toMatchObject({ pg: 1 });
  expect(site.requests[sent]!.payload.s).toBeUndefined();
  await site.page.close();
});

it('decides as the SDK does within the last second: live while 1260 whole seconds have passed', async () => {
  // 1260.1 s after the SDK's last answer: its clock reads 1260 whole seconds, its session is live.
  const { site, last } = await sdkVisit(1260_100);
  const { headers, items } = await kitVisit(site);
  expect(headers[0]!.frs).toBe(false);
  expect(items.map((i) => i.s)).toEqual(items.map(() => last.s));
  // The SDK, loaded again within that second, goes on with it too.
  const sent = site.requests.length;
  await site.loadSdk();
  site.checkDecoding();
  expect(site.requests[sent]!.payload).toMatchObject({ s: last.s, pg: 3 });
  await site.page.close();
});
