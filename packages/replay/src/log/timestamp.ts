/**
 * Log timestamps: epoch milliseconds, or ISO 8601 with a date, a time and a zone (`Z` or an offset).
 * A time without a zone is refused: the same text means different instants on different servers.
 */

// Date, T or space, hh:mm[:ss[.fraction]], then Z or ±hh[:]mm (or ±hh).
const ISO = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|z|[+-]\d{2}(?::?\d{2})?)$/;
const DIGITS = /^-?\d+(?:\.\d+)?$/;

/** Epoch ms from a log's `timestamp` value, or a string saying what is wrong with it. */
export function parseTimestamp(value: unknown): number | string {
  if (typeof value === 'number') return Number.isFinite(value) ? value : `timestamp must be a finite number of ms, got ${value}`;
  if (typeof value !== 'string') return `timestamp must be epoch ms or an ISO 8601 string, got ${value === null ? 'null' : typeof value}`;
  if (DIGITS.test(value)) return Number(value);
  if (ISO.test(value)) {
    // Date.parse wants a T, a dot and a colon in the offset.
    const normal = value.replace(' ', 'T').replace(',', '.').replace(/([+-]\d{2})(\d{2})$/, '$1:$2').replace(/([+-]\d{2})$/, '$1:00');
    const t = Date.parse(normal);
    if (Number.isFinite(t)) return t;
    return `timestamp ${JSON.stringify(value)} is not a real date and time`;
  }
  return `timestamp must be epoch ms or ISO 8601 with Z or an offset (e.g. 2026-03-14T09:00:00Z), got ${JSON.stringify(value.slice(0, 60))}`;
}
