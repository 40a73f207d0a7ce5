/**
 * Log timestamps: epoch milliseconds, or ISO 8601 with a date, a time and a zone (`Z` or an offset).
 * A time without a zone is refused: the same text means different instants on different servers.
 */

// Date, T or space, hh:mm[:ss[.fraction]], then Z or ±hh[:]mm (or ±hh).
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:Z|z|([+-])(\d{2})(?::?(\d{2}))?)$/;
const DIGITS = /^-?\d+(?:\.\d+)?$/;

/** The span of JavaScript dates, ms either side of 1970 (ECMA-262, "Time Values and Time Range"): a Date past it is invalid. */
export const MAX_TIMESTAMP_MS = 8.64e15;

const outOfRange = (value: unknown): string => `timestamp ${String(value)} is outside the range of dates (at most ±8.64e15 ms from 1970)`;

/** Epoch ms from a log's `timestamp` value, or a string saying what is wrong with it. */
export function parseTimestamp(value: unknown): number | string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return `timestamp must be a finite number of ms, got ${value}`;
    return Math.abs(value) <= MAX_TIMESTAMP_MS ? value : outOfRange(value);
  }
  if (typeof value !== 'string') return `timestamp must be epoch ms or an ISO 8601 string, got ${value === null ? 'null' : typeof value}`;
  if (DIGITS.test(value)) {
    const t = Number(value);
    return Math.abs(t) <= MAX_TIMESTAMP_MS ? t : outOfRange(JSON.stringify(value));
  }
  const fields = ISO.exec(value);
  if (fields !== null) {
    // Date.parse wants a T, a dot and a colon in the offset.
    const normal = value.replace(' ', 'T').replace(',', '.').replace(/([+-]\d{2})(\d{2})$/, '$1:$2').replace(/([+-]\d{2})$/, '$1:00');
    const t = Date.parse(normal);
    if (Number.isFinite(t) && isReal(t, fields)) return t;
    return `timestamp ${JSON.stringify(value)} is not a real date and time`;
  }
  return `timestamp must be epoch ms or ISO 8601 with Z or an offset (e.g. 2026-03-14T09:00:00Z), got ${JSON.stringify(value.slice(0, 60))}`;
}

/**
 * Whether the instant `t` shows the date and time the text wrote, in its own offset. Date.parse
 * rolls impossible fields over (February 30 is March 2; 24:00 the next day): they do not round-trip.
 */
function isReal(t: number, f: RegExpExecArray): boolean {
  const sign = f[7] === '-' ? -1 : 1;
  const offsetMs = f[7] === undefined ? 0 : sign * (Number(f[8]) * 60 + Number(f[9] ?? 0)) * 60_000;
  const shown = new Date(t + offsetMs);
  return (
    shown.getUTCFullYear() === Number(f[1]) &&
    shown.getUTCMonth() + 1 === Number(f[2]) &&
    shown.getUTCDate() === Number(f[3]) &&
    shown.getUTCHours() === Number(f[4]) &&
    shown.getUTCMinutes() === Number(f[5]) &&
    (f[6] === undefined || shown.getUTCSeconds() === Number(f[6]))
  );
}
