import { CLIENT_SESSION_SCHEMA, selfDescribing } from './iglu';
import { isoTime } from './iso-time';

/**
 * What a record says of its session, as `client_session` 1-0-2 takes it. Every record of a session
 * carries it (a start record has no first event yet), so the kit keeps no session state.
 */
export interface SessionContext {
  /** The hub's device id; sent lowercased as `userId` (the schema's pattern is lowercase hex). */
  readonly deviceId: string;
  readonly sessionId: string;
  readonly sessionIndex: number;
  readonly previousSessionId: string | null;
  readonly firstEventId?: string | null;
  /** Epoch ms; sent as `firstEventTimestamp`, ISO 8601 UTC. */
  readonly firstEventTime?: number | null;
}

/**
 * Makes the head of `client_session` 1-0-2 entities: their JSON text up to `eventIndex`, which the
 * caller completes with `,"eventIndex":<n>}}`. For `userId` (default: the device id) with `visits`
 * added to every session index (a browser tracker's user adopted). The head is the same for every
 * event of a session from its first event on, so it is built once and the same string returned
 * (callers may memoize by identity).
 */
export function clientSessionMaker(storageMechanism: string, userId?: string, visits = 0): (s: SessionContext) => string {
  let last: SessionContext | undefined;
  let head = '';
  return (s) => {
    if (s.sessionId !== last?.sessionId || s.firstEventId !== last.firstEventId || s.deviceId !== last.deviceId) {
      last = s;
      const time = s.firstEventTime;
      // (Its data without the closing brace, and the entity's: `,"eventIndex":…}}` ends it.)
      head = selfDescribing(
        CLIENT_SESSION_SCHEMA,
        JSON.stringify({
          userId: (userId ?? s.deviceId).toLowerCase(),
          sessionId: s.sessionId.toLowerCase(),
          sessionIndex: s.sessionIndex + visits,
          previousSessionId: s.previousSessionId?.toLowerCase() ?? null,
          firstEventId: s.firstEventId?.toLowerCase() ?? null,
          firstEventTimestamp: time == null ? null : isoTime(time),
          storageMechanism,
        }),
      ).slice(0, -2);
    }
    return head;
  };
}
