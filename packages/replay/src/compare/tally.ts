/** Causes a difference in session counts is attributed to, in report order. */
export const CAUSES = ['timeoutGaps', 'restarts', 'userChanges', 'neutralEvents'] as const;
/** A cause a count difference is attributed to. */
export type Cause = (typeof CAUSES)[number];
export const TIMEOUT_GAP = 0;
export const RESTART = 1;
export const USER_CHANGE = 2;
export const NEUTRAL_EVENT = 3;

const NO_LENGTHS = new Float64Array(0);

/**
 * Running figures of one column (the canonical sessions, or one vendor's): session lengths kept in a
 * growing Float64Array (8 bytes a session) for exact quantiles, and the count differences from the
 * canonical sessions by cause.
 */
export class Tally {
  sessions = 0;
  /** Sessions still live at the end of the log (counted in `sessions`). */
  open = 0;
  /** Sum of the lengths as reported, ms. */
  total = 0;
  /** Sum of start → last activity, ms. */
  spanTotal = 0;
  /** Starts empty and shared: a tally that never counts a session costs no array. */
  lengths: Float64Array = NO_LENGTHS;
  /** Sessions started minus canonical sessions started, by cause (see {@link CAUSES}). */
  readonly causes = [0, 0, 0, 0];

  /** Counts one session: its reported length, its start → last activity span, and whether it is still live. */
  add(length: number, span: number, open = false): void {
    if (this.sessions === this.lengths.length) {
      const grown = new Float64Array(Math.max(4, this.lengths.length * 2));
      grown.set(this.lengths);
      this.lengths = grown;
    }
    this.lengths[this.sessions++] = length;
    this.total += length;
    this.spanTotal += span;
    if (open) this.open++;
  }

  /** Adds another tally's figures (a device's pending ones, or another partition's). */
  merge(other: Tally): void {
    for (let i = 0; i < other.sessions; i++) this.add(other.lengths[i]!, 0);
    this.spanTotal += other.spanTotal;
    this.open += other.open;
    for (let i = 0; i < this.causes.length; i++) this.causes[i]! += other.causes[i]!;
  }

  /** The lengths, sorted ascending. */
  sorted(): Float64Array {
    return this.lengths.slice(0, this.sessions).sort();
  }
}

/** The q-quantile (0..1) of sorted values, nearest rank; 0 when there are none. */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
