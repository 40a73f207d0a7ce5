import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHub, memoryStorage, SessionHubConfigError, type HubOptions, type SessionHub, type Warning } from '@sessionhub/core';
import { dyingStorage, manualClock, manualLifecycle, recordingKit, storedView, throwingKit, type ManualClock } from '@sessionhub/testing';

const SEC = 1000;
const quietLogger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };

function setup(options: HubOptions = {}) {
  const clock = manualClock();
  const kit = recordingKit();
  const warnings: Warning[] = [];
  const hub = createHub({ clock: clock.now, kits: [kit], logger: quietLogger, ...options });
  hub.on('warning', (w) => warnings.push(w));
  return { clock, kit, hub, warnings };
}

/** Moves the hub's clock and the fake timers together. */
function advance(clock: ManualClock, ms: number): void {
  clock.advance(ms);
  vi.advanceTimersByTime(ms);
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  for (const fn of Object.values(quietLogger)) fn.mockClear();
});
afterEach(() => vi.useRealTimers());

describe('hub: setup', () => {
  it('throws a typed error naming the option for invalid options', () => {
    const cases: Array<[HubOptions, string]> = [
      [{ sessionTimeout: 0 }, 'sessionTimeout'],
      [{ sessionTimeout: Number.NaN }, 'sessionTimeout'],
      [{ foregroundTimeout: -5 }, 'foregroundTimeout'],
      [{ maxSessionDuration: Infinity }, 'maxSessionDuration'],
      [{ resumeOnRelaunch: 'yes' as never }, 'resumeOnRelaunch'],
      [{ excludedEvents: 'a' as never }, 'excludedEvents'],
      [{ storage: {} as never }, 'storage'],
      [{ logger: { log() {} } as never }, 'logger'],
      [{ namespace: 'has space' }, 'namespace'],
      [{ bogus: 1 } as never, 'bogus'],
    ];
    for (const [options, option] of cases) {
      let error: unknown;
      try {
        createHub(options);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SessionHubConfigError);
      expect((error as SessionHubConfigError).option).toBe(option);
      expect((error as Error).message).toContain(option);
    }
  });

  it('refuses invalid and duplicate kits with a typed error', () => {
    const { hub } = setup();
    expect(() => hub.registerKit({} as never)).toThrow(SessionHubConfigError);
    expect(() => hub.registerKit(recordingKit('recorder'))).toThrow(/already registered/);
  });

  it('queues calls made before start() and applies them in order with their timestamps', async () => {
    const { clock, hub, kit } = setup();
    const started = hub.start();
    clock.advance(2 * SEC);
    expect(hub.logEvent('early', { n: 1 })).toBe(true);
    expect(hub.setSessionAttribute('level', 3)).toBe(true);
    expect(hub.incrementSessionAttribute('count')).toBeUndefined(); // unknown until applied
    await started;
    const [event] = kit.events();
    expect(event).toMatchObject({ name: 'early', timestamp: clock.now(), attributes: { n: 1 } });
    expect(hub.getSessionAttributes()).toEqual({ level: 3, count: 1 });
    // No lifecycle adapter: no lifecycle information, so no foreground at launch (the session timeout applies).
    expect(kit.calls.map((c) => c.type)).toEqual([
      'onSessionStart', 'onEvent', 'onSessionAttributeChange', 'onSessionAttributeChange',
    ]);
  });
});

describe('hub: sessions over time', () => {
  it('the timer ends a backgrounded session at the last activity', async () => {
    const { clock, hub, kit } = setup();
    await hub.start();
    advance(clock, 5 * SEC);
    hub.logEvent('play');
    advance(clock, SEC);
    hub.background();
    const backgroundAt = clock.now();
    advance(clock, 59 * SEC);
    expect(kit.ends()).toHaveLength(0);
    advance(clock, SEC);
    expect(kit.ends()).toEqual([expect.objectContaining({ endTime: backgroundAt, reason: 'timeout' })]);
    expect(hub.getSession()).toBeNull();
  });

  it('a suspended app (timers never fire) gets the same sessions from timestamps', async () => {
    const { clock, hub, kit } = setup();
    await hub.start();
    hub.background();
    const backgroundAt = clock.now();
    clock.advance(3600 * SEC); // no timer ran
    expect(hub.getSession()).toBeNull(); // a read sees the expiry without changing state
    expect(kit.ends()).toHaveLength(0);
    hub.foreground();
    expect(kit.ends()).toEqual([expect.objectContaining({ endTime: backgroundAt })]);
    expect(kit.starts()[1]).toMatchObject({ trigger: 'foreground', startTime: clock.now() });
  });

  it('setSessionTimeout validates, applies to the live session and reaches every kit', async () => {
    const { clock, hub, kit, warnings } = setup();
    await hub.start();
    expect(hub.getSessionTimeout()).toBe(60);
    for (const bad of [0, -1, Number.NaN, Infinity, '60', null]) expect(hub.setSessionTimeout(bad as never)).toBe(false);
    expect(warnings).toHaveLength(6);
    expect(hub.getSessionTimeout()).toBe(60);
    expect(hub.setSessionTimeout(120)).toBe(true);
    expect(hub.getSessionTimeout()).toBe(120);
    expect(kit.calls.at(-1)).toEqual({ type: 'onConfigChange', record: { sessionTimeout: 120, foregroundTimeout: null, maxSessionDuration: null } });
    hub.background();
    advance(clock, 100 * SEC);
    expect(kit.ends()).toHaveLength(0);
    advance(clock, 20 * SEC);
    expect(kit.ends()).toHaveLength(1);
  });

  it('a kit registered late gets onSessionStart for the live session', async () => {
    const { hub } = setup();
    await hub.start();
    hub.logEvent('a');
    const late = recordingKit('late');
    hub.registerKit(late);
    await hub.flush();
    hub.logEvent('b');
    expect(late.calls.map((c) => c.type)).toEqual(['onSessionStart', 'onEvent']);
    expect(late.starts()[0]?.sessionId).toBe(hub.getSession()?.id);
  });

  it.each([
    ['userChange', (hub: SessionHub) => hub.setUser('bob')],
    ['sessionEnd', (hub: SessionHub) => hub.startNewSession()],
  ] as const)('a kit registered by a %s listener, while the new session\'s start is still being delivered, gets that start once', async (event, change) => {
    const { hub } = setup();
    await hub.start();
    hub.setUser('alice');
    const late = recordingKit('late');
    hub.once(event, () => hub.registerKit(late));
    change(hub); // a new session: the old one ends, the new one starts
    hub.logEvent('after');
    await hub.flush();
    expect(late.calls.map((c) => c.type)).toEqual(['onSessionStart', 'onEvent']);
    expect(late.starts()[0]!.sessionId).toBe(hub.getSession()!.id);
  });

  it('start() again with options warns that they are ignored: the launch is what the first call said', async () => {
    const { hub, kit, warnings } = setup();
    const first = hub.start();
    // The docs' background launch handler after index.js's start(): too late to say it.
    const again = hub.start({ inBackground: true });
    await Promise.all([first, again]);
    expect(kit.starts()).toHaveLength(1);
    expect(warnings.map((w) => w.message).join('\n')).toMatch(/start: already called for this launch; the options of this call are ignored/);
    // Without options, a second start() is the first's promise, as documented, with no warning.
    const before = warnings.length;
    await hub.start();
    expect(warnings).toHaveLength(before);
  });

  it('events a kit declares session-neutral neither start nor extend sessions', async () => {
    const { hub, kit } = setup({ kits: [] });
    hub.registerKit({ ...recordingKit('neutral'), sessionNeutralEvents: ['Notification Sent'] });
    hub.registerKit(kit);
    await hub.start({ inBackground: true });
    hub.logEvent('Notification Sent');
    expect(kit.starts()).toHaveLength(0);
    expect(kit.events()[0]).toMatchObject({ sessionId: null, affectsSession: false });
  });

  it('a kit registered while start() is under way counts: its session-neutral events, and its records', async () => {
    // Right after start(): the state is still being read.
    const early = setup({ kits: [] });
    const starting = early.hub.start({ inBackground: true });
    early.hub.registerKit({ ...recordingKit('neutral'), sessionNeutralEvents: ['Notification Sent'] });
    early.hub.registerKit(early.kit);
    await starting;
    early.hub.logEvent('Notification Sent');
    expect(early.kit.starts()).toHaveLength(0);
    expect(early.kit.events()[0]).toMatchObject({ sessionId: null, affectsSession: false });

    // While launch waits for a slow kit's init: the other kits have been started already.
    let initDone!: () => void;
    const slow = recordingKit('slow', { init: () => new Promise<void>((resolve) => (initDone = resolve)) });
    const { hub } = setup({ kits: [slow] });
    const started = hub.start();
    await vi.waitFor(() => expect(slow.context).not.toBeNull());
    const late = { ...recordingKit('late'), sessionNeutralEvents: ['Ping'] };
    hub.registerKit(late);
    initDone();
    await started;
    hub.logEvent('Ping');
    hub.logEvent('play');
    expect(late.calls.map((c) => c.type)).toEqual(['onSessionStart', 'onEvent', 'onEvent']); // no lifecycle: no foreground
    expect(late.events().map((e) => e.affectsSession)).toEqual([false, true]);
    expect(hub.getKitHealth().late).toMatchObject({ status: 'ready', errors: 0 });
  });

  it('delivers outputs in order even when a listener calls back into the hub', async () => {
    const { hub, kit } = setup();
    hub.on('sessionEnd', () => hub.logEvent('after-end'));
    await hub.start();
    hub.startNewSession();
    const types = kit.calls.map((c) => c.type);
    expect(types.slice(-3)).toEqual(['onSessionEnd', 'onSessionStart', 'onEvent']);
    expect(kit.events().at(-1)?.sessionId).toBe(kit.starts()[1]?.sessionId);
  });

  it('drives foreground and background from a lifecycle adapter', async () => {
    const lifecycle = manualLifecycle('background');
    const { hub, kit } = setup({ lifecycle });
    await hub.start();
    expect(kit.starts()).toHaveLength(0);
    lifecycle.foreground();
    expect(kit.starts()).toHaveLength(1);
    lifecycle.background();
    expect(kit.calls.at(-1)?.type).toBe('onBackground');
    await hub.shutdown();
    expect(lifecycle.listeners).toBe(0);
  });
});

describe('hub: never breaks the host app', () => {
  it('returns failure values with one warning each for bad runtime input', async () => {
    const { hub, warnings } = setup();
    await hub.start();
    expect(hub.logEvent('' as never)).toBe(false);
    expect(hub.logEvent(42 as never)).toBe(false);
    expect(hub.logEvent('ok', [] as never)).toBe(false);
    expect(hub.logEvent('ok', {}, { affectsSession: 'no' } as never)).toBe(false);
    expect(hub.setUser(17 as never)).toBe(false);
    expect(hub.setUser('')).toBe(false);
    expect(hub.setSessionAttribute('k', { nested: true } as never)).toBe(false);
    expect(hub.incrementSessionAttribute('k', '1' as never)).toBeUndefined();
    expect(hub.removeSessionAttribute(5 as never)).toBe(false);
    expect(warnings.map((w) => w.code)).toEqual(Array(9).fill('invalid-argument'));
    expect(quietLogger.warn).toHaveBeenCalledTimes(9);
  });

  it('a kit that throws everywhere disturbs neither another kit nor the app', async () => {
    const good = recordingKit('good');
    const { hub } = setup({ kits: [throwingKit('bad'), good, throwingKit('bad-init', { failInit: true })] });
    await hub.start();
    hub.logEvent('a');
    hub.setSessionAttribute('k', 1);
    hub.background();
    await expect(hub.flush()).resolves.toBeUndefined();
    await expect(hub.shutdown()).resolves.toBeUndefined();
    // No lifecycle adapter: no foreground at launch.
    expect(good.calls.map((c) => c.type)).toEqual(['onSessionStart', 'onEvent', 'onSessionAttributeChange', 'onBackground']);
    const health = hub.getKitHealth();
    expect(health.bad).toMatchObject({ status: 'ready', calls: 4 });
    expect(health.bad?.errors).toBeGreaterThanOrEqual(6); // 4 callbacks + flush + shutdown (+ getHealth)
    expect(health.bad?.lastError).toMatch(/exploded/);
    expect(health['bad-init']).toMatchObject({ status: 'failed', calls: 0, errors: 1 });
    expect(health.good).toMatchObject({ status: 'ready', errors: 0, calls: 4 });
  });

  it('a throwing listener or logger does not break the call', async () => {
    const throwing = { debug() { throw new Error('x'); }, info() { throw new Error('x'); }, warn() { throw new Error('x'); }, error() { throw new Error('x'); } };
    const { hub } = setup({ logger: throwing });
    hub.on('event', () => {
      throw new Error('listener');
    });
    await hub.start();
    expect(hub.logEvent('a')).toBe(true);
    expect(hub.logEvent('')).toBe(false);
  });

  it('a failing storage falls back to memory with one warning and the app keeps running', async () => {
    const storage = dyingStorage();
    storage.fail();
    const { hub, kit, warnings } = setup({ storage });
    await hub.start();
    hub.logEvent('a');
    await hub.flush();
    expect(kit.events()).toHaveLength(1);
    expect(quietLogger.warn).toHaveBeenCalledWith('[sessionhub]', expect.stringMatching(/storage failed.*memory/));
    // Also a warning of the hub, for apps that report them (one per outage, as logged).
    expect(warnings).toEqual([{ code: 'storage-failure', message: expect.stringMatching(/storage failed.*memory/) }]);
  });

  it('corrupt persisted state is reported and replaced, keeping the device id', async () => {
    const storage = dyingStorage([['sessionhub:state', JSON.stringify({ version: 1, deviceId: 'dev-9', session: 'garbage' })]]);
    const { hub, kit, warnings } = setup({ storage });
    await hub.start();
    expect(warnings.map((w) => w.code)).toEqual(['corrupt-state']);
    expect(hub.getDeviceId()).toBe('dev-9');
    expect(kit.starts()).toHaveLength(1);
    const unparsable = setup({ storage: dyingStorage([['sessionhub:state', '{not json']]) });
    await unparsable.hub.start();
    expect(unparsable.warnings.map((w) => w.code)).toEqual(['corrupt-state']);
  });

  it("a kit whose callback property throws when read is that kit's failure alone, with a kit-failure warning", async () => {
    const bad = { name: 'bad', get onEvent(): never { throw new Error('getter'); } };
    const proxy = new Proxy({ name: 'proxied' }, { get: (target, key) => (key === 'name' ? target.name : key === 'onSessionStart' ? (() => { throw new Error('trap'); })() : undefined) });
    const after = recordingKit('after');
    const { hub, warnings } = setup({ kits: [bad, proxy as never, after] });
    await hub.start();
    expect(hub.logEvent('a')).toBe(true);
    expect(after.starts()).toHaveLength(1);
    expect(after.events()).toHaveLength(1);
    const health = hub.getKitHealth();
    expect([health.bad!.errors, health.proxied!.errors]).toEqual([1, 1]);
    expect(warnings.filter((w) => w.code === 'kit-failure').map((w) => w.message)).toEqual([
      'kit "proxied" failed in onSessionStart; other kits and the app carry on: Error: trap',
      'kit "bad" failed in onEvent; other kits and the app carry on: Error: getter',
    ]);
  });

  it('with debug logging, a record JSON cannot hold (a bigint, a cycle) is logged as it is, and the call goes through', async () => {
    const { hub, kit } = setup({ debug: true });
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(hub.logEvent('early', { n: 1n })).toBe(true);
    await hub.start();
    expect(hub.logEvent('purchase', { n: 1n, cycle })).toBe(true);
    expect(kit.events().map((e) => e.name)).toEqual(['early', 'purchase']);
  });

  it("shutdown() completes when the lifecycle adapter's unsubscribe throws or is not a function (React Native's { remove })", async () => {
    for (const unsubscribe of [{ remove() {} }, () => { throw new Error('gone'); }, 'nonsense']) {
      const flushed = vi.fn();
      quietLogger.error.mockClear();
      const { hub } = setup({ lifecycle: { subscribe: () => unsubscribe as never }, kits: [recordingKit('r', { flush: flushed })] });
      await hub.start();
      await expect(hub.shutdown()).resolves.toBeUndefined();
      expect(flushed).toHaveBeenCalled();
      expect(quietLogger.error).toHaveBeenCalledWith('[sessionhub]', 'lifecycle adapter failed to unsubscribe:', expect.any(Error));
    }
  });

  it('start() and reset() after shutdown() are refused with a warning, not silently', async () => {
    const { hub, warnings } = setup();
    await hub.start();
    await hub.shutdown();
    await hub.start();
    await hub.reset();
    expect(warnings.map((w) => [w.code, w.message])).toEqual([
      ['not-started', 'start() after shutdown(): create a new hub instead'],
      ['not-started', 'reset: the hub was shut down; create a new hub to keep tracking'],
    ]);
  });

  it('a timeout whose milliseconds would overflow is refused (setSessionTimeout) or thrown (options)', async () => {
    const { hub, warnings } = setup();
    await hub.start();
    expect(hub.setSessionTimeout(Number.MAX_VALUE)).toBe(false);
    expect(hub.getSessionTimeout()).toBe(60);
    expect(warnings.map((w) => w.message)).toEqual([expect.stringContaining('from 1 to 1e9')]);
    expect(hub.setSessionTimeout(1e9)).toBe(true);
    expect(() => createHub({ maxSessionDuration: 1e300 })).toThrow(SessionHubConfigError);
  });

  it('a corrupt state keeps the device\'s session count and last session: the next session is not a first one again', async () => {
    const t = Date.UTC(2026, 0, 1);
    const session = { id: 's41', index: 41, previousSessionId: 's40', trigger: 'bogus', startTime: t - 20_000, lastActivity: t - 10_000, eventIndex: 3 };
    const stored = { version: 1, deviceId: 'dev-1', userId: 'u1', lastSessionIndex: 41, inForeground: false, clock: t - 10_000, session, previous: { id: 's40', startTime: t - 100_000, duration: 1000 } };
    const storage = dyingStorage([['sessionhub:state', JSON.stringify(stored)]]);
    const { hub, kit, warnings, clock } = setup({ storage });
    clock.set(t);
    await hub.start();
    expect(warnings.map((w) => w.code)).toEqual(['corrupt-state']);
    expect(kit.starts()).toEqual([expect.objectContaining({ deviceId: 'dev-1', sessionIndex: 42, isFirstSession: false, previousSessionId: 's41' })]);
  });

  it('refuses calls after shutdown, which does not end the session', async () => {
    const { hub, kit, warnings } = setup();
    await hub.start();
    await hub.shutdown();
    expect(kit.ends()).toHaveLength(0);
    expect(hub.logEvent('late')).toBe(false);
    expect(warnings.at(-1)?.code).toBe('not-started');
  });
});

describe('hub: force-quit recovery', () => {
  /** Lets the coalesced state write of the last call land, as it does before any real kill. */
  const settle = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };

  it('ends the dead session exactly once at its last persisted activity, then starts a new one', async () => {
    const storage = dyingStorage();
    const first = setup({ storage });
    await first.hub.start();
    first.clock.advance(3 * SEC);
    first.hub.logEvent('play');
    const lastActivity = first.clock.now();
    await settle();
    storage.kill(); // the process dies: nothing it does from now on persists or reaches a kit
    first.kit.kill();
    first.clock.advance(SEC);
    first.hub.logEvent('lost-with-the-process');

    const relaunched = storage.survivor();
    const second = setup({ storage: relaunched });
    second.clock.set(first.clock.now() + 10 * SEC);
    await second.hub.start();
    expect(second.kit.ends()).toEqual([
      expect.objectContaining({ sessionId: first.kit.starts()[0]?.sessionId, reason: 'recovered', endTime: lastActivity, eventCount: 1 }),
    ]);
    expect(second.kit.starts()).toEqual([expect.objectContaining({ trigger: 'launch', sessionIndex: 2, previousSessionId: first.kit.starts()[0]?.sessionId })]);
    expect(second.hub.getDeviceId()).toBe(first.hub.getDeviceId());

    await second.hub.shutdown();
    const third = setup({ storage: relaunched.survivor() });
    third.clock.set(second.clock.now() + 10 * SEC);
    await third.hub.start();
    expect(third.kit.ends()).toEqual([expect.objectContaining({ sessionId: second.kit.starts()[0]?.sessionId, reason: 'recovered' })]);
    expect(third.kit.ends().filter((e) => e.sessionId === first.kit.starts()[0]?.sessionId)).toHaveLength(0);
  });

  it('a relaunch persists the recovered end only once the kits can take it durably', async () => {
    const storage = dyingStorage();
    const first = setup({ storage });
    await first.hub.start();
    first.hub.logEvent('a');
    await settle();
    storage.kill();
    const relaunched = storage.survivor();
    let release: () => void = () => {};
    const slow = recordingKit('slow', { init: () => new Promise<void>((resolve) => (release = resolve)) });
    const second = setup({ storage: relaunched, kits: [slow] });
    let started = false;
    void second.hub.start().then(() => (started = true));
    await settle();
    // The kit is still loading its outbox: the dead session must still be open on disk, so a kill
    // now would make the next launch recover it again instead of losing its end.
    const onDisk = JSON.parse(storedView(relaunched.snapshot()).get('sessionhub:state') ?? '{}') as { session: { id: string } | null };
    expect(onDisk.session?.id).toBe(first.kit.starts()[0]?.sessionId);
    expect(onDisk).not.toHaveProperty('config'); // each run takes its config from its options
    expect(started).toBe(false);
    release();
    await vi.waitFor(() => expect(started).toBe(true));
    expect(slow.ends()).toEqual([expect.objectContaining({ reason: 'recovered' })]);
    const after = JSON.parse(storedView(relaunched.snapshot()).get('sessionhub:state') ?? '{}') as { session: { id: string } | null };
    expect(after.session?.id).toBe(slow.starts()[0]?.sessionId);
  });

  it('what a kit still initialising is owed is stored, handed to it once by the next launch, and dropped when its init fails', async () => {
    const storage = dyingStorage();
    const first = setup({ storage });
    await first.hub.start();
    await settle();
    storage.kill();
    const owedKey = 'sessionhub:kit:slow:~';
    /** A run whose kit `slow` is still initialising when it dies: the launch's end and start, and an event, are owed to it. */
    const owingRun = async (on: ReturnType<typeof dyingStorage>, init: () => Promise<void>, events = 1) => {
      const { hub } = setup({ storage: on, kits: [recordingKit('slow', { init })] });
      const started = hub.start();
      await vi.advanceTimersByTimeAsync(3000);
      await started;
      for (let i = 0; i < events; i++) {
        hub.logEvent('b');
        await settle();
      }
      on.kill();
      return on.survivor();
    };
    const second = await owingRun(storage.survivor(), () => new Promise<void>(() => {}));
    expect(storedView(second.snapshot()).get(owedKey)).toContain('"b"');
    // Bounded: a kit whose init hangs has its first 100 calls stored, not every commit rewrite all it is owed.
    const hung = await owingRun(storage.survivor(), () => new Promise<void>(() => {}), 150);
    const afterHung = recordingKit('slow');
    await setup({ storage: hung, kits: [afterHung] }).hub.start();
    // The seed's end, the hung run's start, 98 of its 150 events; then this launch's end of that session and start.
    expect(afterHung.calls.map((c) => c.type)).toEqual(['onSessionEnd', 'onSessionStart', ...Array(98).fill('onEvent'), 'onSessionEnd', 'onSessionStart']);
    const kit = recordingKit('slow');
    const third = setup({ storage: second, kits: [kit] });
    await third.hub.start();
    // First what the second run owed it, in order; then this launch's own outputs.
    expect(kit.calls.map((c) => c.type)).toEqual(['onSessionEnd', 'onSessionStart', 'onEvent', 'onSessionEnd', 'onSessionStart']);
    expect(kit.ends().map((e) => e.sessionId)).toEqual([first.kit.starts()[0]?.sessionId, kit.starts()[0]?.sessionId]);
    await settle();
    expect(storedView(second.snapshot()).has(owedKey)).toBe(false);

    // Owed again, then its init fails: dropped, the stored record too.
    const fourth = await owingRun(second.survivor(), () => new Promise<void>((_, reject) => setTimeout(() => reject(new Error('no config')), 5000)));
    expect(storedView(fourth.snapshot()).has(owedKey)).toBe(true);
    const failing = recordingKit('slow', { init: () => Promise.reject(new Error('no config')) });
    await setup({ storage: fourth, kits: [failing] }).hub.start();
    await settle();
    expect(failing.calls).toEqual([]);
    expect(storedView(fourth.snapshot()).has(owedKey)).toBe(false);
  });

  it('what it finds stored as owed to a kit reaches only the kit callbacks the hub dispatches, never clear or init', async () => {
    // The key as an earlier version's per-key layout would hold it: read once, then moved into the segments.
    const event = { eventId: 'e-1', name: 'stored', attributes: {}, timestamp: Date.UTC(2026, 0, 1), sessionId: 's-1' };
    const storage = memoryStorage();
    storage.setItem('sessionhub:kit:slow:~', JSON.stringify([['clear', null], ['init', {}], ['onEvent', event]]));
    const kit = recordingKit('slow');
    await setup({ storage, kits: [kit] }).hub.start();
    expect(kit.calls.filter((c) => c.type !== 'onSessionStart').map((c) => [c.type, c.type === 'onEvent' ? c.record.name : null])).toEqual([['onEvent', 'stored']]);
  });

  it('a kit whose init never settles does not hang the launch', async () => {
    const stuck = recordingKit('stuck', { init: () => new Promise<void>(() => {}) });
    const { hub, kit } = setup({ kits: [stuck, recordingKit('other')] });
    const started = hub.start();
    await vi.advanceTimersByTimeAsync(3000);
    await started;
    expect(kit.starts()).toHaveLength(0); // `kit` is not registered here; the other one is
    expect(hub.getKitHealth().stuck?.status).toBe('initializing');
    expect(hub.getKitHealth().other?.calls).toBeGreaterThan(0);
  });

  it('with resumeOnRelaunch inside the timeout the same session continues', async () => {
    const storage = dyingStorage();
    const first = setup({ storage, resumeOnRelaunch: true });
    await first.hub.start();
    first.hub.logEvent('a');
    await settle();
    storage.kill();
    const second = setup({ storage: storage.survivor(), resumeOnRelaunch: true });
    second.clock.set(first.clock.now() + 30 * SEC);
    await second.hub.start();
    expect(second.kit.ends()).toHaveLength(0);
    expect(second.kit.starts()).toHaveLength(0);
    second.hub.logEvent('b');
    expect(second.kit.events()[0]).toMatchObject({ sessionId: first.kit.starts()[0]?.sessionId, eventIndex: 2 });
  });

  it('works with an async (AsyncStorage-like) storage', async () => {
    const storage = dyingStorage([], { async: true });
    const first = setup({ storage });
    await first.hub.start();
    first.hub.logEvent('a');
    await first.hub.flush();
    storage.kill();
    const second = setup({ storage: storage.survivor() });
    second.clock.set(first.clock.now() + 5 * SEC);
    await second.hub.start();
    expect(second.kit.ends()).toEqual([expect.objectContaining({ reason: 'recovered', eventCount: 1 })]);
  });
});
