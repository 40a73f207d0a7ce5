import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HISTOGRAM_EDGES_MS, LengthSketch, QUANTILE_RELATIVE_ERROR, Tally, quantile } from '../src/compare/tally';

/** Session lengths as logs give them: 0, whole ms from 1 ms to days, fractions of a ms, and the extremes of the range of dates. */
const length = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 1, max: 100 }),
  fc.integer({ min: 0, max: 86_400_000 }),
  fc.double({ min: 0, max: 1e7, noNaN: true, noDefaultInfinity: true }),
  fc.double({ min: Number.MIN_VALUE, max: 1e-3, noNaN: true }),
  fc.double({ min: 1e9, max: 1.728e16, noNaN: true }),
);
const qs = [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1];

const sketchOf = (lengths: readonly number[]): LengthSketch => {
  const s = new LengthSketch();
  for (const l of lengths) s.add(l);
  return s;
};

describe('session lengths in a quantile sketch', () => {
  it('every quantile is within the stated relative error of the exact nearest-rank one (any lengths)', () => {
    // A sliver for the floating point of γ^i at a bucket's edge, far below the 1 % stated.
    const bound = QUANTILE_RELATIVE_ERROR * (1 + 1e-9);
    fc.assert(
      fc.property(fc.array(length, { maxLength: 400 }), fc.double({ min: 0, max: 1, noNaN: true }), (lengths, q) => {
        const sketch = sketchOf(lengths);
        const sorted = Float64Array.from(lengths).sort();
        for (const p of [...qs, q]) {
          const exact = quantile(sorted, p);
          const got = sketch.quantile(p);
          // A length too small for a double to hold within 1 % (subnormal) may be read as 0.
          if (exact < 2 ** -1022) expect(got).toBeLessThanOrEqual(exact);
          else expect(Math.abs(got - exact)).toBeLessThanOrEqual(bound * exact);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('is exact for no lengths, the smallest and the largest, and when every length is the same', () => {
    const tiny = sketchOf([0, 5e-324, 1, 1]);
    expect([tiny.quantile(0.5), tiny.quantile(1)]).toEqual([0, 1]);
    expect(new LengthSketch().quantile(0.5)).toBe(0);
    const s = sketchOf([30_000, 10_000, 100_000]);
    expect([s.quantile(0), s.quantile(0.9), s.quantile(1)]).toEqual([10_000, 100_000, 100_000]);
    const same = sketchOf([42_123, 42_123, 42_123, 42_123]);
    expect(qs.map((q) => same.quantile(q))).toEqual(qs.map(() => 42_123));
  });

  it('merging two sketches gives the sketch of both sets of lengths', () => {
    fc.assert(
      fc.property(fc.array(length, { maxLength: 100 }), fc.array(length, { maxLength: 100 }), (a, b) => {
        const merged = sketchOf(a);
        merged.merge(sketchOf(b));
        expect(merged.buckets()).toStrictEqual(sketchOf([...a, ...b]).buckets());
        expect(merged.count).toBe(a.length + b.length);
      }),
      { numRuns: 200 },
    );
  });

  it('holds a bounded number of buckets however many lengths it counts', () => {
    const s = new LengthSketch();
    let x = 1;
    for (let i = 0; i < 1_000_000; i++) {
      x = (x * 48_271) % 2_147_483_647; // a Lehmer generator: 1 … 2^31 − 1 ms
      s.add(x);
    }
    // Buckets of (γ^(i−1), γ^i] from 1 ms to 2^31 ms: ln(2^31) / ln γ + 1 of them.
    const gamma = (1 + QUANTILE_RELATIVE_ERROR) / (1 - QUANTILE_RELATIVE_ERROR);
    expect(s.buckets().buckets.length).toBeLessThanOrEqual(Math.ceil(Math.log(2 ** 31) / Math.log(gamma)) + 1);
    expect(s.count).toBe(1_000_000);
  });
});

describe('a column tally', () => {
  it('counts the histogram exactly, as binning every sorted length did', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(length, fc.constantFrom(...HISTOGRAM_EDGES_MS)), { maxLength: 200 }), (lengths) => {
        const tally = new Tally();
        for (const l of lengths) tally.add(l, l);
        // The reference: every length kept and sorted, then binned (what the report did before the sketch).
        const sorted = Float64Array.from(lengths).sort();
        const counts = HISTOGRAM_EDGES_MS.map(() => 0);
        let bin = 0;
        for (const v of sorted) {
          while (bin + 1 < HISTOGRAM_EDGES_MS.length && v >= HISTOGRAM_EDGES_MS[bin + 1]!) bin++;
          counts[bin]!++;
        }
        expect(tally.histogram).toEqual(counts);
        expect(tally.sessions).toBe(lengths.length);
      }),
      { numRuns: 200 },
    );
  });

  it('merges another tally: counts, sums, causes, histogram and lengths', () => {
    const a = new Tally();
    a.add(1_000, 900);
    a.causes[1] = 2;
    const b = new Tally();
    b.add(50_000, 50_000, true);
    b.add(0, 0);
    b.causes[1] = -1;
    b.causes[3] = 4;
    a.merge(b);
    const want = new Tally();
    want.add(1_000, 900);
    want.add(50_000, 50_000, true);
    want.add(0, 0);
    expect([a.sessions, a.open, a.total, a.spanTotal, a.histogram, a.lengths.buckets()]).toStrictEqual([3, 1, 51_000, 50_900, want.histogram, want.lengths.buckets()]);
    expect(a.causes).toEqual([0, 1, 0, 4]);
  });
});
