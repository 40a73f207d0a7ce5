import { describe, expect, it } from 'vitest';
import { createHub, type SessionHub, type StorageAdapter } from '@sessionhub/core';
import { brazeKit } from '@sessionhub/kit-braze';
import { clevertapKit } from '@sessionhub/kit-clevertap';
import { snowplowKit } from '@sessionhub/kit-snowplow';
import { iosAsyncStorage, manualClock, recordingLogger, recordingTransport, storedView, type ManualClock, type RecordingLogger, type RecordingTransport } from '@sessionhub/testing';
import { createCollector } from '@sessionhub/testing';
import { collectorTransport } from '../../kit-braze/test/collector-transport';
import { ROW_TOO_BIG, SQLITE_FULL } from './fake-rn-native-module';
import { reactNativeAsyncStorage, type AsyncStorageStatic, type NativeAsyncStorage } from './rn-async-storage';
import { wires } from './session-wires';

/**
 * The hub and the three kits on React Native's AsyncStorage itself: the library's JavaScript over a
 * native module that runs its calls one after another, as Android's does (see rn-async-storage.ts).
 * A launch reads with `multiGet`, which the library merges within a tick into one call of the module;
 * `getItem` would be a call per key.
 */

/** Lets the native module's queue drain (each call a turn of its own). */
const idle = async (): Promise<void> => {
  for (let i = 0; i < 60; i++) await new Promise((resolve) => setTimeout(resolve, 0));
};

/** The library's AsyncStorage as a storage without its multi-key calls: a `getItem` per key read. */
const keyByKey = (s: AsyncStorageStatic): StorageAdapter => ({ getItem: (k) => s.getItem(k), setItem: (k, v) => s.setItem(k, v), removeItem: (k) => s.removeItem(k) });

interface App {
  readonly hub: SessionHub;
  readonly transport: RecordingTransport;
  readonly logger: RecordingLogger;
}

async function launch(storage: StorageAdapter, clock: ManualClock, transport: RecordingTransport = recordingTransport()): Promise<App> {
  const logger = recordingLogger();
  const hub = createHub({
    storage,
    clock: clock.now,
    logger,
    kits: [
      brazeKit({ apiKey: 'app-key', baseUrl: 'sdk.iad-01.braze.com', transport }),
      snowplowKit({ collectorUrl: 'https://collector.example.com', appId: 'rn-app', delivery: { transport } }),
      clevertapKit({ accountId: 'W9R-486-4W5Z', token: 'abc-def', region: 'eu1', os: 'iOS', delivery: { transport } }),
    ],
  });
  await hub.start();
  return { hub, transport, logger };
}

/** A first run of 20 events, everything delivered; the rows the native module holds after it. */
async function firstRun(clock: ManualClock): Promise<Map<string, string>> {
  const { AsyncStorage, native } = await reactNativeAsyncStorage();
  const { hub, transport } = await launch(AsyncStorage, clock);
  for (let n = 0; n < 20; n++) {
    clock.advance(1000);
    hub.logEvent('song_played', { n });
    await hub.flush();
    await idle();
  }
  expect(transport.requests.length).toBeGreaterThan(3);
  await hub.shutdown();
  return new Map(native.rows);
}

describe("React Native's AsyncStorage (the library's JavaScript, a serial native module)", () => {
  it('a relaunch reads in a few calls of the native module with multiGet, against a call per key with getItem', async () => {
    const clock = manualClock();
    const rows = await firstRun(clock);
    // The state and the kits' outboxes are in the segment keys.
    expect([...storedView(rows).keys()]).toEqual(expect.arrayContaining(['sessionhub:state', 'sessionhub:kit:braze:outbox:meta']));

    const calls: Record<string, number> = {};
    for (const multi of [true, false]) {
      const { AsyncStorage, native } = await reactNativeAsyncStorage(rows);
      const { hub } = await launch(multi ? AsyncStorage : keyByKey(AsyncStorage), clock);
      expect(hub.getSession()?.index).toBe(2);
      calls[multi ? 'multiGet' : 'getItem'] = native.calls.length;
      if (multi) expect(native.calls.filter((c) => c === 'multiGet').length).toBeGreaterThan(0);
      await hub.shutdown();
    }
    // The records hold the removals of the delivered items: each key is looked for (an old layout's),
    // all of them in one multiGet; with getItem, a call each.
    // (Measured: 6 and 50.)
    expect(calls.multiGet).toBeLessThanOrEqual(10);
    expect(calls.getItem).toBeGreaterThan(4 * calls.multiGet!);
  });

  it('what a run queued while offline is sent after a relaunch, once', async () => {
    const clock = manualClock();
    const { AsyncStorage, native } = await reactNativeAsyncStorage();
    const offline = recordingTransport(503);
    const first = createHub({ storage: AsyncStorage, clock: clock.now, logger: recordingLogger(), kits: [snowplowKit({ collectorUrl: 'https://collector.example.com', appId: 'rn-app', delivery: { transport: offline } })] });
    await first.start();
    for (let n = 0; n < 5; n++) {
      clock.advance(1000);
      first.logEvent('offline_event', { n });
      await idle();
    }
    // Killed: the next launch reads what the native module holds.
    const second = await reactNativeAsyncStorage(native.rows);
    const { hub, transport } = await launch(second.AsyncStorage, clock);
    await hub.flush();
    await idle();
    const bodies = transport.requests.filter((r) => r.url.includes('collector.example.com')).map((r) => r.body);
    const sent = bodies.flatMap((b) => [...b.matchAll(/offline_event/g)]);
    expect(sent).toHaveLength(5);
    await hub.shutdown();
    await first.shutdown();
  });

  it('a multiRemove the native module fails: the library rejects with an array of errors, the warning names the error', async () => {
    const clock = manualClock();
    const rows = await firstRun(clock);
    // A kill left an item's key of the one-key-per-item layout behind, which the records say was removed.
    const removed = [...rows.values()].flatMap((record) => [...record.matchAll(/^-(kit:braze:outbox:\d+)$/gm)].map((m) => m[1]!));
    expect(removed.length).toBeGreaterThan(0);
    rows.set(`sessionhub:${removed[0]}`, '{"left":"over"}');
    const { AsyncStorage, native } = await reactNativeAsyncStorage(rows);
    native.fail('multiRemove', 'database or disk is full');
    const { hub, logger } = await launch(AsyncStorage, clock);
    expect(native.calls).toContain('multiRemove');
    expect(hub.getSession()).not.toBeNull();
    const warnings = logger.at('warn').join('\n');
    expect(warnings).toMatch(/Error: database or disk is full/);
    expect(warnings).not.toMatch(/an array/);
    await hub.shutdown();
  });

  /** A first run's rows with an item's old key a kill left (see above), so that a launch has something to remove; and its device id. */
  async function firstRunWithLeftover(clock: ManualClock): Promise<[Map<string, string>, string]> {
    const rows = await firstRun(clock);
    const removed = [...rows.values()].flatMap((record) => [...record.matchAll(/^-(kit:braze:outbox:\d+)$/gm)].map((m) => m[1]!));
    rows.set(`sessionhub:${removed[0]}`, '{"left":"over"}');
    return [rows, (JSON.parse(storedView(rows).get('sessionhub:state')!) as { deviceId: string }).deviceId];
  }

  /** The run goes on from what the earlier one stored: its device, its next session, and the state written. */
  async function goesOnFromStored(hub: SessionHub, clock: ManualClock, native: NativeAsyncStorage, deviceId: string): Promise<void> {
    expect(hub.getDeviceId()).toBe(deviceId);
    expect(hub.getSession()!.index).toBe(2);
    clock.advance(1000);
    hub.logEvent('after_launch');
    await hub.flush();
    await idle();
    expect(storedView(native.rows).get('sessionhub:state')).toContain(hub.getSession()!.id);
    await hub.shutdown();
  }

  it.each([
    ['multiGet', 'the launch reads the segment keys'],
    ['multiRemove', 'the launch removes what a kill left'],
  ])('a launch whose %s the native module fails once (%s) reads it again: the run goes on from what is stored', async (method) => {
    const clock = manualClock();
    const [rows, deviceId] = await firstRunWithLeftover(clock);
    const { AsyncStorage, native } = await reactNativeAsyncStorage(rows);
    // A transient failure (a locked database, an I/O error): the one call at launch.
    native.fail(method, 'database is locked', 1);
    const { hub, logger } = await launch(AsyncStorage, clock);
    expect(native.calls.filter((c) => c == method).length).toBeGreaterThan(1);
    expect(logger.at('warn').join('\n')).not.toMatch(/database is locked/);
    await goesOnFromStored(hub, clock, native, deviceId);
  });

  it.each([
    ['multiGet', 'the launch reads the segment keys'],
    ['multiRemove', 'the launch removes what a kill left'],
  ])('a launch whose %s fails until after it (%s; iOS before the first unlock) writes nothing over what it could not read', async (method) => {
    const clock = manualClock();
    const [rows, deviceId] = await firstRunWithLeftover(clock);
    const stored = storedView(rows).get('sessionhub:state');
    const { AsyncStorage, native } = await reactNativeAsyncStorage(rows);
    native.fail(method, 'database is locked');
    const { hub, logger, transport } = await launch(AsyncStorage, clock);
    expect(logger.at('warn').join('\n')).toMatch(/database is locked/);
    // Going on without what is stored: another device id.
    expect(hub.getDeviceId()).not.toBe(deviceId);
    native.recover(method);
    clock.advance(1000);
    hub.logEvent('after_recovery');
    hub.background();
    await hub.flush();
    await idle();
    // The run's data is sent from memory, and not written over the earlier run's, which the next launch finds.
    expect(transport.requests.some((r) => r.body.includes('after_recovery'))).toBe(true);
    expect(logger.at('warn').join('\n')).toMatch(/holds what it failed to read at launch/);
    expect(storedView(native.rows).get('sessionhub:state')).toBe(stored);
    const next = await launch((await reactNativeAsyncStorage(native.rows)).AsyncStorage, clock);
    expect(next.hub.getDeviceId()).toBe(deviceId);
    expect(next.hub.getSession()!.index).toBe(2);
    await next.hub.shutdown();
    await hub.shutdown();
  });

  /** `launch`, failing when `start()` has not resolved after `ms` (without the bound, a read never answered held it for ever). */
  async function launchWithin(ms: number, storage: StorageAdapter, clock: ManualClock): Promise<App & { took: number }> {
    const began = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`start() still waiting after ${ms} ms`)), ms)));
    try {
      return { ...(await Promise.race([launch(storage, clock), late])), took: Date.now() - began };
    } finally {
      clearTimeout(timer);
    }
  }

  it('a launch whose read the native module never answers (a task that died of an Error) asks again: the run goes on from what is stored', async () => {
    const clock = manualClock();
    const [rows, deviceId] = await firstRunWithLeftover(clock);
    const { AsyncStorage, native } = await reactNativeAsyncStorage(rows);
    native.hang('multiGet', 1);
    const { hub, logger, took } = await launchWithin(20_000, AsyncStorage, clock);
    // The read waited for 10 s, then was asked again, and answered.
    expect(took).toBeGreaterThanOrEqual(10_000);
    expect(logger.at('warn')).toEqual([]);
    await goesOnFromStored(hub, clock, native, deviceId);
  }, 30_000);

  it('a write the native module never answers counts as failed after 10 s: written again, flush() and shutdown() end, sending goes on, nothing twice', async () => {
    const clock = manualClock();
    const { AsyncStorage, native } = await reactNativeAsyncStorage();
    const { hub, logger, transport } = await launch(AsyncStorage, clock);
    native.hang('multiSet', 1);
    clock.advance(1000);
    hub.logEvent('unanswered_write');
    const began = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([hub.flush(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('flush() still waiting after 20 s')), 20_000)))]);
    clearTimeout(timer);
    expect(Date.now() - began).toBeGreaterThanOrEqual(10_000);
    const warnings = logger.at('warn').join('\n');
    expect(warnings).toMatch(/storage failed \(Error: no answer in 10 s\)/);
    // Written again, after the unanswered call (the module runs its calls one after another), and sent.
    await hub.flush();
    await idle();
    await hub.shutdown();
    const sent = (t: RecordingTransport): number => t.requests.flatMap((r) => [...r.body.matchAll(/unanswered_write/g)]).length;
    // Once at each of Braze, Snowplow and CleverTap.
    expect(sent(transport)).toBe(3);
    // A relaunch sends it no more: its delivery was saved.
    const next = await launch((await reactNativeAsyncStorage(native.rows)).AsyncStorage, clock);
    await next.hub.flush();
    await idle();
    expect(sent(next.transport)).toBe(0);
    await next.hub.shutdown();
  }, 60_000);

  it('a launch whose reads are never answered goes on without what is stored, sends from memory and writes nothing over it; the next launch finds it', async () => {
    const clock = manualClock();
    const [rows, deviceId] = await firstRunWithLeftover(clock);
    const stored = new Map(rows);
    const { AsyncStorage, native } = await reactNativeAsyncStorage(rows);
    native.hang('multiGet');
    const { hub, logger, transport, took } = await launchWithin(30_000, AsyncStorage, clock);
    // One read waits the whole 10 s; the next ones, the storage stuck meanwhile, a moment each.
    expect(took).toBeLessThan(20_000);
    expect(logger.at('warn').join('\n')).toMatch(/storage failed to read \(Error: no answer in 10 s\)/);
    expect(hub.getDeviceId()).not.toBe(deviceId);
    clock.advance(1000);
    hub.logEvent('while_stuck');
    hub.background();
    await hub.flush();
    await idle();
    expect(transport.requests.some((r) => r.body.includes('while_stuck'))).toBe(true);
    await hub.shutdown();
    expect(native.rows).toEqual(stored);
    const next = await launch((await reactNativeAsyncStorage(native.rows)).AsyncStorage, clock);
    expect(next.hub.getDeviceId()).toBe(deviceId);
    expect(next.hub.getSession()!.index).toBe(2);
    await next.hub.shutdown();
  }, 60_000);
});

describe("AsyncStorage on iOS: short values in one manifest file, longer ones in files of their own", () => {
  /** Lets the store's answers and the hub's commits run (the store answers in microtasks). */
  const turns = async (): Promise<void> => {
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  /** Events a second apart, a background of two minutes (the session times out), a foreground, more events. */
  async function day(hub: SessionHub, clock: ManualClock, events: number): Promise<void> {
    for (let n = 0; n < events; n++) {
      clock.advance(1000);
      hub.logEvent('song_played');
      await turns();
      if (n % 10 == 9) {
        hub.background();
        await turns();
        clock.advance(120_000);
        hub.foreground();
        await turns();
      }
    }
  }

  it.each([
    [1024, 'never rewrites the manifest once each segment key is a file'],
    [undefined, 'rewrites the manifest at each small commit (the background\'s, a round of removals)'],
  ])('the hub and three kits, inlineLimit %s: %s; a relaunch reads on', async (inlineLimit, _) => {
    const clock = manualClock();
    const store = iosAsyncStorage();
    const storage: StorageAdapter = inlineLimit === undefined ? store : { ...store, inlineLimit };
    const first = await launch(storage, clock);
    // Each of the 16 segment keys becomes a file once, with a manifest write that says so.
    await day(first.hub, clock, 20);
    const before = store.operations.length;
    await day(first.hub, clock, 40);
    const manifestWrites = store.operations.slice(before).filter((op) => op.kind == 'manifest').length;
    const files = store.operations.slice(before).filter((op) => op.kind == 'file').length;
    expect(files).toBeGreaterThanOrEqual(40);
    if (inlineLimit) expect(manifestWrites).toBe(0);
    // (Measured: 12 manifest writes and 4 file removals over these 40 events, and 48 files; 56 files alone with the limit.)
    else expect(manifestWrites).toBeGreaterThanOrEqual(4);
    const { index } = first.hub.getSession()!;
    const deviceId = first.hub.getDeviceId();

    // Killed (no shutdown): the next launch reads the records, padded or not, and goes on.
    const second = await launch(storage, clock);
    expect(second.hub.getDeviceId()).toBe(deviceId);
    expect(second.hub.getSession()?.index).toBe(index + 1);
    expect([...first.logger.at('warn'), ...second.logger.at('warn')]).toEqual([]);
    await second.hub.shutdown();
    await first.hub.shutdown();
  });

  it.each([
    [true, 'the POSIX error under it named'],
    [false, 'only Cocoa\'s error, in the device\'s language'],
  ])("a full disk (the module's out-of-space error, %s) is taken for a full storage: the oldest plain events make room, and the commit is written again", async (posixError) => {
    const clock = manualClock();
    const store = iosAsyncStorage();
    store.posixError = posixError;
    const { hub, logger } = await launch({ ...store, inlineLimit: 1024 }, clock, recordingTransport(503));
    await day(hub, clock, 5);
    // The disk is full but for a little room; the vendors are down meanwhile.
    store.diskBytes = store.bytes + 60_000;
    const storageWarnings = (): string[] => logger.at('warn').filter((w) => /storage/.test(w));
    for (let n = 0; n < 120 && !storageWarnings().length; n++) {
      clock.advance(1000);
      hub.logEvent(`queued-${n}`);
      await turns();
    }
    // The first write the disk refused made room, rather than be reported as failing (which holds
    // up sending until it is saved), and the events made room for are counted as dropped.
    expect(storageWarnings()[0]).toMatch(/storage is full: dropped the \d+ oldest queued events/);
    expect(store.bytes).toBeLessThanOrEqual(store.diskBytes);
    expect(Object.values(hub.getKitHealth()).some((h) => (h.delivery?.dropped.quota ?? 0) > 0)).toBe(true);
    await hub.shutdown();
  });

  it('inlineLimit must be a whole number of characters from 0 to 65536: a setup error says so', () => {
    // (2^30: records padded to it could not be made, and every commit failed.)
    for (const inlineLimit of [-1, 1.5, '1024', Number.NaN, 65_537, 2 ** 30]) {
      expect(() => createHub({ storage: { ...iosAsyncStorage(), inlineLimit } as unknown as StorageAdapter })).toThrow(/inlineLimit must be a whole number of characters from 0 to 65536/);
    }
    expect(() => createHub({ storage: { ...iosAsyncStorage(), inlineLimit: 65_536 } })).not.toThrow();
  });

});

describe("AsyncStorage on Android: a database of limited size", () => {
  it("a full database (Android's AsyncStorage_db_size_in_MB, the app's data in it too): the oldest plain events make room, sending goes on, every session starts and ends once at every vendor", async () => {
    const clock = manualClock();
    const { AsyncStorage, native } = await reactNativeAsyncStorage();
    // The app's own data fills the database but for a little room (6 MB unless the app sets more;
    // smaller here, the same once full).
    native.capBytes = 400_000;
    native.rows.set('app:cache', 'x'.repeat(native.capBytes - 60_000));
    // The vendors are down until the end.
    const collector = createCollector();
    collector.failNext({ type: 'status', status: 503 }, { times: 1_000_000 });
    const transport = collectorTransport(collector);
    const logger = recordingLogger();
    const hub = createHub({
      storage: AsyncStorage,
      clock: clock.now,
      logger,
      sessionTimeout: 600,
      kits: [
        brazeKit({ apiKey: 'app-key', baseUrl: 'sdk.iad-01.braze.com', transport }),
        snowplowKit({
          collectorUrl: 'https://collector.example.com',
          appId: 'rn-app',
          encodeBase64: false,
          catchAllSchema: 'iglu:dev.sessionhub.test/app_event/jsonschema/1-0-0',
          sessionEvents: { start: 'iglu:dev.sessionhub.test/session_start/jsonschema/1-0-0', end: 'iglu:dev.sessionhub.test/session_end/jsonschema/1-0-0' },
          delivery: { transport },
        }),
        clevertapKit({ accountId: 'W9R-486-4W5Z', token: 'abc-def', region: 'eu1', os: 'Android', sessionConcluded: true, delivery: { transport } }),
      ],
    });
    await hub.start();
    const logged: string[] = [];
    const sessions: string[] = [];
    for (let s = 0; s < 3; s++) {
      for (let b = 0; b < 40; b += 5) {
        clock.advance(1000);
        for (let i = b; i < b + 5; i++) logged.push(`ev-${String(s * 40 + i).padStart(3, '0')}`), hub.logEvent(logged.at(-1)!, { pad: 'x'.repeat(200) });
        if (b == 0) sessions.push(hub.getSession()!.id);
        if (b == 35) hub.endSession();
        await idle();
      }
    }
    const warnings = logger.at('warn').join('\n');
    expect(warnings).toMatch(/storage is full: dropped the \d+ oldest queued events/);
    // Room was made every time: no commit was left failing (which would stop sending for the run).
    expect(warnings).not.toContain(SQLITE_FULL);
    expect(native.bytes).toBeLessThanOrEqual(native.capBytes);
    const dropped = Object.fromEntries(Object.entries(hub.getKitHealth()).map(([kit, h]) => [kit, h.delivery?.dropped.quota ?? 0]));

    // The vendors are back: the run sends what it kept.
    collector.reset();
    clock.advance(1000);
    logged.push('ev-back'), hub.logEvent('ev-back', { pad: '' });
    sessions.push(hub.getSession()!.id);
    hub.endSession();
    const done = (): boolean => {
      const w = wires(collector.accepted());
      return w.braze.ends.size == sessions.length && w.snowplow.ends.size == sessions.length && w.clevertap.ends.size == sessions.length;
    };
    for (let i = 0; i < 40 && !done(); i++) {
      clock.advance(5000);
      await hub.flush();
      await idle();
    }
    await hub.shutdown();
    // A relaunch from what is stored sends nothing again.
    const next = await reactNativeAsyncStorage(native.rows);
    const relaunched = createHub({ storage: next.AsyncStorage, clock: clock.now, logger: recordingLogger(), kits: [brazeKit({ apiKey: 'app-key', baseUrl: 'sdk.iad-01.braze.com', transport }), snowplowKit({ collectorUrl: 'https://collector.example.com', appId: 'rn-app', encodeBase64: false, catchAllSchema: 'iglu:dev.sessionhub.test/app_event/jsonschema/1-0-0', delivery: { transport } }), clevertapKit({ accountId: 'W9R-486-4W5Z', token: 'abc-def', region: 'eu1', os: 'Android', sessionConcluded: true, delivery: { transport } })] });
    await relaunched.start();
    await relaunched.flush();
    await idle();
    await relaunched.shutdown();

    const w = wires(collector.accepted());
    const once = sessions.map((id) => [id, 1]).sort();
    for (const vendor of ['braze', 'snowplow'] as const) {
      expect([...w[vendor].starts].filter(([id]) => sessions.includes(id)).sort(), `${vendor}: each session's start once`).toEqual(once);
      expect([...w[vendor].ends].sort(), `${vendor}: each session's end once`).toEqual(once);
    }
    expect([...w.clevertap.ends.values()], 'clevertap: each session concluded once').toEqual(Array(sessions.length).fill(1));
    for (const vendor of ['braze', 'snowplow', 'clevertap'] as const) {
      const events = w[vendor].events;
      // The newest events, each once, in order: the ones that went were the oldest, as many as health says.
      expect(events, vendor).toEqual(logged.slice(logged.length - events.length));
      expect(logged.length - events.length, `${vendor}: dropped`).toBe(dropped[vendor]);
      expect(dropped[vendor], `${vendor}: dropped`).toBeGreaterThan(20);
    }
  }, 60_000);

  it('a write that fails for another reason (an error that merely mentions a namespace) is reported, not taken for a full storage: nothing is dropped to make room', async () => {
    const clock = manualClock();
    const { AsyncStorage, native } = await reactNativeAsyncStorage();
    const { hub, logger } = await launch(AsyncStorage, clock, recordingTransport(503));
    for (let i = 0; i < 10; i++) {
      clock.advance(1000);
      hub.logEvent('queued', { i });
      await idle();
    }
    native.fail('multiSet', "Invalid key in namespace 'sessionhub': no room for keyspace statistics", 1);
    clock.advance(1000);
    hub.logEvent('refused_write');
    await idle();
    const warnings = logger.at('warn').join('\n');
    expect(warnings).toContain('Invalid key in namespace');
    expect(warnings).not.toMatch(/storage is full: dropped/);
    expect(Object.values(hub.getKitHealth()).map((h) => h.delivery?.dropped.quota ?? 0)).toEqual([0, 0, 0]);
    await hub.shutdown();
  });

  it("one event with megabytes of attributes is not queued for a vendor past 256 K characters: no record past Android's CursorWindow, the next launch reads on", async () => {
    const clock = manualClock();
    const { AsyncStorage, native } = await reactNativeAsyncStorage();
    const offline = recordingTransport(503);
    const logger = recordingLogger();
    const snowplow = (transport: RecordingTransport) =>
      snowplowKit({ collectorUrl: 'https://collector.example.com', appId: 'rn-app', events: { photo_taken: 'iglu:com.acme/photo_taken/jsonschema/1-0-0' }, delivery: { transport } });
    const first = createHub({ storage: AsyncStorage, clock: clock.now, logger, kits: [brazeKit({ apiKey: 'app-key', baseUrl: 'sdk.iad-01.braze.com', transport: offline }), snowplow(offline), clevertapKit({ accountId: 'W9R-486-4W5Z', token: 'abc-def', region: 'eu1', os: 'Android', delivery: { transport: offline } })] });
    await first.start();
    const deviceId = first.getDeviceId();
    clock.advance(1000);
    // An app logging an image as base64 by mistake.
    first.logEvent('photo_taken', { image: 'iVBORw0KGgo'.repeat(300_000) });
    clock.advance(1000);
    first.logEvent('after_photo');
    await first.flush();
    await idle();
    const warnings = logger.at('warn').join('\n');
    expect(warnings).toMatch(/snowplow.*dropped 1 item\(s\) \(too-large\): its JSON takes \d+ characters, over the 262144/);
    expect(Math.max(...[...native.rows.values()].map((v) => Buffer.byteLength(v)))).toBeLessThan(1024 * 1024);
    expect(first.getKitHealth().snowplow!.delivery!.dropped['too-large']).toBe(1);
    // Killed; the next launch reads what the native module holds (a 4.4 MB record could not be read: a new device id, the queue never sent).
    const next = await reactNativeAsyncStorage(native.rows);
    const transport = recordingTransport();
    const hub = createHub({ storage: next.AsyncStorage, clock: clock.now, logger: recordingLogger(), kits: [snowplow(transport)] });
    await hub.start();
    expect(hub.getDeviceId()).toBe(deviceId);
    await hub.flush();
    await idle();
    expect(transport.requests.some((r) => r.body.includes('after_photo'))).toBe(true);
    await hub.shutdown();
    await first.shutdown();
  }, 60_000);

  it("a long burst (2,000 events in one task) is committed in parts: no value past Android's 2 MB CursorWindow, so the next launch reads it all back", async () => {
    const clock = manualClock();
    const { AsyncStorage, native } = await reactNativeAsyncStorage();
    const offline = recordingTransport(503);
    const first = await launch(AsyncStorage, clock, offline);
    const deviceId = first.hub.getDeviceId();
    clock.advance(1000);
    // An app importing what it logged offline, in one loop.
    for (let i = 0; i < 2000; i++) first.hub.logEvent('imported', { i, title: 'Some Song Title' });
    await first.hub.flush();
    await idle();
    const largest = Math.max(...[...native.rows.values()].map((v) => Buffer.byteLength(v)));
    // One record of it all would be ~2.7 MB (1.34 KB per event).
    expect(largest).toBeLessThan(1024 * 1024);
    // Killed; the next launch reads what the native module holds, with the vendors back.
    const next = await reactNativeAsyncStorage(native.rows);
    const { hub, transport, logger } = await launch(next.AsyncStorage, clock);
    expect(logger.lines.join('\n')).not.toContain(ROW_TOO_BIG);
    expect(hub.getDeviceId()).toBe(deviceId);
    for (let i = 0; i < 30; i++) {
      clock.advance(5000);
      await hub.flush();
      await idle();
    }
    // Each outbox keeps its newest 1,000 (maxQueueItems): every one of them sent, once.
    const clevertap = transport.requests.filter((r) => r.url.includes('clevertap-prod.com')).map((r) => r.body).join('\n');
    const sent = [...clevertap.matchAll(/"evtName":"imported","evtData":\{"i":(\d+)/g)].map((m) => Number(m[1]));
    expect(sent.length).toBe(1000);
    expect(new Set(sent).size).toBe(1000);
    expect(Math.min(...sent)).toBe(1000);
    await hub.shutdown();
    await first.hub.shutdown();
  }, 60_000);
});
