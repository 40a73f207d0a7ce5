/**
 * The pure mapping: canonical records -> CleverTap upload items, field by field as CleverTap's Android
 * SDK queues them (`EventQueueManager.processEvent`: `s`, `pg`, `type`, `ep`, `f`, `lsl`).
 */
import type { EventRecord, SessionEndRecord, UserChangeRecord } from '@sessionhub/core';
import {
  addProperty,
  cleanName,
  emptyProperties,
  eventProperties,
  propertyValue,
  type CleverTapProperties,
  type OnDroppedProperty,
} from './event-properties';
import type { LedgerEntry } from './session-ledger';

/** The session fields CleverTap stamps on every queued item. */
export interface CleverTapSessionFields {
  /** CleverTap session id: the session's start in epoch seconds, strictly increasing per device; 0 outside a session. */
  readonly s: number;
  /** The item's position in its session: the canonical event index (1 = first event); 0 outside a session. */
  readonly pg: number;
  /** When it happened, epoch seconds. */
  readonly ep: number;
  /** True in the device's first session. */
  readonly f: boolean;
  /** The previous session's length, whole seconds; 0 for the first session and outside a session. */
  readonly lsl: number;
}

/** `{ type: "event", evtName, evtData, s, pg, ep, f, lsl }`. */
export interface CleverTapEventItem extends CleverTapSessionFields {
  readonly type: 'event';
  readonly evtName: string;
  readonly evtData: CleverTapProperties;
}

/** `{ type: "profile", profile: { Identity }, s, pg, ep, f, lsl }`. */
export interface CleverTapProfileItem extends CleverTapSessionFields {
  readonly type: 'profile';
  readonly profile: { readonly Identity: string };
}

/** One element (after the header) of the `/a1` upload array. */
export type CleverTapUploadItem = CleverTapEventItem | CleverTapProfileItem;

/** The event CleverTap raises at the end of a session. */
export const SESSION_CONCLUDED = 'Session Concluded';
export const SESSION_LENGTH_KEY = 'Session Length';
export const SESSION_ID_KEY = 'Session ID';

/** Where a record sits in CleverTap's session terms: its ledger entry and its 1-based index, or none. */
export interface SessionPosition {
  readonly entry: LedgerEntry;
  /** 1 for the device's first session. */
  readonly sessionIndex: number;
  /** `pg`. */
  readonly index: number;
}

/** Epoch ms -> epoch seconds, as CleverTap's `ep` (`System.currentTimeMillis() / 1000`). */
export function epochSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

function sessionFields(at: number, position: SessionPosition | null): CleverTapSessionFields {
  if (position === null) return { s: 0, pg: 0, ep: epochSeconds(at), f: false, lsl: 0 };
  return { s: position.entry.s, pg: position.index, ep: epochSeconds(at), f: position.sessionIndex === 1, lsl: position.entry.lsl };
}

/**
 * An event. `entry` is the ledger entry of `record.sessionId`, or null when the event was logged with
 * no live session (a session-neutral event: it is sent with `s: 0`, as CleverTap does for push
 * impressions of a killed app). Null when nothing is left of the name under CleverTap's rules.
 */
export function eventItem(record: EventRecord, entry: LedgerEntry | null, onDropped?: OnDroppedProperty): CleverTapEventItem | null {
  const evtName = cleanName(record.name);
  if (evtName === '') return null;
  const evtData = eventProperties(record.attributes, onDropped);
  const ep = epochSeconds(record.timestamp);
  // Built in one literal: this runs for every event, so no intermediate objects.
  if (entry === null) return { type: 'event', evtName, evtData, s: 0, pg: 0, ep, f: false, lsl: 0 };
  return { type: 'event', evtName, evtData, s: entry.s, pg: record.eventIndex, ep, f: record.sessionIndex === 1, lsl: entry.lsl };
}

/**
 * `Session Concluded` for an ended session: `Session ID` = its `s`; `Session Length` = the canonical
 * duration in seconds (ms precision), the same figure Braze gets as `se.d`, because the canonical
 * start is the session's first activity (CleverTap's SDKs raise "App Launched" right at session start)
 * and the end is its last activity; `ep` = the end record's `endTime` (the last activity for timeouts
 * and force-quit recoveries). Session attributes ride along as `<attributePrefix><key>`.
 */
export function sessionConcludedItem(
  end: SessionEndRecord,
  entry: LedgerEntry,
  attributePrefix: string,
  onDropped?: OnDroppedProperty,
): CleverTapEventItem {
  const evtData = emptyProperties();
  evtData[SESSION_LENGTH_KEY] = end.duration / 1000;
  evtData[SESSION_ID_KEY] = entry.s;
  const attributes = end.attributes;
  for (const key in attributes) {
    if (Object.prototype.hasOwnProperty.call(attributes, key)) addProperty(evtData, attributePrefix + key, attributes[key], onDropped);
  }
  return {
    type: 'event',
    evtName: SESSION_CONCLUDED,
    evtData,
    ...sessionFields(end.endTime, { entry, sessionIndex: end.sessionIndex, index: end.eventCount }),
  };
}

/**
 * The profile upload for a signed-in user (`onUserLogin` identity), stamped with the session it
 * happened in (`position`), or none. Null for a log-out (nothing to send) or an id with nothing left
 * under CleverTap's value rules.
 */
export function profileItem(record: UserChangeRecord, position: SessionPosition | null): CleverTapProfileItem | null {
  if (record.userId === null) return null;
  const identity = propertyValue(record.userId);
  if (typeof identity !== 'string' || identity === '') return null;
  return { type: 'profile', profile: { Identity: identity }, ...sessionFields(record.timestamp, position) };
}
