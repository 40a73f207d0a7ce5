/**
 * One tracker-protocol payload item (one event), ready for the outbox: its JSON text is built once
 * when the event is mapped and reused as is for persistence, sizing and every send attempt.
 */
export interface TrackerPayload {
  /** The event id (`eid`), so a retried or re-sent event is deduplicated by the pipeline. */
  readonly eid: string;
  /** The payload item as a JSON object text, every value a string, without `stm` (stamped at send time). */
  readonly json: string;
}
