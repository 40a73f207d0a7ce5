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
 * Makes `client_session` 1-0-2 entities (JSON text), for `userId` (default: the device id) with
 * `visits` added to every session index (a browser tracker's user adopted). All but `eventIndex` is the same for every event
 * of a session until its first event, so that part is built once and completed per event.
 */
export function clientSessionMaker(storageMechanism: string, userId?: string, visits = 0): (s: SessionContext, eventIndex: number | null) => string {
  let last: SessionContext | undefined;
  let head = '';
  return (s, eventIndex) => {
    if (s.sessionId !== last?.sessionId || s.firstEventId !== last.firstEventId || s.deviceId !== last.deviceId) {
      last = s;
      const time = s.firstEventTime;
      head = JSON.stringify({
        userId: (userId ?? s.deviceId).toLowerCase(),
        sessionId: s.sessionId,
        sessionIndex: s.sessionIndex + visits,
        previousSessionId: s.previousSessionId,
        firstEventId: s.firstEventId ?? null,
        firstEventTimestamp: time == null ? null : isoTime(time),
        storageMechanism,
      }).slice(0, -1);
    }
    return selfDescribing(CLIENT_SESSION_SCHEMA, head + ',"eventIndex":' + eventIndex + '}');
  };
}
