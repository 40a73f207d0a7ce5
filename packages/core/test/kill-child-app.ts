/**
 * A Node app with the three real kits on createNodeHub's default storage (the journal), run as a real
 * child process by kill-boundaries.test.ts. Every file-system call that changes the data directory is
 * a write boundary; with `killAt = k` the process SIGKILLs itself right after the k-th (or, with
 * `torn`, in the middle of it: half the bytes written). It prints JSON lines on stdout (synchronous
 * on a pipe, so every line before the kill arrives):
 * - `{"durable": i}`: a commit reached the journal (an append, or a rename of a rewritten journal)
 *   or a segment (its rename; not a spill's, which comes before the segment that lists it) after
 *   burst i's calls returned, so everything bursts ≤ i staged is in it;
 * - `{"op": name}`: in a run without a kill, each boundary's call, in order;
 * - `{"writes": n}`: the run finished with n write boundaries (then it dies by SIGKILL, unshut).
 * Phases: `seed` leaves an open session behind; `bursts` runs the bursts below; `relaunch` recovers
 * what is stored, ends the live session, sends everything and shuts down.
 * With layout `segments` the storage is `fileStorage` (one file per key, written as a temp file then
 * renamed: a key-by-key storage like localStorage), so the hub keeps its keys in segment keys. Layout
 * `outage` is `segments` after an outage: the seed run also logs q1 … q{@link OUTAGE_EVENTS} (nothing is
 * delivered before the relaunch), so the segments hold enough of the queue that the bursts' commits
 * move it into spill keys. Layout `outage-async` is `outage` on a storage that answers with promises,
 * as AsyncStorage does (each call still writes its file when made): the segment log reads and removes
 * together, and a launch reads the segments and spills in one go each.
 * Usage: node kill-child.mjs <phase> <dir> <collectorUrl> <t0> <killAt> <torn:0|1> <journal|segments|outage|outage-async>
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { createNodeHub, fileStorage } from '@sessionhub/core/node';
import type { SessionHub, StorageAdapter } from '@sessionhub/core';
// By path: the kits depend on core, so core does not list them.
import { brazeKit } from '../../kit-braze/src/index';
import { clevertapKit } from '../../kit-clevertap/src/index';
import { snowplowKit } from '../../kit-snowplow/src/index';

const [phase = 'bursts', dir = '', collectorUrl = '', t0Text = '0', killAtText = '0', tornText = '0', layout = 'journal'] = process.argv.slice(2);
const killAt = Number(killAtText);
const torn = tornText === '1';
const print = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value)}\n`);

let boundaries = 0;
/** The last burst whose calls have returned. */
let called = -1;
const paths = new Map<number, string>();
const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};
const boundary = (op: string, durable: boolean): void => {
  boundaries++;
  if (!killAt) print({ op });
  if (durable && called >= 0) print({ durable: called });
  if (boundaries === killAt) die();
};
const mutable = fs as unknown as Record<string, (...args: any[]) => any>;
const wrap = (name: string, durable: (args: any[], result: any) => boolean): void => {
  const original = mutable[name]!;
  mutable[name] = function (this: unknown, ...args: any[]) {
    if (torn && name === 'writeSync' && boundaries + 1 === killAt && typeof args[1] === 'string') {
      original.call(this, args[0], args[1].slice(0, Math.ceil(args[1].length / 2)));
      die();
    }
    const result = original.apply(this, args);
    if (name === 'openSync') paths.set(result as number, String(args[0]));
    boundary(name, durable(args, result));
    return result;
  };
};
if (phase === 'bursts') {
  wrap('openSync', () => false);
  wrap('writeSync', (args) => !paths.get(args[0] as number)?.endsWith('.tmp'));
  wrap('writeFileSync', () => false);
  // (A spill is written before the record that lists it: the commit is the record's.)
  wrap('renameSync', (args) => !String(args[1]).includes('spill'));
  wrap('rmSync', () => false);
  wrap('ftruncateSync', () => false);
  wrap('unlinkSync', () => false);
  // The ES module bindings (`import { writeSync } from 'node:fs'`) follow the patched functions.
  syncBuiltinESMExports();
}

let now = Number(t0Text);
const deadUrl = 'http://127.0.0.1:9';
// Sends only in the relaunch, so the bursts' write boundaries are the same in every run.
const url = phase === 'relaunch' ? collectorUrl : deadUrl;
/** Events the seed run of layout `outage` queues: enough for every segment to hold a spill's worth. */
export const OUTAGE_EVENTS = 120;

/** `fileStorage(dir)`, answering every call with a promise (AsyncStorage-like) for layout `outage-async`. */
function storageFor(files: StorageAdapter): StorageAdapter {
  if (layout !== 'outage-async') return files;
  const answer = <T>(call: () => T): Promise<Awaited<T>> => {
    try {
      return Promise.resolve(call()) as Promise<Awaited<T>>;
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return {
    getItem: (key) => answer(() => files.getItem(key)),
    setItem: (key, value) => answer(() => files.setItem(key, value)),
    removeItem: (key) => answer(() => files.removeItem(key)),
  };
}

const hub: SessionHub = createNodeHub({
  ...(layout !== 'journal'
    ? { storage: storageFor(fileStorage(dir)) }
    : {
        dir,
        // Flushing to the disk guards against power loss, which no kill shows; without it each burst is
        // written before the next starts, so every run has the same boundaries.
        durability: 'none' as const,
      }),
  clock: () => now,
  sessionTimeout: 60,
  resumeOnRelaunch: false,
  shutdownSignals: [],
  shutdownOnIdleExit: false,
  logger: { debug() {}, info() {}, warn() {}, error: (...args: unknown[]) => void process.stderr.write(`${args.map(String).join(' ')}\n`) },
  kits: [
    brazeKit({ apiKey: 'kill-test-api-key', baseUrl: url, flushIntervalMs: 3_600_000 }),
    snowplowKit({
      collectorUrl: url,
      appId: 'kill-test',
      encodeBase64: false,
      catchAllSchema: 'iglu:dev.sessionhub.test/app_event/jsonschema/1-0-0',
      sessionEvents: { start: 'iglu:dev.sessionhub.test/session_start/jsonschema/1-0-0', end: 'iglu:dev.sessionhub.test/session_end/jsonschema/1-0-0' },
      delivery: { flushIntervalMs: 3_600_000 },
    }),
    clevertapKit({ accountId: 'TEST-000-0001', token: 'test-token', endpoint: url, os: 'Android', sessionConcluded: true, delivery: { flushIntervalMs: 3_600_000 } }),
  ],
});

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

if (phase === 'seed') {
  await hub.start();
  hub.logEvent('e0');
  await settle();
  // An outage: every event its own commit, queued at every kit.
  if (layout.startsWith('outage')) for (let i = 1; i <= OUTAGE_EVENTS; i++) (now += 1000), hub.logEvent(`q${i}`), await settle();
  print({ writes: boundaries });
  die();
} else if (phase === 'bursts') {
  /** The bursts: one task each; the clock moves one second between them. */
  const bursts: Array<() => void> = [
    () => hub.logEvent('e1'), // a session starts
    () => hub.logEvent('e2'),
    () => hub.setUser('u1'),
    () => (hub.setUser('u2'), hub.logEvent('e4')), // user change: end + start
    () => (hub.startNewSession(), hub.logEvent('e5')), // end + start
    () => hub.background(), // page hide / app to the background
    () => ((now += 120_000), hub.logEvent('e7')), // the timeout ended the session: end + start
    () => hub.endSession(),
  ];
  // Burst 0: the launch, which recovers the session the seed run left open.
  const started = hub.start();
  called = 0;
  await started;
  await settle();
  for (let i = 0; i < bursts.length; i++) {
    now += 1000;
    bursts[i]!();
    called = i + 1;
    await settle();
  }
  print({ writes: boundaries });
  die();
} else {
  await hub.start();
  if (hub.getSession()) hub.endSession();
  await hub.flush();
  await hub.shutdown();
  print({ done: true, health: hub.getKitHealth() });
}
