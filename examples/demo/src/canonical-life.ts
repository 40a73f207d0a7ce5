/** The canonical sessions, as the app's hub reported them: the reference every vendor is compared with. */
import type { SessionEndRecord, SessionStartRecord } from '@sessionhub/core';
import type { HubRecord } from './protocol';

/** One canonical session and what was stamped with it. */
export interface CanonicalSession {
  readonly start: SessionStartRecord;
  end: SessionEndRecord | null;
  /** Events stamped with the session (session-neutral ones included, as every vendor counts them). */
  events: number;
}

/** All the sessions of the app's life, by index, and the events that belong to none. */
export interface CanonicalLife {
  readonly sessions: CanonicalSession[];
  eventsOutsideSessions: number;
}

export function emptyLife(): CanonicalLife {
  return { sessions: [], eventsOutsideSessions: 0 };
}

/** Adds one hub record to the life (records arrive in the hub's order, across the app's processes). */
export function addRecord(life: CanonicalLife, hub: HubRecord): void {
  switch (hub.kind) {
    case 'sessionStart':
      life.sessions.push({ start: hub.record, end: null, events: 0 });
      return;
    case 'event': {
      const { sessionId } = hub.record;
      if (sessionId === null) life.eventsOutsideSessions++;
      else {
        const session = life.sessions.find((s) => s.start.sessionId === sessionId);
        if (session) session.events++;
      }
      return;
    }
    case 'sessionEnd': {
      const session = life.sessions.find((s) => s.start.sessionId === hub.record.sessionId);
      if (session) session.end = hub.record;
      return;
    }
  }
}
