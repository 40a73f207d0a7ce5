import type { Transport } from '@sessionhub/delivery';
import { roundTripStorage, type RoundTripStorage } from '@sessionhub/testing';
import { int, renderTable } from '../report/table';
import { settle, startPipeline } from '../workload/pipeline';
import type { AvailableKits } from '../workload/vendor-kits';

/** One launch of the hub and the kits on an AsyncStorage-like store, counted. */
export interface LaunchRow {
  readonly launch: string;
  /** Items queued across the kits when the launch began. */
  readonly queued: number;
  /** Round trips `start()` waited for, one after another's answer (see `roundTripStorage`). */
  readonly roundTrips: number;
  /** getItem calls, and how many of them read a segment key. */
  readonly reads: number;
  readonly segmentReads: number;
}

/** Runs `events` events at one per tick (collector up or down) on `storage`, then shuts the hub down. */
async function life(kits: AvailableKits, storage: RoundTripStorage, events: number, down: boolean): Promise<Omit<LaunchRow, 'launch' | 'queued'> & { queuedAtEnd: number }> {
  const transport: Transport = () => Promise.resolve({ status: down ? 503 : 200 });
  storage.resetCounts();
  // startPipeline awaits hub.start(): what is counted until it returns is the launch.
  const pipeline = await startPipeline(kits, { transport, storage });
  const row = {
    queued: 0,
    roundTrips: storage.roundTrips,
    reads: [...storage.reads.values()].reduce((a, b) => a + b, 0),
    segmentReads: [...storage.reads].reduce((sum, [key, n]) => sum + (key.includes(':seg:') ? n : 0), 0),
  };
  for (let i = 0; i < events; i++) {
    pipeline.logNext();
    // Each event its own burst; a few turns so the store answers its commit.
    for (let j = 0; j < 4; j++) await settle();
  }
  if (!down) await pipeline.hub.flush();
  for (let j = 0; j < 10; j++) await settle();
  const queuedAtEnd = pipeline.totals().queued;
  await pipeline.hub.shutdown();
  return { ...row, queuedAtEnd };
}

/**
 * Launches on an AsyncStorage-like store that answers the calls made together in one round trip
 * (React Native's bridge): how many round trips `start()` waits for, one after another, and how
 * many reads it makes — a fresh install, and relaunches after a run with everything delivered and
 * after an outage (every payload still queued).
 */
export async function runLaunchRoundTrips(kits: AvailableKits): Promise<LaunchRow[]> {
  const rows: LaunchRow[] = [];
  for (const down of [false, true]) {
    const store = roundTripStorage();
    const { queuedAtEnd, ...first } = await life(kits, store, 60, down);
    if (!down) rows.push({ ...first, queued: 0, launch: 'first launch (nothing stored)' });
    if (down !== queuedAtEnd > 0) throw new Error(`launch bench: ${queuedAtEnd} item(s) queued after the ${down ? 'outage' : 'run'}`);
    const { queuedAtEnd: _, ...second } = await life(kits, roundTripStorage(store.snapshot()), 0, down);
    rows.push({ ...second, queued: queuedAtEnd, launch: down ? 'relaunch after an outage (60 events)' : 'relaunch (everything delivered)' });
  }
  return rows;
}

export function renderLaunchRoundTrips(rows: readonly LaunchRow[]): string {
  return [
    'A launch on an AsyncStorage-like store (calls made together answered in one round trip), the hub and three kits:',
    renderTable(
      ['launch', 'items queued', 'round trips', 'reads', 'of segment keys'],
      rows.map((r) => [r.launch, int(r.queued), int(r.roundTrips), int(r.reads), int(r.segmentReads)]),
    ),
    '  (round trips: answers start() waited for one after another; 16 segment keys hold the records)',
  ].join('\n\n');
}
