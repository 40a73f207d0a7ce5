import fc from 'fast-check';
import type { EventRecord, SessionEndRecord, SessionStartRecord, UserChangeRecord } from '@sessionhub/core';
import { isBrazeName } from '../src/braze-properties';

// Canonical records as the hub hands them to kits, for tests of the pure mapping. Names and keys are
// ones Braze accepts (what Braze refuses is tested on its own).

/** A name or key Braze accepts (the event name and property key rules are the same). */
const brazeName = (maxLength: number) => fc.string({ minLength: 1, maxLength }).filter(isBrazeName);

const t0 = Date.UTC(2026, 0, 1);
const time = fc.integer({ min: t0, max: t0 + 400 * 86_400_000 });
const userId = fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: null });

export const sessionStartRecord: fc.Arbitrary<SessionStartRecord> = fc.record({
  sessionId: fc.uuid(),
  sessionIndex: fc.integer({ min: 1, max: 1000 }),
  previousSessionId: fc.option(fc.uuid(), { nil: null }),
  startTime: time,
  userId,
  deviceId: fc.uuid(),
  trigger: fc.constantFrom('launch', 'foreground', 'event', 'user-change', 'manual', 'clock-change'),
  isFirstSession: fc.boolean(),
  previousSessionStartTime: fc.option(time, { nil: null }),
  previousSessionDuration: fc.option(fc.nat(), { nil: null }),
});

export const sessionEndRecord: fc.Arbitrary<SessionEndRecord> = fc
  .record({
    sessionId: fc.uuid(),
    sessionIndex: fc.integer({ min: 1, max: 1000 }),
    previousSessionId: fc.option(fc.uuid(), { nil: null }),
    previousSessionDuration: fc.option(fc.nat(), { nil: null }),
    startTime: time,
    duration: fc.integer({ min: 0, max: 86_400_000 }),
    eventCount: fc.nat({ max: 50 }),
    attributes: fc.dictionary(brazeName(10), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)), { maxKeys: 4 }),
    userId,
    deviceId: fc.uuid(),
    reason: fc.constantFrom('timeout', 'recovered', 'user-change', 'manual', 'clock-change'),
    trigger: fc.constantFrom('launch', 'foreground', 'event', 'user-change', 'manual', 'clock-change'),
    userChangeTime: fc.option(time, { nil: null }),
    signIn: fc.option(fc.tuple(time, fc.string({ minLength: 1 })), { nil: null }),
  })
  .map((r) => ({
    ...r,
    endTime: r.startTime + r.duration,
    foregroundDuration: r.duration,
    lastActivity: r.startTime + r.duration,
    firstEventId: null,
    firstEventTime: null,
    lastEventTime: null,
  }));

export const eventRecord: fc.Arbitrary<EventRecord> = fc
  .record({
    eventId: fc.uuid(),
    name: brazeName(40),
    attributes: fc.dictionary(brazeName(10), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)), { maxKeys: 5 }),
    timestamp: time,
    sessionId: fc.option(fc.uuid(), { nil: null }),
    userId,
    deviceId: fc.uuid(),
    inForeground: fc.option(fc.boolean(), { nil: null }),
    affectsSession: fc.boolean(),
  })
  .map((r) => ({
    ...r,
    sessionIndex: r.sessionId === null ? 0 : 1,
    eventIndex: r.sessionId === null ? 0 : 1,
    sessionStartTime: r.sessionId === null ? null : r.timestamp,
    previousSessionId: null,
    previousSessionDuration: null,
    firstEventId: r.sessionId === null ? null : r.eventId,
    firstEventTime: r.sessionId === null ? null : r.timestamp,
  }));

export const userChangeRecord: fc.Arbitrary<UserChangeRecord> = fc
  .record({
    timestamp: time,
    previousUserId: userId,
    userId,
    deviceId: fc.uuid(),
    sessionId: fc.option(fc.uuid(), { nil: null }),
    sessionAge: fc.nat(86_400_000),
    previousSessionDuration: fc.option(fc.nat(), { nil: null }),
  })
  .map(({ sessionAge, ...r }) => ({
    ...r,
    sessionStartTime: r.sessionId === null ? null : r.timestamp - sessionAge,
    previousSessionDuration: r.sessionId === null ? null : r.previousSessionDuration,
  }));
