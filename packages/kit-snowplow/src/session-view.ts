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

/**
 * Views kept, most recent last. More than the live session's: the hub persists its state a moment
 * after the kit hears of a change, so a force-quit in between can make the next launch end (as
 * `recovered`) a session older than the kit's latest; its view must still be there.
 */
export const MAX_VIEWS = 4;

/** The view of `sessionId`, or null. */
export function viewOf(views: readonly SessionView[], sessionId: string | null): SessionView | null {
  if (sessionId === null) return null;
  for (let i = views.length - 1; i >= 0; i--) if (views[i]!.sessionId === sessionId) return views[i]!;
  return null;
}

/** `views` with `view` replacing the one of its session (or added last), the oldest dropped beyond {@link MAX_VIEWS}. */
export function withView(views: readonly SessionView[], view: SessionView): SessionView[] {
  const next = views.filter((v) => v.sessionId !== view.sessionId);
  next.push(view);
  return next.length > MAX_VIEWS ? next.slice(next.length - MAX_VIEWS) : next;
}

/** The views as stored. */
export function encodeViews(views: readonly SessionView[]): string {
  return JSON.stringify({ v: 1, views });
}

const isId = (v: unknown): v is string | null => v === null || (typeof v === 'string' && v.length > 0);
const isTime = (v: unknown): v is number | null => v === null || (typeof v === 'number' && Number.isFinite(v));

function decodeView(v: unknown): SessionView | null {
  if (typeof v !== 'object' || v === null) return null;
  const { sessionId, sessionIndex, previousSessionId, firstEventId, firstEventTime } = v as Record<string, unknown>;
  if (typeof sessionId !== 'string' || sessionId.length === 0) return null;
  if (typeof sessionIndex !== 'number' || !Number.isInteger(sessionIndex) || sessionIndex < 0) return null;
  if (!isId(previousSessionId) || !isId(firstEventId) || !isTime(firstEventTime)) return null;
  return { sessionId, sessionIndex, previousSessionId, firstEventId, firstEventTime };
}

/** The stored views; unreadable ones are skipped (then the kit sends only what records carry). */
export function decodeViews(text: string | null): SessionView[] {
  if (text === null) return [];
  let stored: unknown;
  try {
    stored = JSON.parse(text);
  } catch {
    return [];
  }
  const views = (stored as { v?: unknown; views?: unknown } | null)?.views;
  if ((stored as { v?: unknown } | null)?.v !== 1 || !Array.isArray(views)) return [];
  const out: SessionView[] = [];
  for (const v of views.slice(-MAX_VIEWS)) {
    const view = decodeView(v);
    if (view) out.push(view);
  }
  return out;
}
