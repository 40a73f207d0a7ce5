/**
 * Parses a `Retry-After` header (RFC 9110 §10.2.3): delta-seconds (`120`) or an HTTP date in any of
 * its three forms (§5.6.7): IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, RFC 850 `Sunday, 06-Nov-94
 * 08:49:37 GMT`, asctime `Sun Nov  6 08:49:37 1994`. Returns the wait in ms from `now` (never
 * negative), or null when the value is absent or not one of those forms. Only those forms reach
 * `Date.parse`, which takes other text for a date ("soon 5"), and asctime (GMT without saying so)
 * with its zone written, as `Date.parse` would read it in the device's.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  const v = (value ?? '').trim();
  if (/^\d+$/.test(v)) return +v * 1000;
  const at = /^[a-z]{3,9}, [\w -]+ [\d:]+ gmt$/i.test(v) ? Date.parse(v) : /^[a-z]{3} [a-z]{3} +\d\d? [\d:]+ \d{4}$/i.test(v) ? Date.parse(v + ' GMT') : NaN;
  return at === at ? Math.max(0, at - now) : null;
}
