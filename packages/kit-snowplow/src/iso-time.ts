/** ISO 8601 UTC with milliseconds (`2026-01-01T00:00:00.000Z`), as `firstEventTimestamp` takes it. */
export const isoTime = (ms: number): string => new Date(ms).toISOString();
