/**
 * The pure mapping: canonical records -> CleverTap upload items, field by field as CleverTap's Android
 * SDK queues them (`events/EventQueueManager.kt` `processEvent`: `s`, `pg`, `type`, `ep`, `f`, `lsl`).
 */
import type { SessionEndRecord } from '@sessionhub/core';
import type { CleverTapChargedData } from './charged';
import { eventProperties, type CleverTapProperties, type OnDroppedProperty } from './event-properties';
import { LSL, PAGES, S, type LedgerEntry } from './session-ledger';

/** The session fields CleverTap stamps on every queued item. */
export interface CleverTapSessionFields {
  /** CleverTap session id: when the session's first item was queued, epoch seconds, strictly increasing per device; 0 outside a session. */
  readonly s: number;
  /** Page loads (app starts) that sent something in the session, from 1 (Android: the activity count, never below 1); 1 outside a session. */
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
  /** Properties; on `Charged`, `Items` an array of them. */
  readonly evtData: CleverTapProperties | CleverTapChargedData;
}

/** `{ type: "profile", profile: { Identity }, s, pg, ep, f, lsl }`. */
export interface CleverTapProfileItem extends CleverTapSessionFields {
  readonly type: 'profile';
  readonly profile: { readonly Identity: string };
}

/** `{ type: "page", s, pg, ep, f, lsl }`: a page load in a session (web). */
export interface CleverTapPageItem extends CleverTapSessionFields {
  readonly type: 'page';
}

/** One element (after the header) of the `/a1` upload array. */
export type CleverTapUploadItem = CleverTapEventItem | CleverTapProfileItem | CleverTapPageItem;

/**
 * Where an item stands: its session's ledger entry (none outside a session) and whether it is the
 * device's first session. (The kit's live session is one: its entry is set before it stamps an item.)
 */
export interface Stamp {
  readonly entry?: LedgerEntry | null;
  readonly first: boolean;
}

/**
 * The session fields of an item queued at `at` (epoch ms), as one spreadable literal. Outside a
 * session: `s` 0, `pg` 1, `f` false, `lsl` 0, as Android stamps an item with no session.
 */
export const sessionFields = ({ entry, first }: Stamp, at: number): CleverTapSessionFields => ({
  s: entry ? entry[S] : 0,
  pg: entry ? entry[PAGES] : 1,
  ep: Math.floor(at / 1000),
  f: first,
  lsl: entry ? entry[LSL] : 0,
});

/** An event item, as one literal (it is built for every event). */
export const eventItem = (evtName: string, evtData: CleverTapProperties | CleverTapChargedData, stamp: Stamp, at: number): CleverTapEventItem => ({
  type: 'event',
  evtName,
  evtData,
  ...sessionFields(stamp, at),
});

/** The profile upload for a signed-in user (`onUserLogin` identity). */
export const profileItem = (Identity: string, stamp: Stamp, at: number): CleverTapProfileItem => ({
  type: 'profile',
  profile: { Identity },
  ...sessionFields(stamp, at),
});

/**
 * `Session Concluded` as CleverTap's servers raise it with Session Analytics on (sent only when the
 * kit is asked to): `Session Length` = seconds from the session's first event to its last, timestamped
 * at its last event. `first` is the time of the session's first item at CleverTap (its `App Launched`
 * on mobile, its page on the web), the last event its last session event (or `first`). Session
 * attributes ride along as `<attributePrefix><key>`.
 */
export function sessionConcludedItem(end: SessionEndRecord, first: number, stamp: Stamp, attributePrefix: string, onDropped?: OnDroppedProperty): CleverTapEventItem {
  const last = Math.max(first, end.lastEventTime ?? first);
  const evtData: CleverTapProperties = { 'Session Length': (last - first) / 1000, 'Session ID': stamp.entry![S] };
  return eventItem('Session Concluded', eventProperties(end.attributes, onDropped, attributePrefix, evtData), stamp, last);
}
