import { CLIENT_SESSION_SCHEMA } from './iglu';
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
 * Makes `client_session` 1-0-2 entities (JSON text). All but `eventIndex` is the same for every event
 * of a session until its first event, so that part is built once and completed per event.
 */
export function clientSessionMaker(storageMechanism: string): (s: SessionContext, eventIndex: number | null) => string {
  let session: string | undefined;
  let first: string | null | undefined;
  let device: string | undefined;
  let head = '';
  return (s, eventIndex) => {
    if (s.sessionId !== session || s.firstEventId !== first || s.deviceId !== device) {
      ({ sessionId: session, firstEventId: first, deviceId: device } = s);
      const time = s.firstEventTime;
      head =
        '{"schema":"' + CLIENT_SESSION_SCHEMA + '","data":' +
        JSON.stringify({
          userId: device.toLowerCase(),
          sessionId: session,
          sessionIndex: s.sessionIndex,
          previousSessionId: s.previousSessionId,
          firstEventId: first ?? null,
          firstEventTimestamp: time == null ? null : isoTime(time),
          storageMechanism,
        }).slice(0, -1) +
        ',"eventIndex":';
    }
    return head + eventIndex + '}}';
  };
}
