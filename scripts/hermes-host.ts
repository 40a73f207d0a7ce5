/**
 * What React Native installs on Hermes before an app runs, for Hermes's command-line VM (the React
 * Native runtime test, `pnpm bench hermes`): timers that wait for their due time (the CLI's own
 * `setTimeout` runs its callback as soon as the job queue is empty, whatever the delay, so every
 * request would time out at once), `queueMicrotask` and a `console`. Called first by
 * the app's entry (a function, not a module run for its effects: a package that says it has none
 * would have esbuild drop it). Repository-internal: never shipped.
 */
export function installReactNativeGlobals(): { stop(): void } {
  const g = globalThis as unknown as Record<string, any>;
  const immediate = g.setTimeout as (f: () => void, ms: number) => unknown;
  const due = new Map<number, { at: number; f: () => void }>();
  let nextId = 1;
  let polling = false;
  // Polled from the CLI's immediate timer while a timer is pending: the due ones run, in the order
  // set. The poll runs between every two events then, so it is kept cheap (no copy of the map, no
  // destructuring, which React Native's Babel preset lowers to a helper call): in the bench its cost
  // is the bench's, not the hub's. React Native's own timers cost a native call per setTimeout instead.
  const poll = (): void => {
    polling = false;
    const now = Date.now();
    // Only timers set before this poll: one set by a callback here waits for the next.
    const last = nextId;
    for (const id of due.keys()) {
      if (id >= last) break;
      const timer = due.get(id)!;
      if (timer.at <= now) due.delete(id), timer.f();
    }
    if (due.size) (polling = true), immediate(poll, 0);
  };
  const set = (f: () => void, ms = 0): number => {
    const id = nextId++;
    due.set(id, { at: Date.now() + ms, f });
    if (!polling) (polling = true), immediate(poll, 0);
    return id;
  };
  const intervals = new Map<number, number>();
  g.setTimeout = set;
  g.clearTimeout = (id: number): void => void due.delete(id);
  g.setInterval = (f: () => void, ms: number): number => {
    const id = nextId++;
    const tick = (): void => void (intervals.set(id, set(tick, ms)), f());
    intervals.set(id, set(tick, ms));
    return id;
  };
  g.clearInterval = (id: number): void => void (due.delete(intervals.get(id)!), intervals.delete(id));
  // The CLI's own setImmediate stays: Hermes 0.12's promises run their jobs through it (a polled timer
  // in its place made every promise job wait for a poll: ~100 times slower). React Native's runs at
  // the end of the current batch, before timers, as it does.
  g.setImmediate ??= (f: () => void): number => set(f, 0);
  g.queueMicrotask ??= (f: () => void): void => void Promise.resolve().then(f);
  g.console ??= { log() {}, debug() {}, info() {}, warn() {}, error() {} };
  // Timers still pending when the app is done (an interval) would keep the VM polling for good.
  return { stop: () => due.clear() };
}
