/**
 * Parses a `Retry-After` header (RFC 9110 §10.2.3): delta-seconds (`120`) or an HTTP date
 * (`Wed, 21 Oct 2026 07:28:00 GMT`). Returns the wait in ms from `now` (never negative), or null when
 * the value is absent or not one of those forms.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // HTTP dates start with a day name; this keeps Date.parse from reading "1.5" or "soon" as a date.
  if (!/^[a-z]{3}/i.test(v)) return null;
  const at = Date.parse(v);
  return at === at ? Math.max(0, at - now) : null;
}
