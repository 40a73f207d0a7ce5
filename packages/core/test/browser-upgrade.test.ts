import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionHub } from '@sessionhub/core';
import { createBrowserHub, type BrowserHubOptions } from '@sessionhub/core/browser';
import { fakeOrigin, recordingKit, tabHubOptions, type FakeOrigin, type FakeTab, type RecordingKit } from '@sessionhub/testing';
import { createBrowserHub as previousBrowserHub } from './fixtures/previous-browser-hub.mjs';

/**
 * Deploys: pages loaded before a release and after it share the origin's localStorage. The tabs'
 * shared record must stay readable both ways — a record the previous version wrote loads and goes
 * on in today's code (an upgrade), a tab still running the previous version reads and goes on with
 * a record today's code wrote (old and new tabs side by side, or a rollback) — with the same
 * guarantees: one session, one start and end, nothing owed lost. The previous version is its own
 * code, bundled from its sources (`fixtures/previous-browser-hub.mjs`).
 */

const SEC = 1000;
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const KEY = 'sessionhub:shared';
type Version = 'previous' | 'today';
const factories = { previous: previousBrowserHub, today: createBrowserHub };

interface Page {
  readonly tab: FakeTab;
  readonly hub: SessionHub;
  readonly kit: RecordingKit;
  readonly warnings: string[];
  /**
   * The page dies right after its next write: of the shared record, before its kits' commit (the
   * previous version's default), or of its slot's segment, the session and its kits' records in one
   * (today's default alone, `soloCommits`).
   */
  crashAfterNextWrite(): void;
  /** The key of the write the page died after. */
  readonly crashedAfter: string | undefined;
}

async function openPage(origin: FakeOrigin, version: Version, options: Partial<BrowserHubOptions> & { withLocks?: boolean } = {}): Promise<Page> {
  const { withLocks = true, ...hubOptions } = options;
  const tab = origin.openTab();
  const kit = recordingKit();
  const warnings: string[] = [];
  let armed = false;
  let crashedAfter: string | undefined;
  const storage = {
    getItem: (key: string) => tab.storage.getItem(key),
    key: (index: number) => tab.storage.key(index),
    get length() {
      return tab.storage.length;
    },
    setItem(key: string, value: string) {
      tab.storage.setItem(key, value);
      if (armed && crashedAfter === undefined) (crashedAfter = key), tab.crash(), kit.kill();
    },
    removeItem: (key: string) => tab.storage.removeItem(key),
  };
  const hub = factories[version]({
    ...tabHubOptions(tab),
    storage,
    locks: withLocks ? tab.locks : null,
    kits: [kit],
    logger: silent,
    sessionTimeout: 60,
    ...hubOptions,
  });
  hub.on('warning', (w) => warnings.push(w.message));
  let started = false;
  void hub.start().then(() => (started = true));
  for (let i = 0; !started && i < 100; i++) await vi.advanceTimersByTimeAsync(i === 0 ? 0 : 10);
  expect(started).toBe(true);
  return {
    tab,
    hub,
    kit,
    warnings,
    crashAfterNextWrite: () => void (armed = true),
    get crashedAfter() {
      return crashedAfter;
    },
  };
}

async function run(ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await vi.advanceTimersByTimeAsync(0);
}

const stored = (origin: FakeOrigin) => JSON.parse(origin.backend.get(KEY)!) as { writers: string[]; slots: Record<string, { tab: string }>; epoch: string };
/** A page id as both versions make it: 12 hexadecimal characters (48 random bits). */
const PAGE_ID = /^[\da-f]{12}$/;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: Date.UTC(2026, 0, 1, 9) });
});
afterEach(() => vi.useRealTimers());

describe.each([
  ['previous', 'today'],
  ['today', 'previous'],
] as const)('browser tabs across a deploy: a page of the %s version, then one of the %s version', (first, second) => {
  it('the second page goes on with the session the first left, and delivers what the first owed its kits when it died after a write', async () => {
    const origin = fakeOrigin();
    const a = await openPage(origin, first);
    expect(stored(origin).slots[0]?.tab).toMatch(PAGE_ID);
    a.hub.logEvent('e1');
    await run(SEC);
    a.crashAfterNextWrite();
    a.hub.logEvent('e2');
    await run(SEC);
    // The previous version's default writes the shared record first (e2 owed to its kits), and dies
    // before its kits' commit; today's page alone writes e2 with its kits' records, in its own slot.
    const alone = first === 'today';
    expect(a.crashedAfter).toMatch(alone ? /^sessionhub:tab0:seg:\d+$/ : KEY);
    expect(a.kit.events().map((e) => e.name)).toEqual(alone ? ['e1', 'e2'] : ['e1']);

    const b = await openPage(origin, second);
    // The same slot (its page is gone): what the record owes (e2, not e1: marked) reaches b's kits;
    // nothing when the page was alone. Either way b goes on from e2's commit.
    expect(stored(origin).slots[0]?.tab).toMatch(PAGE_ID);
    expect(b.kit.starts()).toEqual([]);
    b.hub.logEvent('e3');
    await run(SEC);
    const session = a.kit.starts()[0]!.sessionId;
    expect(b.kit.events().map((e) => [e.name, e.eventIndex, e.sessionId])).toEqual([...(alone ? [] : [['e2', 2, session]]), ['e3', 3, session]]);
    b.hub.endSession();
    await run(SEC);
    expect(b.kit.ends().map((e) => e.sessionId)).toEqual([session]);
    expect([...a.warnings, ...b.warnings]).toEqual([]);
  });
});

describe.each([
  ['Web Locks', true],
  ['compare-and-set (no Web Locks)', false],
])('a tab of the previous version and one of today, open side by side, with %s', (_name, withLocks) => {
  it.each(['today', 'previous'] as const)('share one session: one start and one end, events numbered in one sequence, increments from both counted; the page of %s closes, its last calls handed over', async (closing) => {
    const origin = fakeOrigin();
    const pages = { previous: await openPage(origin, 'previous', { withLocks }), today: await openPage(origin, 'today', { withLocks }) };
    const { previous: old, today: now } = pages;
    await run(SEC);
    for (let i = 0; i < 3; i++) {
      old.hub.logEvent(`old${i}`);
      now.hub.logEvent(`now${i}`);
      old.hub.incrementSessionAttribute('n');
      now.hub.incrementSessionAttribute('n');
      await run(i * 30);
    }
    await run(SEC);
    const events = [...old.kit.events(), ...now.kit.events()].sort((x, y) => x.eventIndex - y.eventIndex);
    expect(events.map((e) => e.eventIndex)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(old.kit.events().map((e) => e.name)).toEqual(['old0', 'old1', 'old2']);
    expect(now.kit.events().map((e) => e.name)).toEqual(['now0', 'now1', 'now2']);
    expect(old.hub.getSessionAttributes()).toEqual({ n: 6 });
    // Both versions' page ids and commit ids in one record.
    const record = stored(origin);
    expect(Object.values(record.slots).map((s) => s.tab)).toEqual([expect.stringMatching(PAGE_ID), expect.stringMatching(PAGE_ID)]);
    // One page closes while the other stays: its last calls are handed over, and committed there.
    const [gone, left] = closing === 'today' ? [now, old] : [old, now];
    gone.hub.logEvent('last');
    gone.tab.close();
    await run(SEC);
    left.hub.endSession();
    await run(SEC);
    const all = [...old.kit.calls, ...now.kit.calls];
    expect(all.filter((c) => c.type === 'onSessionStart')).toHaveLength(1);
    expect(left.kit.ends()).toHaveLength(1);
    expect(gone.kit.ends()).toEqual([]);
    expect(left.kit.ends()[0]).toMatchObject({ sessionId: old.kit.starts()[0]?.sessionId ?? now.kit.starts()[0]?.sessionId, attributes: { n: 6 } });
    expect([...old.kit.events(), ...now.kit.events()].map((e) => e.name).sort()).toEqual(['last', 'now0', 'now1', 'now2', 'old0', 'old1', 'old2']);
    expect([...old.warnings, ...now.warnings]).toEqual([]);
  });
});
