import { randomUUID } from 'node:crypto';
import { DEFAULT_ENGINE_CONFIG, initialState, step, type EngineState } from '@sessionhub/core';
import type { Transport } from '@sessionhub/delivery';
import { renderTable, int } from '../report/table';
import { acknowledgingTransport, settle, startPipeline, type Pipeline } from '../workload/pipeline';
import { EVENT_ATTRIBUTES, EVENT_NAME, type AvailableKits } from '../workload/vendor-kits';
import { countingStorage, hubStorageGroup } from './counting-storage';

export interface QueuedPayloadHeap {
  readonly storage: string;
  readonly queued: number;
  readonly bytesPerPayload: number;
  /** Average stored JSON of a queued payload (`outbox:<n>` values), bytes. */
  readonly storedJsonPerPayload: number;
}

export interface StorageWritesPerEvent {
  readonly group: string;
  readonly setsPerEvent: number;
  readonly removesPerEvent: number;
  readonly bytesPerEvent: number;
}

export interface LiveSessionHeap {
  readonly ids: string;
  readonly sessions: number;
  readonly bytesPerSession: number;
}

export interface MemoryResult {
  readonly queuedPayload: readonly QueuedPayloadHeap[];
  readonly liveSession: readonly LiveSessionHeap[];
  readonly storageWrites: { readonly events: number; readonly groups: readonly StorageWritesPerEvent[] };
  readonly notes: readonly string[];
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

/** The collector is down (503): every payload stays queued, retried with backoff. */
const unavailableTransport: Transport = () => Promise.resolve({ status: 503 });

/**
 * Heap per queued payload: `events` events (one per tick, sessions rolling over) while the collector
 * answers 503, so every payload stays in the outboxes; heap after − before, over the payloads queued.
 */
async function queuedPayloadHeap(
  kits: AvailableKits,
  keepInHeap: boolean,
  label: string,
  events: number,
): Promise<{ figure: QueuedPayloadHeap; pipeline: Pipeline }> {
  const storage = countingStorage((key) => (/:outbox:\d+$/.test(key) ? 'items' : 'other'), keepInHeap);
  const pipeline = await startPipeline(kits, { transport: unavailableTransport, storage });
  // Warm up the shapes and code paths so the baseline holds them already.
  pipeline.logNext();
  await settle();
  const queuedBefore = pipeline.totals().queued;
  const before = heapUsed();
  for (let i = 0; i < events; i++) {
    pipeline.logNext();
    await settle();
  }
  const after = heapUsed();
  const totals = pipeline.totals();
  if (totals.dropped !== 0 || totals.errors !== 0) throw new Error(`queued-payload heap: the outboxes dropped or failed: ${JSON.stringify(totals)}`);
  const queued = totals.queued - queuedBefore;
  const items = storage.writes.get('items');
  // Still alive: shut down only after every heap figure is taken, so freeing it cannot shrink a later one.
  return { figure: { storage: label, queued, bytesPerPayload: (after - before) / queued, storedJsonPerPayload: items ? items.bytes / items.sets : 0 }, pipeline };
}

/** A copy of `text` as one flat string (V8 otherwise keeps a concatenation tree until something flattens it). */
const flat = (text: string): string => JSON.parse(JSON.stringify(text)) as string;

/**
 * Heap per live session, server-side: one engine state per device, each with a live session after
 * one event. Ids come from crypto.randomUUID, which uuid v4 (the hub's default) calls in Node; V8
 * returns those as concatenation trees (~490 bytes) until they are flattened, which happens once a
 * string is serialized or hashed. `flatIds` measures the same states with flat ids.
 */
function liveSessionHeap(sessions: number, flatIds: boolean): LiveSessionHeap {
  const config = { ...DEFAULT_ENGINE_CONFIG };
  const id = flatIds ? () => flat(randomUUID()) : randomUUID;
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
    ids: flatIds ? 'flat UUID strings (as once serialized)' : 'UUIDs as crypto.randomUUID returns them',
    sessions,
    bytesPerSession: (after - before) / sessions,
  };
}

/** Bytes the pipeline writes to storage per event: one event per tick, every payload delivered. */
async function storageWritesPerEvent(kits: AvailableKits, events: number): Promise<StorageWritesPerEvent[]> {
  const storage = countingStorage(hubStorageGroup, true);
  const pipeline = await startPipeline(kits, { transport: acknowledgingTransport, storage });
  for (let i = 0; i < events; i++) {
    pipeline.logNext();
    await settle();
  }
  await pipeline.hub.flush();
  const totals = pipeline.totals();
  if (totals.queued !== 0 || totals.dropped !== 0 || totals.errors !== 0) throw new Error(`storage writes: not everything was delivered: ${JSON.stringify(totals)}`);
  await pipeline.hub.shutdown();
  const groups = [...storage.writes].map(([group, w]) => ({
    group,
    setsPerEvent: w.sets / events,
    removesPerEvent: w.removes / events,
    bytesPerEvent: w.bytes / events,
  }));
  const sum = (f: (g: StorageWritesPerEvent) => number): number => groups.reduce((s, g) => s + f(g), 0);
  groups.push({ group: 'total', setsPerEvent: sum((g) => g.setsPerEvent), removesPerEvent: sum((g) => g.removesPerEvent), bytesPerEvent: sum((g) => g.bytesPerEvent) });
  return groups;
}

export async function runMemory(kits: AvailableKits, options: { quick: boolean }): Promise<MemoryResult> {
  // Under each outbox's 1000-item bound (events + session start/end items), so nothing overflows.
  const queuedEvents = options.quick ? 300 : 800;
  const inHeap = await queuedPayloadHeap(kits, true, 'memory storage (all in the JS heap)', queuedEvents);
  const outside = await queuedPayloadHeap(kits, false, 'storage outside the JS heap (localStorage, AsyncStorage)', queuedEvents);
  const queuedPayload = [inHeap.figure, outside.figure];
  const sessions = options.quick ? 10_000 : 100_000;
  const liveSession = [liveSessionHeap(sessions, false), liveSessionHeap(sessions, true)];
  await inHeap.pipeline.hub.shutdown();
  await outside.pipeline.hub.shutdown();
  const writeEvents = options.quick ? 500 : 2_000;
  return {
    queuedPayload,
    liveSession,
    storageWrites: { events: writeEvents, groups: await storageWritesPerEvent(kits, writeEvents) },
    notes: kits.missing.map((m) => `not in the pipeline yet: ${m}`),
  };
}

export function renderMemory(result: MemoryResult): string {
  const sw = result.storageWrites;
  return [
    'Memory (node --expose-gc; heapUsed after full collections):',
    renderTable(
      ['heap per queued payload (collector down, 503)', 'payloads', 'bytes/payload', 'stored JSON/payload'],
      result.queuedPayload.map((q) => [q.storage, int(q.queued), int(q.bytesPerPayload), int(q.storedJsonPerPayload)]),
    ),
    '  (core keeps a memory copy of everything it writes to storage, so the stored JSON is in the heap either way)',
    renderTable(
      ['heap per live session: engine state per device (server-side), ids', 'sessions', 'bytes/session'],
      result.liveSession.map((l) => [l.ids, int(l.sessions), int(l.bytesPerSession)]),
    ),
    `Storage writes per event (${int(sw.events)} events, one per tick, sessions rolling over, every payload delivered):`,
    renderTable(
      ['written by', 'setItem/event', 'removeItem/event', 'bytes/event'],
      sw.groups.map((g) => [g.group, g.setsPerEvent.toFixed(2), g.removesPerEvent.toFixed(2), int(g.bytesPerEvent)]),
    ),
    ...(result.notes.length ? [result.notes.map((n) => `  - ${n}`).join('\n')] : []),
  ].join('\n\n');
}
