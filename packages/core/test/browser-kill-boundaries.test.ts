import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Kit, SessionHub } from '@sessionhub/core';
import { createBrowserHub } from '@sessionhub/core/browser';
import { fakeOrigin, recordingTransport, tabHubOptions, type FakeOrigin, type FakeTab } from '@sessionhub/testing';
import { forgetTimers, outboxKit, problemsOf, run, type Item, type Send } from './kill-harness';
import { segmentLog } from '../src/storage/segment-log';
// By path: the kits depend on core, so core does not list them.
import { brazeKit } from '../../kit-braze/src/index';
import { clevertapKit } from '../../kit-clevertap/src/index';
import { snowplowKit } from '../../kit-snowplow/src/index';

/**
 * Durability of browser tabs by killing the page at every localStorage write boundary (issue 14):
 * with tabs the canonical state is the shared record, so its commit and the slot commit of the kits'
 * outboxes must be ordered like one commit (write-ahead). A seed page leaves a session open; a
 * second life (one tab, or two with the bursts in the second) recovers it at launch and runs bursts
 * (events, a user change, a new session, a background, a timeout, a page hide, a navigation with a
 * call under way: at beforeunload, then pagehide), and every tab of
 * the origin dies right after the k-th write, for every k; fresh pages on what survived relaunch,
 * end what is live and send everything. At every kit every session that started ends exactly once,
 * and every event of a burst whose writes all completed arrives. With `soloCommits` a page alone
 * commits the record in its slot's write instead (and the second tab, opening, takes it from there).
 */

const SEC = 1000;
const T0 = Date.UTC(2026, 0, 1, 9);
const silent = { debug() {}, info() {}, warn() {}, error() {} };

const KITS = ['a', 'b'];
const VENDORS = ['braze', 'snowplow', 'clevertap'];
/** The test running: two kits on plain outboxes, or the three real kits (their wire read back as items). */
let vendors = false;

const kitsFor = (transports: Record<string, Send>): Kit[] =>
  vendors
    ? [
        brazeKit({ apiKey: 'kill-key', baseUrl: 'https://braze.test', transport: transports.braze as never, flushIntervalMs: 3_600_000 }),
        snowplowKit({
          collectorUrl: 'https://snowplow.test',
          appId: 'kill',
          encodeBase64: false,
          catchAllSchema: 'iglu:dev.sessionhub.test/app_event/jsonschema/1-0-0',
          sessionEvents: { start: 'iglu:dev.sessionhub.test/session_start/jsonschema/1-0-0', end: 'iglu:dev.sessionhub.test/session_end/jsonschema/1-0-0' },
          delivery: { transport: transports.snowplow as never, flushIntervalMs: 3_600_000 },
        }),
        clevertapKit({ accountId: 'TEST-000-0001', token: 'kill-token', endpoint: 'https://clevertap.test', sessionConcluded: true, delivery: { transport: transports.clevertap as never, flushIntervalMs: 3_600_000 } }),
      ]
    : KITS.map((name) => outboxKit(name, transports[name]!));

/** What a vendor received, as items: its session starts and ends (by its session id) and events (by name). */
function wireItems(vendor: string, bodies: readonly string[]): Item[] {
  const items: Item[] = [];
  for (const text of bodies) {
    const body = JSON.parse(text);
    if (vendor === 'braze') {
      for (const e of body.events as Array<{ name: string; session_id?: string; data: { n?: string } }>) {
        if (e.name === 'ss' || e.name === 'se') items.push({ t: e.name === 'ss' ? 'start' : 'end', id: e.session_id! });
        else if (e.name === 'ce') items.push({ t: 'event', id: e.data.n! });
      }
    } else if (vendor === 'snowplow') {
      for (const p of body.data as Array<{ e: string; ue_pr?: string }>) {
        if (p.e !== 'ue' || !p.ue_pr) continue;
        const inner = (JSON.parse(p.ue_pr) as { data: { schema: string; data: { sessionId?: string; name?: string } } }).data;
        if (inner.schema.includes('/session_start/')) items.push({ t: 'start', id: inner.data.sessionId! });
        else if (inner.schema.includes('/session_end/')) items.push({ t: 'end', id: inner.data.sessionId! });
        else if (inner.schema.includes('/app_event/')) items.push({ t: 'event', id: inner.data.name! });
      }
    } else {
      // CleverTap has no session start event: a session is known by its number `s` on its events.
      const seen = new Set<string>();
      for (const item of (body as Array<{ type: string; evtName?: string; s?: number }>).slice(1)) {
        if (item.type !== 'event') continue;
        if (item.evtName === 'Session Concluded') items.push({ t: 'end', id: String(item.s) });
        else items.push({ t: 'event', id: item.evtName! });
        if (item.s && !seen.has(String(item.s))) seen.add(String(item.s));
      }
      for (const id of seen) if (!items.some((i) => i.t === 'start' && i.id === id)) items.push({ t: 'start', id });
    }
  }
  return items;
}
/** Nothing is delivered before the kill: every item a relaunch sends is one its outbox committed. */
const down = () => Promise.resolve({ status: 503 });
const DOWN: Record<string, Send> = Object.fromEntries([...KITS, ...VENDORS].map((name) => [name, down]));

/** A tab whose writes all go through `gate` (which counts them, and drops them once the origin died). */
function gatedTab(origin: FakeOrigin, gate: (op: () => void, key: string, value: string | null) => void): FakeTab {
  const tab = origin.openTab();
  const inner = tab.storage;
  const storage = {
    getItem: (key: string) => inner.getItem(key),
    setItem: (key: string, value: string) => gate(() => inner.setItem(key, value), key, value),
    removeItem: (key: string) => gate(() => inner.removeItem(key), key, null),
    key: (i: number) => inner.key(i),
    get length() {
      return inner.length;
    },
  };
  return { ...tab, storage };
}

/** The test running: with Web Locks, or by compare-and-set alone (every commit verified after a 50 ms wait). */
let withLocks = true;
/** The test running: with `soloCommits` (the default) or without. */
let solo = false;

async function openHub(tab: FakeTab, transports: Record<string, Send>): Promise<SessionHub> {
  const hub = createBrowserHub({
    ...tabHubOptions(tab),
    locks: withLocks ? tab.locks : null,
    kits: kitsFor(transports),
    logger: silent,
    sessionTimeout: 60,
    foregroundTimeout: 60,
    resumeOnRelaunch: false,
    soloCommits: solo,
  });
  let started = false;
  void hub.start().then(() => (started = true));
  for (let i = 0; i < 100 && !started; i++) await run(10);
  return hub;
}

/** The seed: a page leaves a session with one event open (it crashes). */
async function seed(): Promise<Map<string, string>> {
  vi.setSystemTime(T0);
  const origin = fakeOrigin();
  const tab = origin.openTab();
  const hub = await openHub(tab, DOWN);
  hub.logEvent('e0');
  await run(200);
  tab.crash();
  return new Map(origin.backend);
}

/**
 * One life of `tabs` pages on `stored`, all killed after the origin's `killAt`-th write (0: never).
 * Returns what survived, the writes made by the end of each burst, and the events a shared record
 * written before the kill held (the tabs' commit point: from then on the event happened).
 */
async function bursts(stored: Map<string, string>, tabs: 1 | 2, killAt: number): Promise<{ survived: Map<string, string>; writes: number; after: number[]; committed: Set<string> }> {
  vi.setSystemTime(T0 + 600 * SEC);
  const origin = fakeOrigin();
  for (const [k, v] of stored) origin.backend.set(k, v);
  let writes = 0;
  let dead = false;
  const opened: FakeTab[] = [];
  /** When each event was logged (each at its own instant), and the instants of the last event in the shared states written. */
  const logged = new Map<string, number>();
  const eventTimes = new Set<number>();
  const gate = (op: () => void, key: string, value: string | null): void => {
    if (dead) return;
    op();
    // The record as written: the shared one, or the one a lone page wrote in its slot's segments.
    const slot = /^sessionhub:tab(\d+):seg:/.exec(key)?.[1];
    const text = key === 'sessionhub:shared' ? value : slot !== undefined ? (segmentLog({ getItem: (k) => origin.backend.get(k) ?? null, setItem() {}, removeItem() {} }).getItem(`sessionhub:tab${slot}:state`) as string | null) : null;
    const state = text ? (JSON.parse(text) as { state?: { session?: { lastEventTime?: number } } }).state : undefined;
    if (state?.session?.lastEventTime) eventTimes.add(state.session.lastEventTime);
    if (++writes === killAt) {
      dead = true;
      for (const t of opened) t.crash();
    }
  };
  const pages: SessionHub[] = [];
  for (let i = 0; i < tabs; i++) {
    const tab = gatedTab(origin, gate);
    opened.push(tab);
    pages.push(await openHub(tab, DOWN));
    await run(3 * SEC);
  }
  const hub = pages[pages.length - 1]!;
  const tab = opened[opened.length - 1]!;
  const after: number[] = [writes];
  const log = (name: string): void => void (logged.set(name, Date.now()), hub.logEvent(name));
  const steps: Array<() => void | Promise<void>> = [
    () => log('e1'),
    () => log('e2'),
    () => void hub.setUser('u1'),
    () => (hub.setUser('u2'), log('e4')), // user change: end + start
    () => (hub.startNewSession(), log('e5')), // end + start
    () => tab.hide(), // background
    async () => {
      await run(120 * SEC);
      tab.show();
      log('e7'); // after the timeout: end + start
    },
    () => log('e8'),
    async () => {
      // Page hide 10 ms after a call: its commit is under way (written and being verified, without
      // Web Locks), so the page hide takes it over, synchronously (no beforeunload first: as Safari on iOS).
      log('e9');
      await run(10);
      tab.toBackForwardCache({ beforeUnload: false });
    },
    async () => {
      // Back, and away again 10 ms after a call: beforeunload takes the commit over, then pagehide.
      tab.fromBackForwardCache();
      log('e10');
      await run(10);
      tab.toBackForwardCache();
    },
  ];
  for (const step of steps) {
    await step();
    await run(1 * SEC);
    after.push(writes);
  }
  if (!dead) for (const t of opened) t.crash();
  // The dead pages' timers (heartbeats, retries) would otherwise run on in every later life.
  forgetTimers();
  const committed = new Set([...logged].flatMap(([name, t]) => (eventTimes.has(t) ? [name] : [])));
  return { survived: new Map(origin.backend), writes, after, committed };
}

/** Fresh pages (one per slot the life used) relaunch on what survived, end what is live and send everything. */
async function relaunch(stored: Map<string, string>, tabs: number): Promise<Record<string, Item[]>> {
  // Later than a dead page's heartbeat counts (180 s): without Web Locks its slot is free only then.
  vi.setSystemTime(Date.now() + 200 * SEC);
  const origin = fakeOrigin();
  for (const [k, v] of stored) origin.backend.set(k, v);
  const transports = Object.fromEntries((vendors ? VENDORS : KITS).map((name) => [name, recordingTransport()]));
  const hubs: SessionHub[] = [];
  for (let i = 0; i < tabs; i++) {
    hubs.push(await openHub(origin.openTab(), transports));
    await run(3 * SEC);
  }
  if (hubs[0]!.getSession()) hubs[0]!.endSession();
  await run(1 * SEC);
  for (const hub of hubs) {
    void hub.flush();
    await run(1 * SEC);
  }
  await run(5 * SEC);
  forgetTimers();
  return Object.fromEntries(
    Object.entries(transports).map(([name, t]) => [name, vendors ? wireItems(name, t.requests.map((r) => r.body)) : t.requests.flatMap((r) => JSON.parse(r.body) as Item[])]),
  );
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: T0 });
});
afterEach(() => vi.useRealTimers());

describe('browser tabs killed at every localStorage write boundary', () => {
  it.each([
    [1, 'Web Locks', 'outboxes', ', soloCommits: false'],
    [2, 'Web Locks', 'outboxes', ', soloCommits: false'],
    [2, 'compare-and-set', 'outboxes', ', soloCommits: false'],
    [1, 'Web Locks', 'the three real kits', ', soloCommits: false'],
    [2, 'Web Locks', 'the three real kits', ', soloCommits: false'],
    [1, 'Web Locks', 'outboxes', ''],
    [2, 'Web Locks', 'outboxes', ''],
    [1, 'Web Locks', 'the three real kits', ''],
  ] as const)('%i tab(s), %s, %s%s: every session ends exactly once at every kit, and nothing a completed commit held is lost', { timeout: 120_000 }, async (tabs, coordination, kits, options) => {
    withLocks = coordination === 'Web Locks';
    vendors = kits !== 'outboxes';
    solo = options === '';
    const stored = await seed();
    const reference = await bursts(stored, tabs, 0);
    expect(reference.writes).toBeGreaterThanOrEqual(10);
    const events = ['e1', 'e2', '', 'e4', 'e5', '', 'e7', 'e8', 'e9', 'e10'];
    const problems: string[] = [];
    for (let k = 1; k <= reference.writes + 1; k++) {
      const life = await bursts(stored, tabs, k);
      // Bursts whose writes had all been made when the kill came, and events a shared record held (e0: the seed's).
      const expected = ['e0', ...events.filter((name, i) => name && (reference.after[i + 1]! <= k || life.committed.has(name)))];
      problems.push(...problemsOf(await relaunch(life.survived, tabs), expected, `kill after write ${k}`));
    }
    expect(problems).toEqual([]);
  });
});
