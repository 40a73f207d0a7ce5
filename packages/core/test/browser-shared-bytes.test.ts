import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionHub } from '@sessionhub/core';
import { createBrowserHub } from '@sessionhub/core/browser';
import { fakeOrigin, recordingKit, tabHubOptions, type FakeOrigin, type FakeTab, type RecordingKit } from '@sessionhub/testing';

/**
 * What the tabs' shared record carries on every commit (it is written whole each time, issue 14's
 * bytes per event): nothing a tab can no longer need — a page id short of a UUID, one writer id per
 * page, and no outputs a closed page's kits already stored.
 */

const SEC = 1000;
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const KEY = 'sessionhub:shared';

interface Page {
  readonly tab: FakeTab;
  readonly hub: SessionHub;
  readonly kit: RecordingKit;
}

async function openPage(origin: FakeOrigin, withLocks = true): Promise<Page> {
  const tab = origin.openTab();
  const kit = recordingKit();
  const hub = createBrowserHub({ ...tabHubOptions(tab), locks: withLocks ? tab.locks : null, kits: [kit], logger: silent, sessionTimeout: 60 });
  let started = false;
  void hub.start().then(() => (started = true));
  for (let i = 0; !started && i < 100; i++) await vi.advanceTimersByTimeAsync(i === 0 ? 0 : 10);
  expect(started).toBe(true);
  return { tab, hub, kit };
}

async function run(ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await vi.advanceTimersByTimeAsync(0);
}

interface Stored {
  writers: string[];
  slots: Record<string, { tab: string; closed: boolean }>;
  owed?: Record<string, Array<[string, unknown[]]>>;
  epoch: string;
}
const stored = (origin: FakeOrigin) => JSON.parse(origin.backend.get(KEY)!) as Stored;
const pageOf = (commit: string) => commit.slice(0, commit.lastIndexOf(':'));

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: Date.UTC(2026, 0, 1, 9) });
});
afterEach(() => vi.useRealTimers());

describe.each([
  ['Web Locks', true],
  ['compare-and-set (no Web Locks)', false],
])('the shared record carries only what tabs need, with %s', (_name, withLocks) => {
  it('page ids and the epoch are 12 characters (48 random bits); the writers hold the latest commit id of each page', async () => {
    const origin = fakeOrigin();
    const a = await openPage(origin, withLocks);
    for (let i = 0; i < 20; i++) {
      a.hub.logEvent(`a${i}`);
      await run(SEC);
    }
    let record = stored(origin);
    expect(record.slots[0]?.tab).toMatch(/^[\da-f]{12}$/);
    expect(record.epoch).toMatch(/^[\da-f]{12}$/);
    expect(record.writers).toHaveLength(1);
    expect(pageOf(record.writers[0]!)).toBe(record.slots[0]?.tab);

    const b = await openPage(origin, withLocks);
    for (let i = 0; i < 5; i++) {
      a.hub.logEvent(`a${i}`);
      b.hub.logEvent(`b${i}`);
      await run(SEC);
    }
    record = stored(origin);
    const pages = Object.values(record.slots).map((s) => s.tab);
    expect(record.writers.map(pageOf).sort()).toEqual([...pages].sort());
    expect(new Set(pages).size).toBe(2);
    // Still one sequence: every commit of both pages counted once.
    expect([...a.kit.events(), ...b.kit.events()].map((e) => e.eventIndex).sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it('a page that closes while another stays leaves no outputs its kits stored in the record', async () => {
    const origin = fakeOrigin();
    const a = await openPage(origin, withLocks);
    const b = await openPage(origin, withLocks);
    await run(SEC);
    b.hub.logEvent('b1');
    await run(300);
    expect(b.kit.events().map((e) => e.name)).toEqual(['b1']);
    const slot = Object.entries(stored(origin).slots).find(([, s]) => s.tab !== stored(origin).slots[0]?.tab)![0];
    expect(stored(origin).owed?.[slot]).toHaveLength(1);
    // Closed before its own tidy-up write (2 s later): its calls are handed to `a`, which commits them.
    b.tab.close();
    await run(SEC);
    const record = stored(origin);
    expect(record.slots[slot]?.closed).toBe(true);
    expect(record.owed?.[slot] ?? []).toEqual([]);
    // a's own commits keep nothing of b's either.
    a.hub.logEvent('a1');
    await run(SEC);
    expect(JSON.stringify(stored(origin).owed)).not.toContain('"name":"b1"');
    expect(a.kit.events().map((e) => e.name)).toEqual(['a1']);
  });
});
