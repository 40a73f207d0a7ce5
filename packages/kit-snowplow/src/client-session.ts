import { CLIENT_SESSION_SCHEMA } from './iglu';
import { isoTime } from './iso-time';

/**
 * What a `client_session` 1-0-2 entity says about a session, apart from `eventIndex`: every record
 * of a session carries it (a start record has no first event yet), so the kit keeps no session state.
 */
export interface ClientSessionIdentity {
  /** The hub's device id; sent lowercased as `userId` (the schema's pattern is lowercase hex). */
  readonly deviceId: string;
  readonly sessionId: string;
  readonly sessionIndex: number;
  readonly previousSessionId: string | null;
  readonly firstEventId: string | null;
  /** Epoch ms; sent as `firstEventTimestamp`, ISO 8601 UTC. */
  readonly firstEventTime: number | null;
}

const nullable = (v: string | null): string => (v === null ? 'null' : JSON.stringify(v));

/**
 * The entity's JSON up to the value of `eventIndex`, which is last so that the rest — identical for
 * every event of a session — can be built once per session and completed per event by
 * {@link closeClientSession}.
 */
export function clientSessionPrefix(s: ClientSessionIdentity, storageMechanism: string): string {
  let json =
    '{"schema":"' + CLIENT_SESSION_SCHEMA + '","data":{"userId":' + JSON.stringify(s.deviceId.toLowerCase()) +
    ',"sessionId":' + JSON.stringify(s.sessionId) + ',"sessionIndex":' + s.sessionIndex;
  json += ',"previousSessionId":' + nullable(s.previousSessionId) + ',"firstEventId":' + nullable(s.firstEventId);
  json += ',"firstEventTimestamp":' + nullable(s.firstEventTime === null ? null : isoTime(s.firstEventTime));
  return json + ',"storageMechanism":' + JSON.stringify(storageMechanism) + ',"eventIndex":';
}

/** Completes a {@link clientSessionPrefix} with the event's index (null: not one of the session's events). */
export function closeClientSession(prefix: string, eventIndex: number | null): string {
  return prefix + (eventIndex === null ? 'null' : eventIndex) + '}}';
}
