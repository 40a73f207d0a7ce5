import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionHubConfigError, type SessionHub } from '@sessionhub/core';
import { createBrowserHub, type BrowserHubOptions } from '@sessionhub/core/browser';
import { fakeOrigin, recordingKit, tabHubOptions, type FakeOrigin, type FakeTab, type RecordingKit } from '@sessionhub/testing';
import { expectSessionInvariants, type StreamItem } from './session-invariants';

/**
 * `soloCommits`: a page that is the origin's only open page commits the session in its own slot,
 * in the same localStorage write as its kits' records, and any page that reads the shared record
 * later takes the session from that slot (issue 14: one write per commit, not two).
 */

const SEC = 1000;
const KEY = 'sessionhub:shared';
const silent = { debug() {}, info() {}, warn() {}, error() {} };

interface Page {
  readonly tab: FakeTab;
  readonly hub: SessionHub;
  readonly kit: RecordingKit;
  /** Every write of this page: `set <key>` or `remove <key>`. */
  readonly writes: string[];
  /** The key of every read of this page. */
  readonly reads: string[];
}

async function openPage(origin: FakeOrigin, options: Partial<BrowserHubOptions> = {}): Promise<Page> {
  const tab = origin.openTab();
  const kit = recordingKit();
  const writes: string[] = [];
  const reads: string[] = [];
  const inner = tab.storage;
  const storage = {
    getItem: (key: string) => (reads.push(key), inner.getItem(key)),
    key: (i: number) => inner.key(i),
    get length() {
      return inner.length;
    },
    setItem: (key: string, value: string) => (writes.push(`set ${key}`), inner.setItem(key, value)),
    removeItem: (key: string) => (writes.push(`remove ${key}`), inner.removeItem(key)),
  };
  const hub = createBrowserHub({ ...tabHubOptions(tab), storage, kits: [kit], logger: silent, sessionTimeout: 60, soloCommits: true, ...options });
  let started = false;
  void hub.start().then(() => (started = true));
  for (let i = 0; !started && i < 100; i++) await vi.advanceTimersByTimeAsync(i === 0 ? 0 : 10);
  expect(started).toBe(true);
  return { tab, hub, kit, writes, reads };
}

async function run(ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await vi.advanceTimersByTimeAsync(0);
}

/** Every session record the pages' kits got, in time order. */
function stream(...pages: Page[]): StreamItem[] {
  const items: Array<StreamItem & { at: number }> = [];
  for (const p of pages) {
    for (const c of p.kit.calls) {
      if (c.type === 'onSessionStart') items.push({ type: 'start', record: c.record, at: c.record.startTime });
      else if (c.type === 'onSessionEnd') items.push({ type: 'end', record: c.record, at: c.record.endTime });
      else if (c.type === 'onEvent') items.push({ type: 'event', record: c.record, at: c.record.timestamp });
    }
  }
  const rank = { end: 0, start: 1, event: 2 } as const;
  return items.sort((a, b) => a.at - b.at || rank[a.type] - rank[b.type]);
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: Date.UTC(2026, 0, 1, 9) });
});
afterEach(() => vi.useRealTimers());

describe('soloCommits: a page alone commits in its own slot', () => {
  it.each([
    [true, 1],
    [false, 2],
    [undefined, 1],
  ])('soloCommits %s (undefined: the default): a call of a page alone costs %i localStorage write(s)', async (soloCommits, perCall) => {
    const origin = fakeOrigin();
    const a = await openPage(origin, { soloCommits });
    a.hub.logEvent('first');
    await run(SEC);
    const shared = origin.backend.get(KEY);
    for (let i = 0; i < 10; i++) {
      a.writes.length = 0;
      a.hub.logEvent(`e${i}`);
      a.hub.incrementSessionAttribute('n');
      await run(SEC);
      expect(a.writes).toHaveLength(perCall);
      expect(a.writes).toContainEqual(expect.stringMatching(/^set sessionhub:tab0:seg:\d+$/));
    }
    // Alone, the shared record stays as the page's first commit left it: the session is in its slot.
    if (soloCommits ?? true) expect(origin.backend.get(KEY)).toBe(shared);
    else expect(origin.backend.get(KEY)).not.toBe(shared);
    expect(a.kit.events().map((e) => e.eventIndex)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('a page that opens beside a lone page goes on with the session that page committed in its slot: one start, one sequence, increments from both', async () => {
    const origin = fakeOrigin();
    const a = await openPage(origin);
    for (let i = 0; i < 3; i++) {
      a.hub.logEvent(`a${i}`);
      a.hub.incrementSessionAttribute('n');
      await run(SEC);
    }
    expect(JSON.parse(origin.backend.get(KEY)!).lone).toMatch(/^0:[\da-f]{12}$/);
    const b = await openPage(origin);
    expect(b.hub.getSession()).toMatchObject({ id: a.hub.getSession()!.id, attributes: { n: 3 } });
    expect(b.hub.incrementSessionAttribute('n')).toBe(4);
    b.hub.logEvent('b0');
    await run(SEC);
    expect(a.hub.incrementSessionAttribute('n')).toBe(5);
    a.hub.logEvent('a3');
    await run(SEC);
    // Not alone any more: each page's first commit after the other's writes the shared record again,
    // whole, naming it (its later commits go in its slot while no other page writes, see below).
    const record = JSON.parse(origin.backend.get(KEY)!);
    expect(record.lone).toMatch(/^0:[\da-f]{12}$/);
    expect(record.state.session.attributes).toEqual({ n: 5 });
    expect(a.kit.starts()).toHaveLength(1);
    expect(b.kit.starts()).toHaveLength(0);
    const events = [...a.kit.events(), ...b.kit.events()].sort((x, y) => x.eventIndex - y.eventIndex);
    expect(events.map((e) => [e.name, e.eventIndex])).toEqual([
      ['a0', 1],
      ['a1', 2],
      ['a2', 3],
      ['b0', 4],
      ['a3', 5],
    ]);
    b.hub.endSession();
    await run(SEC);
    expect(a.kit.ends().length + b.kit.ends().length).toBe(1);
    expectSessionInvariants(stream(a, b));
  });

  it('a page in another slot takes over the session of a lone page that died, from that page slot', async () => {
    const origin = fakeOrigin();
    const a = await openPage(origin);
    const b = await openPage(origin);
    await run(SEC);
    a.tab.close();
    // Alone once the other page closed 2 s ago.
    await run(3 * SEC);
    b.hub.logEvent('b0');
    await run(SEC);
    const shared = origin.backend.get(KEY);
    b.hub.logEvent('b1');
    b.hub.setSessionAttribute('plan', 'pro');
    await run(SEC);
    expect(origin.backend.get(KEY)).toBe(shared);
    expect(JSON.parse(shared!).lone).toMatch(/^1:[\da-f]{12}$/);
    const session = b.hub.getSession()!;
    b.tab.crash();
    b.kit.kill();

    const c = await openPage(origin);
    // Slot 0 (closed, the lowest free): the session comes from slot 1's storage.
    expect(Object.entries(JSON.parse(origin.backend.get(KEY)!).slots).find(([, e]) => (e as { closed: boolean }).closed === false)?.[0]).toBe('0');
    expect(c.hub.getSession()).toMatchObject({ id: session.id, eventIndex: session.eventIndex, attributes: { plan: 'pro' } });
    c.hub.logEvent('c0');
    await run(SEC);
    expect(c.kit.starts()).toEqual([]);
    expect(c.kit.events().map((e) => [e.name, e.eventIndex, e.sessionId])).toEqual([['c0', session.eventIndex + 1, session.id]]);
  });

  it('several pages open: a visible page committing calls in a row writes its slot only, one write per call, and the other pages follow it', async () => {
    const origin = fakeOrigin();
    const a = await openPage(origin);
    const b = await openPage(origin);
    b.tab.hide();
    const c = await openPage(origin);
    c.tab.hide();
    await run(SEC);
    a.hub.logEvent('first');
    await run(SEC);
    // The first commit after other pages' writes the shared record, naming the page; its next ones do not.
    const shared = origin.backend.get(KEY);
    expect(JSON.parse(shared!).lone).toMatch(/^0:[\da-f]{12}$/);
    b.writes.length = 0;
    for (let i = 0; i < 10; i++) {
      a.writes.length = 0;
      a.hub.logEvent(`e${i}`);
      expect(a.hub.incrementSessionAttribute('n')).toBe(i + 1);
      await run(SEC);
      expect(a.writes).toEqual([expect.stringMatching(/^set sessionhub:tab0:seg:\d+$/)]);
      // The other pages' view follows each commit (their getters answer from it), with no write of theirs.
      expect(b.hub.getSession()).toMatchObject({ id: a.hub.getSession()!.id, eventIndex: i + 2, attributes: { n: i + 1 } });
      expect(c.hub.getSession()!.attributes).toEqual({ n: i + 1 });
    }
    expect(origin.backend.get(KEY)).toBe(shared);
    expect(b.writes.filter((w) => w.includes(':shared') || w.includes(':seg:'))).toEqual([]);
    // A hidden page's call commits the shared record (it is not steady, see tab-session.ts), the visible one's next call takes it back.
    expect(b.hub.incrementSessionAttribute('n')).toBe(11);
    b.hub.logEvent('from b');
    await run(SEC);
    expect(JSON.parse(origin.backend.get(KEY)!).lone).toBeUndefined();
    // (Its kits marked that commit's outputs: 2 s later it commits once more, dropping them from the record.)
    await run(2 * SEC);
    a.writes.length = 0;
    b.reads.length = c.reads.length = 0;
    expect(a.hub.incrementSessionAttribute('n')).toBe(12);
    await run(SEC);
    expect(a.writes.filter((w) => w.endsWith(':shared'))).toHaveLength(1);
    for (const p of [b, c]) expect(p.hub.getSession()).toEqual(a.hub.getSession());
    a.writes.length = 0;
    expect(a.hub.incrementSessionAttribute('n')).toBe(13);
    await run(SEC);
    expect(a.writes).toEqual([expect.stringMatching(/^set sessionhub:tab0:seg:\d+$/)]);
    // The others take the shared record that takes the session back from its write (it names the page
    // they follow, later); the page's next write, in its slot, is a patch of its last record there,
    // from before the other page's commits, which they have: they follow it from the write alone too.
    for (let i = 0; i < 4; i++) {
      if (i) a.hub.logEvent(`f${i - 1}`), await run(SEC);
      for (const p of [b, c]) expect(p.hub.getSession()).toEqual(a.hub.getSession());
    }
    for (const p of [b, c]) expect(p.reads.filter((k) => k.includes(':tab0:'))).toEqual([]);
    // A page that opens reads the session through the page the record names.
    const d = await openPage(origin);
    expect(d.hub.getSession()).toMatchObject({ id: a.hub.getSession()!.id, attributes: { n: 13 } });
    a.hub.endSession();
    await run(SEC);
    const pages = [a, b, c, d];
    expect(pages.flatMap((p) => p.kit.starts())).toHaveLength(1);
    expect(pages.flatMap((p) => p.kit.ends())).toHaveLength(1);
    expect(pages.flatMap((p) => p.kit.events()).map((e) => e.eventIndex).sort((x, y) => x - y)).toEqual([...Array(15).keys()].map((i) => i + 1));
    expectSessionInvariants(stream(...pages));
  });

  it('several pages open: a page whose commits went in its slot and that dies leaves them to the next commit of any page', async () => {
    const origin = fakeOrigin();
    const a = await openPage(origin);
    const b = await openPage(origin);
    b.tab.hide();
    await run(SEC);
    for (let i = 0; i < 3; i++) {
      a.hub.logEvent(`a${i}`);
      a.hub.incrementSessionAttribute('n');
      await run(SEC);
    }
    const shared = origin.backend.get(KEY);
    a.hub.incrementSessionAttribute('n');
    await run(SEC);
    expect(origin.backend.get(KEY)).toBe(shared);
    const session = a.hub.getSession()!;
    a.tab.crash();
    a.kit.kill();
    b.hub.logEvent('b0');
    await run(SEC);
    expect(b.hub.getSession()).toMatchObject({ id: session.id, eventIndex: session.eventIndex + 1, attributes: { n: 4 } });
    expect(b.kit.events().map((e) => [e.name, e.eventIndex])).toEqual([['b0', session.eventIndex + 1]]);
    expect(b.kit.starts()).toEqual([]);
  });

  it('soloCommits must be a boolean', () => {
    expect(() => createBrowserHub({ soloCommits: 'yes' as never })).toThrow(SessionHubConfigError);
    expect(() => createBrowserHub({ soloCommits: 'yes' as never })).toThrow(/soloCommits.*boolean.*a string/);
  });
});
