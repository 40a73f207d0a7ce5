import { errorMessage } from '../describe-value';
import type { StorageAdapter, StorageWrite } from './storage-adapter';

/**
 * Storage as the hub and kits use it: async, never throwing. Writes are staged and reach the storage
 * together, as one ordered commit per burst of calls (see {@link commitPipeline}).
 */
export interface SafeStorage {
  get(key: string): Promise<string | null>;
  /** Stages a write; resolves once its commit is done (or failed, to be retried). */
  set(key: string, value: string): Promise<void>;
  /** Stages a removal; resolves like `set`. */
  remove(key: string): Promise<void>;
  /**
   * Optional: writes `produce()`'s value under `key` in this burst's commit, after the writes staged
   * before (an outbox's index of what it wrote). Staging it again moves it to the end.
   */
  setLater?(key: string, produce: () => string | undefined): void;
  /** Optional: resolves once everything staged so far is committed (or failed, to be retried). Never rejects. */
  settled?(): Promise<void>;
  /** Optional: commits what is staged now (the page is going away): a synchronous storage is done on return. */
  commitNow?(): void;
  /**
   * True while commits fail after one succeeded in this run: what was written since is kept in memory
   * and retried, and outboxes send nothing new until it is saved.
   */
  readonly degraded: boolean;
}

type Staged = string | null | (() => string | undefined);

/** A {@link SafeStorage} that commits in bursts; the hub owns one and lends kits views of it. */
export interface CommitPipeline extends SafeStorage {
  setLater(key: string, produce: () => string | undefined): void;
  settled(): Promise<void>;
  commitNow(): void;
  /**
   * The value every commit ends with while it is dirty (the hub's state): written after everything
   * else of its burst, so any prefix of the writes that survives a kill is consistent — a state that
   * says a session ended comes after the session's end record in every outbox.
   */
  writeLast(key: string, produce: () => string | undefined): void;
  /** The last value changed: commit it with this burst. */
  touch(): void;
  /** While held (the hub handing one call's outputs to its kits), a `commitNow` waits for `release`. */
  hold(): void;
  release(): void;
  /** Warnings name the store a failed key belongs to: keys under `prefix` are `label`. */
  label(prefix: string | (() => string), label: string): void;
}

/** Retry delays after a failed commit: 1 s, doubling, at most a minute. */
const RETRY_MS = 1000;
const RETRY_MAX_MS = 60_000;

const isThenable = (v: unknown): v is PromiseLike<unknown> => !!v && typeof (v as PromiseLike<unknown>).then === 'function';

/** Stores a commit through whatever the adapter offers (see {@link StorageAdapter}). */
function write(adapter: StorageAdapter, writes: readonly StorageWrite[], lastKey: string | undefined): void | PromiseLike<unknown> {
  if (adapter.commit) return adapter.commit(writes);
  const { multiSet, multiRemove } = adapter;
  if (multiSet && multiRemove && writes.length > 2) {
    // Records in one call, delivered items' removals in another, the state on its own last.
    const last = writes[writes.length - 1]!;
    const tail = last[0] === lastKey ? 1 : 0;
    const sets: Array<[string, string]> = [];
    const removes: string[] = [];
    for (let i = 0; i < writes.length - tail; i++) {
      const [k, v] = writes[i]!;
      if (v === null) removes.push(k);
      else sets.push([k, v]);
    }
    const steps: Array<() => unknown> = [];
    if (sets.length) steps.push(() => multiSet.call(adapter, sets));
    if (removes.length) steps.push(() => multiRemove.call(adapter, removes));
    if (tail) steps.push(() => adapter.setItem(last[0], last[1]!));
    return steps.reduce<Promise<unknown>>((p, s) => p.then(s), Promise.resolve());
  }
  // Key by key, in order; synchronously as long as the adapter answers synchronously (page hide).
  const from = (i: number): void | PromiseLike<unknown> => {
    for (; i < writes.length; i++) {
      const [k, v] = writes[i]!;
      const r = v === null ? adapter.removeItem(k) : adapter.setItem(k, v);
      if (isThenable(r)) return r.then(() => from(i + 1));
    }
  };
  return from(0);
}

/**
 * Wraps a storage adapter into the hub's commit pipeline. Writes made in one burst of calls (one task)
 * are staged and committed together at its end, one commit at a time, in order, ending with the
 * `writeLast` value (the hub's state). A failed commit is reported once through `onProblem`, naming
 * the stores it held (the hub state, a kit's outbox), kept in memory (later writes merge into it) and
 * retried — at the next burst, and after 1 s, 2 s, … 1 min — so the real storage is used again as soon
 * as it works; `onRecovered` says so. Reads see staged writes first.
 */
export function commitPipeline(
  adapter: StorageAdapter,
  onProblem: (message: string) => void,
  onRecovered: (message: string) => void = () => {},
  timers: { set: (fn: () => void, ms: number) => unknown; clear: (t: unknown) => void } = {
    set: (fn, ms) => {
      const t = setTimeout(fn, ms);
      (t as { unref?: () => void }).unref?.();
      return t;
    },
    clear: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
  },
): CommitPipeline {
  let staged = new Map<string, Staged>();
  /** Writes of the commit under way, for reads. */
  let inFlight: Map<string, string | null> | null = null;
  let lastKey: string | undefined;
  let lastProduce: (() => string | undefined) | undefined;
  let lastDirty = false;
  let scheduled = false;
  let running: Promise<void> | null = null;
  let again = false;
  let holds = 0;
  let nowWanted = false;
  /** Commits fail now (reported once per outage); `degraded` when they do after one succeeded. */
  let failing = false;
  let degraded = false;
  let committed = false;
  let retries = 0;
  let retryTimer: unknown;
  const labels: Array<[string | (() => string), string]> = [];
  /** Resolves the callers waiting for the next commit. */
  let next: { promise: Promise<void>; resolve: () => void } | null = null;
  let current: Promise<void> = Promise.resolve();

  const waiter = (): Promise<void> => {
    if (!next) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      next = { promise, resolve };
    }
    return next.promise;
  };

  const labelOf = (key: string): string => {
    if (key === lastKey) return 'hub state';
    for (const [prefix, label] of labels) {
      let p: string;
      try {
        p = typeof prefix === 'function' ? prefix() : prefix;
      } catch {
        continue;
      }
      if (key.startsWith(p)) return label;
    }
    return 'storage';
  };

  const collect = (): StorageWrite[] => {
    const writes: [string, string | null][] = [];
    for (const [k, v] of staged) {
      let value: string | null | undefined;
      try {
        value = typeof v === 'function' ? v() : v;
      } catch {
        value = undefined;
      }
      if (value !== undefined) writes.push([k, value]);
    }
    staged = new Map();
    if (lastDirty && lastKey !== undefined && lastProduce) {
      lastDirty = false;
      let value: string | undefined;
      try {
        value = lastProduce();
      } catch {
        value = undefined;
      }
      if (value !== undefined) writes.push([lastKey, value]);
    }
    return writes;
  };

  const failed = (writes: readonly StorageWrite[], error: unknown): void => {
    // Back in front of what was staged since, which is newer; the state is produced afresh at the end.
    const merged = new Map<string, Staged>();
    for (const [k, v] of writes) {
      if (k === lastKey) lastDirty = true;
      else merged.set(k, v);
    }
    for (const [k, v] of staged) {
      merged.delete(k);
      merged.set(k, v);
    }
    staged = merged;
    if (!failing) {
      failing = true;
      const stores = [...new Set(writes.map(([k]) => labelOf(k)))].join(', ');
      // A storage that worked and fails now holds the older saved state: nothing new may be sent
      // until it is saved (a relaunch from that state would send its sessions' ends again). One that
      // never worked in this run (unavailable from the start) has nothing newer to disagree with.
      degraded = committed;
      onProblem(
        `${stores}: storage ${committed ? 'failed' : 'unavailable'} (${errorMessage(error)}); keeping what was not saved in memory${
          committed ? ', sending nothing new until it is saved,' : ''
        } and retrying`,
      );
    }
    timers.clear(retryTimer);
    retryTimer = timers.set(() => void flush(), Math.min(RETRY_MAX_MS, RETRY_MS * 2 ** retries++));
  };

  const succeeded = (): void => {
    committed = true;
    if (!failing) return;
    failing = degraded = false;
    retries = 0;
    timers.clear(retryTimer);
    onRecovered('storage works again; what was kept in memory is saved');
  };

  /** One commit of what is staged; a promise only when the adapter answers asynchronously. Never rejects. */
  const commitOnce = (): void | Promise<void> => {
    const writes = collect();
    const done = next;
    next = null;
    if (!writes.length) return void done?.resolve();
    let r: void | PromiseLike<unknown>;
    try {
      r = write(adapter, writes, lastKey);
    } catch (error) {
      failed(writes, error);
      return void done?.resolve();
    }
    if (!isThenable(r)) {
      succeeded();
      return void done?.resolve();
    }
    inFlight = new Map(writes);
    return Promise.resolve(r).then(
      () => {
        inFlight = null;
        succeeded();
        done?.resolve();
      },
      (error: unknown) => {
        inFlight = null;
        failed(writes, error);
        done?.resolve();
      },
    );
  };

  const pending = (): boolean => staged.size > 0 || lastDirty;

  const flush = (): Promise<void> => {
    scheduled = false;
    if (running) {
      again = true;
      return pending() ? waiter() : running;
    }
    const r = commitOnce();
    if (!r) return (current = Promise.resolve());
    return (current = running =
      (async () => {
        await r;
        while (again || pending()) {
          again = false;
          if (!pending()) break;
          await commitOnce();
        }
        running = null;
      })());
  };

  const schedule = (): Promise<void> => {
    if (!scheduled && !holds) {
      scheduled = true;
      queueMicrotask(() => void (scheduled && flush()));
    }
    return waiter();
  };

  const stage = (key: string, value: Staged): Promise<void> => {
    staged.delete(key);
    staged.set(key, value);
    return schedule();
  };

  const pipeline: CommitPipeline = {
    get degraded() {
      return degraded;
    },
    async get(key) {
      const s = staged.get(key);
      if (s !== undefined) return typeof s === 'function' ? (s() ?? null) : s;
      if (inFlight?.has(key)) return inFlight.get(key)!;
      try {
        const v = await adapter.getItem(key);
        return typeof v === 'string' ? v : null;
      } catch (error) {
        // Once per outage, as for writes.
        if (!failing) onProblem(`${labelOf(key)}: storage failed to read (${errorMessage(error)}); going on without what it held, keeping data in memory and retrying`);
        failing = true;
        return null;
      }
    },
    set: (key, value) => stage(key, value),
    remove: (key) => stage(key, null),
    setLater(key, produce) {
      void stage(key, produce);
    },
    settled() {
      if (pending()) return flush();
      return running ?? current;
    },
    commitNow() {
      if (holds) nowWanted = true;
      else void flush();
    },
    writeLast(key, produce) {
      lastKey = key;
      lastProduce = produce;
    },
    touch() {
      lastDirty = true;
      void schedule();
    },
    hold() {
      holds++;
    },
    release() {
      if (--holds > 0) return;
      holds = 0;
      if (nowWanted) {
        nowWanted = false;
        void flush();
      } else if (pending()) void schedule();
    },
    label(prefix, label) {
      labels.push([prefix, label]);
    },
  };
  if (adapter.notice) onProblem(adapter.notice);
  return pipeline;
}
