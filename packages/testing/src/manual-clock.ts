/** A clock tests move by hand. Pass `clock.now` as the hub's `clock`. */
export interface ManualClock {
  /** The current time, epoch ms. */
  readonly now: () => number;
  /** Moves the clock forward by `ms` (or backward, with a negative value). */
  advance(ms: number): number;
  /** Sets the clock to `t`. */
  set(t: number): void;
}

/** A manual clock starting at `start` (default 2026-01-01T00:00:00Z). */
export function manualClock(start = Date.UTC(2026, 0, 1)): ManualClock {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => (t += ms),
    set: (value) => void (t = value),
  };
}
