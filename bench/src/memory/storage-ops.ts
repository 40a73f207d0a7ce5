import fs, { mkdtempSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, type HubOptions, type SessionHub, type StorageAdapter } from '@sessionhub/core';
import { createBrowserHub } from '@sessionhub/core/browser';
import { journalStorage } from '@sessionhub/core/node';
import { IOS_INLINE_LIMIT, fakeOrigin, iosAsyncStorage, manualClock, manualTimers, tabHubOptions, type FakeTab } from '@sessionhub/testing';
import type { Transport } from '@sessionhub/delivery';
import { int, renderTable, times } from '../report/table';
import { settle, startPipeline } from '../workload/pipeline';
import type { AvailableKits } from '../workload/vendor-kits';

/** Storage operations and bytes written per event for one storage and one pace. */
export interface StorageOpsRow {
  readonly storage: string;
  readonly pace: '1 event per tick' | 'bursts of 10' | '1 a second, timers run' | '1 per tick, collector down';
  readonly events: number;
  /** Write operations per event (see {@link STORAGES} for what one is on each storage). */
  readonly opsPerEvent: number;
  /** Bytes written to storage per event. */
  readonly bytesPerEvent: number;
  /** Request body bytes the kits sent per event (accepted or not). */
  readonly wireBytesPerEvent: number;
  /** The most bytes one operation wrote: what a commit costs at most, on the event path. */
  readonly largestWrite: number;
  /** Beside another page: what that page, idle, read to follow the session per event (`getItem` calls, characters). */
  readonly idleReadsPerEvent?: readonly [keys: number, chars: number];
}

/** Counts write operations and the bytes they carry. */
interface Meter {
  ops: number;
  bytes: number;
  largest: number;
}

/** Counts one write operation of `bytes` bytes. */
const count = (meter: Meter, bytes: number): void => {
  meter.ops++;
  meter.bytes += bytes;
  meter.largest = Math.max(meter.largest, bytes);
};

const utf8 = (s: string): number => Buffer.byteLength(s);

/**
 * localStorage-like: synchronous, key by key; one operation is one `setItem` or `removeItem`, its
 * bytes those of the key and value.
 */
function keyByKey(meter: Meter): StorageAdapter {
  const inner = new Map<string, string>();
  return {
    getItem: (key) => inner.get(key) ?? null,
    setItem(key, value) {
      count(meter, utf8(key) + utf8(value));
      inner.set(key, value);
    },
    removeItem(key) {
      meter.ops++;
      inner.delete(key);
    },
  };
}

/**
 * AsyncStorage-like: every call answers with a promise; it has AsyncStorage's `multiGet` and
 * `multiRemove` (one operation each, however many keys), which the hub uses.
 */
function asyncStore(meter: Meter): StorageAdapter {
  const inner = new Map<string, string>();
  const later = <T>(f: () => T): Promise<T> => Promise.resolve().then(f);
  return {
    getItem: (key) => later(() => inner.get(key) ?? null),
    setItem: (key, value) =>
      later(() => {
        count(meter, utf8(key) + utf8(value));
        inner.set(key, value);
      }),
    removeItem: (key) =>
      later(() => {
        meter.ops++;
        inner.delete(key);
      }),
    multiGet: (keys) => later(() => keys.map((key) => [key, inner.get(key) ?? null] as const)),
    multiRemove: (keys) =>
      later(() => {
        meter.ops++;
        for (const k of keys) inner.delete(k);
      }),
  };
}

/**
 * AsyncStorage on iOS (`iosAsyncStorage` of @sessionhub/testing: a value of up to 1,024 UTF-16 units
 * inline in one manifest file rewritten whole, a longer one a file of its own), given to the hub as
 * docs/react-native.md says, with `inlineLimit: 1024`. One operation is one file written or removed;
 * bytes are the files' (the manifest here holds only the hub's values; an app's own inline values
 * would make each of its writes larger).
 */
function iosStorage(meter: Meter, inlineLimit?: number): StorageAdapter {
  const store = iosAsyncStorage((op) => (op.kind == 'remove' ? meter.ops++ : count(meter, op.bytes)));
  return inlineLimit === undefined ? store : Object.assign(store, { inlineLimit });
}

/**
 * Node's journal (createNodeHub's default), on real files: one operation is one file-system call
 * that changes the directory (`writeSync`, `renameSync`, `rmSync`, `unlinkSync`, `openSync` of a
 * new file, `ftruncateSync`); bytes are those `writeSync` wrote. Counted by patching `node:fs` (its
 * ES module bindings follow), only while this storage runs.
 */
function journal(meter: Meter): { storage: StorageAdapter; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'sessionhub-bench-journal-'));
  const mutable = fs as unknown as Record<string, (...args: any[]) => any>;
  const originals = new Map<string, (...args: any[]) => any>();
  for (const name of ['writeSync', 'renameSync', 'rmSync', 'unlinkSync', 'openSync', 'ftruncateSync']) {
    const original = mutable[name]!;
    originals.set(name, original);
    mutable[name] = function (this: unknown, ...args: any[]) {
      if (name === 'writeSync') count(meter, typeof args[1] === 'string' ? utf8(args[1]) : (args[1] as Uint8Array).byteLength);
      else if (name !== 'openSync' || args[1] !== 'r') meter.ops++;
      return original.apply(this, args);
    };
  }
  syncBuiltinESMExports();
  // Durability 'none': the same writes as the others, without waiting for the disk (fsync is no write).
  const storage = journalStorage(dir, { durability: 'none' });
  return {
    storage,
    done() {
      storage.close();
      for (const [name, original] of originals) mutable[name] = original;
      syncBuiltinESMExports();
      // A rewrite close() dropped still deletes its temp file in its next callback: retry while the
      // directory is not empty yet (ENOTEMPTY, seen once in four runs).
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
    },
  };
}

/**
 * createBrowserHub in one page (a fake origin: its localStorage, Web Locks, storage events and page
 * lifecycle, no browser): alone, the page commits the session in its own segment write, with its
 * kits' records (`soloCommits`, the default); with `soloCommits: false` — what every commit costs
 * while several pages are open — in the tabs' shared record, a key of its own beside the page's kit
 * segments. One operation is one `setItem` or `removeItem` on the page's localStorage.
 */
function browserPage(
  meter: Meter,
  soloCommits: boolean,
  beside: boolean,
): { create: (options: HubOptions) => SessionHub; other?: (clock: () => number) => SessionHub; reads: Meter } {
  const origin = fakeOrigin();
  /** The other page's reads: `ops` its `getItem` calls, `bytes` the characters they returned. */
  const reads: Meter = { ops: 0, bytes: 0, largest: 0 };
  /** A tab's options, its localStorage's writes counted by `meter` (and its reads by `reads`, for the other page). */
  const metered = (tab: FakeTab, counted?: Meter) => {
    const page = tabHubOptions(tab);
    const local = page.storage!;
    const storage = {
      getItem(key: string) {
        const value = local.getItem(key);
        if (counted) (counted.ops++, (counted.bytes += value?.length ?? 0));
        return value;
      },
      key: (index: number) => local.key(index),
      get length() {
        return local.length;
      },
      setItem(key: string, value: string) {
        count(meter, utf8(key) + utf8(value));
        local.setItem(key, value);
      },
      removeItem(key: string) {
        meter.ops++;
        local.removeItem(key);
      },
    };
    return { ...page, storage, soloCommits };
  };
  // Another page of the site, open in a background tab, idle: its writes count too.
  const other = beside ? metered(origin.openTab({ hidden: true }), reads) : undefined;
  const page = metered(origin.openTab());
  return {
    create: (options) => createBrowserHub({ ...options, ...page }),
    other: other && ((clock) => createBrowserHub({ ...other, kits: [], logger: silentLogger, clock })),
    reads,
  };
}

export const STORAGES = [
  'localStorage-like (key by key)',
  'AsyncStorage-like (multiGet, multiRemove)',
  'AsyncStorage on iOS (inlineLimit: 1024)',
  'AsyncStorage on iOS (no inlineLimit)',
  'Node journal (files)',
  'createBrowserHub, one page',
  'createBrowserHub, one page, soloCommits: false',
  'createBrowserHub, beside another page',
] as const;

type Storage = (typeof STORAGES)[number];

/**
 * `down`: the collector answers 503 to everything, so the queue only grows (an outage, or a device
 * offline). `timed`: one event per tick, the global timers following the workload's clock, so the
 * second between two events passes for them too (a lazy commit's deadline, the session timeout in the
 * background); the other paces move the clock only, and their ticks follow each other at once.
 */
async function measure(kits: AvailableKits, which: Storage, burst: number, events: number, down = false, timed = false): Promise<StorageOpsRow> {
  const meter: Meter = { ops: 0, bytes: 0, largest: 0 };
  let wire = 0;
  const transport: Transport = (request) => {
    wire += utf8(typeof request.body === 'string' ? request.body : '');
    return Promise.resolve({ status: down ? 503 : 200 });
  };
  const journalRun = which === 'Node journal (files)' ? journal(meter) : undefined;
  const page = which.startsWith('createBrowserHub') ? browserPage(meter, !which.endsWith('soloCommits: false'), which.endsWith('another page')) : undefined;
  const stores: Partial<Record<Storage, (meter: Meter) => StorageAdapter>> = {
    'localStorage-like (key by key)': keyByKey,
    'AsyncStorage-like (multiGet, multiRemove)': asyncStore,
    'AsyncStorage on iOS (inlineLimit: 1024)': (m) => iosStorage(m, IOS_INLINE_LIMIT),
    'AsyncStorage on iOS (no inlineLimit)': (m) => iosStorage(m),
  };
  const storage = journalRun?.storage ?? stores[which]?.(meter);
  const clock = manualClock();
  const timers = manualTimers(clock);
  const { setTimeout, clearTimeout } = globalThis;
  if (timed) Object.assign(globalThis, { setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout });
  let totals: ReturnType<Awaited<ReturnType<typeof startPipeline>>['totals']>;
  const other = page?.other?.(clock.now);
  /**
   * Beside another page each commit waits for other pages' writes to land (timers): on the manual
   * timers (only `timed` rows have that page), `p` is awaited with the timers running meanwhile.
   */
  const pumped = async <T>(p: Promise<T>): Promise<T> => {
    let done = false;
    void p.finally(() => (done = true)).catch(() => undefined);
    while (other && !done) await timers.advance(10);
    return p;
  };
  try {
    await pumped(other?.start() ?? Promise.resolve());
    const pipeline = await pumped(startPipeline(kits, page ? { transport, create: page.create, clock } : { transport, storage, clock }));
    await settle();
    // Launch writes (device id, first session) are not the event path.
    meter.ops = meter.bytes = meter.largest = wire = 0;
    if (page) page.reads.ops = page.reads.bytes = 0;
    for (let i = 0; i < events; i += burst) {
      if (timed) await pipeline.logNextThrough(timers);
      else for (let j = 0; j < burst; j++) pipeline.logNext();
      await settle();
    }
    if (!down) await pumped(pipeline.hub.flush());
    await settle();
    totals = pipeline.totals();
    await pumped(pipeline.hub.shutdown());
    await pumped(other?.shutdown() ?? Promise.resolve());
  } finally {
    Object.assign(globalThis, { setTimeout, clearTimeout });
  }
  journalRun?.done();
  if (down ? totals.queued < events || totals.dropped !== 0 || totals.errors !== 0 : totals.queued !== 0 || totals.dropped !== 0 || totals.errors !== 0) {
    throw new Error(`storage ops: ${down ? 'the outage did not keep everything queued' : 'not everything was delivered'}: ${JSON.stringify(totals)}`);
  }
  return {
    storage: which,
    pace: down ? '1 per tick, collector down' : timed ? '1 a second, timers run' : burst === 1 ? '1 event per tick' : 'bursts of 10',
    events,
    opsPerEvent: meter.ops / events,
    bytesPerEvent: meter.bytes / events,
    wireBytesPerEvent: wire / events,
    largestWrite: meter.largest,
    idleReadsPerEvent: other ? [page!.reads.ops / events, page!.reads.bytes / events] : undefined,
  };
}

/**
 * Storage operations and bytes written per event (issue 14's targets: ≤ 1.1 operations per event at
 * one event per tick, ≤ 1.5 bytes written per wire byte), the hub and every kit included, sessions
 * rolling over, every payload delivered.
 */
export async function runStorageOps(kits: AvailableKits, options: { quick: boolean }): Promise<StorageOpsRow[]> {
  const events = options.quick ? 500 : 2_000;
  const rows: StorageOpsRow[] = [];
  for (const which of STORAGES) if (which != 'createBrowserHub, beside another page') for (const burst of [1, 10]) rows.push(await measure(kits, which, burst, events));
  // The same pace with the second between events passing for timers too: what an app logging once a
  // second, awake, writes. Beside another page only at this pace: each commit waits 50 ms for other
  // pages' writes to land, so at once per tick the events of 50 ms would be committed together.
  for (const which of ['localStorage-like (key by key)', 'createBrowserHub, one page', 'createBrowserHub, one page, soloCommits: false', 'createBrowserHub, beside another page'] as const) {
    rows.push(await measure(kits, which, 1, events, false, true));
  }
  // An outage: every payload stays queued (retried with backoff), so what a commit writes is what the queue costs it.
  for (const which of ['localStorage-like (key by key)', 'AsyncStorage on iOS (inlineLimit: 1024)', 'createBrowserHub, one page'] as const) rows.push(await measure(kits, which, 1, options.quick ? 300 : 800, true));
  return rows;
}

export function renderStorageOps(rows: readonly StorageOpsRow[]): string {
  return [
    'Storage operations and bytes written per event, the hub and three kits (sessions rolling over; every payload delivered, or none while the collector is down):',
    renderTable(
      ['storage', 'pace', 'events', 'ops/event', 'bytes/event', 'wire bytes/event', 'written/wire', 'largest write'],
      rows.map((r) => [
        r.storage,
        r.pace,
        int(r.events),
        r.opsPerEvent.toFixed(2),
        int(r.bytesPerEvent),
        int(r.wireBytesPerEvent),
        r.pace.endsWith('down') ? '–' : times(r.bytesPerEvent / r.wireBytesPerEvent),
        int(r.largestWrite),
      ]),
    ),
    '  (an operation: a setItem or removeItem; a multiRemove call; a file-system call that writes; on iOS, a file written or removed;\n' +
      '   collector down: every request answered 503 and retried, so wire bytes count requests that were refused' +
      rows.flatMap((r) => (r.idleReadsPerEvent ? [`;\n   ${r.storage}: the other page, idle, read ${r.idleReadsPerEvent[0].toFixed(1)} keys, ${int(r.idleReadsPerEvent[1])} characters per event to follow the session`] : [])).join('') +
      ')',
  ].join('\n\n');
}
