/**
 * Carrying on from CleverTap's web SDK in the browser runtime, on the fakes of a browser origin: the
 * SDK's keys are in the origin's localStorage, as the SDK leaves them (the real SDK writes them in
 * web-sdk-migration.test.ts). After a deletion, an opt-out or a reset, no page takes the SDK's device
 * id or its identities' ids back: not the tab it happened in, not another tab, not a later visit.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHub, type SessionHub } from '@sessionhub/core';
import { createBrowserHub } from '@sessionhub/core/browser';
import { clevertapKit, type CleverTapMetaHeader, type CleverTapUploadItem } from '@sessionhub/kit-clevertap';
import { FORGETTING_CALLS, fakeOrigin, recordingTransport, tabHubOptions, type FakeOrigin, type FakeTab } from '@sessionhub/testing';
import { ACCOUNT } from './harness';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** What CleverTap's web SDK 2.5.2 stores: its guid, and the guid of the person who signed in with it (URL-encoded JSON). */
function sdkRanHere(origin: FakeOrigin): void {
  origin.backend.set('WZRK_G', encodeURIComponent(JSON.stringify('__sdkdevice')));
  origin.backend.set('WZRK_X', encodeURIComponent(JSON.stringify({ cache: [['sdk-person', '__sdkperson']] })));
}

interface Page {
  readonly tab: FakeTab;
  readonly hub: SessionHub;
  /** Uploads: the header's `g` and the items. */
  readonly sent: { g: string; items: CleverTapUploadItem[] }[];
}

async function openPage(origin: FakeOrigin): Promise<Page> {
  const tab = origin.openTab();
  // The kit reads the SDK's keys from the page's own localStorage, as the SDK wrote them.
  vi.stubGlobal('localStorage', tab.storage);
  const transport = recordingTransport();
  const hub = createBrowserHub({ ...tabHubOptions(tab), logger: silent, kits: [clevertapKit({ ...ACCOUNT, delivery: { transport } })] });
  await hub.start();
  await hub.flush();
  return {
    tab,
    hub,
    get sent() {
      return transport.requests.map((r) => {
        const [header, ...items] = JSON.parse(r.body) as [CleverTapMetaHeader, ...CleverTapUploadItem[]];
        return { g: header.g, items };
      });
    },
  };
}

/** The person of the SDK signs in again, and does something. */
async function signIn(page: Page): Promise<void> {
  page.hub.setUser('sdk-person');
  page.hub.logEvent('Paid');
  await page.hub.flush();
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("CleverTap kit: carrying on from CleverTap's web SDK (browser runtime)", () => {
  it.each(FORGETTING_CALLS)("after %s, no page sends under the SDK's device id or its person's id again", async (_, forget) => {
    const origin = fakeOrigin();
    sdkRanHere(origin);
    const page = await openPage(origin);
    await signIn(page);
    expect(page.sent.map((s) => s.g)).toEqual(['__sdkdevice', '__sdkperson']);
    await forget(page.hub);
    const before = page.sent.length;
    await signIn(page);
    // Another tab now, and a later visit once every tab has closed.
    const other = await openPage(origin);
    await signIn(other);
    page.tab.close();
    other.tab.close();
    const later = await openPage(origin);
    await signIn(later);
    const sent = [...page.sent.slice(before), ...other.sent, ...later.sent];
    expect(sent.length).toBeGreaterThan(2);
    expect(sent.filter((s) => s.g.startsWith('__sdk'))).toEqual([]);
    // The device's own id from the hub's device id (the person signs in on an anonymous device: theirs).
    const own = '__' + later.hub.getDeviceId()!.replace(/-/g, '');
    expect(new Set(sent.map((s) => s.g))).toEqual(new Set([own]));
  });
});

describe("CleverTap kit: carrying on from CleverTap's web SDK in a consent-gated app (browser runtime)", () => {
  it.each(['createHub', 'createBrowserHub'] as const)("%s({ optOut: true }): once the user consents, it goes on under the SDK's device id, and its person's", async (factory) => {
    const origin = fakeOrigin();
    sdkRanHere(origin);
    const tab = origin.openTab();
    vi.stubGlobal('localStorage', tab.storage);
    const transport = recordingTransport();
    const options = { logger: silent, optOut: true, kits: [clevertapKit({ ...ACCOUNT, delivery: { transport } })] };
    // createHub on the page's localStorage, as an app without the browser preset passes it.
    const hub = factory == 'createHub' ? createHub({ ...options, storage: tab.storage }) : createBrowserHub({ ...tabHubOptions(tab), ...options });
    await hub.start();
    await hub.flush();
    expect(transport.requests).toEqual([]);
    await hub.setOptOut(false);
    await signIn({ tab, hub, sent: [] });
    const gs = transport.requests.map((r) => (JSON.parse(r.body) as [CleverTapMetaHeader])[0].g);
    expect(gs).toEqual(['__sdkdevice', '__sdkperson']);
  });
});
