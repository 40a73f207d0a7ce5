/**
 * One tracker-protocol payload item (one event) as the JSON object text it is sent as: every value a
 * string, `eid` included (so a retried or re-sent event is deduplicated by the pipeline), without
 * `stm` (stamped at send time). Built once when the event is mapped, it is what the outbox stores,
 * measures and splices into every send attempt.
 */
export type TrackerPayload = string;
