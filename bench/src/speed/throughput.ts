import { randomUUID } from 'node:crypto';
import type { HttpRequest, Transport } from '@sessionhub/delivery';
import { buildSelfDescribingEvent, trackerCore } from '@snowplow/tracker-core';
import { renderTable, int, spread, times } from '../report/table';
import { acknowledgingTransport, EVENTS_PER_SESSION, settle, startPipeline, type Pipeline } from '../workload/pipeline';
import { EVENT_ATTRIBUTES, EVENT_SCHEMA, type AvailableKits } from '../workload/vendor-kits';
import { runRounds, type Contender, type Timing } from './rounds';

const CLIENT_SESSION_SCHEMA = 'iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-2';

export interface ThroughputRow extends Timing {
  /** Vendor payloads each event becomes. */
  readonly payloadsPerEvent: number;
  /** ns per event ÷ the tracker-core row's. */
  readonly vsTrackerCore: number;
  /** ns per event ÷ the floor's. */
  readonly vsFloor: number;
}

export interface ThroughputResult {
  readonly kits: readonly string[];
  readonly eventsPerSession: number;
  readonly rows: readonly ThroughputRow[];
  readonly notes: readonly string[];
}

/** Logs `events` events in bursts of `burst` (a settle after each), then flushes every outbox. */
function sessionHubContender(name: string, pipeline: Pipeline, events: number, burst: number): Contender {
  let before = pipeline.totals();
  return {
    name,
    events,
    async round() {
      before = pipeline.totals();
      for (let i = 1; i <= events; i++) {
        pipeline.logNext();
        if (i % burst === 0) await settle();
      }
      await pipeline.hub.flush();
    },
    verify() {
      const after = pipeline.totals();
      if (pipeline.kits.length === 0) {
        if (after.errors !== 0) throw new Error(`${name}: ${after.errors} error(s)`);
        return;
      }
      const delivered = after.delivered - before.delivered;
      // Each event becomes one payload per kit, plus the session start/end items.
      if (after.queued !== 0 || after.dropped !== before.dropped || after.errors !== 0 || delivered < events * pipeline.kits.length) {
        throw new Error(`${name}: the round did not deliver everything: ${JSON.stringify({ before, after, delivered })}`);
      }
    },
  };
}

/**
 * The Snowplow JavaScript trackers' core building the same event: a self-describing event with the
 * client_session entity (sessions rolling over like the hub's), serialized as the payload JSON.
 */
function trackerCoreContender(events: number): Contender {
  const core = trackerCore({ base64: true });
  core.setTrackerVersion('js-4.10.2');
  core.setAppId('bench');
  core.setPlatform('mob');
  core.setTrackerNamespace('sessionhub');
  const deviceId = randomUUID();
  let t = Date.UTC(2026, 0, 1);
  let sessionIndex = 0;
  let sessionId = '';
  let previousSessionId: string | null = null;
  let eventIndex = 0;
  let firstEventId = '';
  let firstEventTimestamp = '';
  let bytes = 0;
  return {
    name: '@snowplow/tracker-core: 1 payload + JSON',
    events,
    round() {
      for (let i = 0; i < events; i++) {
        t += 1000;
        if (eventIndex === EVENTS_PER_SESSION || sessionIndex === 0) {
          previousSessionId = sessionIndex === 0 ? null : sessionId;
          sessionId = randomUUID();
          sessionIndex += 1;
          eventIndex = 0;
          firstEventId = randomUUID();
          firstEventTimestamp = new Date(t).toISOString();
        }
        eventIndex += 1;
        const payload = core.track(
          buildSelfDescribingEvent({ event: { schema: EVENT_SCHEMA, data: EVENT_ATTRIBUTES as Record<string, unknown> } }),
          [
            {
              schema: CLIENT_SESSION_SCHEMA,
              data: {
                userId: deviceId,
                sessionId,
                sessionIndex,
                previousSessionId,
                storageMechanism: 'LOCAL_STORAGE',
                firstEventId,
                firstEventTimestamp,
                eventIndex,
              },
            },
          ],
          t,
        );
        bytes += JSON.stringify(payload).length;
      }
    },
    verify() {
      if (bytes === 0) throw new Error('tracker-core built nothing');
    },
  };
}

/** The floor: JSON.stringify of the three vendor payloads an event becomes, built beforehand. */
function floorContender(payloads: readonly unknown[], events: number): Contender {
  let bytes = 0;
  return {
    name: `floor: JSON.stringify of the ${payloads.length} payloads`,
    events,
    round() {
      for (let i = 0; i < events; i++) for (const p of payloads) bytes += JSON.stringify(p).length;
    },
    verify() {
      if (bytes === 0) throw new Error('the floor serialized nothing');
    },
  };
}

/** Runs the pipeline briefly and picks, for each kit, the wire payload of an event from its requests. */
async function capturePayloads(kits: AvailableKits): Promise<unknown[]> {
  const bodies: string[] = [];
  const capturing: Transport = (request: HttpRequest) => {
    if (request.body) bodies.push(request.body);
    return Promise.resolve({ status: 200 });
  };
  const pipeline = await startPipeline(kits, { transport: capturing });
  for (let i = 0; i < 3; i++) pipeline.logNext();
  await pipeline.hub.flush();
  await pipeline.hub.shutdown();
  return kits.specs.map((spec) => {
    for (const body of bodies) {
      const payload = spec.eventPayload(JSON.parse(body));
      if (payload !== undefined) return payload;
    }
    throw new Error(`${spec.package}: no event payload found in its requests`);
  });
}

export async function runThroughput(kits: AvailableKits, options: { quick: boolean }): Promise<ThroughputResult> {
  const events = options.quick ? 2_000 : 20_000;
  const rounds = options.quick ? 3 : 7;
  const warmup = options.quick ? 1 : 2;
  const payloads = await capturePayloads(kits);
  const single = await startPipeline(kits, { transport: acknowledgingTransport });
  const bursts = await startPipeline(kits, { transport: acknowledgingTransport });
  // The hub with no kit: what core alone costs (engine, records, state persisted per tick).
  const bare = await startPipeline({ specs: [], missing: [] }, { transport: acknowledgingTransport });
  const n = kits.specs.length;
  const contenders = [
    sessionHubContender(`SessionHub → ${n} kits, 1 event per tick`, single, events, 1),
    sessionHubContender(`SessionHub → ${n} kits, bursts of 10 events`, bursts, events, 10),
    sessionHubContender('SessionHub core alone (no kit), 1 per tick', bare, events, 1),
    trackerCoreContender(events),
    floorContender(payloads, events),
  ];
  const perEvent = [n, n, 0, 1, n];
  const timings = await runRounds(contenders, { warmup, rounds });
  for (const p of [single, bursts, bare]) await p.hub.shutdown();
  const trackerCoreNs = timings[3]!.nsPerEvent;
  const floorNs = timings[4]!.nsPerEvent;
  return {
    kits: kits.specs.map((s) => s.package),
    eventsPerSession: EVENTS_PER_SESSION,
    rows: timings.map((t, i) => ({ ...t, payloadsPerEvent: perEvent[i]!, vsTrackerCore: t.nsPerEvent / trackerCoreNs, vsFloor: t.nsPerEvent / floorNs })),
    notes: kits.missing.map((m) => `not in the pipeline yet: ${m}`),
  };
}

export function renderThroughput(result: ThroughputResult): string {
  const rows = result.rows.map((r) => [
    r.name,
    int(r.eventsPerSecond),
    int(r.nsPerEvent),
    spread(r.spread),
    r.payloadsPerEvent ? int(r.nsPerEvent / r.payloadsPerEvent) : '',
    times(r.vsTrackerCore),
    times(r.vsFloor),
  ]);
  const first = result.rows[0]!;
  return [
    `Throughput: logEvent → core → ${result.kits.length} kits → serialized batches in their outboxes → a transport that acknowledges at once;\n` +
      `memory storage, sessions of ${result.eventsPerSession} events rolling over (timeout), every outbox flushed at the end of each round.\n` +
      `${first.rounds} rounds of ${int(first.events)} events each after warm-up, interleaved; median, ± = median absolute deviation.`,
    renderTable(['pipeline', 'events/s', 'ns/event', 'spread', 'ns/payload', '× tracker-core', '× floor'], rows),
    ...(result.notes.length ? [result.notes.map((n) => `  - ${n}`).join('\n')] : []),
  ].join('\n\n');
}
