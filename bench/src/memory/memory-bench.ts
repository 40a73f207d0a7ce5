import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHub, DEFAULT_ENGINE_CONFIG, initialState, silentLogger, step, type EngineState, type HubOptions, type SessionHub, type StorageAdapter, type StorageWrite } from '@sessionhub/core';
import { createBrowserHub } from '@sessionhub/core/browser';
import { journalStorage } from '@sessionhub/core/node';
import { fakeOrigin, tabHubOptions } from '@sessionhub/testing';
import type { Transport } from '@sessionhub/delivery';
import { renderTable, int } from '../report/table';
import { median } from '../speed/rounds';
import { settle, startPipeline, type Pipeline } from '../workload/pipeline';
import { EVENT_ATTRIBUTES, EVENT_NAME, type AvailableKits } from '../workload/vendor-kits';
import { countingStorage, type StorageWrites } from './counting-storage';

export interface QueuedPayloadHeap {
  readonly storage: string;
  readonly queued: number;
  readonly bytesPerPayload: number;
  /** Bytes written to storage per payload queued (its record in a segment key, with its share of the hub state). */
  readonly storedJsonPerPayload: number;
  /** Wire bytes per payload (request bodies, envelopes included, over the payloads they carried), for issue 14's "heap ≤ 2× wire bytes". */
  readonly wireBytesPerPayload: number;
}

export interface LiveSessionHeap {
  readonly ids: string;
  readonly sessions: number;
  readonly bytesPerSession: number;
}

export interface MemoryResult {
  readonly queuedPayload: readonly QueuedPayloadHeap[];
  readonly liveSession: readonly LiveSessionHeap[];
  readonly notes: readonly string[];
  /** Runs (fresh processes) each figure is the median of. */
  readonly runs: number;
}

/**
 * Events before the heap's baseline in each queued-payload run (of the run's events, kept under the
 * outboxes' 1000-item bound). With one, the browser hub's row measured ~50 B per payload more (1.95–2.06×
 * against 1.85–1.88× wire bytes): its code compiled during the measured events. The other rows: the same.
 */
const WARM_UP_EVENTS = 100;

/** Fresh processes the memory section runs (`pnpm bench memory`), each figure their median. */
export const MEMORY_RUNS = 5;

/** Each heap figure of `runs` (same workload, fresh processes), their median. */
export function medianMemory(runs: readonly MemoryResult[]): MemoryResult {
  const first = runs[0]!;
  return {
    queuedPayload: first.queuedPayload.map((q, i) => ({ ...q, bytesPerPayload: median(runs.map((r) => r.queuedPayload[i]!.bytesPerPayload)) })),
    liveSession: first.liveSession.map((l, i) => ({ ...l, bytesPerSession: median(runs.map((r) => r.liveSession[i]!.bytesPerSession)) })),
    notes: first.notes,
    runs: runs.length,
  };
}

const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('the memory bench needs node --expose-gc (run it through bench/run.mjs)');
  // Twice: the first pass may leave objects with finalizers or weak references for the second.
  collect();
  collect();
};
const heapUsed = (): number => {
  gc();
  return process.memoryUsage().heapUsed;
};

/**
 * The Node journal in `dir` (durability 'none': when commits reach the disk does not change the
 * heap), counting what each commit hands it: keys' and values' lengths, which are their UTF-8 bytes
 * in this ASCII workload. (Not `Buffer.byteLength`: reading a value's bytes would flatten the text the
 * journal keeps, a copy of what it shares with the outbox, and the heap measured would be the bench's.)
 */
function countedJournal(dir: string): StorageAdapter & { readonly writes: ReadonlyMap<string, StorageWrites> } {
  const journal = journalStorage(dir, { durability: 'none' });
  const all: StorageWrites = { sets: 0, removes: 0, bytes: 0 };
  return Object.assign(Object.create(journal) as typeof journal, {
    writes: new Map([['all', all]]),
    commit(writes: readonly StorageWrite[]) {
      for (const [k, v] of writes) {
        if (v === null) all.removes++;
        else (all.sets++, (all.bytes += k.length + v.length));
      }
      return journal.commit!(writes);
    },
  });
}

/**
 * createBrowserHub in one page of a fake origin (its Web Locks and page lifecycle), on a localStorage
 * that keeps its values outside the JS heap as a browser's does: the tabs' shared record and the
 * page's kit segments.
 */
function outsideHeapPage(): { storage: StorageAdapter & { readonly writes: ReadonlyMap<string, StorageWrites> }; create: (options: HubOptions) => SessionHub } {
  const counted = countingStorage(() => 'all', false);
  const keys: string[] = [];
  const storage = {
    writes: counted.writes,
    getItem: (key: string) => counted.getItem(key) as string | null,
    key: (index: number) => keys[index] ?? null,
    get length() {
      return keys.length;
    },
    setItem(key: string, value: string) {
      if (counted.getItem(key) === null) keys.push(key);
      void counted.setItem(key, value);
    },
    removeItem(key: string) {
      const i = keys.indexOf(key);
      if (i >= 0) keys.splice(i, 1);
      void counted.removeItem(key);
    },
  };
  const page = tabHubOptions(fakeOrigin().openTab());
  return { storage, create: (options) => createBrowserHub({ ...options, ...page, storage }) };
}

/** The collector is down (503): every payload stays queued, retried with backoff. */
const unavailableTransport: Transport = () => Promise.resolve({ status: 503 });

/**
 * Heap per queued payload: `events` events (one per tick, sessions rolling over) while the collector
 * answers 503, so every payload stays in the outboxes; heap after − before, over the payloads queued.
 */
async function queuedPayloadHeap(
  kits: AvailableKits,
  storage: StorageAdapter & { readonly writes: ReadonlyMap<string, StorageWrites> },
  label: string,
  events: number,
  create?: (options: HubOptions) => SessionHub,
): Promise<{ figure: QueuedPayloadHeap; pipeline: Pipeline }> {
  const pipeline = await startPipeline(kits, create ? { transport: unavailableTransport, create } : { transport: unavailableTransport, storage });
  // Warm up the shapes and code paths so the baseline holds them already: code V8 compiles is not
  // per payload, and some (the browser hub's) is compiled only after tens of events.
  for (let i = 0; i < WARM_UP_EVENTS; i++) {
    pipeline.logNext();
    await settle();
  }
  const queuedBefore = pipeline.totals().queued;
  const bytesBefore = storage.writes.get('all')?.bytes ?? 0;
  const before = heapUsed();
  for (let i = WARM_UP_EVENTS; i < events; i++) {
    pipeline.logNext();
    await settle();
  }
  const after = heapUsed();
  const totals = pipeline.totals();
  if (totals.dropped !== 0 || totals.errors !== 0) throw new Error(`queued-payload heap: the outboxes dropped or failed: ${JSON.stringify(totals)}`);
  const queued = totals.queued - queuedBefore;
  const written = (storage.writes.get('all')?.bytes ?? 0) - bytesBefore;
  // Still alive: shut down only after every heap figure is taken, so freeing it cannot shrink a later one.
  return { figure: { storage: label, queued, bytesPerPayload: (after - before) / queued, storedJsonPerPayload: written / queued, wireBytesPerPayload: 0 }, pipeline };
}

/** A copy of `text` as one flat string (V8 otherwise keeps a concatenation tree until something flattens it). */
const flat = (text: string): string => JSON.parse(JSON.stringify(text)) as string;

/**
 * Heap per live session, server-side: one engine state per device, each with a live session after
 * one event, its ids from `id`. V8 keeps the strings crypto.randomUUID returns in Node (and uuid's)
 * as concatenation trees (~490 bytes) until something flattens them (serializing or hashing them);
 * the hub's id source makes each id one flat string.
 */
function liveSessionHeap(sessions: number, ids: string, id: () => string): LiveSessionHeap {
  const config = { ...DEFAULT_ENGINE_CONFIG };
  const env = { newId: id };
  const t = Date.UTC(2026, 0, 1);
  let states: EngineState[] | null = new Array<EngineState>(sessions);
  const before = heapUsed();
  for (let d = 0; d < sessions; d++) {
    const fresh = initialState(id(), config, t);
    const input = { type: 'event', t, eventId: id(), name: EVENT_NAME, attributes: EVENT_ATTRIBUTES, affectsSession: true } as const;
    states[d] = step(fresh, input, env).state;
  }
  const after = heapUsed();
  if (states.some((s) => s.session === null)) throw new Error('live-session heap: a device has no live session');
  states = null;
  return {
    ids,
    sessions,
    bytesPerSession: (after - before) / sessions,
  };
}

/** The id source of a hub with default options, as its kits get it (`generateId`). */
async function hubIdSource(): Promise<() => string> {
  let generateId: (() => string) | undefined;
  const hub = createHub({ logger: silentLogger, kits: [{ name: 'ids', init: (context) => void (generateId = context.generateId) }] });
  await hub.start();
  await hub.shutdown();
  if (!generateId) throw new Error("live-session heap: no kit context from the hub");
  return generateId;
}

/** Request body bytes per payload delivered: the same workload, every payload delivered. */
async function wireBytesPerPayload(kits: AvailableKits, events: number): Promise<number> {
  let bytes = 0;
  const transport: Transport = (request) => {
    bytes += Buffer.byteLength(request.body ?? '');
    return Promise.resolve({ status: 200 });
  };
  const pipeline = await startPipeline(kits, { transport });
  for (let i = 0; i < events; i++) {
    pipeline.logNext();
    await settle();
  }
  await pipeline.hub.flush();
  const totals = pipeline.totals();
  await pipeline.hub.shutdown();
  if (totals.queued !== 0 || totals.errors !== 0) throw new Error(`wire bytes: not everything was delivered: ${JSON.stringify(totals)}`);
  return bytes / totals.delivered;
}

export async function runMemory(kits: AvailableKits, options: { quick: boolean }): Promise<MemoryResult> {
  // Under each outbox's 1000-item bound (events + session start/end items), so nothing overflows.
  const queuedEvents = options.quick ? 300 : 800;
  const inHeap = await queuedPayloadHeap(kits, countingStorage(() => 'all', true), 'memory storage (all in the JS heap)', queuedEvents);
  const outside = await queuedPayloadHeap(kits, countingStorage(() => 'all', false), 'storage outside the JS heap (localStorage, AsyncStorage)', queuedEvents);
  const dir = mkdtempSync(join(tmpdir(), 'sessionhub-bench-heap-'));
  const journal = await queuedPayloadHeap(kits, countedJournal(dir), 'Node journal (files; createNodeHub\'s storage)', queuedEvents);
  const page = outsideHeapPage();
  const browser = await queuedPayloadHeap(kits, page.storage, 'createBrowserHub, one page (localStorage outside the heap)', queuedEvents, page.create);
  const wire = await wireBytesPerPayload(kits, queuedEvents);
  const queuedPayload = [inHeap.figure, outside.figure, journal.figure, browser.figure].map((f) => ({ ...f, wireBytesPerPayload: wire }));
  const sessions = options.quick ? 10_000 : 100_000;
  const hubIds = await hubIdSource();
  const liveSession = [
    liveSessionHeap(sessions, 'UUIDs as crypto.randomUUID returns them', randomUUID),
    liveSessionHeap(sessions, 'flat UUID strings (as once serialized)', () => flat(randomUUID())),
    liveSessionHeap(sessions, "the hub's ids (its id source: createHub's default)", hubIds),
  ];
  await inHeap.pipeline.hub.shutdown();
  await outside.pipeline.hub.shutdown();
  await journal.pipeline.hub.shutdown();
  await browser.pipeline.hub.shutdown();
  rmSync(dir, { recursive: true, force: true });
  return {
    queuedPayload,
    liveSession,
    notes: kits.missing.map((m) => `not in the pipeline yet: ${m}`),
    runs: 1,
  };
}

export function renderMemory(result: MemoryResult): string {
  return [
    `Memory (node --expose-gc; heapUsed after full collections; ${result.runs === 1 ? 'one process' : `median of ${result.runs} fresh processes`}):`,
    renderTable(
      ['heap per queued payload (collector down, 503)', 'payloads', 'bytes/payload', 'written/payload', 'wire bytes/payload', 'heap ÷ wire'],
      result.queuedPayload.map((q) => [
        q.storage,
        int(q.queued),
        int(q.bytesPerPayload),
        int(q.storedJsonPerPayload),
        int(q.wireBytesPerPayload),
        (q.bytesPerPayload / q.wireBytesPerPayload).toFixed(2) + '×',
      ]),
    ),
    "  (the heap holds each payload's text as its outbox keeps it, the outbox's entry and the segment log's key for it;\n" +
      '   wire bytes: request bodies over the payloads they carried, envelopes included, in a run where every payload is delivered)',
    renderTable(
      ['heap per live session: engine state per device (server-side), ids', 'sessions', 'bytes/session'],
      result.liveSession.map((l) => [l.ids, int(l.sessions), int(l.bytesPerSession)]),
    ),
    '(storage operations and bytes written per event: pnpm bench storage)',
    ...(result.notes.length ? [result.notes.map((n) => `  - ${n}`).join('\n')] : []),
  ].join('\n\n');
}
