import { backoffDelay } from '@sessionhub/delivery';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('backoffDelay (full jitter)', () => {
  it('stays within [0, min(cap, base·2^(failures−1))) and reaches up to the bound', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 80 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (failures, r) => {
        const bound = Math.min(300_000, 1000 * 2 ** (failures - 1));
        const delay = backoffDelay(failures, () => r);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(bound);
        expect(delay).toBe(Math.floor(r * bound));
      }),
    );
  });

  it('starts at 1 s and is capped at 5 min by default', () => {
    const top = () => 0.999_999;
    expect([1, 2, 3, 4].map((f) => backoffDelay(f, top))).toEqual([999, 1999, 3999, 7999]);
    expect(backoffDelay(9, top)).toBe(255_999);
    expect(backoffDelay(10, top)).toBe(299_999);
    expect(backoffDelay(10_000, top)).toBe(299_999);
  });

  it('honours a custom base and cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 1_000_000 }), (failures, base, cap) => {
        expect(backoffDelay(failures, () => 0.999_999_999, base, cap)).toBeLessThanOrEqual(Math.min(cap, base * 2 ** (failures - 1)));
      }),
    );
  });

  it('spreads delays uniformly: the mean is half the bound', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const delays = Array.from({ length: 20_000 }, () => backoffDelay(3, random));
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    expect(mean).toBeGreaterThan(1900);
    expect(mean).toBeLessThan(2100);
  });

  it('an infinite bound is an infinite wait, never NaN (Infinity × 0), whatever random() draws', () => {
    for (const r of [0, 0.5, 1, Number.NaN]) {
      expect(backoffDelay(1, () => r, Infinity, Infinity)).toBe(Infinity);
      expect(backoffDelay(3, () => r, 1000, Infinity)).toBeLessThan(4000);
    }
  });

  it('clamps a random source that misbehaves (1, NaN, negative) into the bound', () => {
    for (const r of [1, 2, Number.NaN, -0.5]) {
      const delay = backoffDelay(2, () => r);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(2000);
    }
  });
});
