import { parseRetryAfter } from '@sessionhub/delivery';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (s) => {
        expect(parseRetryAfter(String(s), NOW)).toBe(s * 1000);
      }),
    );
    expect(parseRetryAfter(' 120 ', NOW)).toBe(120_000);
  });

  it('reads an HTTP date (IMF-fixdate, RFC 850, asctime) as the wait from now', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 86_400 }), (s) => {
        expect(parseRetryAfter(new Date(NOW + s * 1000).toUTCString(), NOW)).toBe(s * 1000);
      }),
    );
    expect(parseRetryAfter('Thu, 01 Jan 2026 12:01:30 GMT', NOW)).toBe(90_000);
    expect(parseRetryAfter('Thursday, 01-Jan-26 12:01:30 GMT', NOW)).toBe(90_000);
    expect(parseRetryAfter('Thu Jan  1 12:01:30 2026', NOW - new Date(NOW).getTimezoneOffset() * 60_000)).not.toBeNull();
  });

  it('never returns a negative wait for a date in the past', () => {
    expect(parseRetryAfter('Wed, 31 Dec 2025 12:00:00 GMT', NOW)).toBe(0);
  });

  it('returns null for an absent or malformed value', () => {
    for (const v of [undefined, null, '', '  ', '-5', '1.5', '1e3', 'soon', '12abc', 'Nonday, 99 Foo 2026']) expect(parseRetryAfter(v, NOW)).toBeNull();
  });
});
