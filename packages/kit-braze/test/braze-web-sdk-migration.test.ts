/**
 * Moving a site off Braze's Web SDK, in Chromium: the real SDK (the pinned devDependency) runs on a
 * page of an origin and leaves its storage; then the same origin loads SessionHub with this kit. The
 * kit keeps Braze's device, sends what the SDK left unsent, and ends the session the SDK left open
 * at its last activity, as the SDK would have, once. After a deletion or an opt-out it never takes
 * that device back.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium, type TestBrowser } from '@sessionhub/testing/chromium';
import type { BrazeSdkEvent } from '@sessionhub/kit-braze';
import { API_KEY, BASE_URL, load, openSdk, settle, T0, untilStarted, type Side } from './conformance/pages';

let browser: TestBrowser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const eventsOf = (side: Side, from = 0): BrazeSdkEvent[] => side.requests.slice(from).flatMap((r) => r.body.events as BrazeSdkEvent[]);

async function startKit(side: Side): Promise<void> {
  await side.page.evaluate(
    async ([key, baseUrl]) => {
      const { createBrowserHub, brazeKit } = window.SessionHubTest;
      window.hub = createBrowserHub({ kits: [brazeKit({ apiKey: key, baseUrl })] });
      window.hubStarted = false;
      void window.hub.start().then(() => (window.hubStarted = true));
    },
    [API_KEY, BASE_URL] as const,
  );
  await untilStarted(side);
  await settle(side);
  await side.page.evaluate(() => void window.hub.flush());
  await settle(side);
}

/** The Braze Web SDK, in the side page, opens a session for the user "ada". */
const sdkSessionOfAda = (side: Side): Promise<void> =>
  side.page.evaluate(
    ([key, baseUrl]) => {
      window.braze.initialize(key, { baseUrl });
      window.braze.openSession();
      window.braze.changeUser('ada');
    },
    [API_KEY, BASE_URL] as const,
  );

it("keeps Braze's device, sends what the SDK left unsent and ends its open session at its last activity, once", async () => {
  const side = await openSdk(browser.context, T0);
  await sdkSessionOfAda(side);
  await settle(side);
  await side.page.clock.runFor(3000);
  await side.page.evaluate(() => window.braze.logCustomEvent('left_unsent', { n: 1 }));
  await settle(side);
  const sdkRequests = side.requests.length;
  const sdkEvents = eventsOf(side);
  const deviceId = side.requests[0]!.body.device_id as string;
  const session = sdkEvents.find((e) => e.name == 'ss' && e.user_id == 'ada')!;
  expect(session).toBeDefined();
  expect(sdkEvents.some((e) => e.name == 'ce')).toBe(false); // still in the SDK's queue

  // The site deploys SessionHub instead: the same origin, a new page load, 2 s later.
  await side.page.clock.runFor(2000);
  await load(side, 'kit');
  await startKit(side);
  const sent = eventsOf(side, sdkRequests);
  expect(side.requests.slice(sdkRequests).every((r) => r.body.device_id == deviceId)).toBe(true);
  const left = sent.filter((e) => e.name == 'ce' && (e.data as { n: string }).n == 'left_unsent');
  expect(left).toEqual([{ name: 'ce', time: (T0 + 3000) / 1000, data: { n: 'left_unsent', p: { n: 1 } }, session_id: session.session_id, user_id: 'ada' }]);
  // The SDK's session lasted 3 s: the SDK stretches such a session to its 10 s minimum.
  const ends = sent.filter((e) => e.name == 'se' && e.session_id == session.session_id);
  expect(ends).toEqual([{ name: 'se', time: (T0 + 10_000) / 1000, data: { d: 10 }, session_id: session.session_id, user_id: 'ada' }]);

  // Once: the next load sends none of it again.
  const before = side.requests.length;
  await load(side, 'kit');
  await startKit(side);
  const again = eventsOf(side, before);
  expect(again.filter((e) => e.session_id == session.session_id)).toEqual([]);
  expect(side.requests.slice(before).every((r) => r.body.device_id == deviceId)).toBe(true);
  expect(side.console.filter((l) => l.startsWith('pageerror'))).toEqual([]);
});

/**
 * Runs the page hub's `how` to its end: its tabs' commits wait on the page's paused clock, run in
 * 50 ms steps (Braze's answers given as they come).
 */
async function forget(side: Side, how: 'clearStoredData' | 'optOut'): Promise<void> {
  await side.page.evaluate((how) => {
    const { hub } = window;
    window.hubStarted = false;
    const done = how == 'clearStoredData' ? hub.clearStoredData() : hub.setOptOut(true).then(() => hub.setOptOut(false));
    void done.then(() => (window.hubStarted = true));
  }, how);
  for (let i = 0; i < 100 && !(await side.page.evaluate(() => window.hubStarted)); i++) {
    await Promise.all(side.held.splice(0).map((fulfill) => fulfill()));
    await side.page.clock.runFor(50);
  }
  expect(await side.page.evaluate(() => window.hubStarted)).toBe(true);
  await settle(side);
}

// (A reset, which shows in another tab, is in braze-web-sdk-handover.test.ts.)
it.each(['clearStoredData', 'optOut'] as const)("never takes Braze's device back after %s: later loads go on with the hub's device id", async (how) => {
  // Each case on an origin of its own, an hour after the one before (the context's clock only moves on).
  const side = await openSdk(browser.context, T0 + 3_600_000 * (how == 'optOut' ? 2 : 1));
  await sdkSessionOfAda(side);
  await settle(side);
  const deviceId = side.requests[0]!.body.device_id as string;
  const session = eventsOf(side).find((e) => e.name == 'ss')!.session_id;
  await side.page.clock.runFor(2000);
  await load(side, 'kit');
  await startKit(side);
  expect(side.requests.at(-1)!.body.device_id).toBe(deviceId); // adopted

  await forget(side, how);
  const hubDevice = await side.page.evaluate(() => window.hub.getDeviceId());
  expect(hubDevice).not.toBe(deviceId);
  const before = side.requests.length;
  // Two loads: neither takes it back.
  for (let n = 0; n < 2; n++) {
    await load(side, 'kit');
    await startKit(side);
    await side.page.evaluate(() => void window.hub.logEvent('after'));
    await side.page.evaluate(() => void window.hub.flush());
    await settle(side);
  }
  const after = side.requests.slice(before);
  expect(after.length).toBeGreaterThan(0);
  expect(after.map((r) => r.body.device_id)).toEqual(after.map(() => hubDevice));
  expect(eventsOf(side, before).filter((e) => e.session_id == session || e.user_id == 'ada')).toEqual([]);
  expect(side.console.filter((l) => l.startsWith('pageerror'))).toEqual([]);
});
