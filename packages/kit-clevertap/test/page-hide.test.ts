/**
 * The kit driven by the real browser runtime (`createBrowserHub` over the core's fakes of a browser
 * origin): at pagehide and freeze only synchronous work is sure to run.
 */
import type { SessionHub } from '@sessionhub/core';
import { createBrowserHub } from '@sessionhub/core/browser';
import { clevertapKit, type CleverTapUploadItem } from '@sessionhub/kit-clevertap';
import { decodeLedger, ID, S, type SessionLedger } from '../src/session-ledger';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeOrigin, recordingTransport, storedView, tabHubOptions, type FakeOrigin, type FakeTab } from '@sessionhub/testing';
import { ACCOUNT } from './harness';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

interface Sent {
  readonly items: CleverTapUploadItem[];
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
  const hub = createBrowserHub({ ...tabHubOptions(tab), logger: silent, kits: [clevertapKit({ ...ACCOUNT, delivery: { transport } })] });
  await hub.start();
  return {
    tab,
    hub,
    get sent() {
      return transport.requests.map((r) => {
        const [, ...items] = JSON.parse(r.body) as [unknown, ...CleverTapUploadItem[]];
        return { items, keepalive: r.keepalive };
      });
    },
  };
}

const names = (sent: readonly Sent[]): string[] => sent.flatMap((s) => s.items.map((i) => (i.type === 'event' ? i.evtName : i.type)));

/** The session ids as stored in the origin's localStorage (tab slot 0). */
function storedLedger(origin: FakeOrigin): SessionLedger {
  const text = [...storedView(origin.backend)].find(([key]) => key.endsWith(':kit:clevertap:session-ids'))?.[1];
  const ledger = decodeLedger(text ?? '');
  if (!ledger) throw new Error(`no readable session ids stored: ${text}`);
  return ledger;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: Date.UTC(2026, 0, 1, 9) });
});
afterEach(() => vi.useRealTimers());

describe('CleverTap kit at page hide (browser runtime)', () => {
  it('at pagehide, stores the session ids and sends the queue with keepalive before the page goes', async () => {
    const origin = fakeOrigin();
    const page = await openPage(origin);
    const first = page.hub.getSession()!.id;
    page.tab.hide();
    await vi.advanceTimersByTimeAsync(1000);
    expect(names(page.sent)).toEqual(['page']); // the page load opened the session
    page.hub.logEvent('read');
    page.hub.startNewSession(); // a new session: a new id with its first item
    page.hub.logEvent('more');
    const second = page.hub.getSession()!.id;
    page.tab.close(); // nothing asynchronous runs after pagehide: no await before the checks
    expect(page.sent.every((s) => s.keepalive)).toBe(true);
    expect(names(page.sent)).toEqual(['page', 'read', 'page', 'more']); // the new session opens with its first item
    const ledger = storedLedger(origin);
    const ids = [first, second].map((id) => ledger.sessions.find((e) => e[ID] === id)?.[S]);
    expect(ids).toEqual([ledger.last - 1, ledger.last]);
  });

  it('when a hidden page is frozen, sends with keepalive at once', async () => {
    const origin = fakeOrigin();
    const page = await openPage(origin);
    page.tab.hide();
    await vi.advanceTimersByTimeAsync(1000);
    page.hub.logEvent('background_sync');
    page.tab.freeze();
    expect(page.sent).toEqual([
      { keepalive: true, items: [expect.objectContaining({ type: 'page' })] }, // at hide
      { keepalive: true, items: [expect.objectContaining({ evtName: 'background_sync' })] },
    ]);
  });
});
