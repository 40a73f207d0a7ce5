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
    expect(parseRetryAfter('Thu Jan  1 12:01:30 2026', NOW)).toBe(90_000);
    expect(parseRetryAfter('Thu Jan 01 12:01:30 2026', NOW)).toBe(90_000);
  });

  it('reads every form of the same instant alike, in any time zone of the device (asctime is GMT without saying so)', () => {
    const zone = process.env.TZ;
    const pad = (n: number, width = 2, fill = '0'): string => String(n).padStart(width, fill);
    const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    const long = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
    try {
      fc.assert(
        fc.property(fc.constantFrom('UTC', 'Asia/Kolkata', 'America/New_York', 'Pacific/Kiritimati'), fc.integer({ min: 0, max: 40 * 86_400 }), (tz, s) => {
          process.env.TZ = tz;
          const d = new Date(NOW + s * 1000);
          const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
          const [day, month, date, year] = [d.getUTCDay(), months[d.getUTCMonth()], d.getUTCDate(), d.getUTCFullYear()];
          for (const form of [
            `${days[day]}, ${pad(date)} ${month} ${year} ${time} GMT`,
            `${long[day]}, ${pad(date)}-${month}-${pad(year % 100)} ${time} GMT`,
            `${days[day]} ${month} ${pad(date, 2, ' ')} ${time} ${year}`,
          ])
            expect(parseRetryAfter(form, NOW)).toBe(s * 1000);
        }),
      );
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('never returns a negative wait for a date in the past', () => {
    expect(parseRetryAfter('Wed, 31 Dec 2025 12:00:00 GMT', NOW)).toBe(0);
  });

  it('returns null for an absent or malformed value', () => {
    for (const v of [undefined, null, '', '  ', '-5', '1.5', '1e3', 'soon', '12abc', 'Nonday, 99 Foo 2026', 'soon 5', 'Thu, 01 Jan 2026 12:01:30', 'Thu, 01 Jan 2026 12:01:30 +0100', '2026-01-01T12:01:30Z']) expect(parseRetryAfter(v, NOW)).toBeNull();
  });
});
