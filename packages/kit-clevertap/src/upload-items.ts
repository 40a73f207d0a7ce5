/**
 * The pure mapping: canonical records -> CleverTap upload items, field by field as CleverTap's Android
 * SDK queues them (`EventQueueManager.processEvent`: `s`, `pg`, `type`, `ep`, `f`, `lsl`).
 */
import type { EventRecord, SessionEndRecord, UserChangeRecord } from '@sessionhub/core';
import { cleanName, emptyProperties, eventProperties, propertyValue, type CleverTapProperties, type OnDroppedProperty } from './event-properties';
import { LSL, S, type LedgerEntry } from './session-ledger';

/** The session fields CleverTap stamps on every queued item. */
export interface CleverTapSessionFields {
  /** CleverTap session id: the session's start in epoch seconds, strictly increasing per device; 0 outside a session. */
  readonly s: number;
  /** The item's position in its session: the canonical event index (1 = first event); 0 outside a session. */
  readonly pg: number;
  /** When it happened, epoch seconds (`System.currentTimeMillis() / 1000`). */
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

/** The live session as the kit tracks it: its ledger entry, 1-based index and `pg` so far. */
export interface SessionPosition {
  readonly entry: LedgerEntry;
  /** 1 for the device's first session. */
  readonly sessionIndex: number;
  /** `pg`: the index of its latest event. */
  index: number;
}

/**
 * An event item, as one literal: it is built for every event, so no intermediate objects. `entry`
 * null: outside any session (`s` and `lsl` 0).
 */
const stampedEvent = (evtName: string, evtData: CleverTapProperties, entry: LedgerEntry | null, pg: number, at: number, sessionIndex: number): CleverTapEventItem => ({
  type: 'event',
  evtName,
  evtData,
  s: entry ? entry[S] : 0,
  pg,
  ep: Math.floor(at / 1000),
  f: sessionIndex == 1,
  lsl: entry ? entry[LSL] : 0,
});

/**
 * An event. `entry` is the ledger entry of `record.sessionId`, or null when the event was logged with
 * no live session (a session-neutral event: it is sent with `s: 0`, as CleverTap does for push
 * impressions of a killed app; its record's `eventIndex` and `sessionIndex` are 0, so `pg` is 0 and
 * `f` false). Null when nothing is left of the name under CleverTap's rules.
 */
export function eventItem(record: EventRecord, entry: LedgerEntry | null, onDropped?: OnDroppedProperty): CleverTapEventItem | null {
  const evtName = cleanName(record.name);
  return evtName ? stampedEvent(evtName, eventProperties(record.attributes, onDropped), entry, record.eventIndex, record.timestamp, record.sessionIndex) : null;
}

/**
 * `Session Concluded` for an ended session: `Session ID` = its `s`; `Session Length` = the canonical
 * duration in seconds (ms precision), the same figure Braze gets as `se.d`, because the canonical
 * start is the session's first activity (CleverTap's SDKs raise "App Launched" right at session start)
 * and the end is its last activity; `ep` = the end record's `endTime` (the last activity for timeouts
 * and force-quit recoveries); `pg` = its number of events. Session attributes ride along as
 * `<attributePrefix><key>`.
 */
export function sessionConcludedItem(end: SessionEndRecord, entry: LedgerEntry, attributePrefix: string, onDropped?: OnDroppedProperty): CleverTapEventItem {
  const evtData = emptyProperties();
  evtData['Session Length'] = end.duration / 1000;
  evtData['Session ID'] = entry[S];
  return stampedEvent('Session Concluded', eventProperties(end.attributes, onDropped, attributePrefix, evtData), entry, end.eventCount, end.endTime, end.sessionIndex);
}

/**
 * The profile upload for a signed-in user (`onUserLogin` identity), stamped with the session it
 * happened in (`live`), or none. Null for a log-out (nothing to send) or an id with nothing left
 * under CleverTap's value rules.
 */
export function profileItem(record: UserChangeRecord, live: SessionPosition | null): CleverTapProfileItem | null {
  const Identity = record.userId && (propertyValue(record.userId) as string);
  return Identity
    ? { type: 'profile', profile: { Identity }, s: live ? live.entry[S] : 0, pg: live ? live.index : 0, ep: Math.floor(record.timestamp / 1000), f: live?.sessionIndex == 1, lsl: live ? live.entry[LSL] : 0 }
    : null;
}
