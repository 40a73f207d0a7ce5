/**
 * The pure half of the example kit (docs/writing-a-kit.md): canonical records in, the webhook's JSON
 * out. No I/O, no clock, no state — so it is tested with plain values and reused by replays.
 */
import type { EventRecord, SessionEndRecord, SessionStartRecord } from '@sessionhub/core';

/** One item of a webhook batch. `id` makes a resent item the same item for your backend. */
export type WebhookItem =
  | { readonly id: string; readonly type: 'session_start'; readonly sessionId: string; readonly at: string; readonly index: number; readonly userId: string | null }
  | { readonly id: string; readonly type: 'event'; readonly sessionId: string | null; readonly at: string; readonly name: string; readonly properties: Readonly<Record<string, unknown>> }
  | {
      readonly id: string;
      readonly type: 'session_end';
      readonly sessionId: string;
      readonly at: string;
      readonly durationMs: number;
      readonly reason: string;
      readonly attributes: Readonly<Record<string, unknown>>;
    };

/** The body of one `POST` to the webhook. */
export interface WebhookBatch {
  readonly sentAt: string;
  readonly deviceId: string;
  readonly items: readonly WebhookItem[];
}

const iso = (t: number): string => new Date(t).toISOString();

export function sessionStartItem(start: SessionStartRecord): WebhookItem {
  return { id: `start:${start.sessionId}`, type: 'session_start', sessionId: start.sessionId, at: iso(start.startTime), index: start.sessionIndex, userId: start.userId };
}

export function eventItem(event: EventRecord): WebhookItem {
  return { id: event.eventId, type: 'event', sessionId: event.sessionId, at: iso(event.timestamp), name: event.name, properties: event.attributes };
}

/** Dated at the session's end: its last activity when it timed out or the app was killed. */
export function sessionEndItem(end: SessionEndRecord): WebhookItem {
  return {
    id: `end:${end.sessionId}`,
    type: 'session_end',
    sessionId: end.sessionId,
    at: iso(end.endTime),
    durationMs: end.duration,
    reason: end.reason,
    attributes: end.attributes,
  };
}

/** The batch for a request, stamped when it is sent (again on each retry). */
export function webhookBatch(items: readonly WebhookItem[], sentAt: number, deviceId: string): WebhookBatch {
  return { sentAt: iso(sentAt), deviceId, items };
}
