/**
 * The kit in tabs sharing one session (`createBrowserHub` over the core's fakes of a browser origin,
 * each tab with its own kit and ledger): a session's start, its items and its end are delivered in
 * whichever tabs committed them, so the tab that ends a session is often not the one that opened
 * it at CleverTap. Every CleverTap session must still be concluded exactly once.
 */
import type { SessionHub } from '@sessionhub/core';
import { createBrowserHub, type BrowserHubOptions } from '@sessionhub/core/browser';
import { cleverTapGuid, clevertapKit, type CleverTapEventItem, type CleverTapUploadItem } from '@sessionhub/kit-clevertap';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeOrigin, recordingTransport, tabHubOptions, type FakeOrigin, type FakeTab } from '@sessionhub/testing';
import { ACCOUNT } from './harness';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

interface Page {
  readonly tab: FakeTab;
  readonly hub: SessionHub;
  /** The items this tab's kit sent. */
  readonly items: () => CleverTapUploadItem[];
  /** The device id (`g`, in the header) of each request this tab's kit sent. */
  readonly guids: () => string[];
}

/** Lets the tabs' commits (their settle waits) and deliveries run. */
const settle = (pages: readonly Page[]): Promise<unknown> => {
  const flushed = Promise.all(pages.map((p) => p.hub.flush()));
  return vi.advanceTimersByTimeAsync(5_000).then(() => flushed);
};

/** Hub options every tab of a test shares. */
type Rules = Pick<BrowserHubOptions, 'newSessionOnUserChange'>;

async function openPage(origin: FakeOrigin, pages: Page[], rules: Rules = {}): Promise<Page> {
  const tab = origin.openTab();
  const transport = recordingTransport();
  const hub = createBrowserHub({ ...tabHubOptions(tab), ...rules, logger: silent, kits: [clevertapKit({ ...ACCOUNT, sessionConcluded: true, delivery: { transport } })] });
  const started = hub.start();
  await vi.advanceTimersByTimeAsync(1_000);
  await started;
  const bodies = (): Array<[{ g: string }, ...CleverTapUploadItem[]]> => transport.requests.map((r) => JSON.parse(r.body));
  const page: Page = { tab, hub, items: () => bodies().flatMap((b) => b.slice(1) as CleverTapUploadItem[]), guids: () => bodies().map((b) => b[0].g) };
  pages.push(page);
  await settle(pages);
  return page;
}

const isConcluded = (i: CleverTapUploadItem): boolean => i.type === 'event' && i.evtName === 'Session Concluded';

/** Per CleverTap session id `s` any tab sent items with: how many `Session Concluded` it got. */
function concludedPerSession(pages: readonly Page[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const item of pages.flatMap((p) => p.items())) {
    if (!item.s) continue;
    counts[item.s] = (counts[item.s] ?? 0) + (isConcluded(item) ? 1 : 0);
  }
  return counts;
}

const once = (counts: Record<number, number>): Record<number, number> => Object.fromEntries(Object.keys(counts).map((s) => [s, 1]));

/** Every CleverTap session any tab sent items of got exactly one `Session Concluded`; `sessions` of them when given. */
function expectEachConcludedOnce(pages: readonly Page[], sessions?: number): void {
  const counts = concludedPerSession(pages);
  if (sessions !== undefined) expect(Object.keys(counts)).toHaveLength(sessions);
  expect(counts).toEqual(once(counts));
}

/** An origin with two open tabs, `a` and `b`; `pages` lists every tab opened in it. */
async function twoTabs(rules?: Rules): Promise<{ origin: FakeOrigin; pages: Page[]; a: Page; b: Page }> {
  const origin = fakeOrigin();
  const pages: Page[] = [];
  const a = await openPage(origin, pages, rules);
  const b = await openPage(origin, pages, rules);
  return { origin, pages, a, b };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: Date.UTC(2026, 0, 1, 9) });
});
afterEach(() => vi.useRealTimers());

describe('CleverTap kit in tabs sharing one session', () => {
  it('concludes a session a newly opened tab started, when another tab ends it before any event', async () => {
    const { origin, pages, a, b } = await twoTabs();
    a.hub.endSession();
    await settle(pages);
    // No session now: the next tab's arrival in the foreground starts one, and its kit opens it at
    // CleverTap (a page item with a new s)…
    await vi.advanceTimersByTimeAsync(2_000);
    const c = await openPage(origin, pages);
    expect(c.items().map((i) => i.type)).toEqual(['page']);
    // …which another tab ends, whose own ledger never saw it (the Chromium trace: a reload's end
    // committed late, then a new tab, then an end in the reloaded tab).
    b.hub.endSession();
    await settle(pages);
    expectEachConcludedOnce(pages, 2);
  });

  it('concludes a session one tab started (startNewSession) and only other tabs sent events of', async () => {
    const { pages, a, b } = await twoTabs();
    await vi.advanceTimersByTimeAsync(2_000);
    a.hub.startNewSession();
    await settle(pages);
    b.hub.logEvent('read');
    await settle(pages);
    a.hub.endSession();
    await settle(pages);
    expectEachConcludedOnce(pages, 2);
  });

  it('concludes a session whose only item is a sign-in in one tab, when another tab ends it', async () => {
    const { pages, a, b } = await twoTabs();
    await vi.advanceTimersByTimeAsync(2_000);
    a.hub.startNewSession(); // anonymous, nothing sent of it
    await settle(pages);
    await vi.advanceTimersByTimeAsync(3_000);
    a.hub.setUser('ann'); // the same session: its page and the profile, from tab a only
    await settle(pages);
    const profile = a.items().find((i) => i.type === 'profile')!;
    expect(profile.s).toBeGreaterThan(0);
    b.hub.endSession(); // tab b's ledger never saw it, and it has no events
    await settle(pages);
    expectEachConcludedOnce(pages, 2);
    // Concluded at its one item (the sign-in), with a length of 0.
    const c = pages.flatMap((p) => p.items()).filter(isConcluded).find((i) => i.s === profile.s) as CleverTapEventItem;
    expect([c.ep, c.evtData['Session Length']]).toEqual([profile.ep, 0]);
  });

  // With newSessionOnUserChange: false a log-out (or an identity the kit refuses) after a sign-in
  // keeps the session, and the end record's user is then not the one whose profile opened it.
  for (const [last, lastUser] of [
    ['a log-out', null],
    ['an identity the kit refuses', ' '.repeat(3)],
  ] as const) {
    it(`concludes a session whose sign-in one tab sent, when its last user change was ${last} and another tab ends it`, async () => {
      const { pages, a, b } = await twoTabs({ newSessionOnUserChange: false });
      await vi.advanceTimersByTimeAsync(2_000);
      a.hub.startNewSession(); // anonymous, nothing sent of it
      await settle(pages);
      await vi.advanceTimersByTimeAsync(3_000);
      a.hub.setUser('ann'); // its page and ann's profile, from tab a only
      await settle(pages);
      await vi.advanceTimersByTimeAsync(2_000);
      a.hub.setUser(lastUser); // the same session; nothing sent
      await settle(pages);
      const profile = a.items().find((i) => i.type === 'profile')!;
      expect(profile.s).toBeGreaterThan(0);
      b.hub.endSession(); // tab b's ledger never saw it, and it has no events
      await settle(pages);
      expectEachConcludedOnce(pages, 2);
      // Concluded at its first item (the sign-in), with a length of 0, as tab a would have.
      const c = pages.flatMap((p) => p.items()).filter(isConcluded).find((i) => i.s === profile.s) as CleverTapEventItem;
      expect([c.ep, c.evtData['Session Length']]).toEqual([profile.ep, 0]);
    });
  }

  it('concludes such a session when every tab crashed after the log-out and a page opened later ends it', async () => {
    const rules = { newSessionOnUserChange: false };
    const { origin, pages, a, b } = await twoTabs(rules);
    await vi.advanceTimersByTimeAsync(2_000);
    b.hub.startNewSession();
    await settle(pages);
    await vi.advanceTimersByTimeAsync(3_000);
    b.hub.setUser('ann'); // its page and ann's profile, from tab b only
    await settle(pages);
    await vi.advanceTimersByTimeAsync(2_000);
    b.hub.setUser(null);
    await settle(pages);
    a.tab.crash();
    b.tab.crash();
    await vi.advanceTimersByTimeAsync(10_000);
    // The next page takes the lowest free slot (tab a's): its kit's ledger never saw the session,
    // which it continues (within the timeout) and ends.
    const c = await openPage(origin, pages, rules);
    c.hub.endSession();
    await settle(pages);
    expectEachConcludedOnce(pages, 2);
  });

  it('property: whatever user changes either tab made in a session, the tab that ends it concludes each CleverTap session once', async () => {
    const USERS = ['ann', 'bob', ' '.repeat(3), null] as const;
    /** An id the kit takes as an identity (it refuses one with nothing left once cleaned). */
    const takes = (user: string | null): boolean => user !== null && user.trim() !== '';
    /** The case the end record cannot tell (docs/kits/clevertap.md): a refused id first, then one the kit takes, last a log-out or a refused id. */
    function untold(users: readonly (string | null)[]): boolean {
      const changes = users.filter((u, i) => u !== (i ? users[i - 1] : null));
      const first = changes.find((u) => u !== null);
      return first !== undefined && !takes(first) && changes.some(takes) && !takes(changes[changes.length - 1]!);
    }
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(fc.tuple(fc.boolean(), fc.constantFrom(...USERS)), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (newSessionOnUserChange, changes, endInA) => {
          fc.pre(newSessionOnUserChange || !untold(changes.map(([, user]) => user)));
          const { pages, a, b } = await twoTabs({ newSessionOnUserChange });
          try {
            await vi.advanceTimersByTimeAsync(2_000);
            a.hub.startNewSession(); // anonymous, nothing sent of it
            await settle(pages);
            for (const [inA, user] of changes) {
              await vi.advanceTimersByTimeAsync(1_000);
              (inA ? a : b).hub.setUser(user);
              await settle(pages);
            }
            (endInA ? a : b).hub.endSession();
            await settle(pages);
            expectEachConcludedOnce(pages);
          } finally {
            // Shut down, letting the timers their last writes wait for run.
            const down = Promise.all(pages.map((p) => p.hub.shutdown()));
            await vi.advanceTimersByTimeAsync(5_000);
            await down;
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('concludes a session a log-out started (trigger user-change) once a sign-in in it sent a profile, whichever tab ends it', async () => {
    const { pages, a, b } = await twoTabs();
    a.hub.setUser('ann');
    await settle(pages);
    await vi.advanceTimersByTimeAsync(2_000);
    a.hub.setUser(null); // ends ann's session, starts an anonymous one: nothing sent of it
    await settle(pages);
    await vi.advanceTimersByTimeAsync(2_000);
    a.hub.setUser('bob'); // a sign-in in that session: its page and bob's profile
    await settle(pages);
    b.hub.endSession();
    await settle(pages);
    expectEachConcludedOnce(pages, 2);
  });

  it('concludes no session a change of signed-in user started, when nothing was sent in it (its profile went out with s 0)', async () => {
    const { pages, a, b } = await twoTabs();
    a.hub.setUser('ann');
    await settle(pages);
    await vi.advanceTimersByTimeAsync(2_000);
    a.hub.setUser('bob'); // ends ann's session; bob's starts (trigger user-change) after his profile
    await settle(pages);
    expect(a.items().filter((i) => i.type === 'profile').map((i) => i.s)).toEqual([expect.any(Number), 0]);
    b.hub.endSession();
    await settle(pages);
    expect(pages.flatMap((p) => p.items()).filter(isConcluded)).toHaveLength(1);
    expectEachConcludedOnce(pages);
  });

  it('concludes no session for a sign-in the kit refused (no item sent), whichever tab ends it', async () => {
    const { pages, a, b } = await twoTabs();
    await vi.advanceTimersByTimeAsync(2_000);
    a.hub.startNewSession();
    await settle(pages);
    a.hub.setUser(' '.repeat(3)); // nothing left of it once cleaned: refused (412), nothing sent
    await settle(pages);
    b.hub.endSession();
    await settle(pages);
    expect(pages.flatMap((p) => p.items()).filter(isConcluded)).toHaveLength(1);
    expectEachConcludedOnce(pages);
  });

  it('a page that opens in the slot of a page closed before another tab reset the device sends as the new device, with nothing of the old one', async () => {
    const { origin, pages, a, b } = await twoTabs();
    b.hub.setUser('ann');
    await settle(pages);
    const old = cleverTapGuid(a.hub.getDeviceId()!);
    b.tab.close();
    await settle(pages);
    a.hub.reset();
    await settle(pages);
    const device = cleverTapGuid(a.hub.getDeviceId()!);
    expect(device).not.toBe(old);
    // Takes the closed page's slot, and its kit the ledger that page left (ann signed in, under the old device).
    const c = await openPage(origin, pages);
    c.hub.logEvent('read');
    c.hub.setUser('ann');
    await settle(pages);
    // Its first request went under the new device; ann's profile is not linked to her old guid.
    expect(c.guids()).not.toHaveLength(0);
    expect(c.guids()[0]).toBe(device);
    const annBefore = b.guids().at(-1)!;
    expect(c.guids()).not.toContain(annBefore);
    expect(c.guids()).not.toContain(old);
  });

  it('sends no Session Concluded for a session no tab sent an item of', async () => {
    const { pages, a, b } = await twoTabs();
    await vi.advanceTimersByTimeAsync(2_000);
    a.hub.startNewSession(); // ends the launch's session; the new one sends nothing
    await settle(pages);
    b.hub.endSession();
    await settle(pages);
    expect(pages.flatMap((p) => p.items()).filter(isConcluded)).toHaveLength(1);
    expectEachConcludedOnce(pages);
  });
});
