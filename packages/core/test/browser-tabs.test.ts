import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KitContext, SessionHub, Warning } from '@sessionhub/core';
import { createBrowserHub, type BrowserHubOptions, type LockManagerLike, type StorageEventSource } from '@sessionhub/core/browser';
import { recordingKit, storedView, type RecordingKit } from '@sessionhub/testing';
import { fakeOrigin, tabHubOptions, type FakeOrigin, type FakeTab } from '@sessionhub/testing';
import { expectSessionInvariants, type StreamItem } from './session-invariants';
import type { SlotEntry } from '../src/browser/shared-record';

const SEC = 1000;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

interface Page {
  readonly tab: FakeTab;
  readonly hub: SessionHub;
  readonly kit: RecordingKit;
  readonly warnings: Warning[];
}

/** Opens a page of `origin` running a browser hub; `locks: false` uses the compare-and-set fallback. */
async function openPage(origin: FakeOrigin, options: Partial<BrowserHubOptions> & { hidden?: boolean; withLocks?: boolean; kit?: RecordingKit } = {}): Promise<Page> {
  const { hidden, withLocks = true, kit = recordingKit(), ...hubOptions } = options;
  const tab = origin.openTab({ hidden });
  const warnings: Warning[] = [];
  const hub = createBrowserHub({
    ...tabHubOptions(tab),
    locks: withLocks ? tab.locks : null,
    kits: [kit],
    logger: silent,
    sessionTimeout: 5,
    foregroundTimeout: 30,
    ...hubOptions,
  });
  hub.on('warning', (w) => warnings.push(w));
  let started = false;
  void hub.start().then(() => (started = true));
  // Without Web Locks a commit waits (on the fake clock) for other tabs' writes before it counts.
  for (let i = 0; !started && i < 100; i++) await vi.advanceTimersByTimeAsync(i === 0 ? 0 : 10);
  expect(started).toBe(true);
  return { tab, hub, kit, warnings };
}

/** Lets commits, lock hand-overs and storage events run (and `ms` of time pass). */
async function run(ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await vi.advanceTimersByTimeAsync(0);
}

/** Two pages of one origin, then B takes the state lock until `release()`: A's commits wait for it. */
async function aWaitsForB(): Promise<{ a: Page; b: Page; release: () => void }> {
  const origin = fakeOrigin();
  const a = await openPage(origin);
  const b = await openPage(origin);
  await run(1000);
  let release!: () => void;
  void b.tab.locks.request('sessionhub:state', () => new Promise<void>((done) => (release = done)));
  await run(0);
  return { a, b, release: () => release() };
}

/** A page alone while something else of the origin (a worker, a page of another app version) holds the state lock: its commits wait. */
async function aloneWaiting(): Promise<{ origin: FakeOrigin; a: Page; release: () => void }> {
  const origin = fakeOrigin();
  const a = await openPage(origin);
  await run(1000);
  let release!: () => void;
  void origin.locks.client('other').request('sessionhub:state', () => new Promise<void>((done) => (release = done)));
  await run(0);
  return { origin, a, release: () => release() };
}

/** A died with its call `first` made durable; once B's wait ends, B goes on and ends the session: `first` counted once, before B's event. */
async function expectTakenOver(a: Page, b: Page, release: () => void, first: string): Promise<void> {
  release();
  await run(1000);
  b.hub.logEvent('after');
  await run(1000);
  b.hub.endSession();
  await run(1000);
  const events = [...a.kit.events(), ...b.kit.events()];
  expect(events.map((e) => [e.name, e.eventIndex])).toEqual([
    [first, 1],
    ['after', 2],
  ]);
  expect(ends(a, b).map((e) => e.eventCount)).toEqual([2]);
}

/** A page alone died with its call made durable: once the state lock is free, the next page of the origin opens and ends the session. */
async function endInNextPage(origin: FakeOrigin, release: () => void): Promise<Page> {
  release();
  const c = await openPage(origin);
  c.hub.endSession();
  await run(1000);
  return c;
}

const starts = (...pages: Page[]) => pages.flatMap((p) => p.kit.starts());
const ends = (...pages: Page[]) => pages.flatMap((p) => p.kit.ends());

/** Every session record any tab delivered, in time order (one tab's order is kept for equal times). */
function stream(...pages: Page[]): StreamItem[] {
  const items: Array<StreamItem & { at: number; seq: number }> = [];
  let seq = 0;
  for (const p of pages) {
    for (const c of p.kit.calls) {
      if (c.type === 'onSessionStart') items.push({ type: 'start', record: c.record, at: c.record.startTime, seq: seq++ });
      else if (c.type === 'onSessionEnd') items.push({ type: 'end', record: c.record, at: c.record.endTime, seq: seq++ });
      else if (c.type === 'onEvent') items.push({ type: 'event', record: c.record, at: c.record.timestamp, seq: seq++ });
    }
  }
  const rank = { end: 0, start: 1, event: 2 } as const;
  return items.sort((a, b) => a.at - b.at || rank[a.type] - rank[b.type] || a.seq - b.seq);
}

/**
 * A page's `generateId` making UUID v1-like ids: a time field, a random clock sequence per page, and
 * the device's node field, the same in every tab (each page loads its own copy of the generator).
 */
function v1Like(): () => string {
  let n = 0;
  const clockSeq = (0x8000 | Math.floor(Math.random() * 0x3fff)).toString(16);
  return () => `${(Date.now() * 16 + n++).toString(16).slice(-8)}-0000-1000-${clockSeq}-a1b2c3d4e5f6`;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: Date.UTC(2026, 0, 1, 9) });
});
afterEach(() => vi.useRealTimers());

describe.each([
  ['Web Locks', true],
  ['compare-and-set (no Web Locks)', false],
])('browser tabs: one session per origin, with %s', (_name, withLocks) => {
  it('two tabs share one session, started by exactly one tab; events from both are numbered in one sequence', async () => {
    const origin = fakeOrigin();
    const a = await openPage(origin, { withLocks });
    await run(1 * SEC);
    const b = await openPage(origin, { withLocks });
    await run(1 * SEC);
    expect(starts(a, b)).toHaveLength(1);
    expect(a.kit.starts()).toHaveLength(1);
    const id = a.hub.getSession()?.id;
    expect(id).toBeDefined();
    expect(b.hub.getSession()?.id).toBe(id);

    a.hub.logEvent('a1');
    b.hub.logEvent('b1');
    a.hub.logEvent('a2');
    await run(200);
    b.hub.logEvent('b2');
    await run(200);
    const events = [...a.kit.events(), ...b.kit.events()].sort((x, y) => x.eventIndex - y.eventIndex);
    expect(events.map((e) => e.eventIndex)).toEqual([1, 2, 3, 4]);
    expect(new Set(events.map((e) => e.sessionId))).toEqual(new Set([id]));
    expect(b.kit.events().map((e) => e.name)).toEqual(['b1', 'b2']); // each tab's kits send that tab's events
    expect(a.warnings).toEqual([]);
    expect(b.warnings).toEqual([]);
  });

  it('an event attribute JSON cannot hold (a BigInt, a cycle, a toJSON that throws) reaches the kits of the tab that logged it; the record stores the rest', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const origin = fakeOrigin();
      const a = await openPage(origin, { withLocks });
      const b = await openPage(origin, { withLocks });
      await run(1 * SEC);
      const cycle: Record<string, unknown> = { n: 1 };
      cycle.self = cycle;
      // (Not a plain object: passed to the kits as it is, not copied.)
      const badToJSON = Object.assign(new Date(0), {
        toJSON: (): never => {
          throw new Error('toJSON threw');
        },
      });
      expect(b.hub.logEvent('purchase', { amount: 10n, cycle, badToJSON, currency: 'EUR' })).toBe(true);
      await run(200);
      expect(b.hub.logEvent('next')).toBe(true);
      await run(200);
      expect(b.kit.events().map((e) => e.name)).toEqual(['purchase', 'next']);
      const sent = b.kit.events()[0]!.attributes;
      expect(sent.amount).toBe(10n);
      expect((sent.cycle as Record<string, unknown>).self).toBe(sent.cycle);
      expect(sent.badToJSON).toBe(badToJSON);
      expect(b.kit.events().map((e) => e.eventIndex)).toEqual([1, 2]);
      expect(a.hub.getSession()?.id).toBe(b.hub.getSession()?.id);
      expect([...a.warnings, ...b.warnings]).toEqual([]);
      await Promise.resolve();
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('a page leaving at pagehide beside another hands its calls over with such attributes too: the other tab commits them', async () => {
    const origin = fakeOrigin();
    const a = await openPage(origin, { withLocks });
    const b = await openPage(origin, { withLocks });
    await run(1 * SEC);
    b.hub.logEvent('last', { amount: 10n, ok: true });
    // (No await: nothing asynchronous runs after pagehide.)
    expect(() => b.tab.close()).not.toThrow();
    await run(1 * SEC);
    a.hub.logEvent('after');
    await run(1 * SEC);
    a.hub.endSession();
    await run(1 * SEC);
    expect(ends(a, b).map((e) => e.eventCount)).toEqual([2]);
    // The hand-off's outputs go to the kits of the tab that committed it, as JSON held them.
    expect(a.kit.events().map((e) => [e.name, e.eventIndex, e.attributes])).toEqual([
      ['last', 1, { ok: true }],
      ['after', 2, {}],
    ]);
  });

  it('activity in any tab keeps the session alive; it ends once, at the last activity, when all are hidden long enough', async () => {
    const origin = fakeOrigin();
    const a = await openPage(origin, { withLocks });
    const b = await openPage(origin, { withLocks, hidden: true });
    a.tab.hide();
    await run(3 * SEC);
    b.tab.show();
    b.hub.logEvent('read');
    const lastActivity = Date.now();
    await run(4 * SEC);
    b.tab.hide();
    const hiddenAt = Date.now();
    await run(10 * SEC);
    expect(starts(a, b)).toHaveLength(1);
    expect(ends(a, b)).toHaveLength(1);
    const [end] = ends(a, b);
    expect(end?.reason).toBe('timeout');
    expect(end?.endTime).toBe(hiddenAt); // hiding is the last activity
    expect(end?.endTime).toBeGreaterThan(lastActivity);
    expectSessionInvariants(stream(a, b));
  });

  it('a hidden tab never ends a session a visible tab is using', async () => {
    const origin = fakeOrigin();
    const a = await openPage(origin, { withLocks, foregroundTimeout: null }); // a visible page never idles out
    const b = await openPage(origin, { withLocks });
    b.tab.hide(); // b alone would time out after 5 s in the background
    await run(60 * SEC);
    expect(ends(a, b)).toEqual([]);
    expect(b.hub.getSession()?.id).toBe(a.hub.getSession()?.id);
    a.tab.hide();
    const lastActivity = Date.now();
    await run(6 * SEC);
    expect(ends(a, b)).toHaveLength(1);
    expect(ends(a, b)[0]?.endTime).toBe(lastActivity);
  });

  it('session attribute increments from two tabs both count', async () => {
    const origin = fakeOrigin();
    const a = await openPage(origin, { withLocks });
    const b = await openPage(origin, { withLocks });
    await run(100);
    // Both before either commits: each tab previews 1, the shared session counts 2.
    expect(a.hub.incrementSessionAttribute('articles')).toBe(1);
    expect(b.hub.incrementSessionAttribute('articles')).toBe(1);
    await run(200);
    expect(a.hub.incrementSessionAttribute('articles', 5)).toBe(7);
    await run(200);
    expect(b.hub.getSessionAttributes()).toEqual({ articles: 7 });
    a.hub.endSession();
    await run(200);
    expect(ends(a, b).map((e) => e.attributes)).toEqual([{ articles: 7 }]);
  });

  it('tabs whose generateId makes ids that end alike (UUID v1) close at once: what each left at pagehide counts once', async () => {
    const origin = fakeOrigin();
    const a = await openPage(origin, { withLocks, generateId: v1Like() });
    const b = await openPage(origin, { withLocks, generateId: v1Like() });
    await run(100);
    a.hub.incrementSessionAttribute('articles');
    b.hub.incrementSessionAttribute('articles', 10);
    a.tab.close();
    b.tab.close();
    await run(100);
    const c = await openPage(origin, { withLocks });
    await run(1000);
    expect(c.hub.getSessionAttributes()).toEqual({ articles: 11 });
  });

  it('a user change or a new session in one tab is seen by the other, and started once', async () => {
    const origin = fakeOrigin();
    const a = await openPage(origin, { withLocks });
    const b = await openPage(origin, { withLocks });
    a.hub.setUser('u1');
    await run(100);
    b.hub.setUser('u2'); // identified → another user: a new session
    await run(100);
    expect(a.hub.getUser()).toBe('u2');
    expect(starts(a, b).map((s) => s.trigger)).toEqual(['launch', 'user-change']);
    expect(a.hub.getSession()?.id).toBe(b.hub.getSession()?.id);
    b.hub.startNewSession();
    await run(100);
    expect(starts(a, b)).toHaveLength(3);
    expectSessionInvariants(stream(a, b), { allClosed: false });
  });
});

describe('browser tabs: reloads, closes and crashes', () => {
  it('a reload within the timeout continues the session; after it, the old one ends at its last activity and a new one starts', async () => {
    const origin = fakeOrigin();
    const first = await openPage(origin);
    first.hub.logEvent('read');
    await run(1 * SEC);
    first.tab.close();
    const closedAt = Date.now();
    await run(2 * SEC);
    const second = await openPage(origin);
    expect(second.kit.starts()).toEqual([]);
    expect(second.hub.getSession()?.id).toBe(first.kit.starts()[0]?.sessionId);
    second.hub.logEvent('read more');
    await run(100);
    expect(second.kit.events()[0]?.eventIndex).toBe(2);
    second.tab.close();
    const lastActivity = Date.now();
    await run(10 * SEC);
    const third = await openPage(origin);
    expect(third.kit.ends()).toMatchObject([{ sessionId: first.kit.starts()[0]?.sessionId, reason: 'recovered', endTime: lastActivity }]);
    expect(third.kit.starts()).toHaveLength(1);
    expect(closedAt).toBeLessThan(lastActivity);
  });

  it('a crashed tab (no pagehide) is recovered by the next load: ended at its last activity', async () => {
    const origin = fakeOrigin();
    const page = await openPage(origin, { foregroundTimeout: null });
    page.hub.logEvent('read');
    const lastActivity = Date.now();
    await run(100);
    page.tab.crash(); // visible when it died: the shared state still says "in the foreground"
    await run(60 * SEC);
    const next = await openPage(origin);
    expect(next.kit.ends()).toMatchObject([{ reason: 'recovered', endTime: lastActivity }]);
    expect(next.kit.starts()).toHaveLength(1);
  });

  it('a visible tab that crashed stops holding the session in the foreground for the tabs left', async () => {
    const origin = fakeOrigin();
    const a = await openPage(origin, { foregroundTimeout: null });
    const b = await openPage(origin, { hidden: true });
    a.tab.crash();
    b.hub.logEvent('ping', null, { affectsSession: false }); // any commit that checks liveness notices
    b.tab.show();
    b.tab.hide();
    await run(10 * SEC);
    expect(b.kit.ends()).toHaveLength(1);
  });

  it('at pagehide the page commits and hands its kits their last chance synchronously, events first', async () => {
    const origin = fakeOrigin();
    const order: string[] = [];
    const page = await openPage(origin, {
      kits: [recordingKit('k', { onPageHide: () => order.push('pageHide') })],
    });
    const kit = page.hub.getKitHealth();
    expect(kit.k?.status).toBe('ready');
    page.hub.on('event', (e) => order.push(`event:${e.name}`));
    page.hub.logEvent('last words');
    page.tab.close(); // no await: nothing asynchronous runs after pagehide
    expect(order).toEqual(['event:last words', 'pageHide']);
  });

  it('a kit without onPageHide gets flush() at page hide; one that throws there is isolated', async () => {
    const origin = fakeOrigin();
    const flushed: string[] = [];
    const plain = recordingKit('plain', { flush: () => void flushed.push('plain') });
    const broken = recordingKit('broken', {
      onPageHide: () => {
        throw new Error('boom');
      },
    });
    const page = await openPage(origin, { kits: [broken, plain] });
    page.tab.close();
    expect(flushed).toEqual(['plain']);
    expect(page.hub.getKitHealth().broken?.lastError).toMatch(/onPageHide: Error: boom/);
  });

  it('when hidden (not unloaded) the kits flush with keepalive after the commit', async () => {
    const origin = fakeOrigin();
    const order: string[] = [];
    const page = await openPage(origin, { kits: [recordingKit('k', { onPageHide: () => order.push('pageHide') })] });
    page.hub.on('event', (e) => order.push(`event:${e.name}`));
    page.hub.logEvent('before hiding');
    page.tab.hide();
    await run(200); // the commit lets other tabs' writes land before and after it writes (tab-session.ts)
    expect(order).toEqual(['event:before hiding', 'pageHide']);
  });
});

/** Three kits named `k` (for pages a, b and c) whose health says they hold what `queued` gives for their page. */
function kitsHolding(): { queued: Map<string, number>; kits: [RecordingKit, RecordingKit, RecordingKit] } {
  const queued = new Map<string, number>();
  const kit = (page: string) =>
    recordingKit('k', { getHealth: () => ({ queued: queued.get(page) ?? 0, inFlight: 0, delivered: 0, retried: 0, dropped: {}, lastError: null }) });
  return { queued, kits: [kit('a'), kit('b'), kit('c')] };
}

describe('browser tabs: per-tab outboxes', () => {
  it('open tabs keep their kits’ storage apart; a later tab takes the slot of a closed tab that left items', async () => {
    const origin = fakeOrigin();
    const { queued, kits: [kitA, kitB, kitC] } = kitsHolding();
    const a = await openPage(origin, { kits: [kitA] });
    const b = await openPage(origin, { kits: [kitB] });
    await kitA.context?.storage.set('outbox:meta', 'A');
    await kitB.context?.storage.set('outbox:meta', 'B');
    const stored = storedView(origin.backend);
    expect(stored.get('sessionhub:tab0:kit:k:outbox:meta')).toBe('A');
    expect(stored.get('sessionhub:tab1:kit:k:outbox:meta')).toBe('B');

    queued.set('b', 3); // b closes with 3 items its keepalive requests may not have delivered
    b.tab.close();
    a.tab.close();
    await run(100);
    await openPage(origin, { kits: [kitC] });
    const ctxC = kitC.context;
    expect(await ctxC?.storage.get('outbox:meta')).toBe('B'); // c loads (and sends) what b left
  });

  it('a page alone that leaves at beforeunload with items queued (a commit under way): the next page takes its slot and loads them', async () => {
    const origin = fakeOrigin();
    const { queued, kits: [kitA, kitB, kitC] } = kitsHolding();
    const a = await openPage(origin, { kits: [kitA] }); // slot 0
    const b = await openPage(origin, { kits: [kitB] }); // slot 1
    await kitB.context?.storage.set('outbox:meta', 'B');
    a.tab.close();
    await run(500); // b is alone now
    queued.set('b', 3); // what b's keepalive requests may not deliver
    b.hub.logEvent('last');
    await run(20); // its commit waits for other pages' writes to land: the user navigates away meanwhile
    b.tab.close({ beforeUnload: true });
    await run(100);
    expect(kitB.events().map((e) => e.name)).toEqual(['last']);
    const c = await openPage(origin, { kits: [kitC] });
    expect(await kitC.context?.storage.get('outbox:meta')).toBe('B'); // c loads (and sends) what b left
    expect(c.warnings).toEqual([]);
  });

  it('a page back from the back/forward cache keeps its slot, or moves to an unused one if another page took it', async () => {
    const origin = fakeOrigin();
    const a = await openPage(origin);
    a.tab.toBackForwardCache();
    await run(100);
    a.tab.fromBackForwardCache();
    await run(100);
    expect(a.warnings).toEqual([]);
    expect(origin.locks.heldNames()).toContain('sessionhub:slot:0');

    a.tab.toBackForwardCache();
    await run(100);
    const b = await openPage(origin); // takes the free slot 0
    expect(slotLocks(origin)).toEqual(['sessionhub:slot:0']);
    a.tab.fromBackForwardCache();
    // (Back, a page lets other pages' writes reach its copy of localStorage before it claims a slot.)
    await run(200);
    expect(a.warnings.map((w) => w.message).join()).toMatch(/another page took storage slot 0 while this tab was away; now using slot 1/);
    expect(slotLocks(origin)).toEqual(['sessionhub:slot:0', 'sessionhub:slot:1']);
    expect(a.hub.getSession()?.id).toBe(b.hub.getSession()?.id);
    expect(starts(a, b)).toHaveLength(1);
  });
});

describe('browser tabs: Web Locks that refuse', () => {
  /** `navigator.locks` as an opaque-origin (sandboxed) frame has it: every call rejects with a SecurityError. */
  const refusing = {
    request: () => Promise.reject(new DOMException('The request was denied.', 'SecurityError')),
    query: () => Promise.reject(new DOMException('The request was denied.', 'SecurityError')),
  };

  it('a page whose Web Locks refuse says so once and coordinates by compare-and-set beside a page with them: every call of both counts once, the session starts and ends once', async () => {
    const origin = fakeOrigin();
    // (No foreground timeout: the session outlives the idle minutes below.)
    const a = await openPage(origin, { locks: refusing, foregroundTimeout: null });
    const b = await openPage(origin, { foregroundTimeout: null });
    await run(100);
    for (let i = 0; i < 6; i++) {
      a.hub.incrementSessionAttribute('n');
      a.hub.logEvent(`a${i}`);
      b.hub.incrementSessionAttribute('n');
      b.hub.logEvent(`b${i}`);
      await run(40 * (i % 3));
    }
    await run(2000);
    expect(a.hub.getSessionAttributes()).toEqual({ n: 12 });
    expect(b.hub.getSessionAttributes()).toEqual({ n: 12 });
    // One sequence across both pages: 12 events, numbered 1 to 12, each delivered once, by the page that logged it.
    const events = [...a.kit.events(), ...b.kit.events()];
    expect(events.map((e) => e.eventIndex).sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(a.kit.events().every((e) => e.name.startsWith('a')) && b.kit.events().every((e) => e.name.startsWith('b'))).toBe(true);
    // Page A holds no slot lock now: its entry says so, and its heartbeat keeps it open for the page
    // with Web Locks through minutes without a call (silent for 3 minutes it would count as gone).
    const slots = (): SlotEntry[] => Object.values((JSON.parse(origin.backend.get('sessionhub:shared')!) as { slots: Record<string, SlotEntry> }).slots);
    expect(slots().map((e) => !!e.cas).sort()).toEqual([false, true]);
    await run(4 * 60 * SEC);
    const casEntry = slots().find((e) => e.cas)!;
    expect(casEntry.closed).toBe(false);
    expect(Date.now() - casEntry.seen).toBeLessThanOrEqual(31 * SEC);
    b.hub.logEvent('later');
    await run(2000);
    expect(b.kit.events().at(-1)?.eventIndex).toBe(13);
    a.hub.endSession();
    await run(2000);
    expect(starts(a, b)).toHaveLength(1);
    expect(ends(a, b).map((e) => [e.eventCount, e.attributes])).toEqual([[13, { n: 12 }]]);
    expect(a.warnings.filter((w) => w.code === 'storage-failure').map((w) => w.message)).toEqual([
      expect.stringMatching(/Web Locks failed \(.*SecurityError.*\); coordinating tabs through localStorage alone/),
    ]);
    expect(b.warnings).toEqual([]);
    // (Both pages' calls of one instant race, so their events' numbers need not follow their times:
    // checked as a set above, and here each stamped with the one session.)
    const [start] = starts(a, b);
    expect([...a.kit.events(), ...b.kit.events()].every((e) => e.sessionId === start!.sessionId)).toBe(true);
  });
});

describe('browser tabs: frozen pages', () => {
  it('a frozen page gives its place up; on resume it rejoins the session, in a fresh slot if another page took its own', async () => {
    const origin = fakeOrigin();
    const order: string[] = [];
    const ka = recordingKit('k', { onPageHide: () => order.push('pageHide') });
    const a = await openPage(origin, { kits: [ka] });
    a.hub.logEvent('before freezing');
    a.tab.hide();
    a.tab.freeze(); // may be discarded next: commit and send now
    expect(order).toContain('pageHide');
    await run(0); // the slot lock is released as the browser processes it
    expect(origin.locks.heldNames()).toEqual([]);
    const b = await openPage(origin);
    a.tab.resume();
    a.tab.show();
    await run(200);
    expect(a.warnings.map((w) => w.message).join()).toMatch(/while this tab was away; now using slot 1/);
    expect(a.hub.getSession()?.id).toBe(b.hub.getSession()?.id);
    a.hub.logEvent('after resuming');
    await run(100);
    expect(ka.events().map((e) => [e.name, e.eventIndex])).toEqual([['before freezing', 1], ['after resuming', 2]]);
    expect([...ka.starts(), ...b.kit.starts()]).toHaveLength(1);
  });

  it('a page hidden with a call not committed yet leaves it to the tabs at once: discarded without pagehide, it loses none', async () => {
    const { a, b, release } = await aWaitsForB();
    a.hub.logEvent('before the hide');
    await run(10);
    a.tab.hide();
    // The browser discards the hidden tab (a phone short of memory): no pagehide, no freeze, no code.
    a.tab.crash();
    await expectTakenOver(a, b, release, 'before the hide');
  });

  it('a page alone, hidden with a call not committed yet, writes it at once: discarded without pagehide, it loses none', async () => {
    const { origin, a, release } = await aloneWaiting();
    a.hub.logEvent('before the hide');
    await run(10);
    a.tab.hide();
    a.tab.crash();
    const c = await endInNextPage(origin, release);
    expect(a.kit.events().map((e) => [e.name, e.eventIndex])).toEqual([['before the hide', 1]]);
    expect(ends(a, c).map((e) => e.eventCount)).toEqual([1]);
  });

  it('a page hidden with a call not committed yet, and shown again, goes on under a new page id: each call once', async () => {
    const { a, b, release } = await aWaitsForB();
    a.hub.logEvent('one');
    a.tab.hide();
    a.hub.logEvent('two');
    a.tab.show();
    a.hub.logEvent('three');
    release();
    await run(1000);
    b.hub.endSession();
    await run(1000);
    const events = [...a.kit.events(), ...b.kit.events()].sort((x, y) => x.eventIndex - y.eventIndex);
    expect(events.map((e) => [e.name, e.eventIndex])).toEqual([
      ['one', 1],
      ['two', 2],
      ['three', 3],
    ]);
    expect(ends(a, b).map((e) => e.eventCount)).toEqual([3]);
    expect(a.warnings).toEqual([]);
  });

  it('a page frozen with a commit under way holds no Web Lock; a lock that no page releases is taken after 5 s', async () => {
    // A commit of A waits for the state lock (B holds it), and A is frozen meanwhile: its request is withdrawn.
    const { a, b, release } = await aWaitsForB();
    a.hub.logEvent('left to the tabs');
    await run(10);
    a.tab.hide();
    a.tab.freeze();
    release();
    await run(0);
    // Not granted to the frozen page when B released it (B's own commit of A's hand-off has it now).
    const held = (await a.tab.locks.query()).held as Array<{ name: string; clientId: string }>;
    expect(held.filter((l) => l.clientId == `tab-${a.tab.id}`)).toEqual([]);
    await run(1000);
    // A lock held by no page that will ever release it (Chromium left one so after evicting a page
    // from its back/forward cache): B's commits wait 5 s for it, then take it.
    b.tab.locks.request('sessionhub:state', () => new Promise<void>(() => undefined)).catch(() => undefined);
    await run(0);
    b.hub.logEvent('after the stuck lock');
    await run(4000);
    expect(b.kit.events().map((e) => e.name)).toEqual(['left to the tabs']);
    await run(2000);
    expect(b.kit.events().map((e) => e.name)).toEqual(['left to the tabs', 'after the stuck lock']);
  });
});

describe('browser tabs: leaving at beforeunload', () => {
  /** The names of the Web Locks a page holds once what it released is released (asynchronously, as in browsers). */
  const heldBy = async (page: Page): Promise<string[]> => {
    await vi.advanceTimersByTimeAsync(0);
    return ((await page.tab.locks.query()).held as Array<{ name: string; clientId: string }>).filter((l) => l.clientId == `tab-${page.tab.id}`).map((l) => l.name);
  };

  it('a page that navigates with a call not committed leaves it to the tabs at beforeunload, holding no Web Lock: evicted before its pagehide, it loses none', async () => {
    const { a, b, release } = await aWaitsForB();
    expect(await heldBy(a)).toEqual(['sessionhub:slot:0']);
    a.hub.logEvent('before leaving');
    await run(10);
    a.tab.beforeUnload();
    // Nothing for another tab's question about locks to evict it for (real Chromium does, mid-task).
    expect(await heldBy(a)).toEqual([]);
    a.tab.crash();
    await expectTakenOver(a, b, release, 'before leaving');
  });

  it('a page alone commits its calls at beforeunload: evicted before its pagehide, it loses none', async () => {
    const { origin, a, release } = await aloneWaiting();
    a.hub.logEvent('before leaving');
    await run(10);
    a.tab.beforeUnload();
    // Delivered to its kits in that same task.
    expect(a.kit.events().map((e) => [e.name, e.eventIndex])).toEqual([['before leaving', 1]]);
    expect(await heldBy(a)).toEqual([]);
    a.tab.crash();
    const c = await endInNextPage(origin, release);
    expect(c.kit.events()).toEqual([]);
    expect(ends(a, c).map((e) => e.eventCount)).toEqual([1]);
  });

  it('a page alone that left at beforeunload leaves nothing owed in the record: a later page of its slot delivers nothing again', async () => {
    const origin = fakeOrigin();
    const a = await openPage(origin);
    await run(1000);
    a.hub.logEvent('one');
    a.tab.toBackForwardCache();
    await run(1000);
    a.tab.fromBackForwardCache();
    await run(1000);
    a.hub.logEvent('two');
    await run(1000);
    a.tab.close();
    await run(3000);
    const c = await openPage(origin);
    await run(1000);
    c.hub.endSession();
    await run(1000);
    expect(a.kit.events().map((e) => [e.name, e.eventIndex])).toEqual([
      ['one', 1],
      ['two', 2],
    ]);
    expect(c.kit.events()).toEqual([]);
    expect(ends(a, c).map((e) => e.eventCount)).toEqual([2]);
  });

  it('a page still here after beforeunload (a download, a cancelled navigation) is back at its next call, or 5 s later: each call once', async () => {
    const { a, b, release } = await aWaitsForB();
    a.hub.logEvent('one');
    a.tab.beforeUnload();
    a.hub.logEvent('two');
    release();
    await run(1000);
    expect(await heldBy(a)).toEqual(['sessionhub:slot:0']);
    a.hub.logEvent('three');
    a.tab.beforeUnload();
    // Away until its next call or 5 s, it answers with its calls on the record it left (they are the tabs' to commit).
    expect(a.hub.getSession()!.eventIndex).toBe(3);
    expect(await heldBy(a)).toEqual([]);
    await run(4000);
    expect(await heldBy(a)).toEqual([]);
    // (Then it lets other pages' writes land before it claims its slot again.)
    await run(1100);
    expect(await heldBy(a)).toEqual(['sessionhub:slot:0']);
    // Back on its own, it answers with the session as the other page committed it meanwhile, its own
    // last call included (it heard of no write while it was away).
    expect(a.hub.getSession()).toEqual(b.hub.getSession());
    expect(a.hub.getSession()!.eventIndex).toBe(3);
    a.hub.logEvent('four');
    await run(1000);
    b.hub.endSession();
    await run(1000);
    const events = [...a.kit.events(), ...b.kit.events()].sort((x, y) => x.eventIndex - y.eventIndex);
    expect(events.map((e) => [e.name, e.eventIndex])).toEqual([
      ['one', 1],
      ['two', 2],
      ['three', 3],
      ['four', 4],
    ]);
    expect(ends(a, b).map((e) => e.eventCount)).toEqual([4]);
    expect([...a.warnings, ...b.warnings]).toEqual([]);
  });

  it('a page that left at beforeunload asks for no Web Lock until it is back, whatever of its commit or slot claim was still running', async () => {
    // Real Chromium freezes the page in its back/forward cache at pagehide: a lock granted to a request
    // made after beforeunload and not released by then is held by a frozen page, and the next page's
    // query() evicts it (`weblocks-contention`; a slot request pending at pagehide came as `masked`).
    const origin = fakeOrigin();
    const b = await openPage(origin);
    const tab = origin.openTab();
    let left = false;
    const asked: string[] = [];
    /** Runs once, as the answer to the page's next query() comes: the navigation starts while the question is in flight. */
    let answering: (() => void) | undefined;
    const locks: LockManagerLike = {
      request: ((name: string, ...rest: unknown[]) => (left && asked.push(name), (tab.locks.request as (...args: unknown[]) => Promise<unknown>)(name, ...rest))) as LockManagerLike['request'],
      async query() {
        const answer = await tab.locks.query();
        const then = answering;
        answering = undefined;
        then?.();
        return answer;
      },
    };
    const leave = (): void => ((left = true), tab.beforeUnload());
    const kit = recordingKit();
    const a = createBrowserHub({ ...tabHubOptions(tab), locks, kits: [kit], logger: silent, sessionTimeout: 5, foregroundTimeout: 30 });
    const starting = a.start();
    await run(1000);
    await starting;
    // Beside another page, its commit holds the state lock through the settle wait: it leaves in it.
    a.logEvent('one');
    await run(10);
    leave();
    await run(1000);
    expect(asked, 'requested after leaving mid-commit').toEqual([]);
    tab.toBackForwardCache({ beforeUnload: false });
    await run(1000);
    tab.fromBackForwardCache();
    left = false;
    // Back, it claims its slot: the navigation starts while it asks which slot locks are held.
    a.logEvent('two');
    answering = leave;
    await run(1000);
    expect(left, 'left while claiming').toBe(true);
    expect(asked, 'requested after leaving mid-claim').toEqual([]);
    tab.toBackForwardCache({ beforeUnload: false });
    await run(1000);
    b.hub.endSession();
    await run(1000);
    // Each left to the tabs, and committed once.
    expect([...kit.events(), ...b.kit.events()].map((e) => [e.name, e.eventIndex])).toEqual([
      ['one', 1],
      ['two', 2],
    ]);
    expect(ends(b).map((e) => e.eventCount)).toEqual([2]);
  });

  it('a page listens to beforeunload only while a commit of it is under way', async () => {
    const origin = fakeOrigin();
    const listening = new Set<unknown>();
    const pageEvents = (tab: FakeTab): StorageEventSource => ({
      addEventListener: (type, listener) => (type == 'beforeunload' && listening.add(listener), tab.events.addEventListener(type, listener)),
      removeEventListener: (type, listener) => (type == 'beforeunload' && listening.delete(listener), tab.events.removeEventListener(type, listener)),
    });
    const tab = origin.openTab();
    const a = createBrowserHub({ ...tabHubOptions(tab), storageEvents: pageEvents(tab), kits: [recordingKit()], logger: silent });
    await a.start();
    await run(1000);
    expect(listening.size).toBe(0);
    a.logEvent('one');
    expect(listening.size).toBe(1);
    // Alone, a commit is done at once.
    await run(0);
    expect(listening.size).toBe(0);
    // A lifecycle change is committed too.
    tab.hide();
    expect(listening.size).toBe(1);
    await run(0);
    expect(listening.size).toBe(0);
    tab.show();
    await run(1000);
    // Beside another page, a commit takes ~0.1 s: listening all that time.
    const b = await openPage(origin);
    await run(1000);
    a.logEvent('two');
    await run(50);
    expect(listening.size).toBe(1);
    await run(1000);
    expect(listening.size).toBe(0);
    expect(b.kit.events()).toEqual([]);
  });
});

describe('browser tabs: compare-and-set when writes reach other tabs late', () => {
  it('two tabs launching at the same instant start exactly one session', async () => {
    const origin = fakeOrigin({ lagMs: 10 });
    const pages = await Promise.all([openPage(origin, { withLocks: false }), openPage(origin, { withLocks: false })]);
    await run(1 * SEC);
    expect(starts(...pages)).toHaveLength(1);
    const ids = pages.map((p) => p.hub.getSession()?.id);
    expect(ids[0]).toBeDefined();
    expect(ids[1]).toBe(ids[0]);
    // And they took different slots.
    const record = JSON.parse(origin.backend.get('sessionhub:shared') ?? '{}') as { slots: Record<string, { tab: string }> };
    expect(Object.keys(record.slots).sort()).toEqual(['0', '1']);
  });

  it('a hand-off heard by two tabs at once, each committing it, is delivered once with writes 60 to 180 ms late', async () => {
    // Both tabs left commit a page's hand-off as they hear of it: a write of the record later than a
    // commit's wait let both verify theirs, and both delivered its event (from 60 ms: the wait was
    // 50 ms; in Chromium by compare-and-set at a load average of 6-8).
    for (const lagMs of [60, 120, 180]) {
      const origin = fakeOrigin({ lagMs });
      const pages: Page[] = [];
      for (let i = 0; i < 3; i++) pages.push(await openPage(origin, { withLocks: false, sessionTimeout: 600, foregroundTimeout: 600 }));
      await run(2 * SEC);
      const [a, b, c] = pages as [Page, Page, Page];
      a.hub.logEvent('handed');
      a.tab.toBackForwardCache();
      await run(5 * SEC);
      b.hub.endSession();
      await run(5 * SEC);
      expect([a, b, c].flatMap((p) => p.kit.events()).map((e) => [e.name, e.eventIndex]), `${lagMs} ms`).toEqual([['handed', 1]]);
      expect(ends(a, b, c).map((e) => e.eventCount), `${lagMs} ms`).toEqual([1]);
    }
  });
});

/** The slots' locks held now (a page also holds the lock of the revision it committed last: see tab-session.ts). */
const slotLocks = (origin: FakeOrigin): string[] => origin.locks.heldNames().filter((name) => name.includes(':slot:')).sort();

/** Runs the fake clock until `promise` settles (the tabs' commits wait on timers and locks). */
async function settle<T>(promise: Promise<T>): Promise<T> {
  let done = false;
  void promise.finally(() => (done = true));
  for (let i = 0; !done && i < 200; i++) await vi.advanceTimersByTimeAsync(10);
  expect(done).toBe(true);
  return promise;
}

/** What the origin stores under the namespace but the opt-out choice. */
const storedKeys = (origin: FakeOrigin) => [...origin.backend.keys()].filter((k) => k.startsWith('sessionhub:') && k !== 'sessionhub:optOut');
/** The same as the kits see them (their keys, read out of the segment keys). */
const storedKeysAsKits = (origin: FakeOrigin) => [...storedView(origin.backend).keys()].filter((k) => k.startsWith('sessionhub:') && k !== 'sessionhub:optOut');
/** A kit with a stored ledger and a queue, as the vendors' kits keep them: `clear()` removes both. */
function storingKit(name = 'storer'): RecordingKit {
  let storage: KitContext['storage'] | undefined;
  const kit = recordingKit(name, {
    init: (context) => void (storage = context.storage),
    clear: async () => {
      for (const call of kit.calls) if (call.type === 'onEvent') await storage?.remove(`queued:${call.record.eventId}`);
    },
  });
  const record = kit.onEvent!.bind(kit);
  kit.onEvent = (event) => {
    record(event);
    void storage?.set(`queued:${event.eventId}`, JSON.stringify(event));
  };
  return kit;
}

describe('opt-out, reset and clearStoredData across tabs', () => {
  it('opting out in one tab stops every open tab and every tab opened later, and deletes everything stored; opting back in starts cleanly in every tab', async () => {
    const origin = fakeOrigin();
    const a = await openPage(origin);
    const b = await openPage(origin);
    expect(b.hub.logEvent('before')).toBe(true);
    b.hub.setUser('user-1');
    await run(200);
    const oldDevice = a.hub.getDeviceId();
    expect(origin.backend.get('sessionhub:shared')).toContain('user-1');

    await settle(a.hub.setOptOut(true));
    await run(200);
    expect(b.hub.isOptedOut()).toBe(true);
    expect(storedKeys(origin), 'the shared record and every outbox are deleted').toEqual([]);
    expect(b.hub.logEvent('after')).toBe(false);
    expect(a.hub.logEvent('after')).toBe(false);
    b.tab.hide();
    b.tab.show();
    await run(60 * SEC);
    const c = await openPage(origin);
    expect(c.hub.isOptedOut()).toBe(true);
    expect(c.hub.logEvent('late')).toBe(false);
    await run(200);
    expect(storedKeys(origin), 'an opted-out tab stores nothing').toEqual([]);
    for (const page of [a, b, c]) expect(page.kit.events().map((e) => e.name)).not.toContain('after');
    expect(starts(a, b, c)).toHaveLength(1);

    await settle(b.hub.setOptOut(false));
    await run(300);
    for (const page of [a, b, c]) expect(page.hub.isOptedOut()).toBe(false);
    const device = a.hub.getDeviceId();
    expect(device).not.toBe(oldDevice);
    for (const page of [b, c]) expect(page.hub.getDeviceId()).toBe(device);
    for (const page of [a, b, c]) expect(page.hub.getUser()).toBeNull();
    expect(c.hub.logEvent('consented')).toBe(true);
    expect(a.hub.logEvent('consented_too')).toBe(true);
    await run(300);
    // One new session, for the new device, started by one tab; every tab's events are in it.
    const newStarts = starts(a, b, c).slice(1);
    expect(newStarts).toHaveLength(1);
    expect(newStarts[0]!.deviceId).toBe(device);
    const consented = [...a.kit.events(), ...c.kit.events()].filter((e) => e.name.startsWith('consented'));
    expect(consented.map((e) => [e.deviceId, e.sessionId])).toEqual([[device, newStarts[0]!.sessionId], [device, newStarts[0]!.sessionId]]);
    expect(origin.backend.get('sessionhub:shared')).not.toContain(oldDevice!);
  });

  it('a page opted out by its options alone (consent-gated, no choice stored) leaves the data of pages opted in by theirs', async () => {
    const origin = fakeOrigin();
    const a = await openPage(origin, { kit: storingKit() });
    a.hub.logEvent('song_played');
    await run(200);
    const kept = storedKeys(origin);
    expect(storedKeysAsKits(origin).some((k) => k.includes(':queued:'))).toBe(true);
    // Its kits would load (and send) another page's queue if they started in a slot it does not hold.
    const seen: Array<string | null> = [];
    const probe = recordingKit('storer', { init: async (context) => void seen.push(await context.storage.get(`queued:${a.kit.events()[0]!.eventId}`)) });
    const gated = await openPage(origin, { optOut: true, kit: probe });
    await run(200);
    expect(gated.hub.isOptedOut()).toBe(true);
    expect(seen, 'the gated page\'s kits start only once it opts in').toEqual([]);
    expect(storedKeys(origin)).toEqual(kept);
    expect(a.kit.calls.some((call) => call.type === 'clear')).toBe(false);
    expect(a.hub.logEvent('still_here')).toBe(true);
    await run(200);
    expect(a.kit.events().at(-1)).toMatchObject({ name: 'still_here', sessionId: a.kit.starts()[0]!.sessionId });
    // Opting in, it joins in a slot of its own: its kits start there, with nothing of another page.
    await settle(gated.hub.setOptOut(false));
    await run(200);
    expect(seen).toEqual([null]);
    expect(gated.hub.getSession()?.id).toBe(a.hub.getSession()?.id);
  });

  it('reset() in one tab ends the session once, and every tab gets the new device id, no user, and tells its kits', async () => {
    const origin = fakeOrigin();
    const pages = [await openPage(origin), await openPage(origin), await openPage(origin)];
    const [a, b, c] = pages as [Page, Page, Page];
    a.hub.setUser('user-1');
    b.hub.logEvent('before');
    await run(200);
    const old = c.hub.getSession()!;
    expect(old.userId).toBe('user-1');

    await settle(b.hub.reset());
    await run(200);
    expect(ends(a, b, c).map((e) => e.sessionId), 'the old session ends once, at one tab').toEqual([old.id]);
    expect(ends(a, b, c)[0]).toMatchObject({ deviceId: old.deviceId, userId: 'user-1' });
    const device = b.hub.getDeviceId()!;
    expect(device).not.toBe(old.deviceId);
    for (const page of pages) {
      expect(page.hub.getDeviceId()).toBe(device);
      expect(page.hub.getUser()).toBeNull();
      expect(page.kit.calls.filter((call) => call.type === 'onReset').map((call) => call.record), 'each tab tells its kits once').toEqual([device]);
    }
    // The resetting tab's kits get the end (old ids), the reset, then the new session's start.
    expect(b.kit.calls.map((call) => call.type).filter((t) => t !== 'onEvent').slice(-3)).toEqual(['onSessionEnd', 'onReset', 'onSessionStart']);
    const live = a.hub.getSession()!;
    expect(live).toMatchObject({ deviceId: device, userId: null, index: 1 });
    expect(starts(a, b, c).filter((s) => s.deviceId === device)).toHaveLength(1);
    c.hub.logEvent('after');
    await run(200);
    expect(c.kit.events().at(-1)).toMatchObject({ name: 'after', deviceId: device, userId: null, sessionId: live.id });
    expect(origin.backend.get('sessionhub:shared')).not.toMatch(new RegExp(`${old.deviceId}|user-1`));
  });

  it('clearStoredData() in one tab removes what every tab stored; no tab writes the old data back; all go on with one new device id', async () => {
    const origin = fakeOrigin();
    const pages = [] as Page[];
    for (let i = 0; i < 3; i++) pages.push(await openPage(origin, { kit: storingKit() }));
    const [a, b, c] = pages as [Page, Page, Page];
    a.hub.setUser('user-1');
    for (const page of pages) page.hub.logEvent('song_played');
    await settle(Promise.all(pages.map((page) => page.hub.flush())));
    const oldDevice = a.hub.getDeviceId()!;
    expect(storedKeysAsKits(origin).filter((k) => k.includes(':queued:'))).toHaveLength(3);
    // A tab closed earlier left its queue behind, in its slot.
    c.tab.close();
    await run(200);

    b.hub.logEvent('racing'); // not yet committed when the clear comes
    await settle(a.hub.clearStoredData());
    await run(300);
    for (const page of [a, b]) expect(page.kit.calls.some((call) => call.type === 'clear'), 'every open tab clears its kits').toBe(true);
    const device = a.hub.getDeviceId()!;
    expect(device).not.toBe(oldDevice);
    expect(b.hub.getDeviceId()).toBe(device);
    expect(b.hub.getUser()).toBeNull();
    b.hub.logEvent('after_clear');
    b.tab.hide();
    b.tab.show();
    a.hub.logEvent('after_clear');
    await run(300);
    const leftovers = storedKeys(origin).filter((k) => {
      const value = origin.backend.get(k)!;
      return value.includes(oldDevice) || value.includes('user-1') || value.includes('song_played') || value.includes('racing');
    });
    expect(leftovers, 'nothing of the old data is stored').toEqual([]);
    const view = storedView(origin.backend);
    expect(storedKeysAsKits(origin).filter((k) => k.includes(':queued:')).map((k) => JSON.parse(view.get(k)!).name)).toEqual(['after_clear', 'after_clear']);
    expect(b.kit.events().at(-1)).toMatchObject({ name: 'after_clear', deviceId: device, userId: null });
    expect(b.kit.events().filter((e) => e.name === 'racing' && e.deviceId === device)).toEqual([]);
  });
});
