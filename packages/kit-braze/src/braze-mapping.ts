import type { EventRecord, SessionEndRecord, SessionStartRecord, UserChangeRecord } from '@sessionhub/core';
import { brazeEventNameProblem, brazeProperties } from './braze-properties';
import type { BrazeCustomEvent, BrazeSessionEndEvent, BrazeSessionStartEvent, BrazeUserAttributes } from './braze-wire';

// Pure mapping: canonical records -> Braze SDK data API objects. No clock, no I/O; problems go to `warn`.

type Writable<T> = { -readonly [K in keyof T]: T[K] };

const EMPTY_DATA: Readonly<Record<string, never>> = Object.freeze({});

/** Epoch ms -> Braze's event time: seconds as a float (millisecond precision kept). */
export const brazeTime = (epochMs: number): number => epochMs / 1000;

/** `ss` at the session's start time. */
export function sessionStartEvent(record: SessionStartRecord): BrazeSessionStartEvent {
  const event: Writable<BrazeSessionStartEvent> = {
    name: 'ss',
    time: brazeTime(record.startTime),
    data: EMPTY_DATA,
    session_id: record.sessionId,
  };
  if (record.userId !== null) event.user_id = record.userId;
  return event;
}

/**
 * `se` at the session's end time (its last activity for timeouts and recoveries, as Braze's own `se`),
 * with `d` = the canonical duration in seconds.
 */
export function sessionEndEvent(record: SessionEndRecord): BrazeSessionEndEvent {
  const event: Writable<BrazeSessionEndEvent> = {
    name: 'se',
    time: brazeTime(record.endTime),
    data: { d: record.duration / 1000 },
    session_id: record.sessionId,
  };
  if (record.userId !== null) event.user_id = record.userId;
  return event;
}

/**
 * `ce` for a hub event, properties filtered by Braze's rules (see {@link brazeProperties}). A
 * session-neutral event logged while no session is live (`sessionId` null) has no `session_id`: it
 * belongs to the user and device but to no Braze session, so Braze's session count stays SessionHub's.
 * Returns null (after one warning) when Braze would refuse the event: its name, or properties over 50 KB.
 */
export function customEvent(record: EventRecord, warn: (message: string) => void): BrazeCustomEvent | null {
  const nameProblem = brazeEventNameProblem(record.name);
  if (nameProblem !== null) {
    warn(`event "${record.name.slice(0, 60)}" is not sent to Braze: ${nameProblem} of a Braze custom event`);
    return null;
  }
  const properties = brazeProperties(record.attributes, `event "${record.name}"`, warn);
  if (properties === null) return null;
  const event: Writable<BrazeCustomEvent> = {
    name: 'ce',
    time: brazeTime(record.timestamp),
    data: { n: record.name, p: properties },
  };
  if (record.sessionId !== null) event.session_id = record.sessionId;
  if (record.userId !== null) event.user_id = record.userId;
  return event;
}

/**
 * The session's attributes as one `ce` named `eventName` at the session's end time, inside the
 * session (sent just before its `se`). Null when the session has no attributes.
 */
export function sessionAttributesEvent(
  record: SessionEndRecord,
  eventName: string,
  warn: (message: string) => void,
): BrazeCustomEvent | null {
  if (Object.keys(record.attributes).length === 0) return null;
  const properties = brazeProperties(record.attributes, `session attributes event "${eventName}"`, warn);
  if (properties === null) return null;
  const event: Writable<BrazeCustomEvent> = {
    name: 'ce',
    time: brazeTime(record.endTime),
    data: { n: eventName, p: properties },
    session_id: record.sessionId,
  };
  if (record.userId !== null) event.user_id = record.userId;
  return event;
}

/**
 * `attributes: [{ user_id }]` for a user change to an identified user, as Braze's `changeUser` sends
 * it once. Logging out (null) has no Braze equivalent on the wire: later events simply carry no
 * `user_id`.
 */
export function userAttributes(record: UserChangeRecord): BrazeUserAttributes | null {
  return record.userId === null ? null : { user_id: record.userId };
}
