import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHub, type SessionHub, type StorageAdapter } from '@sessionhub/core';
import { createBrowserHub } from '@sessionhub/core/browser';
import { fakeOrigin, recordingTransport, tabHubOptions, type FakeTab } from '@sessionhub/testing';
import { forgetTimers, outboxKit, problemsOf, run, type Item, type Send } from './kill-harness';

/**
 * A kit whose `init` outlasts the hub's launch wait (3 s): the launch's outputs (the end of the
 * session a killed run left open, the new session's start) and the events logged meanwhile reach it
 * only once it is ready, while the hub's state (or the tabs' shared record and their mark) already
 * says they happened. Killed at every storage write boundary of that launch, those events and the
 * kit becoming ready, a relaunch must still give every kit every session's end exactly once, and
 * every event of a completed burst once. One tab (createHub on a key-by-key storage) and tabs
 * (createBrowserHub on a fake origin: one page, or two with the calls in the second).
 */

const SEC = 1000;
const SLOW_MS = 5 * SEC;
const T0 = Date.UTC(2026, 0, 1, 9);
const silent = { debug() {}, info() {}, warn() {}, error() {} };

const KITS = ['fast', 'slow', 'fast2'];
const down = () => Promise.resolve({ status: 503 });
const DOWN: Record<string, Send> = Object.fromEntries(KITS.map((name) => [name, down]));

/** createHub; one page of createBrowserHub; or two pages, the calls in the second, the first open (and ready) before. */
type Mode = 'createHub' | 'tabs' | 'two tabs';

/** Where a run keeps its data: a map, written through `gate` (which counts writes and drops them once killed). */
interface Place {
  readonly backend: Map<string, string>;
  open(transports: Record<string, Send>): SessionHub;
  crash(): void;
}

function place(mode: Mode, stored: Map<string, string>, gate: (op: () => void) => void = (op) => op()): Place {
  const options = (transports: Record<string, Send>) => ({
    kits: KITS.map((name) => outboxKit(name, transports[name]!, name === 'slow' ? SLOW_MS : 0)),
    logger: silent,
    sessionTimeout: 60,
    resumeOnRelaunch: false,
  });
  if (mode === 'createHub') {
    const backend = new Map(stored);
    const storage: StorageAdapter = {
      getItem: (key) => backend.get(key) ?? null,
      setItem: (key, value) => gate(() => backend.set(key, value)),
      removeItem: (key) => gate(() => backend.delete(key)),
    };
    return { backend, open: (transports) => createHub({ ...options(transports), storage }), crash() {} };
  }
  const origin = fakeOrigin();
  for (const [k, v] of stored) origin.backend.set(k, v);
  const tabs: FakeTab[] = [];
  return {
    backend: origin.backend,
    open(transports) {
      const opened = origin.openTab();
      tabs.push(opened);
      const inner = opened.storage;
      const storage = {
        getItem: (key: string) => inner.getItem(key),
        setItem: (key: string, value: string) => gate(() => inner.setItem(key, value)),
        removeItem: (key: string) => gate(() => inner.removeItem(key)),
        key: (i: number) => inner.key(i),
        get length() {
          return inner.length;
        },
      };
      return createBrowserHub({ ...options(transports), ...tabHubOptions({ ...opened, storage }) });
    },
    crash: () => tabs.forEach((tab) => tab.crash()),
  };
}

/** The seed: a run whose kits all got ready leaves a session with one event open (it is killed). */
async function seed(mode: Mode): Promise<Map<string, string>> {
  vi.setSystemTime(T0);
  const p = place(mode, new Map());
  const hub = p.open(DOWN);
  void hub.start();
  await run(SLOW_MS + SEC);
  hub.logEvent('e0');
  await run(200);
  p.crash();
  forgetTimers();
  return new Map(p.backend);
}

/**
 * One life on `stored`, killed after its `killAt`-th write (0: never): the launch (ends the seed's
 * session, starts one) while the slow kit initialises, events meanwhile, the kit becoming ready, an
 * event after. Returns what survived, and the writes made by the end of each step.
 */
async function life(mode: Mode, stored: Map<string, string>, killAt: number): Promise<{ survived: Map<string, string>; writes: number; after: number[] }> {
  vi.setSystemTime(T0 + 600 * SEC);
  let writes = 0;
  let dead = false;
  const p = place(mode, stored, (op) => {
    if (dead) return;
    op();
    if (++writes === killAt) {
      dead = true;
      p.crash();
    }
  });
  if (mode === 'two tabs') {
    void p.open(DOWN).start();
    await run(SLOW_MS + SEC);
  }
  const hub = p.open(DOWN);
  void hub.start();
  const after: number[] = [];
  const steps: Array<() => unknown> = [
    () => run(3 * SEC + 100), // the launch, the slow kit still initialising
    () => hub.logEvent('e1'),
    () => (hub.startNewSession(), hub.logEvent('e2')), // end + start, still initialising
    () => run(1 * SEC), // the slow kit is ready (5 s)
    () => hub.logEvent('e3'),
  ];
  for (const step of steps) {
    await step();
    await run(500);
    after.push(writes);
  }
  forgetTimers();
  return { survived: new Map(p.backend), writes, after };
}

/** A fresh run on what survived: waits for every kit, ends what is live and sends everything. */
async function relaunch(mode: Mode, stored: Map<string, string>): Promise<Record<string, Item[]>> {
  // Later than a dead tab's liveness counts.
  vi.setSystemTime(Date.now() + 200 * SEC);
  const transports = Object.fromEntries(KITS.map((name) => [name, recordingTransport()]));
  const p = place(mode, stored);
  const hubs: SessionHub[] = [];
  for (let i = mode === 'two tabs' ? 2 : 1; i > 0; i--) {
    hubs.push(p.open(transports));
    void hubs[hubs.length - 1]!.start();
    await run(SLOW_MS + SEC);
  }
  if (hubs[0]!.getSession()) hubs[0]!.endSession();
  await run(SEC);
  for (const hub of hubs) void hub.flush();
  await run(5 * SEC);
  forgetTimers();
  return Object.fromEntries(Object.entries(transports).map(([name, t]) => [name, t.requests.flatMap((r) => JSON.parse(r.body) as Item[])]));
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: T0 });
});
afterEach(() => vi.useRealTimers());

describe('a kit whose init outlasts the launch wait, killed at every storage write boundary', () => {
  it.each(['createHub', 'tabs', 'two tabs'] as const)('%s: every session ends exactly once at every kit, no event lost or twice', { timeout: 60_000 }, async (mode) => {
    const stored = await seed(mode);
    const reference = await life(mode, stored, 0);
    // The launch, the events and the kit becoming ready each wrote.
    expect(reference.after[0]).toBeGreaterThan(0);
    expect(reference.after[3]).toBeGreaterThan(reference.after[2]!);
    const events = ['', 'e1', 'e2', '', 'e3'];
    const problems: string[] = [];
    for (let k = 1; k <= reference.writes + 1; k++) {
      const { survived } = await life(mode, stored, k);
      const expected = ['e0', ...events.filter((name, i) => name && reference.after[i]! <= k)];
      problems.push(...problemsOf(await relaunch(mode, survived), expected, `kill after write ${k}`, true));
    }
    // Not vacuous: the kit was still initialising when the launch and the events were committed.
    expect(reference.after[2]).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });
});
