/**
 * Random traces of lifecycle, events, user changes, timeouts and force-quits, driven through a real
 * hub with the Snowplow kit: every request the kit builds is valid against the Iglu schemas, and
 * what Snowplow receives is exactly the hub's sessions.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createHub,
  silentLogger,
  type EventRecord,
  type LifecycleRecord,
  type SessionEndRecord,
  type SessionHub,
  type SessionStartRecord,
} from '@sessionhub/core';
import { dyingStorage, manualClock, manualLifecycle, manualTimers, settle, type DyingStorage, type ManualLifecycle } from '@sessionhub/testing';
import { snowplowKit, type SnowplowKitOptions } from '@sessionhub/kit-snowplow';
import { acceptedEvents, captureTransport, type Answer } from './harness';
import { clientSession, type DecodedEvent } from './iglu-validator';

const FG = 'iglu:com.snowplowanalytics.snowplow/application_foreground/jsonschema/1-0-0';
const BG = 'iglu:com.snowplowanalytics.snowplow/application_background/jsonschema/1-0-0';
const START = 'iglu:com.acme/session_start/jsonschema/1-0-0';
const END = 'iglu:com.acme/session_end/jsonschema/1-0-0';
const SCREEN = 'iglu:com.snowplowanalytics.mobile/screen/jsonschema/1-0-0';

type Command =
  | { t: 'advance'; ms: number }
  | { t: 'event'; name: 'song_played' | 'purchase' | 'tap' | 'screen'; attributes: Record<string, unknown>; neutral: boolean }
  | { t: 'foreground' }
  | { t: 'background' }
  | { t: 'user'; id: string | null }
  | { t: 'newSession' }
  | { t: 'endSession' }
  | { t: 'timeout'; seconds: number }
  | { t: 'attribute'; key: string; value: string | number | boolean | null }
  | { t: 'settle' }
  | { t: 'kill'; settleFirst: boolean };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('advance' as const), ms: fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 0, max: 3_600_000 })) }) },
  {
    weight: 6,
    arbitrary: fc.oneof(
      fc.record({ t: fc.constant('event' as const), name: fc.constant('song_played' as const), attributes: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }), neutral: fc.boolean() }),
      fc.record({ t: fc.constant('event' as const), name: fc.constant('purchase' as const), attributes: fc.record({ sku: fc.string({ maxLength: 10 }), price: fc.double({ min: 0, max: 1e6, noNaN: true }) }), neutral: fc.constant(false) }),
      fc.record({
        t: fc.constant('event' as const),
        name: fc.constant('tap' as const),
        attributes: fc.record({ label: fc.string({ maxLength: 10 }), value: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })), category: fc.constantFrom('ui', 'nav') }, { requiredKeys: [] }),
        neutral: fc.boolean(),
      }),
      fc.record({ t: fc.constant('event' as const), name: fc.constant('screen' as const), attributes: fc.record({ screen: fc.constantFrom('home', 'player', 'ü-settings') }), neutral: fc.constant(false) }),
    ),
  },
  { weight: 3, arbitrary: fc.constantFrom({ t: 'foreground' as const }, { t: 'background' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('user' as const), id: fc.constantFrom(null, 'alice', 'bob', 'ünïcode') }) },
  { weight: 1, arbitrary: fc.constantFrom({ t: 'newSession' as const }, { t: 'endSession' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('timeout' as const), seconds: fc.integer({ min: 1, max: 1800 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('attribute' as const), key: fc.constantFrom('plan', 'songs'), value: fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean(), fc.constant(null)) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'settle' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('kill' as const), settleFirst: fc.boolean() }) },
);

const variant = fc.record({
  encodeBase64: fc.boolean(),
  catchAll: fc.boolean(),
  /** true: of our schemas; 'default': the structured ones; false: none. */
  sessionEvents: fc.constantFrom(true, 'default' as const, false),
  globalEntities: fc.boolean(),
  resumeOnRelaunch: fc.boolean(),
  foregroundTimeout: fc.option(fc.integer({ min: 1, max: 1200 })),
  launchInBackground: fc.boolean(),
  // Failures to retry, and at least one success per cycle so the collector eventually takes everything.
  answers: fc.array(fc.constantFrom<Answer>(200, 500, 503, 'network-error'), { maxLength: 5 }).map((a) => [...a, 200 as Answer]),
});

/** A transition, and its number among this process's transitions of its kind (the trackers' foregroundIndex / backgroundIndex). */
type Lifecycle = { kind: 'fg' | 'bg'; record: LifecycleRecord; index: number };

/** One hub of a trace (a process): what the hub announced, and how much of it had settled when it died. */
interface Run {
  readonly hub: SessionHub;
  readonly lifecycle: ManualLifecycle;
  readonly capture: ReturnType<typeof captureTransport>;
  readonly events: EventRecord[];
  readonly lifecycles: Lifecycle[];
  readonly ends: SessionEndRecord[];
  readonly starts: SessionStartRecord[];
  /** Records announced up to the last settle point: these were persisted before any force-quit. */
  settled: { events: number; lifecycles: number; ends: number; starts: number };
}

type Variant = typeof variant extends fc.Arbitrary<infer T> ? T : never;

async function runTrace(v: Variant, commands: Command[]): Promise<void> {
  const clock = manualClock();
  const timers = manualTimers(clock);
  let storage: DyingStorage = dyingStorage();
  const starts = new Map<string, SessionStartRecord>();
  const runs: Run[] = [];
  const kitOptions = (transport: ReturnType<typeof captureTransport>['transport']): SnowplowKitOptions => ({
    collectorUrl: 'https://collector.test',
    appId: 'trace-app',
    encodeBase64: v.encodeBase64,
    events: {
      song_played: 'iglu:com.acme/song_played/jsonschema/1-0-0',
      purchase: { schema: 'iglu:com.acme/purchase/jsonschema/1-0-0', entities: [{ schema: 'iglu:com.acme/cart/jsonschema/1-0-0', data: { currency: 'EUR' } }] },
    },
    ...(v.catchAll ? { catchAllSchema: 'iglu:com.acme/generic_event/jsonschema/1-0-0' } : {}),
    ...(v.sessionEvents === true ? { sessionEvents: { start: START, end: END } } : v.sessionEvents === false ? { sessionEvents: false } : {}),
    ...(v.globalEntities ? { globalEntities: [{ schema: 'iglu:com.snowplowanalytics.mobile/application/jsonschema/1-0-0', data: { version: '1.0.0', build: '7' } }] } : {}),
    entitiesFor: (e) => (typeof e.attributes.screen === 'string' ? [{ schema: SCREEN, data: { name: e.attributes.screen, id: e.eventId } }] : null),
    delivery: { transport, timers },
  });

  const launch = async (): Promise<Run> => {
    const capture = captureTransport(v.answers);
    const lifecycle = manualLifecycle(v.launchInBackground ? 'background' : 'foreground');
    const hub = createHub({
      clock: clock.now,
      logger: silentLogger,
      storage,
      lifecycle,
      resumeOnRelaunch: v.resumeOnRelaunch,
      foregroundTimeout: v.foregroundTimeout,
      kits: [snowplowKit(kitOptions(capture.transport))],
    });
    const run: Run = { hub, lifecycle, capture, events: [], lifecycles: [], ends: [], starts: [], settled: { events: 0, lifecycles: 0, ends: 0, starts: 0 } };
    hub.on('sessionStart', (r) => void (starts.set(r.sessionId, r), run.starts.push(r)));
    hub.on('event', (r) => run.events.push(r));
    const count = (kind: 'fg' | 'bg') => run.lifecycles.filter((l) => l.kind === kind).length + 1;
    hub.on('foreground', (r) => run.lifecycles.push({ kind: 'fg', record: r, index: count('fg') }));
    hub.on('background', (r) => run.lifecycles.push({ kind: 'bg', record: r, index: count('bg') }));
    hub.on('sessionEnd', (r) => run.ends.push(r));
    await hub.start();
    runs.push(run);
    return run;
  };
  const markSettled = async (run: Run): Promise<void> => {
    await settle();
    await settle();
    run.settled = { events: run.events.length, lifecycles: run.lifecycles.length, ends: run.ends.length, starts: run.starts.length };
  };

  let run = await launch();
  for (const c of commands) {
    const hub = run.hub;
    switch (c.t) {
      case 'advance':
        clock.advance(c.ms);
        break;
      case 'event':
        hub.logEvent(c.name, c.attributes, { affectsSession: !c.neutral });
        break;
      case 'foreground':
        run.lifecycle.foreground();
        break;
      case 'background':
        run.lifecycle.background();
        break;
      case 'user':
        hub.setUser(c.id);
        break;
      case 'newSession':
        hub.startNewSession();
        break;
      case 'endSession':
        hub.endSession();
        break;
      case 'timeout':
        hub.setSessionTimeout(c.seconds);
        break;
      case 'attribute':
        hub.setSessionAttribute(c.key, c.value);
        break;
      case 'settle':
        await markSettled(run);
        break;
      case 'kill':
        if (c.settleFirst) await markSettled(run);
        // The process dies: nothing more reaches storage or the network.
        storage.kill();
        run.capture.kill();
        await run.hub.shutdown();
        storage = storage.survivor();
        run = await launch();
        break;
    }
  }
  // The last process lives on: everything it announced must arrive.
  await markSettled(run);
  for (let i = 0; i < 100 && (run.hub.getKitHealth().snowplow?.delivery?.queued ?? 0) > 0; i++) await run.hub.flush();
  expect(run.hub.getKitHealth().snowplow).toMatchObject({ status: 'ready', errors: 0, delivery: { queued: 0, dropped: {} } });
  await run.hub.shutdown();

  // 1. Every request any process built is valid (envelope, contexts and entities, events).
  const requests = runs.flatMap((r) => r.capture.decoded());
  const delivered = acceptedEvents(requests);

  // 2. Sessions in payloads are the hub's, one to one.
  const deviceId = runs[0]!.hub.getDeviceId()!;
  // (A session a process started but died before persisting never existed for the next launch,
  // which may reuse its index; such a session also never reached the collector.)
  const idOfIndex = new Map<number, string>();
  for (const ev of delivered.values()) {
    const cs = clientSession(ev);
    if (!cs) continue;
    const known = idOfIndex.get(cs.sessionIndex as number);
    expect(known === undefined || known === cs.sessionId, `session index ${String(cs.sessionIndex)} sent for two sessions`).toBe(true);
    idOfIndex.set(cs.sessionIndex as number, cs.sessionId as string);
    const start = starts.get(cs.sessionId as string);
    expect(start, `payload session ${String(cs.sessionId)} was never started by a hub`).toBeDefined();
    expect(cs.sessionIndex).toBe(start!.sessionIndex);
    expect(cs.userId).toBe(deviceId);
    expect(cs.previousSessionId).toBe(start!.previousSessionId);
    expect(cs.storageMechanism).toBe('LOCAL_STORAGE');
  }

  // 3. Every hub event: its payload carries exactly its record's session fields.
  const eventRecords = new Map(runs.flatMap((r) => r.events.map((e) => [e.eventId, e] as const)));
  for (const [eid, ev] of delivered) {
    const record = eventRecords.get(eid);
    if (!record) continue;
    checkEvent(ev, record, v.catchAll);
  }

  // 4. Nothing persisted is lost: what each process announced before its last settle point, and all of the last one.
  const lifecycleItems = [...delivered.values()].filter((e) => e.event?.schema === FG || e.event?.schema === BG);
  const endItems = [...delivered.values()].filter((e) => e.event?.schema === END);
  const startItems = [...delivered.values()].filter((e) => e.event?.schema === START);
  for (const r of runs) {
    for (const e of r.events.slice(0, r.settled.events)) expect(delivered.has(e.eventId), `event ${e.name} ${e.eventId} was not delivered`).toBe(true);
    for (const l of r.lifecycles.slice(0, r.settled.lifecycles)) {
      const found = lifecycleItems.filter((item) => matchesLifecycle(item, l));
      expect(found.length, `${l.kind} at ${l.record.timestamp} (session ${String(l.record.sessionId)})`).toBeGreaterThanOrEqual(1);
    }
    if (v.sessionEvents === true) {
      for (const end of r.ends.slice(0, r.settled.ends)) {
        expect(endItems.some((i) => matchesEnd(i, end)), `end of session ${end.sessionId}`).toBe(true);
      }
    }
  }
  // Lifecycle and session payloads: client_session is exactly what their record says of its session
  // (the kit keeps no session state of its own), with eventIndex null (not hub events). A payload may
  // fit several records: a resumed session can repeat a transition (same time and index) in the next
  // process, and a session may have ended twice (in a process that died before persisting that, and
  // again at the next launch).
  const everyLifecycle = runs.flatMap((r) => r.lifecycles);
  const firstEventFits = (s: SessionContext): boolean => {
    if (s.firstEventId === null) return s.firstEventTime === null;
    const first = eventRecords.get(s.firstEventId);
    return first !== undefined && first.sessionId === s.sessionId && first.eventIndex === 1 && first.timestamp === s.firstEventTime;
  };
  for (const item of lifecycleItems) {
    const records = everyLifecycle.filter((l) => matchesLifecycle(item, l)).map((l) => l.record);
    expect(records.length, `${item.event!.schema} at ${item.item.dtm} matches no lifecycle record`).toBeGreaterThan(0);
    expect(records.some((r) => isDeepStrictEqual(clientSession(item), sessionEntity(r, deviceId))), JSON.stringify(clientSession(item))).toBe(true);
    for (const r of records) if (r.sessionId !== null) expect(firstEventFits(r as SessionContext)).toBe(true);
  }
  const endRecords = runs.flatMap((r) => r.ends);
  for (const item of endItems) {
    const records = endRecords.filter((end) => matchesEnd(item, end));
    expect(records.length, `end payload ${JSON.stringify(item.event!.data)} matches no end record`).toBeGreaterThan(0);
    expect(records.some((r) => isDeepStrictEqual(clientSession(item), sessionEntity(r, deviceId))), JSON.stringify(clientSession(item))).toBe(true);
    for (const r of records) expect(firstEventFits(r) && (r.firstEventId === null) === (r.eventCount === 0)).toBe(true);
  }
  for (const item of startItems) {
    const data = item.event!.data as { sessionId: string; sessionIndex: number; previousSessionId: string | null; trigger: string };
    const start = starts.get(data.sessionId);
    expect(start).toBeDefined();
    expect(data).toMatchObject({ sessionIndex: start!.sessionIndex, previousSessionId: start!.previousSessionId, trigger: start!.trigger });
    expect(clientSession(item)).toEqual(sessionEntity({ ...start!, firstEventId: null, firstEventTime: null }, deviceId));
  }
  if (v.sessionEvents !== true) expect(startItems.length + endItems.length).toBe(0);
  // The default session events: structured, one start per session that reached the collector, each with its session's client_session.
  const structured = [...delivered.values()].filter((e) => e.item.se_ca === 'sessionhub' && /^session_(start|end)$/.test(e.item.se_ac ?? ''));
  if (v.sessionEvents !== 'default') expect(structured).toEqual([]);
  for (const item of structured.filter((e) => e.item.se_ac === 'session_start')) {
    const start = starts.get(clientSession(item)!.sessionId as string);
    expect(start).toBeDefined();
    expect(item.item).toMatchObject({ se_la: start!.trigger, dtm: String(start!.startTime) });
    expect(clientSession(item)).toEqual(sessionEntity({ ...start!, firstEventId: null, firstEventTime: null }, deviceId));
  }
  if (v.sessionEvents === 'default') {
    // Every session a process announced before its last settle point reached Snowplow with its start (and end).
    const sent = (action: string) => new Set(structured.filter((e) => e.item.se_ac === action).map((e) => clientSession(e)!.sessionId));
    const [started, ended] = [sent('session_start'), sent('session_end')];
    for (const r of runs) {
      for (const start of r.starts.slice(0, r.settled.starts)) expect(started.has(start.sessionId), `session_start of ${start.sessionId}`).toBe(true);
      for (const end of r.ends.slice(0, r.settled.ends)) expect(ended.has(end.sessionId), `session_end of ${end.sessionId}`).toBe(true);
    }
  }
}

function matchesEnd(item: DecodedEvent, end: SessionEndRecord): boolean {
  const data = item.event!.data as Record<string, unknown>;
  return (
    data.sessionId === end.sessionId &&
    data.sessionIndex === end.sessionIndex &&
    data.reason === end.reason &&
    data.duration === end.duration &&
    data.foregroundDuration === end.foregroundDuration &&
    data.eventCount === end.eventCount &&
    JSON.stringify(data.attributes) === JSON.stringify(end.attributes) &&
    item.item.dtm === String(end.endTime)
  );
}

/** What a session's records say about it: every record of a session carries these. */
type SessionContext = Pick<SessionEndRecord, 'sessionId' | 'sessionIndex' | 'previousSessionId' | 'firstEventId' | 'firstEventTime'>;

/** The client_session a lifecycle or session payload must carry for this record (none without a session). */
function sessionEntity(r: Omit<SessionContext, 'sessionId'> & { sessionId: string | null }, deviceId: string): Record<string, unknown> | undefined {
  if (r.sessionId === null) return undefined;
  return {
    userId: deviceId,
    sessionId: r.sessionId,
    sessionIndex: r.sessionIndex,
    previousSessionId: r.previousSessionId,
    eventIndex: null,
    firstEventId: r.firstEventId,
    firstEventTimestamp: r.firstEventTime === null ? null : new Date(r.firstEventTime).toISOString(),
    storageMechanism: 'LOCAL_STORAGE',
  };
}

function matchesLifecycle(item: DecodedEvent, l: Lifecycle): boolean {
  const cs = clientSession(item);
  const data = item.event!.data as { foregroundIndex?: number; backgroundIndex?: number };
  return (
    item.event!.schema === (l.kind === 'fg' ? FG : BG) &&
    item.item.dtm === String(l.record.timestamp) &&
    (cs?.sessionId ?? null) === l.record.sessionId &&
    (l.kind === 'fg' ? data.foregroundIndex : data.backgroundIndex) === l.index &&
    item.item.uid === (l.record.userId ?? undefined)
  );
}

function checkEvent(ev: DecodedEvent, record: EventRecord, catchAll: boolean): void {
  expect(ev.item.dtm).toBe(String(record.timestamp));
  expect(ev.item.uid).toBe(record.userId ?? undefined);
  const cs = clientSession(ev);
  if (record.sessionId === null) {
    expect(cs).toBeUndefined();
  } else {
    expect(cs).toEqual({
      userId: record.deviceId,
      sessionId: record.sessionId,
      sessionIndex: record.sessionIndex,
      previousSessionId: record.previousSessionId,
      eventIndex: record.eventIndex,
      firstEventId: record.firstEventId,
      firstEventTimestamp: new Date(record.firstEventTime!).toISOString(),
      storageMechanism: 'LOCAL_STORAGE',
    });
  }
  const attributes = JSON.parse(JSON.stringify(record.attributes)) as Record<string, unknown>;
  if (record.name === 'song_played' || record.name === 'purchase') {
    expect(ev.event).toEqual({ schema: `iglu:com.acme/${record.name}/jsonschema/1-0-0`, data: attributes });
  } else if (catchAll) {
    expect(ev.event).toEqual({ schema: 'iglu:com.acme/generic_event/jsonschema/1-0-0', data: { name: record.name, attributes } });
  } else {
    expect(ev.item).toMatchObject({ e: 'se', se_ac: record.name, se_ca: (attributes.category as string | undefined) ?? 'sessionhub' });
  }
  if (record.name === 'purchase') expect(ev.entities.some((e) => e.schema === 'iglu:com.acme/cart/jsonschema/1-0-0')).toBe(true);
  if (record.name === 'screen') expect(ev.entities.at(-1)).toEqual({ schema: SCREEN, data: { name: record.attributes.screen, id: record.eventId } });
}

describe('random traces through a real hub', () => {
  it('every payload validates against Iglu, and Snowplow sees exactly the hub\'s sessions and events', async () => {
    await fc.assert(
      fc.asyncProperty(variant, fc.array(command, { minLength: 1, maxLength: 60 }), async (v, commands) => {
        await runTrace(v, commands);
      }),
      { numRuns: 120 },
    );
  });
});
