import type { EventRecord, SessionEndRecord, SessionStartRecord } from '@sessionhub/core';
import { message } from './braze-messages';
import { brazeProperties, EMPTY_PROPERTIES, isBrazeName } from './braze-properties';
import type { BrazeCustomEvent, BrazeEvent, BrazeSessionEndEvent, BrazeSessionStartEvent } from './braze-wire';

// Pure mapping: canonical records -> Braze SDK data API objects. No clock, no I/O; problems go to `warn`.

/**
 * `{ name, time, data, session_id?, user_id? }` in the Web SDK's field order, `time` in seconds as a
 * float (millisecond precision kept), the record's session and user ids, left out when null.
 */
export function brazeEvent<E extends BrazeEvent>(name: E['name'], epochMs: number, data: E['data'], record: { readonly sessionId: string | null; readonly userId?: string | null }): E {
  const event: { -readonly [K in keyof BrazeEvent]: BrazeEvent[K] } = { name, time: epochMs / 1000, data };
  if (record.sessionId !== null) event.session_id = record.sessionId;
  if (record.userId !== null) event.user_id = record.userId;
  return event as E;
}

/** `ss` at the session's start time. */
export const sessionStartEvent = (record: SessionStartRecord): BrazeSessionStartEvent =>
  brazeEvent<BrazeSessionStartEvent>('ss', record.startTime, EMPTY_PROPERTIES as BrazeSessionStartEvent['data'], record);

/**
 * `se` at the session's end time (its last activity for timeouts and recoveries, as Braze's own `se`),
 * with `d` = the canonical duration in seconds.
 */
export const sessionEndEvent = (record: SessionEndRecord): BrazeSessionEndEvent =>
  brazeEvent<BrazeSessionEndEvent>('se', record.endTime, { d: record.duration / 1000 }, record);

/**
 * `ce` for a hub event, properties filtered by Braze's rules (see {@link brazeProperties}). A
 * session-neutral event logged while no session is live (`sessionId` null) has no `session_id`: it
 * belongs to the user and device but to no Braze session, so Braze's session count stays SessionHub's.
 * Returns null (after one warning) when Braze would refuse the event: its name, or properties over 50 KB.
 */
export function customEvent(record: EventRecord, warn: (message: string) => void): BrazeCustomEvent | null {
  const { name } = record;
  if (!isBrazeName(name)) {
    warn(message(310, name.slice(0, 60)));
    return null;
  }
  const p = brazeProperties(record.attributes, `event "${name}"`, warn);
  return p && brazeEvent<BrazeCustomEvent>('ce', record.timestamp, { n: name, p }, record);
}

/**
 * The session's attributes as one `ce` named `eventName` at the session's end time, inside the
 * session (sent just before its `se`). Null when no attribute has a value to send.
 */
export function sessionAttributesEvent(record: SessionEndRecord, eventName: string, warn: (message: string) => void): BrazeCustomEvent | null {
  const p = brazeProperties(record.attributes, `session attributes "${eventName}"`, warn);
  return p && Object.keys(p).length ? brazeEvent<BrazeCustomEvent>('ce', record.endTime, { n: eventName, p }, record) : null;
}
