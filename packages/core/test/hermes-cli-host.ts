/**
 * What React Native installs on Hermes before an app runs, for the Hermes command-line VM (see
 * hermes-engine.test.ts): timers that wait for their due time (the CLI's own `setTimeout` runs its
 * callback as soon as the job queue is empty, whatever the delay, so every request would time out at
 * once), `setImmediate`, `queueMicrotask` and a `console`. Called first by the app's entry (a
 * function, not a module run for its effects: the package says it has none, and esbuild would drop it).
 */
export function installReactNativeGlobals(): void {
const g = globalThis as unknown as Record<string, any>;
const immediate = g.setTimeout as (f: () => void, ms: number) => unknown;
const due = new Map<number, { at: number; f: () => void }>();
let nextId = 1;
let polling = false;
/** Polled from the CLI's immediate timer while a timer is pending: the due ones run, in the order set. */
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
g.setTimeout = (f: () => void, ms = 0): number => {
  const id = nextId++;
  due.set(id, { at: Date.now() + ms, f });
  if (!polling) (polling = true), immediate(poll, 0);
  return id;
};
g.clearTimeout = (id: number): void => void due.delete(id);
const intervals = new Map<number, number>();
g.setInterval = (f: () => void, ms: number): number => {
  const id = nextId++;
  const tick = (): void => void (intervals.set(id, g.setTimeout(tick, ms)), f());
  intervals.set(id, g.setTimeout(tick, ms));
  return id;
};
g.clearInterval = (id: number): void => void (g.clearTimeout(intervals.get(id)), intervals.delete(id));
g.setImmediate = (f: () => void): number => g.setTimeout(f, 0);
g.clearImmediate = g.clearTimeout;
g.queueMicrotask = (f: () => void): void => void Promise.resolve().then(f);
g.console = { log() {}, debug() {}, info() {}, warn() {}, error() {} };
}
