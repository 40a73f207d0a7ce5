import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from '../../../scripts/workspace-sources';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { SessionHub, SessionHubConfigError } from '@sessionhub/core';
import { createNodeHub, gracefulShutdown, headlessLifecycle, journalStorage, nodeDefaults } from '@sessionhub/core/node';
import { startCollectorServer, type CollectorServer } from '@sessionhub/testing/server';
import { anyRecipe, build, cycle, revokedProxy, throwingGetter, throwingProxy } from './hostile-values';

const quiet = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };


let workDir: string;
let childScript: string;
let collector: CollectorServer;
const dirs: string[] = [];

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'sessionhub-node-'));
  childScript = join(workDir, 'child.mjs');
  await bundleForNode(fileURLToPath(new URL('./node-child-app.ts', import.meta.url)), childScript);
  collector = await startCollectorServer();
});
afterAll(async () => {
  await collector?.close();
  rmSync(workDir, { recursive: true, force: true });
});
afterEach(() => {
  collector.collector.reset();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const dataDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'sessionhub-node-data-'));
  dirs.push(d);
  return d;
};

interface Ready {
  ready: true;
  resumed: string | null;
  sessionId: string | null;
  queued: number | null;
}

/** Runs the child app; resolves `ready` with its first line, `exit` with how it ended. */
function runChild(mode: string, dir: string, options: { timeoutMs?: number; events?: number; user?: { uid: number; gid: number } } = {}) {
  const child = spawn(process.execPath, [childScript, mode, dir, collector.url, String(options.timeoutMs ?? 5000), String(options.events ?? 3)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options.user,
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = new Promise<Ready>((resolveReady, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{"ready"'));
      if (line) resolveReady(JSON.parse(line) as Ready);
    });
    child.on('exit', () => reject(new Error(`the child exited before it was ready; stderr:\n${stderr}`)));
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }>((done) =>
    child.on('exit', (code, signal) => done({ code, signal, stderr, stdout })),
  );
  return { child, ready, exit };
}

/** The sink's items (our `step` events; with `+sessions` also session starts and ends) the collector took in, in order. */
const deliveredSteps = (): Array<{ id: string; name: string; sessionId: string; reason?: string }> =>
  collector.collector
    .accepted('braze')
    .flatMap((r) => (r.body as { events: Array<{ id: string; name: string; sessionId: string; reason?: string }> }).events);

/** What the outbox still holds on disk: its items' keys (read from the journal, as the next launch would). */
const storedItems = (dir: string): string[] => {
  const storage = journalStorage(dir);
  const keys = Array.from({ length: 100 }, (_, seq) => `sessionhub:kit:sink:outbox:${seq}`).filter((key) => storage.getItem(key) !== null);
  storage.close();
  return keys;
};

describe('createNodeHub in a real process: graceful shutdown', () => {
  it('on SIGTERM, persists the session and flushes the outbox, then dies by SIGTERM as it would have', async () => {
    const dir = dataDir();
    const run = runChild('server', dir);
    const ready = await run.ready;
    expect(ready.queued).toBe(3);
    expect(collector.collector.requests).toHaveLength(0); // nothing sent before the signal
    run.child.kill('SIGTERM');
    const exit = await run.exit;
    expect(exit).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(deliveredSteps().map((e) => e.sessionId)).toEqual([ready.sessionId, ready.sessionId, ready.sessionId]);
    expect(storedItems(dir)).toEqual([]);
    const storage = journalStorage(dir);
    expect(storage.getItem('sessionhub:state')).toContain(ready.sessionId);
    storage.close();
  });

  it('on SIGINT with the app handling SIGINT itself, flushes and leaves the exit to the app', async () => {
    const run = runChild('own-handler', dataDir());
    const ready = await run.ready;
    run.child.kill('SIGINT');
    const exit = await run.exit;
    expect(exit).toMatchObject({ code: 42, signal: null });
    expect(deliveredSteps()).toHaveLength(3);
    expect(deliveredSteps()[0]!.sessionId).toBe(ready.sessionId);
  });

  it('when a CLI simply finishes, sends what it queued before exiting with code 0', async () => {
    const run = runChild('cli', dataDir(), { events: 5 });
    await run.ready;
    const exit = await run.exit;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(deliveredSteps()).toHaveLength(5);
  });

  it('with debug: true, logs every record and request body to stderr and nothing to stdout (a CLI piping its output stays clean)', async () => {
    const run = runChild('cli-debug', dataDir(), { events: 2 });
    const ready = await run.ready;
    const exit = await run.exit;
    expect(exit).toMatchObject({ code: 0, signal: null });
    // stdout holds only what the app printed itself.
    expect(exit.stdout.trim().split('\n')).toEqual([JSON.stringify(ready)]);
    expect(exit.stderr).toContain(`[sessionhub] sessionStart: {"sessionId":"${ready.sessionId}"`);
    expect(exit.stderr.match(/\[sessionhub\] event: \{.*"name":"step"/g)).toHaveLength(2);
    expect(exit.stderr).toMatch(/\[sessionhub:sink\] outbox sink: POST http:\/\/127\.0\.0\.1:\d+\/api\/v3\/data\/ \{"content-type":"application\/json"\} \{"events":\[/);
    expect(deliveredSteps()).toHaveLength(2);
  });

  it('a SIGKILL while a batch is in flight (taken in, answer not yet back): the next run resends exactly that batch, once, with the same event ids', async () => {
    const dir = dataDir();
    collector.collector.failNext({ type: 'timeout', processed: true }); // the vendor takes the batch in; the answer never comes
    const first = runChild('server', dir, { events: 4, timeoutMs: 60_000 });
    await first.ready;
    first.child.kill('SIGTERM'); // the shutdown flush sends the batch …
    for (let i = 0; collector.collector.requests.length === 0; i++) {
      if (i > 500) throw new Error('the batch never reached the collector');
      await new Promise((r) => setTimeout(r, 10));
    }
    first.child.kill('SIGKILL'); // … and the process dies before its answer
    expect(await first.exit).toMatchObject({ signal: 'SIGKILL' });
    expect(deliveredSteps()).toHaveLength(4); // the vendor has them once
    expect(storedItems(dir)).toHaveLength(4); // and they are still on disk: unacknowledged

    const second = runChild('cli', dir, { events: 0 });
    await second.ready;
    expect(await second.exit).toMatchObject({ code: 0 });
    const ids = deliveredSteps().map((e) => e.id);
    // Measured: 4 in flight at the kill -> 8 received, each of the 4 ids exactly twice; nothing else resent.
    expect(ids).toHaveLength(8);
    expect(new Set(ids).size).toBe(4);
    expect(ids.slice(4)).toEqual(ids.slice(0, 4));
    expect(storedItems(dir)).toEqual([]);
  });

  it('a collector that never answers: gives up after shutdownTimeoutMs, keeps the events on disk, and the next run sends them in the same session', async () => {
    const dir = dataDir();
    collector.collector.failNext({ type: 'timeout' }); // hangs until the client gives up
    // Long enough for the flush to save (fsync) and send under a loaded CI machine, short for the test.
    const first = runChild('server', dir, { timeoutMs: 1500 });
    const firstReady = await first.ready;
    first.child.kill('SIGTERM');
    await collector.collector.until((requests) => requests.length > 0); // the request hangs
    expect(await first.exit).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(deliveredSteps()).toEqual([]);
    expect(storedItems(dir)).toHaveLength(3);

    const second = runChild('cli', dir, { events: 1 });
    const secondReady = await second.ready;
    expect(await second.exit).toMatchObject({ code: 0 });
    // Run again within the session timeout: the same session continues (resumeOnRelaunch in the preset).
    expect(secondReady.resumed).toBe(firstReady.sessionId);
    const steps = deliveredSteps();
    expect(steps).toHaveLength(4);
    expect(new Set(steps.map((e) => e.id)).size).toBe(4);
    expect(steps.every((e) => e.sessionId === firstReady.sessionId)).toBe(true);
    expect(storedItems(dir)).toEqual([]);
  });

  it('a second signal during a hanging shutdown ends the process at once, by that signal', async () => {
    const dir = dataDir();
    collector.collector.failNext({ type: 'timeout' });
    const run = runChild('server', dir, { timeoutMs: 60_000 });
    await run.ready;
    run.child.kill('SIGTERM');
    await collector.collector.until((requests) => requests.length > 0); // the flush is under way, hanging
    run.child.kill('SIGINT');
    expect(await run.exit).toMatchObject({ code: null, signal: 'SIGINT' });
    expect(storedItems(dir)).toHaveLength(3);
  });
});

describe('createNodeHub in a real process: a read-only directory holding an open session', () => {
  it('each run warns once, sends nothing the directory holds, and ends its own session once; made writable, the next run sends what was left', async () => {
    const dir = dataDir();
    // A first run leaves an open session and its start and three events queued, then is killed.
    const first = runChild('server+sessions', dir);
    const old = await first.ready;
    first.child.kill('SIGKILL');
    expect(await first.exit).toMatchObject({ signal: 'SIGKILL' });
    expect(storedItems(dir)).toHaveLength(4);
    const journal = readFileSync(join(dir, 'sessionhub.journal'));

    // Read-only by its mode bits. Root writes through them (CI may run as root), so then the runs are
    // started as the unprivileged user nobody, for whom the directory is read-only for real.
    chmodSync(dir, 0o555);
    const user = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;
    if (user) chmodSync(workDir, 0o755);
    const sessions = new Set<string>();
    for (let run = 1; run <= 2; run++) {
      collector.collector.reset();
      const child = runChild('cli+sessions', dir, { events: 2, user });
      const ready = await child.ready;
      const exit = await child.exit;
      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(exit.stderr.match(/is read-only/g), `run ${run}: one warning`).toHaveLength(1);
      expect(exit.stderr).toContain(`"${dir}" is read-only`);
      expect(exit.stderr).toMatch(/in memory for this run/);
      const items = deliveredSteps();
      // Nothing of the first run is sent again; this run's session starts and ends once, at its exit.
      expect(items.some((item) => item.sessionId === old.sessionId), `run ${run} re-sent the first run's items`).toBe(false);
      expect(items.map((item) => [item.name, item.sessionId, item.reason])).toEqual([
        ['session_start', ready.sessionId, undefined],
        ['step', ready.sessionId, undefined],
        ['step', ready.sessionId, undefined],
        ['session_end', ready.sessionId, 'recovered'],
      ]);
      sessions.add(ready.sessionId!);
    }
    expect(sessions.size).toBe(2);
    expect(readFileSync(join(dir, 'sessionhub.journal')).equals(journal), 'the read-only runs changed the journal').toBe(true);

    // Writable again: the next run picks up the first run's session and sends what it left, once.
    chmodSync(dir, 0o755);
    collector.collector.reset();
    const last = runChild('cli+sessions', dir, { events: 0 });
    const lastReady = await last.ready;
    expect(await last.exit).toMatchObject({ code: 0 });
    expect(lastReady.resumed).toBe(old.sessionId);
    expect(deliveredSteps().map((item) => [item.name, item.sessionId])).toEqual([
      ['session_start', old.sessionId],
      ['step', old.sessionId],
      ['step', old.sessionId],
      ['step', old.sessionId],
    ]);
  });
});

describe('createNodeHub and nodeDefaults: setup', () => {
  it('refuses setup mistakes with a SessionHubConfigError naming the option', () => {
    const cases: Array<[() => unknown, string]> = [
      [() => createNodeHub({}), 'dir'],
      [() => createNodeHub(undefined as never), 'options'],
      [() => createNodeHub({ dir: dataDir(), storage: { getItem: () => null, setItem() {}, removeItem() {} } }), 'dir'],
      [() => createNodeHub({ dir: dataDir(), shutdownSignals: ['SIGKILL'] }), 'shutdownSignals'],
      [() => createNodeHub({ dir: dataDir(), shutdownSignals: ['NOPE' as NodeJS.Signals] }), 'shutdownSignals'],
      [() => createNodeHub({ dir: dataDir(), shutdownTimeoutMs: -1 }), 'shutdownTimeoutMs'],
      [() => createNodeHub({ dir: dataDir(), shutdownOnIdleExit: 'yes' as never }), 'shutdownOnIdleExit'],
      [() => createNodeHub({ dir: dataDir(), sessionTimeout: 0 }), 'sessionTimeout'],
      [() => createNodeHub({ dir: dataDir(), bogus: true } as never), 'bogus'],
      [() => nodeDefaults({ dir: '' }), 'dir'],
      [() => nodeDefaults({ dir: join(aFile(), 'x') }), 'dir'],
      [() => gracefulShutdown({ shutdown: async () => {} }, { timeoutMs: Number.NaN }), 'timeoutMs'],
      // Past what a timer can wait, Node would fire it after 1 ms.
      [() => gracefulShutdown({ shutdown: async () => {} }, { timeoutMs: 2 ** 31 }), 'timeoutMs'],
      // Options that throw when read, and values JSON cannot write, are setup mistakes too (never a plain TypeError).
      [() => createNodeHub(throwingProxy() as never), 'options'],
      [() => createNodeHub(throwingGetter('dir') as never), 'options'],
      [() => createNodeHub({ dir: dataDir(), durability: 1n as never, shutdownSignals: [] }), 'durability'],
      [() => createNodeHub({ dir: dataDir(), durability: cycle() as never, shutdownSignals: [] }), 'durability'],
      [() => createNodeHub({ dir: dataDir(), shutdownSignals: revokedProxy() as never }), 'shutdownSignals'],
      [() => nodeDefaults(throwingProxy() as never), 'options'],
      [() => gracefulShutdown({ shutdown: async () => {} }, throwingGetter('signals')), 'options'],
      [() => gracefulShutdown({ shutdown: async () => {} }, null as never), 'options'],
      [() => gracefulShutdown({ shutdown: async () => {} }, { logger: throwingProxy() as never }), 'logger'],
    ];
    for (const [make, option] of cases) {
      let thrown: unknown;
      try {
        make();
      } catch (error) {
        thrown = error;
      }
      expect(thrown, option).toBeInstanceOf(SessionHubConfigError);
      expect((thrown as SessionHubConfigError).option, String((thrown as Error).message)).toBe(option);
    }
  });

  const hasDir = (value: unknown): boolean => {
    try {
      return typeof value === 'object' && value !== null && 'dir' in value;
    } catch {
      return false;
    }
  };

  it('any value in any option, or as the options, throws a SessionHubConfigError or works', async () => {
    const names = ['dir', 'durability', 'shutdownSignals', 'shutdownOnIdleExit', 'shutdownTimeoutMs', 'logger', 'logLevel', 'debug', 'storage'];
    await fc.assert(
      fc.asyncProperty(fc.option(fc.constantFrom(...names), { nil: undefined }), anyRecipe, async (name, recipe) => {
        const value = build(recipe);
        // (A string given as `dir` would be a directory made wherever it points: dir's checks have cases above.)
        if (name === 'dir' ? typeof value === 'string' : !name && hasDir(value)) return;
        const attempts: Array<() => unknown> = [
          () => (name ? createNodeHub({ dir: dataDir(), shutdownSignals: [], shutdownOnIdleExit: false, logger: quiet, [name]: value }) : createNodeHub(value as never)),
          () => nodeDefaults((name ? { dir: dataDir(), [name]: value } : value) as never),
          () => gracefulShutdown({ shutdown: async () => {} }, (name ? { signals: [], onIdleExit: false, [name === 'shutdownSignals' ? 'signals' : name]: value } : value) as never),
        ];
        for (const attempt of attempts) {
          let made: unknown;
          try {
            made = attempt();
          } catch (error) {
            expect(error, String(error)).toBeInstanceOf(SessionHubConfigError);
            continue;
          }
          // (Worked: its process handlers go.)
          if (typeof made === 'function') made();
          else if (made instanceof SessionHub) await made.shutdown();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('starts headless: no session until the first event, which then idles out after the session timeout', async () => {
    let now = Date.UTC(2026, 0, 1);
    const hub = createNodeHub({ dir: dataDir(), clock: () => now, logger: quiet, shutdownSignals: [], shutdownOnIdleExit: false });
    const ends: number[] = [];
    hub.on('sessionEnd', (end) => ends.push(end.endTime));
    await hub.start();
    expect(hub.getSession()).toBeNull();
    hub.logEvent('request_handled');
    const started = now;
    expect(hub.getSession()?.eventIndex).toBe(1);
    now += 59_000;
    expect(hub.getSession()?.id).toBeDefined();
    now += 1_000; // 60 s (the default session timeout) after the last event
    expect(hub.getSession()).toBeNull();
    hub.logEvent('request_handled');
    expect(ends).toEqual([started]);
    await hub.shutdown();
    expect(headlessLifecycle.current?.()).toBe('background');
  });

  it('installs its process handlers and removes them on shutdown', async () => {
    const before = ['SIGINT', 'SIGTERM', 'beforeExit'].map((e) => process.listenerCount(e));
    const hub = createNodeHub({ dir: dataDir(), logger: quiet });
    expect(['SIGINT', 'SIGTERM', 'beforeExit'].map((e) => process.listenerCount(e))).toEqual(before.map((n) => n + 1));
    await hub.start();
    await hub.shutdown();
    expect(['SIGINT', 'SIGTERM', 'beforeExit'].map((e) => process.listenerCount(e))).toEqual(before);
  });
});

/** A regular file: no directory can be created under it. */
function aFile(): string {
  const file = join(dataDir(), 'file');
  writeFileSync(file, '');
  return file;
}
