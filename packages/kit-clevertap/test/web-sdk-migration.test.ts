/**
 * Moving a site off CleverTap's web SDK, in Chromium: the real SDK (the pinned devDependency) runs a
 * visit on an origin and leaves its storage (`WZRK_G`, `WZRK_X`, the session cookie
 * `WZRK_S_<accountId>`); then the same origin loads SessionHub with the kit. While the SDK's session
 * is live, the kit carries it on (CleverTap counts no second session); once it has expired, the kit
 * starts a new one. Decided as the SDK itself decides, to the second. After a deletion it never takes
 * the SDK's ids back.
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
type SdkStep = Parameters<Site['play']>[0][number];

/** The second page of the SDK's visit: an event, a sign-in, an event. */
const SIGNED_IN: SdkStep[] = [{ t: 'event', name: 'Added To Cart' }, { t: 'login', identity: 'user-1' }, { t: 'event', name: 'Checkout' }];

/**
 * The SDK's visit: two pages (the second plays `steps`); then the visitor leaves until `gap` (ms)
 * after the SDK's last answer (the cookie's `t`). Returns what the SDK sent last and its session cookie.
 */
async function sdkVisit(gap: number, steps = SIGNED_IN) {
  const site = await openSite(browser.context, `https://www.shop-${++sites}.test`, ACCOUNT_ID, clock);
  await site.loadSdk();
  await site.play([{ t: 'event', name: 'Product Viewed', data: { 'Product ID': 42 } }]);
  await site.loadSdk();
  await site.play(steps);
  site.checkDecoding();
  // The visitor leaves the site (no SDK page open: no more pings).
  await site.page.goto(`${site.origin}/away.html`);
  const last = site.requests.at(-1)!.payload as { g: string; s: number; pg: number };
  const cookie = await site.page.evaluate((name) => document.cookie.split('; ').find((c) => c.startsWith(name + '='))?.slice(name.length + 1), `WZRK_S_${ACCOUNT_ID}`);
  // The SDK's cookie (clevertap.js `setSessionCookieObject` → `createCookie`): its session, its last
  // answer (epoch s), its pages; JSON, URL-encoded once.
  const session = JSON.parse(decodeURIComponent(cookie!)) as { s: number; t: number; p?: number };
  expect(session).toMatchObject({ s: last.s, t: expect.any(Number) });
  expect(last).toMatchObject({ g: expect.stringMatching(/^g\d$/), s: expect.any(Number) });
  const now = await site.page.evaluate(() => Date.now());
  await site.advance(session.t * 1000 + gap - now);
  clock = session.t * 1000 + gap + 3_600_000;
  return { site, last, session };
}

type Hub = { setUser(id: string): void; logEvent(name: string): void };

/** The kit on the same origin: `act` with its hub; its uploads, as headers and items. */
async function kitVisit(site: Site, act: (hub: Hub) => void = (hub) => (hub.setUser('user-1'), hub.logEvent('Paid'))) {
  const before = site.uploads.length;
  await site.loadKit();
  await site.page.evaluate(`(${act.toString()})(window.hub)`);
  await site.flush();
  const uploads = site.uploads.slice(before);
  const items = uploads.flatMap((u) => u.body.slice(1).map((i) => ({ ...(i as Item), g: u.body[0].g as string })));
  return { headers: uploads.map((u) => u.body[0]), items };
}

const what = (i: Item) => i.type + ':' + String(i.evtName ?? (i.profile as { Identity?: string } | undefined)?.Identity ?? '');

/** The page request of the SDK loaded again now (the kit leaves the SDK's storage as it found it). */
async function sdkAgain(site: Site) {
  const sent = site.requests.length;
  await site.loadSdk();
  site.checkDecoding();
  return site.requests[sent]!.payload as { type?: string; s?: number; pg: number };
}

it("carries on the SDK's live session: its device id, its session id, its page count; no new session at CleverTap", async () => {
  const { site, last, session } = await sdkVisit(5 * 60_000);
  expect([last.pg, session.p]).toEqual([2, 2]);
  const { headers, items } = await kitVisit(site);
  expect(items.map(what)).toEqual(['page:', 'profile:user-1', 'event:Paid']);
  expect(headers.map((h) => h.g)).toEqual(headers.map(() => last.g));
  // Not a session's first request: CleverTap counts none.
  expect(headers.map((h) => h.frs)).toEqual(headers.map(() => false));
  expect(items.map((i) => [i.s, i.pg])).toEqual(items.map(() => [last.s, 3]));
  // What the SDK, loaded instead, would have sent.
  expect(await sdkAgain(site)).toMatchObject({ s: last.s, pg: 3 });
  await site.page.close();
});

it("starts a new session once the SDK's has expired (20 minutes and 60 s after its last answer), under its device id", async () => {
  const { site, last } = await sdkVisit(1261_000);
  const { headers, items } = await kitVisit(site);
  expect(items.map(what)).toEqual(['page:', 'profile:user-1', 'event:Paid']);
  expect(headers.map((h) => h.g)).toEqual(headers.map(() => last.g));
  expect(headers[0]!.frs).toBe(true);
  const s = items[0]!.s;
  expect(s).toBeGreaterThan(last.s);
  expect(items.map((i) => [i.s, i.pg])).toEqual(items.map(() => [s, 1]));
  // The SDK, loaded again then, starts a new session too.
  const again = await sdkAgain(site);
  expect([again.s, again.pg]).toEqual([undefined, 1]);
  await site.page.close();
});

it('decides as the SDK does within the last second: live while 1260 whole seconds have passed', async () => {
  // 1260.1 s after the SDK's last answer: its clock reads 1260 whole seconds, its session is live.
  const { site, last } = await sdkVisit(1260_100);
  const { headers, items } = await kitVisit(site);
  expect(headers[0]!.frs).toBe(false);
  expect(items.map((i) => i.s)).toEqual(items.map(() => last.s));
  expect(await sdkAgain(site)).toMatchObject({ s: last.s, pg: 3 });
  await site.page.close();
});

it('after a second person signed in with the SDK: their session and page count, and each person their own profile (WZRK_X)', async () => {
  const { site, last } = await sdkVisit(5 * 60_000, [...SIGNED_IN, { t: 'login', identity: 'user-2' }, { t: 'event', name: 'As user-2' }]);
  const guidOf = (identity: string) => site.requests.find((r) => (r.payload.profile as { Identity?: string } | undefined)?.Identity === identity)!.answeredGuid;
  expect(guidOf('user-2')).toBe(last.g);
  expect(guidOf('user-1')).not.toBe(last.g);
  const { headers, items } = await kitVisit(site, (hub) => {
    hub.setUser('user-2');
    hub.logEvent('a');
    hub.setUser('user-1');
    hub.logEvent('b');
  });
  expect(headers[0]!.frs).toBe(false);
  const again = await sdkAgain(site);
  expect(items[0]).toMatchObject({ type: 'page', g: last.g, s: last.s, pg: again.pg });
  expect(again.s).toBe(last.s);
  expect(items.filter((i) => i.type != 'page').map((i) => [what(i), i.g])).toEqual([
    ['profile:user-2', last.g],
    ['event:a', last.g],
    ['profile:user-1', guidOf('user-1')],
    ['event:b', guidOf('user-1')],
  ]);
  await site.page.close();
});

// (A reset and an opt-out, which show in another tab, are in web-sdk-handover.test.ts.)
it("never takes the SDK's device id back after clearStoredData(): later visits go under the hub's", async () => {
  const { site, last } = await sdkVisit(5 * 60_000);
  const first = await kitVisit(site);
  expect(first.headers.map((h) => h.g)).toContain(last.g);
  type W = { hub: { clearStoredData(): Promise<void>; getDeviceId(): string }; cleared: boolean };
  await site.page.evaluate(() => {
    const w = window as unknown as W;
    w.cleared = false;
    void w.hub.clearStoredData().then(() => (w.cleared = true));
  });
  for (let i = 0; i < 100 && !(await site.page.evaluate(() => (window as unknown as W).cleared)); i++) await site.advance(50);
  expect(await site.page.evaluate(() => (window as unknown as W).cleared)).toBe(true);
  // Two later visits, the person signing in again: under the hub's device id, never the SDK's or theirs with it.
  const sent = [await kitVisit(site), await kitVisit(site)];
  const guids = sent.flatMap((visit) => visit.headers.map((h) => h.g as string));
  const hubDevice = await site.page.evaluate(() => (window as unknown as W).hub.getDeviceId());
  expect(guids.length).toBeGreaterThan(0);
  expect(guids).toEqual(guids.map(() => '__' + hubDevice.replace(/-/g, '')));
  await site.page.close();
});
