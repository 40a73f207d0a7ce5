import type { ManualClock } from './manual-clock';

/**
 * Timers driven by a {@link ManualClock}: nothing fires until the test says so. Pass as the outbox's
 * `timers` (and the clock's `now` as its `clock`) to run hours of backoff in milliseconds.
 */
export interface ManualTimers {
  /** Schedules `callback` at the clock's now + `ms`; returns its handle. */
  setTimeout(callback: () => void, ms: number): number;
  /** Cancels a scheduled callback. */
  clearTimeout(handle: unknown): void;
  /** Timers not yet fired. */
  readonly pending: number;
  /** When the earliest pending timer is due (epoch ms), or undefined. */
  nextAt(): number | undefined;
  /**
   * Moves the clock forward by `ms`, firing due timers in order (the clock reads each timer's due
   * time when it fires) and letting the work they start settle (promises, I/O callbacks) after each.
   */
  advance(ms: number): Promise<void>;
  /** Fires every pending timer now, whatever it is due, without moving the clock (a timer that fires early). */
  fireAll(): Promise<void>;
}

/** Lets queued promise callbacks and I/O callbacks run. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Timers that fire only when the test moves `clock` on, in due order (for `@sessionhub/delivery` outboxes). */
export function manualTimers(clock: ManualClock): ManualTimers {
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  const earliest = (): [number, { at: number; callback: () => void }] | undefined => {
    let best: [number, { at: number; callback: () => void }] | undefined;
    for (const entry of timers) if (!best || entry[1].at < best[1].at) best = entry;
    return best;
  };
  const fire = async (id: number, callback: () => void): Promise<void> => {
    timers.delete(id);
    callback();
    await settle();
  };
  return {
    setTimeout(callback, ms) {
      const id = nextId++;
      timers.set(id, { at: clock.now() + Math.max(0, ms), callback });
      return id;
    },
    clearTimeout: (handle) => void timers.delete(handle as number),
    get pending() {
      return timers.size;
    },
    nextAt: () => earliest()?.[1].at,
    async advance(ms) {
      const target = clock.now() + ms;
      await settle();
      for (let next = earliest(); next && next[1].at <= target; next = earliest()) {
        if (next[1].at > clock.now()) clock.set(next[1].at);
        await fire(next[0], next[1].callback);
      }
      clock.set(target);
      await settle();
    },
    async fireAll() {
      for (const [id, { callback }] of [...timers]) await fire(id, callback);
    },
  };
}
