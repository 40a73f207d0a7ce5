/**
 * The hand-over from Braze's Web SDK in the browser runtime, on the fakes of a browser origin: the
 * SDK's keys are in the origin's localStorage, as the SDK leaves them (the real SDK writes them in
 * braze-web-sdk-migration.test.ts). It happens once per browser storage: a second tab sends nothing
 * the SDK left again, and after a deletion, an opt-out or a reset no page takes the SDK's device id back.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHub, type SessionHub } from '@sessionhub/core';
import { createBrowserHub } from '@sessionhub/core/browser';
import { brazeKit, type BrazeRequestBody } from '@sessionhub/kit-braze';
import { FORGETTING_CALLS, fakeOrigin, recordingTransport, tabHubOptions, type FakeOrigin, type FakeTab } from '@sessionhub/testing';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const API_KEY = 'api-key-1';
/** When the SDK last ran: its session started a minute before, its last activity 5 s before. */
const T0 = Date.UTC(2026, 0, 1, 9);

/** What Braze's Web SDK 6.13.0 stores (`g:<id>|e:…|c:<created>|l:<last used>`), its session left open. */
function sdkRanHere(origin: FakeOrigin): void {
  const id = (value: string, last = T0 - 60_000) => JSON.stringify({ v: `g:${value}|e:-1|c:${T0 - 60_000}|l:${last}` });
  origin.backend.set(`ab.storage.deviceId.${API_KEY}`, id('sdk-device'));
  origin.backend.set(`ab.storage.userId.${API_KEY}`, id('sdk-user'));
  origin.backend.set(`ab.storage.sessionId.${API_KEY}`, id('sdk-session', T0 - 5_000));
}

interface Page {
  readonly tab: FakeTab;
  readonly hub: SessionHub;
  /** Request bodies, in order. */
  readonly sent: BrazeRequestBody[];
}

async function openPage(origin: FakeOrigin): Promise<Page> {
  const tab = origin.openTab();
  // The kit reads the SDK's keys from the page's own localStorage, as the SDK wrote them.
  vi.stubGlobal('localStorage', tab.storage);
  const transport = recordingTransport();
  const hub = createBrowserHub({ ...tabHubOptions(tab), logger: silent, kits: [brazeKit({ apiKey: API_KEY, baseUrl: 'sdk.iad-01.braze.com', transport })] });
  await hub.start();
  await hub.flush();
  return {
    tab,
    hub,
    get sent() {
      return transport.requests.map((r) => JSON.parse(r.body) as BrazeRequestBody);
    },
  };
}

/** Whether a request carries anything of the SDK's: its device id, user or session. */
const ofSdk = (body: BrazeRequestBody): boolean => /sdk-(device|user|session)/.test(JSON.stringify(body));

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("Braze kit: the hand-over from Braze's Web SDK (browser runtime)", () => {
  it("sends what the SDK left once: a second tab goes under Braze's device id too, and sends none of it again", async () => {
    const origin = fakeOrigin();
    sdkRanHere(origin);
    const first = await openPage(origin);
    const second = await openPage(origin);
    const ends = (page: Page) => page.sent.flatMap((b) => b.events).filter((e) => e.session_id == 'sdk-session');
    expect(ends(first)).toEqual([{ name: 'se', time: (T0 - 5_000) / 1000, data: { d: 55 }, session_id: 'sdk-session', user_id: 'sdk-user' }]);
    expect(ends(second)).toEqual([]);
    second.hub.logEvent('in_the_second_tab');
    await second.hub.flush();
    expect([...first.sent, ...second.sent].map((b) => b.device_id)).toEqual([...first.sent, ...second.sent].map(() => 'sdk-device'));
  });

  it.each(FORGETTING_CALLS)("after %s, no page takes the SDK's device id back, nor sends what it left again", async (_, forget) => {
    const origin = fakeOrigin();
    sdkRanHere(origin);
    const page = await openPage(origin);
    expect(page.sent.map((b) => b.device_id)).toContain('sdk-device');
    await forget(page.hub);
    const deviceId = page.hub.getDeviceId()!;
    const before = page.sent.length;
    page.hub.logEvent('after');
    await page.hub.flush();
    // Another tab now, and a later visit once every tab has closed.
    const other = await openPage(origin);
    other.hub.logEvent('in_another_tab');
    await other.hub.flush();
    page.tab.close();
    other.tab.close();
    const later = await openPage(origin);
    later.hub.logEvent('next_visit');
    await later.hub.flush();
    const sent = [...page.sent.slice(before), ...other.sent, ...later.sent];
    expect(sent.filter(ofSdk)).toEqual([]);
    expect(new Set(sent.map((b) => b.device_id))).toEqual(new Set([deviceId]));
    expect(later.hub.getDeviceId()).toBe(deviceId);
    expect(sent.flatMap((b) => b.events).filter((e) => e.name == 'ce').map((e) => (e.data as { n: string }).n)).toEqual(['after', 'in_another_tab', 'next_visit']);
  });
});

describe("Braze kit: the hand-over in a consent-gated app (browser runtime)", () => {
  it.each(['createHub', 'createBrowserHub'] as const)("%s({ optOut: true }): the SDK's device is handed over once the user consents, not lost to the launch before consent", async (factory) => {
    const origin = fakeOrigin();
    sdkRanHere(origin);
    const tab = origin.openTab();
    vi.stubGlobal('localStorage', tab.storage);
    const transport = recordingTransport();
    const kits = [brazeKit({ apiKey: API_KEY, baseUrl: 'sdk.iad-01.braze.com', transport })];
    const options = { logger: silent, optOut: true, kits };
    // createHub on the page's localStorage, as an app without the browser preset passes it.
    const hub = factory == 'createHub' ? createHub({ ...options, storage: tab.storage }) : createBrowserHub({ ...tabHubOptions(tab), ...options });
    await hub.start();
    expect(hub.logEvent('before_consent')).toBe(false);
    await hub.flush();
    expect(transport.requests).toEqual([]);
    await hub.setOptOut(false);
    hub.logEvent('after_consent');
    await hub.flush();
    const sent = transport.requests.map((r) => JSON.parse(r.body) as BrazeRequestBody);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.map((b) => b.device_id)).toEqual(sent.map(() => 'sdk-device'));
    const events = sent.flatMap((b) => b.events);
    expect(events.filter((e) => e.session_id == 'sdk-session' && e.name == 'se')).toHaveLength(1);
    expect(events.filter((e) => e.name == 'ce').map((e) => (e.data as { n: string }).n)).toEqual(['after_consent']);
  });
});

describe("Braze kit: a reset while a tab's page was closed (browser runtime)", () => {
  it("the tab that opens in that page's place forgets the SDK's device id too", async () => {
    const origin = fakeOrigin();
    sdkRanHere(origin);
    const first = await openPage(origin);
    const closed = await openPage(origin);
    closed.tab.close(); // its kit keeps the SDK's device id in its own storage, and is not told of the reset
    vi.stubGlobal('localStorage', first.tab.storage);
    await first.hub.reset();
    const deviceId = first.hub.getDeviceId()!;
    const reopened = await openPage(origin);
    reopened.hub.logEvent('in_the_reopened_tab');
    await reopened.hub.flush();
    const sent = reopened.sent.filter((b) => b.events.some((e) => e.name == 'ce'));
    expect(sent.map((b) => b.device_id)).toEqual([deviceId]);
    expect(reopened.sent.filter((b) => b.device_id != deviceId).flatMap((b) => b.events)).toEqual([]);
  });
});
