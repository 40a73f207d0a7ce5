/**
 * The launch: calls made before start() keep their times and yield the sessions they would have
 * yielded had the hub been running; without lifecycle information the session timeout applies; a
 * session live after launch ends by itself on time; a kit registered late never gets an end without
 * its start; the pre-start buffer is bounded; a hanging kit init does not let Node exit mid-start.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { bundleForNode } from '../../../scripts/workspace-sources';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHub, memoryStorage, type HubOptions, type Warning } from '@sessionhub/core';
import { dyingStorage, manualClock, manualLifecycle, recordingKit, type ManualClock } from '@sessionhub/testing';
import { expectSessionInvariants, type StreamItem } from './session-invariants';

const SEC = 1000;
const MIN = 60 * SEC;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

function setup(options: HubOptions = {}) {
  const clock = manualClock();
  const kit = recordingKit();
  const warnings: Warning[] = [];
  const hub = createHub({ clock: clock.now, kits: [kit], logger: silent, sessionTimeout: 60, ...options });
  hub.on('warning', (w) => warnings.push(w));
  return { clock, kit, hub, warnings };
}

/** Moves the hub's clock and the fake timers together. */
async function advance(clock: ManualClock, ms: number): Promise<void> {
  clock.advance(ms);
  await vi.advanceTimersByTimeAsync(ms);
}

const streamOf = (kit: ReturnType<typeof recordingKit>): StreamItem[] =>
  kit.calls.flatMap((c): StreamItem[] =>
    c.type === 'onSessionStart' ? [{ type: 'start', record: c.record }]
    : c.type === 'onSessionEnd' ? [{ type: 'end', record: c.record }]
    : c.type === 'onEvent' ? [{ type: 'event', record: c.record }]
    : [],
  );

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
afterEach(() => vi.useRealTimers());

describe('calls made before start() keep their timestamps', () => {
  it('an event at +0 s and a consent-gated start() at +120 s: the session it started ends at +0 s, nothing goes back in time', async () => {
    const { clock, hub, kit, warnings } = setup();
    const t0 = clock.now();
    hub.logEvent('early');
    clock.advance(120 * SEC);
    await hub.start();
    expect(kit.starts()).toEqual([expect.objectContaining({ startTime: t0, trigger: 'launch' })]);
    expect(kit.events()).toEqual([expect.objectContaining({ name: 'early', timestamp: t0, sessionId: kit.starts()[0]!.sessionId })]);
    // 120 s > the 60 s timeout: had the hub been running, the session would have ended at its last activity.
    expect(kit.ends()).toEqual([expect.objectContaining({ startTime: t0, endTime: t0, reason: 'timeout' })]);
    expect(warnings.filter((w) => w.code === 'clock-moved-backwards')).toEqual([]);
    expectSessionInvariants(streamOf(kit));
  });

  it('with a gap shorter than the timeout, the queued event keeps its time (not re-stamped) in a session that starts with it', async () => {
    const { clock, hub, kit } = setup();
    const t0 = clock.now();
    hub.logEvent('early');
    clock.advance(30 * SEC);
    hub.logEvent('later');
    await hub.start();
    expect(kit.starts()).toEqual([expect.objectContaining({ startTime: t0 })]);
    expect(kit.events().map((e) => [e.name, e.timestamp])).toEqual([
      ['early', t0],
      ['later', t0 + 30 * SEC],
    ]);
    expect(kit.ends()).toEqual([]);
  });
});

describe('a lifecycle change while start() runs (its kits still loading)', () => {
  /** A hub whose kit takes 2 s to initialise, so start() is under way that long. */
  function slowStart(initial: 'foreground' | 'background') {
    const lifecycle = manualLifecycle(initial);
    const kit = recordingKit('slow', { init: () => new Promise<void>((resolve) => setTimeout(resolve, 2 * SEC)) });
    return { lifecycle, ...setup({ lifecycle, kits: [kit] }), kit };
  }

  it('to the background is applied at its own time, after the launch: the session started at launch ends there', async () => {
    const { clock, hub, kit, lifecycle } = slowStart('foreground');
    const t0 = clock.now();
    const started = hub.start();
    await advance(clock, 1.5 * SEC);
    lifecycle.background();
    await advance(clock, 0.5 * SEC);
    await started;
    expect(kit.starts()).toEqual([expect.objectContaining({ startTime: t0, trigger: 'launch' })]);
    // The background at +1.5 s is the last activity: 60 s later the session ends there.
    await advance(clock, 60 * SEC);
    expect(kit.ends()).toEqual([expect.objectContaining({ endTime: t0 + 1.5 * SEC, reason: 'timeout' })]);
    expectSessionInvariants(streamOf(kit));
  });

  it('to the foreground after a launch in the background starts the session then, as a foreground', async () => {
    const { clock, hub, kit, lifecycle } = slowStart('background');
    const t0 = clock.now();
    const started = hub.start();
    await advance(clock, 1.5 * SEC);
    lifecycle.foreground();
    await advance(clock, 0.5 * SEC);
    await started;
    expect(kit.starts()).toEqual([expect.objectContaining({ startTime: t0 + 1.5 * SEC, trigger: 'foreground' })]);
  });
});

describe('without a lifecycle adapter the session timeout applies', () => {
  it('events an hour apart are two sessions with sessionTimeout 60, even if no timer ran', async () => {
    const { clock, hub, kit } = setup();
    await hub.start();
    hub.logEvent('a');
    clock.advance(60 * MIN); // a suspended process: no timer ran
    hub.logEvent('b');
    expect(kit.starts()).toHaveLength(2);
    expect(kit.ends()).toEqual([expect.objectContaining({ reason: 'timeout' })]);
    expect(new Set(kit.events().map((e) => e.sessionId)).size).toBe(2);
  });
});

describe('a session live after launch ends by itself on time', () => {
  it('a session resumed at launch ends by the timer, as a timeout, with no further call', async () => {
    const storage = dyingStorage();
    const first = setup({ storage, resumeOnRelaunch: true });
    await first.hub.start();
    first.hub.logEvent('a');
    await first.hub.shutdown();
    const second = setup({ storage, resumeOnRelaunch: true });
    second.clock.set(first.clock.now() + 10 * SEC);
    await second.hub.start();
    expect(second.kit.starts()).toEqual([]); // resumed
    await advance(second.clock, 50 * SEC);
    expect(second.kit.ends()).toEqual([expect.objectContaining({ reason: 'timeout', endTime: first.clock.now() })]);
  });

  it.each([
    ['foregroundTimeout', { foregroundTimeout: 120 }, 120 * SEC],
    ['maxSessionDuration', { maxSessionDuration: 300 }, 300 * SEC],
  ] as const)('a session started at launch with %s ends by the timer', async (_name, options, after) => {
    const { clock, hub, kit } = setup({ ...options, lifecycle: manualLifecycle('foreground') });
    await hub.start();
    await advance(clock, after - SEC);
    expect(kit.ends()).toEqual([]);
    await advance(clock, SEC);
    expect(kit.ends()).toEqual([expect.objectContaining({ reason: 'timeout' })]);
  });
});

describe('a kit registered late', () => {
  it('after the live session expired but before anything noticed: no onSessionEnd without onSessionStart', async () => {
    const { clock, hub, kit } = setup();
    await hub.start();
    hub.logEvent('a');
    clock.advance(2 * MIN); // expired; no timer ran yet
    const late = recordingKit('late');
    hub.registerKit(late);
    await vi.advanceTimersByTimeAsync(0);
    hub.logEvent('b');
    expect(kit.ends()).toHaveLength(1);
    expect(late.ends()).toEqual([]);
    expect(late.starts()).toHaveLength(1);
    expect(late.starts()[0]!.sessionId).toBe(kit.starts()[1]!.sessionId);
    expectSessionInvariants(streamOf(late), { allClosed: false });
  });
});

describe('the pre-start buffer', () => {
  it('holds at most 1000 calls: the next ones are refused, with one warning, and start() says how many were dropped', async () => {
    const { hub, kit, warnings } = setup();
    for (let i = 0; i < 1000; i++) expect(hub.logEvent(`e${i}`)).toBe(true);
    expect(warnings).toEqual([]);
    expect(hub.logEvent('one-too-many')).toBe(false);
    for (let i = 0; i < 10; i++) hub.logEvent('more');
    expect(warnings).toEqual([{ code: 'not-started', message: '1000 calls are waiting for the hub to start and start() has not been called; later calls are dropped until it has' }]);
    await hub.start();
    expect(kit.events()).toHaveLength(1000);
    expect(warnings.at(-1)?.message).toBe('11 calls made before start() were dropped (at most 1000 wait)');
  });
});

describe('a kit whose init hangs', () => {
  it('holds up the launch 3 s at most, once: flush() and shutdown() after it flush and shut down the other kits at once', async () => {
    const flushed: string[] = [];
    const hangs = recordingKit('hangs', { init: () => new Promise<void>(() => {}), flush: async () => void flushed.push('hangs') });
    const fine = recordingKit('fine', { flush: async () => void flushed.push('fine'), shutdown: async () => void flushed.push('fine shut down') });
    const { clock, hub } = setup({ kits: [hangs, fine] });
    const started = hub.start();
    await advance(clock, 3 * SEC);
    await started;
    await hub.flush();
    expect(flushed).toEqual(['fine']);
    await hub.shutdown();
    expect(flushed).toEqual(['fine', 'fine', 'fine shut down']);
  });

  it.each([
    ['flush()', (hub: ReturnType<typeof createHub>) => hub.flush(), ['fine']],
    ['shutdown()', (hub: ReturnType<typeof createHub>) => hub.shutdown(), ['fine', 'fine shut down']],
  ])('%s called while start() waits for the kits shares that wait: 3 s in all, not 3 s more', async (_, call, expected) => {
    const flushed: string[] = [];
    const hangs = recordingKit('hangs', { init: () => new Promise<void>(() => {}), flush: async () => void flushed.push('hangs') });
    const fine = recordingKit('fine', { flush: async () => void flushed.push('fine'), shutdown: async () => void flushed.push('fine shut down') });
    const { clock, hub } = setup({ kits: [hangs, fine] });
    void hub.start();
    let done = false;
    void call(hub).then(() => (done = true));
    await advance(clock, 2.9 * SEC);
    expect(done).toBe(false);
    await advance(clock, 0.2 * SEC);
    expect(done).toBe(true);
    expect(flushed).toEqual(expected);
  });

  it('a kit ready before the launch is over is waited for by a flush() called meanwhile', async () => {
    const flushed: string[] = [];
    const slow = recordingKit('slow', { init: () => new Promise<void>((resolve) => setTimeout(resolve, 2 * SEC)), flush: async () => void flushed.push('slow') });
    const { clock, hub } = setup({ kits: [slow] });
    void hub.start();
    const flush = hub.flush();
    await advance(clock, 2 * SEC);
    await flush;
    expect(flushed).toEqual(['slow']);
  });

  it('a flush() before start() does not spend the launch\'s wait for the kits: start() still waits for a slow init', async () => {
    const slow = recordingKit('slow', { init: () => new Promise<void>((resolve) => setTimeout(resolve, 2 * SEC)) });
    const { clock, hub } = setup({ kits: [slow] });
    await hub.flush();
    let started = false;
    void hub.start().then(() => (started = true));
    await advance(clock, 1 * SEC);
    expect(started).toBe(false);
    await advance(clock, 1 * SEC);
    expect(started).toBe(true);
  });

  it('shutdown() called twice at once flushes and shuts down each kit once', async () => {
    const calls: string[] = [];
    const kit = recordingKit('kit', { flush: async () => void calls.push('flush'), shutdown: async () => void calls.push('shutdown') });
    const { hub } = setup({ kits: [kit] });
    await hub.start();
    await Promise.all([hub.shutdown(), hub.shutdown()]);
    await hub.shutdown();
    expect(calls).toEqual(['flush', 'shutdown']);
  });

  it('does not let a short Node script exit in the middle of `await hub.start()`', async () => {
    vi.useRealTimers();
    const dir = mkdtempSync(join(tmpdir(), 'sessionhub-hang-'));
    try {
      const script = join(dir, 'script.mjs');
      await bundleForNode({ contents: `
            import { createHub } from '@sessionhub/core';
            const hub = createHub({ logger: { debug() {}, info() {}, warn() {}, error() {} }, kits: [{ name: 'hangs', init: () => new Promise(() => {}) }] });
            await hub.start();
            console.log('started');
          `, resolveDir: dir }, script);
      const run = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 });
      expect({ status: run.status, stdout: run.stdout.trim() }).toEqual({ status: 0, stdout: 'started' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("session attributes in Node's console", () => {
  it('print as a plain object on the end record, also after a relaunch from storage, and a "__proto__" key stays an ordinary key', async () => {
    const storage = memoryStorage();
    const first = setup({ storage });
    await first.hub.start();
    first.hub.setSessionAttribute('level', 3);
    first.hub.setSessionAttribute('__proto__', 'x');
    first.hub.incrementSessionAttribute('songs');
    first.hub.endSession();
    first.hub.logEvent('again');
    first.hub.setSessionAttribute('left', true);
    await first.hub.shutdown();
    const [ended] = first.kit.ends();
    expect(inspect(ended!.attributes)).toBe("{ level: 3, ['__proto__']: 'x', songs: 1 }");
    expect(Object.getPrototypeOf(ended!.attributes)).toBe(Object.prototype);
    expect(ended!.attributes.__proto__).toBe('x');
    expect(({} as Record<string, unknown>).level).toBeUndefined();

    // The next launch recovers the session left open from its stored state: the same print.
    const second = setup({ storage, resumeOnRelaunch: false });
    second.clock.advance(10 * MIN);
    await second.hub.start();
    expect(inspect(second.kit.ends()[0]!.attributes)).toBe('{ left: true }');
    await second.hub.shutdown();
  });
});
