import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchLength } from '../src/batch';

const sized = (sizes: number[], flying: number[] = []) => sizes.map((size, i) => ({ size, flying: flying.includes(i) }));

describe('batchLength', () => {
  it('takes as many items as both limits allow, at least one', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 50 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 2000 }), (sizes, maxItems, maxBytes) => {
        const n = batchLength(sized(sizes), 0, maxItems, maxBytes);
        const bytes = sizes.slice(0, n).reduce((a, b) => a + b, 0);
        if (sizes.length === 0) {
          expect(n).toBe(0);
          return;
        }
        expect(n).toBeGreaterThanOrEqual(1);
        expect(n).toBeLessThanOrEqual(maxItems);
        if (n > 1) expect(bytes).toBeLessThanOrEqual(maxBytes);
        // Maximal: the next item would break a limit.
        if (n < sizes.length) expect(n === maxItems || bytes + sizes[n]! > maxBytes).toBe(true);
      }),
    );
  });

  it('sends an oversized item alone', () => {
    expect(batchLength(sized([5000, 1, 1]), 0, 10, 100)).toBe(1);
    expect(batchLength(sized([1, 5000, 1]), 0, 10, 100)).toBe(1);
  });

  it('starts at `start` and stops before an item in flight', () => {
    expect(batchLength(sized([1, 1, 1, 1, 1], [3]), 1, 10, 100)).toBe(2);
    expect(batchLength(sized([1, 1], [0]), 0, 10, 100)).toBe(0);
    expect(batchLength(sized([1, 1]), 2, 10, 100)).toBe(0);
  });

  it('stops before the first item whose key differs from the first item\'s', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', undefined), { minLength: 1, maxLength: 30 }), fc.nat(29), (keys, at) => {
        const start = Math.min(at, keys.length - 1);
        const n = batchLength(keys.map((key) => ({ size: 1, flying: false, key })), start, 100, 1000);
        const run = keys.slice(start).findIndex((key) => key !== keys[start]);
        expect(n).toBe(run < 0 ? keys.length - start : run);
      }),
    );
  });

  it('counts items still at an upper bound (negative size) as if measured, measuring only when a bound could pass the limit', () => {
    const item = fc.record({ exact: fc.integer({ min: 0, max: 500 }), slack: fc.integer({ min: 0, max: 1000 }), lazy: fc.boolean() });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 40 }), fc.nat(39), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 3000 }), (items, at, maxItems, maxBytes) => {
        const start = Math.min(at, items.length);
        const exact = items.map((i) => ({ size: i.exact, flying: false }));
        const lazy = items.map((i) => ({ size: i.lazy && i.exact + i.slack > 0 ? -(i.exact + i.slack) : i.exact, flying: false, exact: i.exact }));
        let measured = 0;
        const n = batchLength(lazy, start, maxItems, maxBytes, (i) => (measured++, i.exact));
        expect(n).toBe(batchLength(exact, start, maxItems, maxBytes));
        // Measured once, and kept.
        lazy.forEach((i) => expect(i.size < 0 || i.size === i.exact).toBe(true));
        // Nothing is measured while the bounds of the batch and the item after it stay within the limit.
        const boundsOfRun = items.slice(start, start + Math.min(maxItems, items.length - start)).reduce((sum, i) => sum + (i.lazy ? i.exact + i.slack : i.exact), 0);
        if (boundsOfRun <= maxBytes) expect(measured).toBe(0);
      }),
    );
  });
});
