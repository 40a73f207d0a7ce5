import { expect } from 'vitest';
import type { EventRecord, SessionEndRecord, SessionStartRecord } from '@sessionhub/core';

export type StreamItem =
  | { type: 'start'; record: SessionStartRecord }
  | { type: 'end'; record: SessionEndRecord }
  | { type: 'event'; record: EventRecord };

/**
 * Checks the contract's guarantees on what kits received, in order, across process lives:
 * every start has exactly one end and ends precede the next start; no negative durations;
 * strictly increasing session indexes; every event lies inside its session in time and in order,
 * with consecutive event indexes; the end's eventCount matches. Session-neutral events are stamped
 * with the live session but do not extend it, so only session-affecting events must lie inside
 * [start, end]; a neutral one may follow the last activity.
 */
export function expectSessionInvariants(stream: readonly StreamItem[], { allClosed = true } = {}): void {
  let open: SessionStartRecord | null = null;
  let lastIndex = 0;
  let eventsInOpen: EventRecord[] = [];
  const seen = new Set<string>();
  for (const item of stream) {
    if (item.type === 'start') {
      expect(open, `session ${item.record.sessionId} started while ${open?.sessionId} was open`).toBeNull();
      expect(seen.has(item.record.sessionId), 'a session id started twice').toBe(false);
      expect(item.record.sessionIndex).toBeGreaterThan(lastIndex);
      lastIndex = item.record.sessionIndex;
      seen.add(item.record.sessionId);
      open = item.record;
      eventsInOpen = [];
    } else if (item.type === 'end') {
      const r = item.record;
      expect(open?.sessionId, `end of ${r.sessionId} without a matching open start`).toBe(r.sessionId);
      expect(r.startTime).toBe(open?.startTime);
      expect(r.duration).toBe(r.endTime - r.startTime);
      expect(r.duration).toBeGreaterThanOrEqual(0);
      expect(r.foregroundDuration).toBeGreaterThanOrEqual(0);
      expect(r.foregroundDuration).toBeLessThanOrEqual(r.duration);
      expect(r.eventCount).toBe(eventsInOpen.length);
      for (const e of eventsInOpen) {
        expect(e.timestamp).toBeGreaterThanOrEqual(r.startTime);
        if (e.affectsSession) expect(e.timestamp).toBeLessThanOrEqual(r.endTime);
      }
      open = null;
    } else {
      const e = item.record;
      if (e.sessionId === null) {
        expect(e.affectsSession).toBe(false);
        continue;
      }
      expect(open?.sessionId, `event ${e.name} stamped with ${e.sessionId} outside it`).toBe(e.sessionId);
      expect(e.eventIndex).toBe(eventsInOpen.length + 1);
      expect(e.timestamp).toBeGreaterThanOrEqual(e.sessionStartTime ?? Number.NaN);
      eventsInOpen.push(e);
    }
  }
  if (allClosed) expect(open, `session ${open?.sessionId} never ended`).toBeNull();
}
