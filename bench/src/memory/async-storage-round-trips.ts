import type { Transport } from '@sessionhub/delivery';
import { roundTripStorage, type RoundTripStorage } from '@sessionhub/testing';
import { int, renderTable } from '../report/table';
import { startPipeline } from '../workload/pipeline';
import { EVENT_ATTRIBUTES, EVENT_NAME, type AvailableKits } from '../workload/vendor-kits';

/** Waits for `n` of the store's round trips (it answers one macrotask later): the time the app gives it between events. */
const roundTrips = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setTimeout(resolve, 0));
};

/** One launch of the hub and the kits on an AsyncStorage-like store, counted. */
export interface LaunchRow {
  readonly launch: string;
  /** Items queued across the kits when the launch began. */
  readonly queued: number;
  /** Round trips `start()` waited for, one after another's answer (see `roundTripStorage`). */
  readonly roundTrips: number;
  /** Keys read, and how many of them were segment keys. */
  readonly reads: number;
  readonly segmentReads: number;
  /**
   * Calls of the native module (see `RoundTripStorage.calls`) on a store with `getItem`,
   * `setItem` and `removeItem` only, and on one that also has AsyncStorage's `multiGet` and `multiRemove`.
   */
  readonly calls: number;
  readonly multiCalls: number;
}

/** Runs `events` events at one per tick (collector up or down) on `storage`, then shuts the hub down. */
async function life(kits: AvailableKits, storage: RoundTripStorage, events: number, down: boolean): Promise<Omit<LaunchRow, 'launch' | 'queued' | 'multiCalls'> & { queuedAtEnd: number }> {
  const transport: Transport = () => Promise.resolve({ status: down ? 503 : 200 });
  storage.resetCounts();
  // startPipeline awaits hub.start(): what is counted until it returns is the launch.
  const pipeline = await startPipeline(kits, { transport, storage });
  const row = {
    queued: 0,
    roundTrips: storage.roundTrips,
    reads: [...storage.reads.values()].reduce((a, b) => a + b, 0),
    segmentReads: [...storage.reads].reduce((sum, [key, n]) => sum + (key.includes(':seg:') ? n : 0), 0),
    calls: storage.calls,
  };
  for (let i = 0; i < events; i++) {
    pipeline.logNext();
    // Each event its own burst, a few round trips apart.
    await roundTrips(4);
  }
  if (!down) await pipeline.hub.flush();
  await roundTrips(10);
  const queuedAtEnd = pipeline.totals().queued;
  await pipeline.hub.shutdown();
  return { ...row, queuedAtEnd };
}

/**
 * Launches on an AsyncStorage-like store that answers the calls made together in one round trip
 * (React Native's bridge): how many round trips `start()` waits for, one after another, how many
 * keys it reads, and how many calls of the native module it makes, with `getItem` alone and with
 * AsyncStorage's `multiGet` / `multiRemove` — a fresh install, and relaunches after a run with
 * everything delivered and after an outage (every payload still queued). The same runs on both
 * stores: their round trips and reads must agree.
 */
export async function runLaunchRoundTrips(kits: AvailableKits): Promise<LaunchRow[]> {
  const rows: LaunchRow[] = [];
  for (const down of [false, true]) {
    type Counted = Awaited<ReturnType<typeof life>>;
    const runs: Array<{ first: Omit<Counted, 'queuedAtEnd'>; second: Omit<Counted, 'queuedAtEnd'>; queuedAtEnd: number }> = [];
    for (const multi of [false, true]) {
      const store = roundTripStorage(undefined, { multi });
      const { queuedAtEnd, ...first } = await life(kits, store, 60, down);
      if (down !== queuedAtEnd > 0) throw new Error(`launch bench: ${queuedAtEnd} item(s) queued after the ${down ? 'outage' : 'run'}`);
      const { queuedAtEnd: _, ...second } = await life(kits, roundTripStorage(store.snapshot(), { multi }), 0, down);
      runs.push({ first, second, queuedAtEnd });
    }
    const [plain, multi] = runs as [(typeof runs)[0], (typeof runs)[0]];
    const row = (launch: string, queued: number, a: Omit<Counted, 'queuedAtEnd'>, b: Omit<Counted, 'queuedAtEnd'>): LaunchRow => {
      if (a.roundTrips !== b.roundTrips || a.reads !== b.reads) throw new Error(`launch bench: ${launch}: ${JSON.stringify(a)} without multiGet, ${JSON.stringify(b)} with it`);
      return { ...a, launch, queued, multiCalls: b.calls };
    };
    if (!down) rows.push(row('first launch (nothing stored)', 0, plain.first, multi.first));
    rows.push(row(down ? 'relaunch after an outage (60 events)' : 'relaunch (everything delivered)', plain.queuedAtEnd, plain.second, multi.second));
  }
  return rows;
}

export function renderLaunchRoundTrips(rows: readonly LaunchRow[]): string {
  return [
    'A launch on an AsyncStorage-like store (calls made together answered in one round trip), the hub and three kits:',
    renderTable(
      ['launch', 'items queued', 'round trips', 'keys read', 'of segment keys', 'calls: getItem', 'with multiGet'],
      rows.map((r) => [r.launch, int(r.queued), int(r.roundTrips), int(r.reads), int(r.segmentReads), int(r.calls), int(r.multiCalls)]),
    ),
    '  (round trips: answers start() waited for one after another; 16 segment keys hold the records;\n' +
      "   calls: of the native module, which runs them one after another: a store with getItem, setItem and removeItem only,\n" +
      "   and one with AsyncStorage's multiGet and multiRemove, whose multiGets of one tick are one call)",
  ].join('\n\n');
}

/** How long the commits of events wait, in round trips, while the queue an outage left is delivered. */
export interface DrainRow {
  /** Items queued across the kits when the collector came back, and the spill keys holding some of them. */
  readonly queued: number;
  readonly spills: number;
  readonly events: number;
  /** Round trips from an event's call to the write of its commit: median, 90th percentile, most. */
  readonly median: number;
  readonly p90: number;
  readonly max: number;
  /** Calls of the native module from the flush to the end, with `getItem`/`removeItem` only, and with `multiGet`/`multiRemove`. */
  readonly calls: number;
  readonly multiCalls: number;
}

/**
 * An outage (`outageEvents` at one per tick, every request answered 503), then the collector
 * answers again, the app flushes (as at a foreground) and `events` more come at one per tick while
 * the queue is delivered: for each, the
 * round trips from `logEvent` to the `setItem` of the record that holds it (a kill before that
 * loses it).
 */
export async function runDrainRoundTrips(kits: AvailableKits, outageEvents = 400, events = 200): Promise<DrainRow> {
  const plain = await drain(kits, outageEvents, events, false);
  const multi = await drain(kits, outageEvents, events, true);
  // The same run on both stores: the same waits.
  if (JSON.stringify({ ...plain, calls: 0 }) !== JSON.stringify({ ...multi, calls: 0 })) throw new Error(`drain bench: ${JSON.stringify(plain)} without multiGet, ${JSON.stringify(multi)} with it`);
  return { ...plain, multiCalls: multi.calls };
}

async function drain(kits: AvailableKits, outageEvents: number, events: number, multi: boolean): Promise<Omit<DrainRow, 'multiCalls'>> {
  let down = true;
  const storage = roundTripStorage(undefined, { multi });
  const marks: Array<{ tag: string; at: number; written?: number }> = [];
  const setItem = storage.setItem;
  storage.setItem = (key, value) => {
    for (const m of marks) if (m.written === undefined && value.includes(m.tag)) m.written = storage.roundTrips;
    return setItem(key, value);
  };
  const transport: Transport = () => Promise.resolve({ status: down ? 503 : 200 });
  const pipeline = await startPipeline(kits, { transport, storage });
  for (let i = 0; i < outageEvents; i++) {
    pipeline.logNext();
    await roundTrips(4);
  }
  await roundTrips(20);
  const queued = pipeline.totals().queued;
  const spills = [...storage.snapshot().keys()].filter((k) => k.includes(':spill:')).length;
  // Back online: the app asks the kits to send what they hold (as at a foreground), and goes on.
  down = false;
  const callsBefore = storage.calls;
  void pipeline.hub.flush();
  for (let i = 0; i < events; i++) {
    pipeline.clock.advance(1000);
    const tag = `drain-${i}-`;
    marks.push({ tag, at: storage.roundTrips });
    pipeline.hub.logEvent(EVENT_NAME, { ...EVENT_ATTRIBUTES, mark: tag });
    await roundTrips(4);
  }
  await pipeline.hub.flush();
  await roundTrips(20);
  const left = pipeline.totals();
  await pipeline.hub.shutdown();
  if (left.queued !== 0 || marks.some((m) => m.written === undefined)) throw new Error(`drain bench: not everything was delivered or written: ${JSON.stringify(left)}`);
  const waits = marks.map((m) => m.written! - m.at).sort((a, b) => a - b);
  const at = (q: number): number => waits[Math.min(waits.length - 1, Math.floor(q * waits.length))]!;
  return { queued, spills, events, median: at(0.5), p90: at(0.9), max: waits.at(-1)!, calls: storage.calls - callsBefore };
}

export function renderDrainRoundTrips(row: DrainRow): string {
  return [
    'While the queue an outage left is delivered (AsyncStorage-like store, the hub and three kits, 1 event per tick):',
    renderTable(
      ['items queued', 'spill keys', 'events', 'commit wait: median', '90th percentile', 'most', 'calls: getItem', 'with multiGet'],
      [[int(row.queued), int(row.spills), int(row.events), int(row.median), int(row.p90), int(row.max), int(row.calls), int(row.multiCalls)]],
    ),
    "  (commit wait: round trips from an event's logEvent to the setItem of the record that holds it;\n" +
      '   calls: of the native module from the flush on, without and with multiGet / multiRemove)',
  ].join('\n\n');
}
