/** Causes a difference in session counts is attributed to, in report order. */
export const CAUSES = ['timeoutGaps', 'restarts', 'userChanges', 'neutralEvents'] as const;
/** A cause a count difference is attributed to. */
export type Cause = (typeof CAUSES)[number];
export const TIMEOUT_GAP = 0;
export const RESTART = 1;
export const USER_CHANGE = 2;
export const NEUTRAL_EVENT = 3;

/** Histogram edges, ms: 0, 10 s, 30 s, 1, 2, 5, 10, 20, 30 min, 1, 2, 4 h, and beyond. */
export const HISTOGRAM_EDGES_MS: readonly number[] = Object.freeze(
  [0, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400].map((s) => s * 1000),
);

/**
 * How far a reported median or p90 may be from the exact one (the nearest-rank quantile of every
 * length): at most 1 % of it, either way. Counts, totals and histograms are exact.
 */
export const QUANTILE_RELATIVE_ERROR = 0.01;

const GAMMA = (1 + QUANTILE_RELATIVE_ERROR) / (1 - QUANTILE_RELATIVE_ERROR);
const LN_GAMMA = Math.log(GAMMA);
const NO_COUNTS = new Float64Array(0);
/** Below it a double loses precision (subnormal), so no bucket point could be within 1 %: such lengths count as 0. */
const SMALLEST_NORMAL = 2 ** -1022;

/**
 * Session lengths as a quantile sketch (DDSketch's log-scale buckets, Masson, Rim and Lee, VLDB
 * 2019): bucket `i` counts the lengths in (γ^(i−1), γ^i], γ = (1 + α) / (1 − α), α =
 * {@link QUANTILE_RELATIVE_ERROR}, and a quantile is read as its bucket's point 2γ^i / (γ + 1), within α of
 * every length in the bucket. Lengths of 0 (and below) have their own exact bucket, and so do those
 * too small for a double to hold within 1 % (under 2^−1022 ms): they are read as 0. Memory depends on
 * the spread of the lengths, not their number: ~920 buckets (7 KB) from 1 ms to a day; at most
 * ~37,300 (300 KB) for any two lengths a log can give.
 */
export class LengthSketch {
  /** Lengths added. */
  count = 0;
  /** Lengths of 0 or less (and under 2^−1022 ms, ~2.2e−308: read as 0). */
  zeros = 0;
  min = Infinity;
  max = -Infinity;
  /** `counts[k]` is bucket `offset + k`; starts empty and shared. */
  private counts: Float64Array = NO_COUNTS;
  private offset = 0;

  add(length: number, n = 1): void {
    this.count += n;
    if (length < this.min) this.min = length;
    if (length > this.max) this.max = length;
    if (length >= SMALLEST_NORMAL) {
      // The slot first: finding it may replace `counts`.
      const k = this.slot(Math.ceil(Math.log(length) / LN_GAMMA));
      this.counts[k]! += n;
    } else this.zeros += n;
  }

  /** Adds another sketch's lengths (the result is the sketch of both sets of lengths). */
  merge(other: LengthSketch): void {
    this.count += other.count;
    this.zeros += other.zeros;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    for (let k = 0; k < other.counts.length; k++) {
      const n = other.counts[k]!;
      if (n === 0) continue;
      const slot = this.slot(other.offset + k);
      this.counts[slot]! += n;
    }
  }

  /**
   * The q-quantile (0..1) by nearest rank, within {@link QUANTILE_RELATIVE_ERROR} of the exact one
   * (exact for the smallest and the largest length, and for 0; a length under 2^−1022 ms may be read
   * as 0); 0 when there are no lengths.
   */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.min(this.count, Math.max(1, Math.ceil(q * this.count)));
    if (rank === this.count) return this.max;
    if (rank === 1) return this.min;
    let seen = this.zeros;
    if (rank <= seen) return Math.max(this.min, 0);
    for (let k = 0; k < this.counts.length; k++) {
      seen += this.counts[k]!;
      if (seen >= rank) {
        const point = (2 * Math.exp((this.offset + k) * LN_GAMMA)) / (GAMMA + 1);
        return Math.min(this.max, Math.max(this.min, point));
      }
    }
    return this.max;
  }

  /** Its contents: `[bucket, count]` of the non-empty buckets, ascending (two sketches of the same lengths are equal). */
  buckets(): { zeros: number; min: number; max: number; buckets: [number, number][] } {
    const buckets: [number, number][] = [];
    for (let k = 0; k < this.counts.length; k++) if (this.counts[k] !== 0) buckets.push([this.offset + k, this.counts[k]!]);
    return { zeros: this.zeros, min: this.min, max: this.max, buckets };
  }

  /** The position of bucket `index` in `counts`, growing it to hold the bucket. */
  private slot(index: number): number {
    const k = index - this.offset;
    if (k >= 0 && k < this.counts.length) return k;
    const old = this.counts;
    if (old.length === 0) {
      // Room for lengths from a third to three times this one: most columns never grow again.
      this.counts = new Float64Array(128);
      this.offset = index - 64;
      return 64;
    }
    // Grow toward the new bucket, by at least half the size (amortized: a few copies in all).
    const lo = k < 0 ? Math.min(index, this.offset - (old.length >> 1)) : this.offset;
    const hi = k < 0 ? this.offset + old.length : Math.max(index + 1, this.offset + old.length + (old.length >> 1));
    const grown = new Float64Array(hi - lo);
    grown.set(old, this.offset - lo);
    this.counts = grown;
    this.offset = lo;
    return index - lo;
  }
}

/**
 * Running figures of one column (the canonical sessions, or one vendor's): the session count, the
 * total lengths and a length histogram exactly, the lengths themselves in a {@link LengthSketch}
 * (for the median and p90, within 1 %: a few KB whatever the number of sessions), and the count
 * differences from the canonical sessions by cause.
 */
export class Tally {
  sessions = 0;
  /** Sessions still live at the end of the log (counted in `sessions`). */
  open = 0;
  /** Sum of the lengths as reported, ms. */
  total = 0;
  /** Sum of start → last activity, ms. */
  spanTotal = 0;
  readonly lengths = new LengthSketch();
  /** Sessions per {@link HISTOGRAM_EDGES_MS} bin: `histogram[i]` lasted from edge `i` (inclusive) to edge `i + 1`. */
  readonly histogram: number[] = HISTOGRAM_EDGES_MS.map(() => 0);
  /** Sessions started minus canonical sessions started, by cause (see {@link CAUSES}). */
  readonly causes = [0, 0, 0, 0];

  /** Counts one session: its reported length, its start → last activity span, and whether it is still live. */
  add(length: number, span: number, open = false): void {
    this.sessions++;
    this.lengths.add(length);
    let bin = HISTOGRAM_EDGES_MS.length - 1;
    while (bin > 0 && length < HISTOGRAM_EDGES_MS[bin]!) bin--;
    this.histogram[bin]!++;
    this.total += length;
    this.spanTotal += span;
    if (open) this.open++;
  }

  /** Adds another tally's figures (another partition's, say). */
  merge(other: Tally): void {
    this.sessions += other.sessions;
    this.open += other.open;
    this.total += other.total;
    this.spanTotal += other.spanTotal;
    this.lengths.merge(other.lengths);
    for (let i = 0; i < this.histogram.length; i++) this.histogram[i]! += other.histogram[i]!;
    for (let i = 0; i < this.causes.length; i++) this.causes[i]! += other.causes[i]!;
  }
}

/** The exact q-quantile (0..1) of sorted values, nearest rank; 0 when there are none (the reference the sketch is tested against). */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
