/** Test helper: canonical records as the hub sends them, with overridable fields. */
import type { EventRecord, LifecycleRecord, SessionEndRecord, SessionStartRecord } from '@sessionhub/core';

export const DEVICE = '0f8fad5b-d9cb-469f-a165-70867728950e';
export const SESSION = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
export const PREVIOUS = '16fd2706-8baf-433b-82eb-8c7fada847da';
export const FIRST_EVENT = '9b2d6e4c-1a3f-4c5d-8e7f-0a1b2c3d4e5f';
export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

export function eventRecord(over: Partial<EventRecord> = {}): EventRecord {
  return {
    eventId: 'b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    name: 'song_played',
    attributes: { genre: 'jazz', seconds: 42 },
    timestamp: T0 + 5000,
    sessionId: SESSION,
    sessionIndex: 3,
    eventIndex: 2,
    sessionStartTime: T0,
    userId: 'user-1',
    deviceId: DEVICE,
    inForeground: true,
    affectsSession: true,
    previousSessionId: PREVIOUS,
    previousSessionDuration: 50_000,
    firstEventId: FIRST_EVENT,
    firstEventTime: T0 + 1000,
    ...over,
  };
}

export function lifecycleRecord(over: Partial<LifecycleRecord> = {}): LifecycleRecord {
  return {
    timestamp: T0 + 9000,
    sessionId: SESSION,
    sessionIndex: 3,
    foregroundIndex: 2,
    backgroundIndex: 1,
    userId: 'user-1',
    deviceId: DEVICE,
    previousSessionId: PREVIOUS,
    eventIndex: 4,
    firstEventId: FIRST_EVENT,
    firstEventTime: T0 + 1000,
    ...over,
  };
}

export function startRecord(over: Partial<SessionStartRecord> = {}): SessionStartRecord {
  return {
    sessionId: SESSION,
    sessionIndex: 3,
    previousSessionId: PREVIOUS,
    startTime: T0,
    userId: 'user-1',
    deviceId: DEVICE,
    trigger: 'foreground',
    isFirstSession: false,
    previousSessionStartTime: T0 - 100_000,
    previousSessionDuration: 50_000,
    ...over,
  };
}

export function endRecord(over: Partial<SessionEndRecord> = {}): SessionEndRecord {
  return {
    sessionId: SESSION,
    sessionIndex: 3,
    previousSessionId: PREVIOUS,
    previousSessionDuration: 50_000,
    startTime: T0,
    endTime: T0 + 20_000,
    duration: 20_000,
    foregroundDuration: 15_000,
    eventCount: 4,
    lastActivity: T0 + 20_000,
    firstEventId: FIRST_EVENT,
    firstEventTime: T0 + 1000,
    lastEventTime: T0 + 19_000,
    attributes: { plan: 'pro', songs: 3 },
    userId: 'user-1',
    deviceId: DEVICE,
    reason: 'timeout',
    trigger: 'foreground',
    userChangeTime: null,
    signIn: null,
    ...over,
  };
}
