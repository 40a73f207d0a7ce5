/**
 * A launch that could not read the storage (AsyncStorage on iOS before the first unlock: a silent
 * push wakes the app), whose storage works again a little later and holds an earlier run's data: this
 * run commits nothing over it (the pipeline's `blind`). What must hold all the same: the user's stored
 * opt-out, once read, holds; a choice made in this run is stored; this run's session ends at its
 * shutdown (no later launch sees it); the earlier run's data is reported once.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHub, type SessionHub } from '@sessionhub/core';
import { brazeKit } from '@sessionhub/kit-braze';
import { manualClock, recordingKit, recordingLogger, recordingTransport, type ManualClock, type RecordingKit, type RecordingTransport } from '@sessionhub/testing';

afterEach(() => void vi.useRealTimers());

/** AsyncStorage as iOS answers before the first unlock after a restart: every call rejects while `locked`. */
function lockableAsyncStorage() {
  const map = new Map<string, string>();
  const s = {
    locked: false,
    map,
    check() {
      if (s.locked) throw new Error('Failed to read manifest file (NSCocoaErrorDomain Code=257: the file is locked)');
    },
    getItem: async (k: string) => (s.check(), map.get(k) ?? null),
    setItem: async (k: string, v: string) => void (s.check(), map.set(k, v)),
    removeItem: async (k: string) => void (s.check(), map.delete(k)),
    multiGet: async (keys: readonly string[]) => (s.check(), keys.map((k) => [k, map.get(k) ?? null] as const)),
    multiRemove: async (keys: readonly string[]) => void (s.check(), keys.forEach((k) => map.delete(k))),
  };
  return s;
}

type Store = ReturnType<typeof lockableAsyncStorage>;

async function runWith(store: Store, clock: ManualClock, transport: RecordingTransport): Promise<SessionHub> {
  const hub = createHub({ storage: store, clock: clock.now, logger: recordingLogger(), kits: [brazeKit({ apiKey: 'k', baseUrl: 'sdk.iad-01.braze.com', transport })] });
  let done = false;
  void hub.start().then(() => (done = true));
  for (let i = 0; i < 200 && !done; i++) await vi.advanceTimersByTimeAsync(50);
  expect(done).toBe(true);
  return hub;
}

/** Run 1 queues an event offline and is killed; run 2 launches with the files locked (silent push before the first unlock), which unlock then. */
async function blindRun(): Promise<{ store: Store; clock: ManualClock; hub: SessionHub }> {
  vi.useFakeTimers();
  const clock = manualClock();
  const store = lockableAsyncStorage();
  const first = await runWith(store, clock, recordingTransport(503));
  first.logEvent('run1_personal_event');
  await first.flush();
  await vi.advanceTimersByTimeAsync(1_000);
  await first.shutdown();
  expect([...store.map.values()].join('\n')).toContain('run1_personal_event');
  clock.advance(60_000);
  store.locked = true;
  const hub = await runWith(store, clock, recordingTransport(200));
  store.locked = false;
  hub.logEvent('run2');
  await vi.advanceTimersByTimeAsync(5_000);
  return { store, clock, hub };
}


async function runKit(store: ReturnType<typeof lockableAsyncStorage>, clock: ManualClock, kit: RecordingKit): Promise<SessionHub> {
  const hub = createHub({ storage: store, clock: clock.now, logger: recordingLogger(), kits: [kit] });
  let done = false;
  void hub.start().then(() => (done = true));
  for (let i = 0; i < 200 && !done; i++) await vi.advanceTimersByTimeAsync(50);
  expect(done).toBe(true);
  return hub;
}


describe('the stored opt-out, read back after a launch that could not read it (docs/privacy.md: "Opted out, nothing is recorded, stored or sent by any kit")', () => {
  it('holds from the moment it is read: the opted-out user\'s events are refused and never sent', async () => {
    vi.useFakeTimers();
    const clock = manualClock();
    const storage = lockableAsyncStorage();

    // Run 1: the user withdraws consent.
    const first = createHub({ storage, clock: clock.now, logger: recordingLogger(), kits: [brazeKit({ apiKey: 'k', baseUrl: 'sdk.iad-01.braze.com', transport: recordingTransport(200) })] });
    const started = first.start();
    await vi.advanceTimersByTimeAsync(100);
    await started;
    await first.setOptOut(true);
    await first.shutdown();
    expect(storage.map.get('sessionhub:optOut')).toBe('1');

    // Run 2: a silent push wakes the app before the first unlock; the files unlock a few seconds later.
    clock.advance(60_000);
    storage.locked = true;
    const transport = recordingTransport(200);
    const logger = recordingLogger();
    const hub = createHub({ storage, clock: clock.now, logger, kits: [brazeKit({ apiKey: 'k', baseUrl: 'sdk.iad-01.braze.com', transport })] });
    let done = false;
    void hub.start().then(() => (done = true));
    for (let i = 0; i < 100 && !done; i++) await vi.advanceTimersByTimeAsync(100);
    expect(done).toBe(true);
    storage.locked = false;
    await vi.advanceTimersByTimeAsync(5_000);

    // The storage answers again and holds the user's choice ("1"): the user is still opted out.
    clock.advance(10_000);
    const accepted = hub.logEvent('opted_out_user_event');
    await hub.flush();
    await vi.advanceTimersByTimeAsync(5_000);
    const sent = transport.requests.filter((r) => r.body.includes('opted_out_user_event'));
    // Nothing of an opted-out user may reach a vendor.
    expect(sent.length).toBe(0);
    expect(accepted).toBe(false);
    expect(hub.isOptedOut()).toBe(true);
  });
});

describe('a choice made in a run that commits nothing of its own (docs/privacy.md: "The choice is persisted … and survives relaunches")', () => {
  it('setOptOut never rejects there, whatever the storage does (one that throws at once included)', async () => {
    const { store, hub } = await blindRun();
    store.setItem = () => {
      throw new Error('disk I/O error');
    };
    await expect(hub.setOptOut(true)).resolves.toBeUndefined();
    expect(hub.isOptedOut()).toBe(true);
    await hub.shutdown();
  });

  it('setOptOut(true) is stored: the next launch is opted out and sends nothing', async () => {
    const { store, clock, hub } = await blindRun();
    await hub.setOptOut(true);
    await hub.shutdown();
    clock.advance(60_000);
    const transport = recordingTransport(200);
    const next = await runWith(store, clock, transport);
    await next.flush();
    await vi.advanceTimersByTimeAsync(5_000);
    const sent = transport.requests.filter((r) => r.body.includes('run1_personal_event')).length;
    expect(store.map.get('sessionhub:optOut')).toBe('1');
    expect(next.isOptedOut()).toBe(true);
    expect(transport.requests).toEqual([]);
  });
});

describe('the run\'s own session (docs/react-native.md: "every session that started ends exactly once at every vendor")', () => {
  it('a run that could not read the storage at launch (iOS before the first unlock) and shut down gracefully: its session ends, once', async () => {
    vi.useFakeTimers();
    const clock = manualClock();
    const store = lockableAsyncStorage();
    const kits = [recordingKit(), recordingKit(), recordingKit()];

    const first = await runKit(store, clock, kits[0]!);
    first.logEvent('run1');
    await first.shutdown();

    clock.advance(60_000);
    store.locked = true;
    const second = await runKit(store, clock, kits[1]!);
    store.locked = false;
    clock.advance(1_000);
    second.logEvent('run2');
    await vi.advanceTimersByTimeAsync(5_000);
    await second.shutdown(); // graceful: no kill

    clock.advance(60_000);
    const third = await runKit(store, clock, kits[2]!);
    await third.shutdown();

    const started = kits.flatMap((k) => k.starts().map((s) => s.sessionId));
    const ended = kits.flatMap((k) => k.ends().map((e) => e.sessionId));
    const runTwoSession = kits[1]!.starts().map((s) => s.sessionId);
    // Every session of runs 1 and 2 has ended by run 3's launch (run 3's own may still be open).
    for (const id of started.filter((id) => !kits[2]!.starts().some((s) => s.sessionId === id))) {
      expect(ended.filter((e) => e === id), `session ${id}`).toHaveLength(1);
    }
  });
});

describe('finding the earlier run\'s data (docs/react-native.md, troubleshooting.md: the hub says so)', () => {
  it('says "storage holds what it failed to read at launch" once, not once per commit in flight', async () => {
    vi.useFakeTimers();
    const clock = manualClock();
    const store = lockableAsyncStorage();
    const h1 = createHub({ storage: store, clock: clock.now, logger: recordingLogger(), kits: [recordingKit()] });
    await h1.start();
    h1.logEvent('run1');
    await h1.shutdown();
    const run1 = new Map(store.map);

    clock.advance(5_000);
    store.locked = true;
    const logger = recordingLogger();
    const hub = createHub({ storage: store, clock: clock.now, logger, kits: [recordingKit()] });
    let started = false;
    void hub.start().then(() => (started = true));
    for (let i = 0; i < 200 && !started; i++) await vi.advanceTimersByTimeAsync(10);
    store.locked = false;
    hub.logEvent('run2');
    await vi.advanceTimersByTimeAsync(5_000);
    hub.logEvent('run2b');
    await vi.advanceTimersByTimeAsync(70_000);
    // The earlier run's data is left as it was (this part holds).
    expect(new Map(store.map)).toEqual(run1);
    const said = logger.at('warn').filter((l) => l.includes('storage holds what it failed to read at launch'));
    expect(said).toHaveLength(1);
  });
});
