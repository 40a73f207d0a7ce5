import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionHub } from '@sessionhub/core';
import { createBrowserHub } from '@sessionhub/core/browser';
import { brazeKit, type BrazeRequestBody } from '@sessionhub/kit-braze';
// The core's fakes of a browser origin (localStorage, Web Locks, Page Lifecycle events), so the
// kit is driven by the real browser runtime, as in a page.
import { fakeOrigin, recordingTransport, storedView, tabHubOptions, type FakeOrigin, type FakeTab } from '@sessionhub/testing';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

interface Sent {
  readonly body: BrazeRequestBody;
  readonly keepalive: boolean;
}

interface Page {
  readonly tab: FakeTab;
  readonly hub: SessionHub;
  /** Requests as the transport received them, recorded synchronously. */
  readonly sent: Sent[];
}

async function openPage(origin: FakeOrigin): Promise<Page> {
  const tab = origin.openTab();
  const transport = recordingTransport();
  const hub = createBrowserHub({
    ...tabHubOptions(tab),
    logger: silent,
    kits: [brazeKit({ apiKey: 'api-key-1', baseUrl: 'sdk.iad-01.braze.com', transport })],
  });
  await hub.start();
  return {
    tab,
    hub,
    get sent() {
      return transport.requests.map((r) => ({ body: JSON.parse(r.body) as BrazeRequestBody, keepalive: r.keepalive }));
    },
  };
}

const names = (sent: readonly Sent[]): string[] => sent.flatMap((s) => s.body.events.map((e) => (e.name === 'ce' ? `ce:${e.data.n}` : e.name)));

/** Stored outbox items of the Braze kit, in any tab slot of the origin. */
const storedItems = (origin: FakeOrigin): string[] =>
  [...storedView(origin.backend)].filter(([key]) => /:kit:braze:outbox:\d+$/.test(key)).map(([, value]) => value);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: Date.UTC(2026, 0, 1, 9) });
});
afterEach(() => vi.useRealTimers());

describe('Braze kit at page hide (browser runtime)', () => {
  it('at pagehide, sends what was queued since the page was hidden at once, with keepalive, and keeps it stored', async () => {
    const origin = fakeOrigin();
    const page = await openPage(origin);
    page.tab.hide();
    await vi.advanceTimersByTimeAsync(1000);
    expect(names(page.sent)).toEqual(['ss']);
    page.hub.logEvent('read_later');
    page.tab.close(); // nothing asynchronous runs after pagehide: no await before the checks
    expect(page.sent).toHaveLength(2);
    expect(page.sent[1]).toMatchObject({ keepalive: true });
    expect(names(page.sent.slice(1))).toEqual(['ce:read_later']);
    // Written before the request went: if it never arrives, the next visit sends it.
    expect(storedItems(origin).some((value) => value.includes('"n":"read_later"'))).toBe(true);
  });

  it('when a hidden page is frozen, sends with keepalive at once', async () => {
    const origin = fakeOrigin();
    const page = await openPage(origin);
    page.tab.hide();
    await vi.advanceTimersByTimeAsync(1000);
    page.hub.logEvent('background_sync');
    page.tab.freeze();
    // The ss went at once when the session started (an ordinary request); the event with keepalive at the freeze.
    expect(page.sent.map((s) => s.keepalive)).toEqual([false, true]);
    expect(names(page.sent)).toEqual(['ss', 'ce:background_sync']);
  });

  it('the next visit sends at once what a closed page left stored', async () => {
    const origin = fakeOrigin();
    const first = await openPage(origin);
    first.tab.hide();
    await vi.advanceTimersByTimeAsync(1000);
    first.hub.logEvent('read_later');
    first.tab.close(); // its keepalive answer never reaches the page: the item stays stored
    await vi.advanceTimersByTimeAsync(500); // a reload
    const second = await openPage(origin);
    await vi.advanceTimersByTimeAsync(0);
    // Not after the 10 s flush interval: at once, with the same event (at-least-once).
    expect(names(second.sent)).toContain('ce:read_later');
    expect(second.sent[0]!.body.events.map((e) => e.time)).toContain(first.sent[1]!.body.events[0]!.time);
  });
});
