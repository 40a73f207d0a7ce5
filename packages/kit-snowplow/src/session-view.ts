import type { EventRecord, SessionStartRecord } from '@sessionhub/core';

/**
 * What the kit knows of the live canonical session beyond what lifecycle and end records carry
 * (they have no previousSessionId or first event): learnt from the session's start and events,
 * persisted so it survives a relaunch (the end of a recovered session, a resumed session).
 */
export interface SessionView {
  readonly sessionId: string;
  readonly sessionIndex: number;
  readonly previousSessionId: string | null;
  readonly firstEventId: string | null;
  readonly firstEventTime: number | null;
}

/** The view of a session that just started: no event yet. */
export function viewOfStart(record: SessionStartRecord): SessionView {
  return {
    sessionId: record.sessionId,
    sessionIndex: record.sessionIndex,
    previousSessionId: record.previousSessionId,
    firstEventId: null,
    firstEventTime: null,
  };
}

/**
 * The view after an event: the same object when the event taught nothing new (the common case, so
 * the event path neither allocates nor writes storage), else a new view.
 */
export function viewAfterEvent(view: SessionView | null, record: EventRecord): SessionView | null {
  if (record.sessionId === null) return view;
  if (view && view.sessionId === record.sessionId && view.firstEventId === record.firstEventId) return view;
  return {
    sessionId: record.sessionId,
    sessionIndex: record.sessionIndex,
    previousSessionId: record.previousSessionId,
    firstEventId: record.firstEventId,
    firstEventTime: record.firstEventTime,
  };
}

/** The view as stored. */
export function encodeView(view: SessionView): string {
  return JSON.stringify({ v: 1, ...view });
}

const isId = (v: unknown): v is string | null => v === null || (typeof v === 'string' && v.length > 0);
const isTime = (v: unknown): v is number | null => v === null || (typeof v === 'number' && Number.isFinite(v));

/** The stored view, or null when absent or unreadable (then the kit sends only what records carry). */
export function decodeView(text: string | null): SessionView | null {
  if (text === null) return null;
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || v.v !== 1) return null;
  const { sessionId, sessionIndex, previousSessionId, firstEventId, firstEventTime } = v;
  if (typeof sessionId !== 'string' || sessionId.length === 0) return null;
  if (typeof sessionIndex !== 'number' || !Number.isInteger(sessionIndex) || sessionIndex < 0) return null;
  if (!isId(previousSessionId) || !isId(firstEventId) || !isTime(firstEventTime)) return null;
  return { sessionId, sessionIndex, previousSessionId, firstEventId, firstEventTime };
}
