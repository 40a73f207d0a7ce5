import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { SessionHub } from '@sessionhub/core';
import { createNodeHub, type Durability } from '@sessionhub/core/node';
import { int, renderTable, spread } from '../report/table';
import { acknowledgingTransport, EVENTS_PER_SESSION, settle, startPipeline, type Pipeline } from '../workload/pipeline';
import type { AvailableKits } from '../workload/vendor-kits';
import { runRounds, type Contender } from './rounds';

export interface NodeHubRow {
  readonly name: string;
  readonly durability: Durability;
  readonly burst: number;
  readonly eventsPerSecond: number;
  readonly nsPerEvent: number;
  readonly spread: number;
  /** 99th percentile of one logEvent call's synchronous time (the app's event loop is blocked that long), µs. */
  readonly callP99Us: number;
  /** Longest logEvent call, µs. */
  readonly callMaxUs: number;
  /** 99th percentile of the event loop's delay over the measured rounds (perf_hooks monitorEventLoopDelay, 1 ms resolution), ms. */
  readonly loopDelayP99Ms: number;
}

export interface NodeHubResult {
  readonly kits: readonly string[];
  readonly rows: readonly NodeHubRow[];
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

/**
 * createNodeHub + the kits on its durable file storage (the append-only journal in a temporary
 * directory): `events` events per round in bursts of `burst` (the event loop turns between bursts, so
 * the journal's group commits and the outboxes' sends run as in an app), every outbox flushed at the
 * end of each round. Each call (`logEvent`, and the background/foreground that ends a session every
 * {@link EVENTS_PER_SESSION} events) is timed on its own.
 */
function nodeHubContender(name: string, pipeline: Pipeline, events: number, burst: number, calls: number[]): Contender & { measuring: boolean } {
  let before = pipeline.totals();
  const contender = {
    name,
    events,
    measuring: false,
    async round() {
      before = pipeline.totals();
      for (let i = 1; i <= events; i++) {
        const start = process.hrtime.bigint();
        pipeline.logNext();
        if (contender.measuring) calls.push(Number(process.hrtime.bigint() - start));
        if (i % burst === 0) await settle();
      }
      await pipeline.hub.flush();
    },
    verify() {
      const after = pipeline.totals();
      const delivered = after.delivered - before.delivered;
      if (after.queued !== 0 || after.dropped !== before.dropped || after.errors !== 0 || delivered < events * pipeline.kits.length) {
        throw new Error(`${name}: the round did not deliver everything: ${JSON.stringify({ before, after, delivered })}`);
      }
    },
  };
  return contender;
}

export async function runNodeHub(kits: AvailableKits, options: { quick: boolean }): Promise<NodeHubResult> {
  const events = options.quick ? 2_000 : 20_000;
  const rounds = options.quick ? 3 : 7;
  const warmup = options.quick ? 1 : 2;
  const setups: { durability: Durability; burst: number }[] = [
    { durability: 'commit', burst: 1 },
    { durability: 'commit', burst: 10 },
    { durability: 'interval', burst: 1 },
    { durability: 'interval', burst: 10 },
  ];
  const dirs: string[] = [];
  const hubs: SessionHub[] = [];
  const calls = setups.map(() => [] as number[]);
  const contenders: (Contender & { measuring: boolean })[] = [];
  for (const [i, { durability, burst }] of setups.entries()) {
    const dir = mkdtempSync(join(tmpdir(), 'sessionhub-bench-'));
    dirs.push(dir);
    const pipeline = await startPipeline(kits, {
      transport: acknowledgingTransport,
      create: (o) => createNodeHub({ ...o, dir, durability, shutdownSignals: [], shutdownOnIdleExit: false }),
    });
    hubs.push(pipeline.hub);
    const per = burst === 1 ? '1 event per tick' : `bursts of ${burst} events`;
    contenders.push(nodeHubContender(`createNodeHub → ${kits.specs.length} kits, durability '${durability}', ${per}`, pipeline, events, burst, calls[i]!));
  }
  // The loop's delay is read over the measured rounds of all rows together (they interleave).
  const loop = monitorEventLoopDelay({ resolution: 1 });
  const loopDelays: number[] = [];
  const wrapped = contenders.map((c, i) => ({
    ...c,
    round: async () => {
      loop.reset();
      loop.enable();
      await c.round();
      loop.disable();
      if (c.measuring) loopDelays[i] = Math.max(loopDelays[i] ?? 0, loop.percentile(99) / 1e6);
    },
    verify: () => c.verify!(),
  }));
  let done = 0;
  // Calls are timed in the measured rounds only: after `warmup` rounds of every contender.
  const measured = wrapped.map((w, i) => ({
    ...w,
    round: async () => {
      contenders[i]!.measuring = done++ >= warmup * contenders.length;
      await w.round();
    },
  }));
  const timings = await runRounds(measured, { warmup, rounds });
  for (const hub of hubs) await hub.shutdown();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  return {
    kits: kits.specs.map((s) => s.package),
    rows: timings.map((t, i) => {
      const sorted = calls[i]!.sort((a, b) => a - b);
      return {
        name: t.name,
        durability: setups[i]!.durability,
        burst: setups[i]!.burst,
        eventsPerSecond: t.eventsPerSecond,
        nsPerEvent: t.nsPerEvent,
        spread: t.spread,
        callP99Us: percentile(sorted, 0.99) / 1000,
        callMaxUs: (sorted[sorted.length - 1] ?? 0) / 1000,
        loopDelayP99Ms: loopDelays[i] ?? 0,
      };
    }),
  };
}

export function renderNodeHub(result: NodeHubResult): string {
  return [
    `Node: createNodeHub → ${result.kits.length} kits on durable file storage (the journal, in a temporary directory), events in bursts as an app makes them,\n` +
      'sessions rolling over, every outbox flushed at the end of each round (to a transport that acknowledges at once). Per call: the synchronous time of\n' +
      'one logEvent (what it blocks the event loop), p99 and max over the measured rounds; loop delay: perf_hooks monitorEventLoopDelay p99, worst round.',
    renderTable(
      ['pipeline', 'events/s', 'ns/event', 'spread', 'call p99 µs', 'call max µs', 'loop delay p99 ms'],
      result.rows.map((r) => [r.name, int(r.eventsPerSecond), int(r.nsPerEvent), spread(r.spread), r.callP99Us.toFixed(1), int(r.callMaxUs), r.loopDelayP99Ms.toFixed(2)]),
    ),
  ].join('\n\n');
}
