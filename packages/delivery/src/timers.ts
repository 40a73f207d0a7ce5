/** Schedules wake-ups. Injectable so tests move time by hand; timers only wake the outbox, they decide nothing. */
export interface Timers {
  /** Calls `callback` once after `ms` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a wake-up set by `setTimeout`. */
  clearTimeout(handle: unknown): void;
}

/**
 * The global timers, looked up at call time (so fake timers installed later are honoured) and
 * unref'd in Node, so a pending retry never keeps a process alive: what is queued stays persisted.
 */
export const globalTimers: Timers = {
  setTimeout(callback, ms) {
    const handle = setTimeout(callback, ms) as unknown as { unref?(): void };
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as number),
};
