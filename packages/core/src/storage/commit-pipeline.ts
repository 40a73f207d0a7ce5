import { errorMessage } from '../describe-value';
import { message } from '../messages';
import { drive, isThenable } from './maybe-async';
import { segmentLog, type CommitStore } from './segment-log';
import type { StorageAdapter, StorageWrite } from './storage-adapter';

/**
 * Storage as the hub and kits use it: async, never throwing. Writes are staged and reach the storage
 * together, as one ordered commit per burst of calls (the hub's commit pipeline).
 */
export interface SafeStorage {
  /** The value under `key` (a staged write first), or null (also when reading failed). */
  get(key: string): Promise<string | null>;
  /** Stages a write; resolves once its commit is done (or failed, to be retried). */
  set(key: string, value: string): Promise<void>;
  /**
   * Stages a removal; resolves like `set`. `lazy` (a delivered item): it joins the next commit, or
   * the one made once the flushes under way (`busy`) have ended, a second at the most; its promise
   * then settles with the commit under way, not with its own.
   */
  remove(key: string, lazy?: boolean): Promise<void>;
  /**
   * Optional: writes `produce()`'s value under `key` in this burst's commit, after the writes staged
   * before (an outbox's index of what it wrote). Staging it again moves it to the end. `lazy`: as
   * for `remove`.
   */
  setLater?(key: string, produce: () => string | undefined, lazy?: boolean): void;
  /**
   * Optional: resolves once everything staged so far is committed (or failed, to be retried), but
   * lazy writes, which may wait. Never rejects.
   */
  settled?(): Promise<void>;
  /**
   * Optional: marks a flush under way until the returned function is called (once). Lazy writes are
   * committed once the last has ended (the app is going to the background: no event may follow).
   */
  busy?(): () => void;
  /**
   * Optional: commits what is staged now, lazy writes too (the page is going away): a synchronous
   * storage is done on return. With `ifStaged`: only if a write of that key is still staged.
   */
  commitNow?(ifStaged?: string): void;
  /**
   * True while commits fail after one succeeded in this run: what was written since is kept in memory
   * and retried, and outboxes send nothing new until it is saved.
   */
  readonly degraded: boolean;
  /**
   * Optional: what a full storage may drop to make room (an outbox's plain events), oldest first.
   * `list()` gives them, each `[queued at (epoch ms), key, anything, about its length]`; `drop(items)`
   * forgets those the storage dropped (it removes their keys). Keys starting with `items` are the
   * store's items: once one is removed (delivered), a full storage may empty its value at once,
   * before its removal is committed.
   */
  spare?(list: () => readonly Spare[], drop: (items: readonly Spare[]) => void, items: string | (() => string)): void;
}

/** An item a full storage may drop: when it was queued (epoch ms), its key, what its owner needs to find it, about its length. */
export type Spare = readonly [at: number, key: string, handle: unknown, size: number];

type Staged = string | null | (() => string | undefined);

/** A value to write last, and the patch its writer knew (`from`, `patch` of a `StorageWrite`). */
export type Produced = readonly [value: string, from?: string, patch?: string];

/** A {@link SafeStorage} that commits in bursts; the hub owns one and lends kits views of it. */
export interface CommitPipeline extends SafeStorage {
  setLater(key: string, produce: () => string | undefined, lazy?: boolean): void;
  settled(): Promise<void>;
  busy(): () => void;
  commitNow(ifStaged?: string): void;
  /**
   * The value every commit ends with while it is dirty (the hub's state): written after everything
   * else of its burst, so any prefix of the writes that survives a kill is consistent — a state that
   * says a session ended comes after the session's end record in every outbox. `produce` gives the
   * value, and may give the patch of `from` that makes it, as its writer knew it (see `StorageWrite`).
   */
  writeLast(key: string, produce: () => Produced | undefined): void;
  /** The last value changed: commit it with this burst. */
  touch(): void;
  /** While held (the hub handing one call's outputs to its kits), a `commitNow` waits for `release`. */
  hold(): void;
  release(): void;
  /** Commits what is staged, then rewrites storage so that nothing removed lingers in it (a deletion). Never rejects. */
  compact(): Promise<void>;
  /**
   * True once a key whose read failed at launch turned out to hold an earlier run's value: nothing of
   * this run is committed (see `recheck`), so no later launch will see this run's session.
   */
  readonly blind: boolean;
  /** Warnings name the store a failed key belongs to: keys under `prefix` are `label`. */
  label(prefix: string | (() => string), label: string): void;
}

/** `key` is under `prefix` (a function: read now, a browser tab's slot may have moved). */
const under = (key: string, prefix: string | (() => string)): boolean => key.startsWith(typeof prefix == 'string' ? prefix : prefix());

/** The longest a lazy write waits for a commit to join (a kill meanwhile sends its items again). */
const LAZY_MS = 1000;

/**
 * A burst that stages more than this many characters is committed in parts, each a commit (and a
 * record) of its own: Android's AsyncStorage stores a longer value but cannot read it back (a row
 * past its 2 MB CursorWindow, 1 MB on some devices), so a launch would never read the segment log
 * again. (~190 events of the three kits; 768 KB at most in UTF-8.)
 */
const RECORD_CHARS = 262_144;

/** Retry delays after a failed commit: 1 s, doubling, at most a minute. */
const RETRY_MS = 1000;
const RETRY_MAX_MS = 60_000;

/**
 * Wraps a storage adapter into the hub's commit pipeline. Writes made in one burst of calls (one task)
 * are staged and committed together at its end, one commit at a time, in order, ending with the
 * `writeLast` value (the hub's state). A failed commit is reported once through `onProblem`, naming
 * the stores it held (the hub state, a kit), kept in memory (later writes merge into it) and retried —
 * at the next burst, and after 1 s, 2 s, … 1 min — so the real storage is used again as soon as it
 * works; `onRecovered` says so. Reads see staged writes first. `onStored` is told each value found
 * under a key whose read had failed, once it is read (an earlier run's: see `recheck`).
 */
export function commitPipeline(
  storage: StorageAdapter,
  onProblem: (message: string) => void,
  onRecovered: (message: string) => void = () => {},
  onStored?: (key: string, value: string) => void,
): CommitPipeline {
  // A storage without commits of its own (localStorage, AsyncStorage) keeps its records in segment keys.
  const adapter = storage.commit ? (storage as CommitStore) : segmentLog(storage);
  let staged = new Map<string, Staged>();
  /** Characters of the values staged since the last commit (see RECORD_CHARS). */
  let stagedChars = 0;
  /** Something staged must be committed with this burst (not only lazy writes). */
  let eager: boolean | undefined;
  /** Flushes under way (see `busy`). */
  let busy = 0;
  let lazyTimer: ReturnType<typeof setTimeout> | undefined;
  let lastKey: string | undefined;
  let lastProduce: () => Produced | undefined = () => undefined;
  let lastDirty: boolean | undefined;
  /** The last value written (or being written) under `lastKey`: the same value again is not rewritten. */
  let lastText: string | undefined;
  let scheduled: boolean | undefined;
  let chain: Promise<void> = Promise.resolve();
  /** What `set` and `remove` answer: settles once this burst's commit did. */
  let burst: Promise<void> | null | undefined;
  let holds = 0;
  let nowWanted: boolean | undefined;
  /** Commits fail now (reported once per outage); `degraded` when they do after one succeeded. */
  let failing: boolean | undefined;
  let degraded = false;
  let committed = false;
  let retries = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * Keys whose read failed (their owners went on as if nothing were stored): before a commit, read
   * again. Stored after all: `blind`, nothing of this run is written over it (see `recheck`).
   */
  const unread = new Set<string>();
  let blind: boolean | undefined;
  let rechecking: Promise<void> | undefined;
  const labels: Array<[string | (() => string), string]> = [];
  const spares: Array<[() => readonly Spare[], (items: readonly Spare[]) => void, string | (() => string)]> = [];
  /** The writes of the commit under way (a full storage makes room within it). */
  let current: readonly StorageWrite[] = [];

  /**
   * The storage is full (see `StorageAdapter.whenFull`; an asynchronous one: see `failed`). First what
   * is free to go: old values that records still hold though later ones replaced or removed them,
   * and items being removed (delivered or dropped) but not committed yet. Then the oldest stored
   * items the stores spare, across stores, until they free 4 times `chars` (so that a storage that
   * stays full is not rewritten at every commit); items not stored yet free nothing and stay. One
   * warning names how many went; false when nothing could.
   */
  function* roomFor(chars: number): Generator<unknown, boolean, any> {
    const fresh = new Set<string>();
    const removed: string[] = [];
    for (const [k, v] of [...current, ...staged]) {
      if (v !== null) fresh.add(k);
      else if (spares.some(([, , p]) => under(k, p))) removed.push(k);
    }
    if (yield adapter.free!(removed)) return true;
    // Oldest first across the stores (at one instant, each store's oldest first, in turn).
    const all = spares.flatMap(([list], i) => list().map((s, pos) => [s, i, pos] as const)).sort((a, b) => a[0][0] - b[0][0] || a[2] - b[2]);
    const gone: typeof all = [];
    for (let i = 0, room = 0; room < chars * 4 && i < all.length; i++) if (!fresh.has(all[i]![0][1])) room += gone[gone.push(all[i]!) - 1]![0][3];
    const n = gone.length;
    yield adapter.free!(gone.map(([s]) => s[1]));
    spares.forEach(([, drop], i) => drop(gone.filter(([, j]) => j == i).map(([s]) => s)));
    if (n) onProblem(message(107, n));
    return n > 0;
  }
  const makeRoom = (chars: number): boolean | Promise<boolean> => drive(roomFor(chars));

  const labelOf = (key: string): string => {
    if (key == lastKey) return 'hub state';
    for (const [prefix, label] of labels) if (under(key, prefix)) return label;
    return 'storage';
  };

  const pending = (): boolean | undefined => eager || lastDirty;

  const collect = (): StorageWrite[] => {
    const writes: StorageWrite[] = [];
    // (No destructuring of the entries: React Native's Babel preset makes each one a helper call.)
    staged.forEach((v, k) => {
      const value = typeof v == 'function' ? v() : v;
      if (value !== undefined) writes.push([k, value]);
    });
    staged = new Map();
    stagedChars = 0;
    eager = false;
    clearTimeout(lazyTimer);
    lazyTimer = undefined;
    const w = lastDirty ? lastProduce() : undefined;
    lastDirty = false;
    // With the patch its writer knew, carried to the storage with the write itself. A patch of the
    // last value written that changes something is a new value: the ~700-character texts (built of
    // pieces, which a comparison would copy into one) are compared only without one.
    if (w && ((w[2] && w[1] == lastText) || w[0] != lastText)) writes.push([lastKey!, (lastText = w[0]), w[1], w[2]]);
    return writes;
  };

  /** A commit failed; `later`: answering asynchronously (a synchronous storage makes room within its write). */
  const failed = (writes: readonly StorageWrite[], error: unknown, later?: boolean): undefined => {
    // Back in front of what was staged since, which is newer; the state is produced afresh at the end.
    const merged = new Map<string, Staged>();
    for (const [k, v] of writes) k == lastKey ? ((lastDirty = true), (lastText = undefined)) : merged.set(k, v);
    for (const [k, v] of staged) merged.delete(k), merged.set(k, v);
    staged = merged;
    eager = true;
    // Full (Android's AsyncStorage: a database of 6 MB unless the app sets more, the app's own data
    // included): room is made as in localStorage, and the commit tried again at once. Else the
    // storage would stay full, and nothing be sent for the rest of the run (see `degraded`).
    // (Words, not parts of them: an error about a "namespace" must not cost the queue its oldest events.
    // iOS's says it in the device's language, but for the codes of its NSError's description: Cocoa's
    // out-of-space error, and the POSIX error under it.)
    if (later && adapter.free && /full\b|quota|no space|Domain Code=(640|28)\b/i.test(errorMessage(error))) {
      let chars = 0;
      for (const w of writes) chars += w[1]?.length ?? 0;
      return void Promise.resolve(makeRoom(chars)).then(
        (made) => (made ? void flush() : reported(writes, error)),
        () => reported(writes, error),
      );
    }
    reported(writes, error);
  };

  /** A commit that failed is reported (once per outage) and retried later. */
  const reported = (writes: readonly StorageWrite[], error: unknown): void => {
    if (!failing) {
      failing = true;
      // A storage that worked and fails now holds an older saved state: nothing new may be sent until
      // it is saved (a relaunch from that state would send its sessions' ends again). One that never
      // worked in this run (unavailable from the start) has nothing newer to disagree with.
      degraded = committed;
      onProblem(
        message(committed ? 100 : 101, [...new Set(writes.map(([k]) => labelOf(k)))].join(', '), errorMessage(error)),
      );
    }
    retryLater();
  };

  function retryLater(): void {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, Math.min(RETRY_MAX_MS, RETRY_MS * 2 ** retries++));
    (retryTimer as { unref?: () => void }).unref?.();
  }

  /**
   * Reads the keys whose read failed again. Nothing stored: they are read, commits go on. A value: an
   * earlier run's (an AsyncStorage that failed at launch: iOS before the first unlock), which this
   * run's owners never read; writing over it would lose that run's queued items and its session's end
   * — so nothing is committed in this run (its data stays in memory, and is sent), and the next launch
   * finds the earlier run's data as it was left. Still failing: retried later.
   */
  const recheck = (): Promise<void> =>
    // One at a time: commits made while one reads wait for it (and warn once).
    (rechecking ??= (async () => {
      let found: string | undefined;
      try {
        // Every key read: its owner is told what it missed (the user's stored choice above all).
        for (const key of unread) {
          const value = await adapter.getItem(key);
          if (typeof value == 'string') onStored?.(key, value), (found ??= key);
        }
      } catch {
        return retryLater();
      } finally {
        rechecking = undefined;
      }
      if (found) return void ((blind = true), onProblem(message(113, labelOf(found))));
      unread.clear();
      return flush();
    })());

  const succeeded = (): undefined => {
    committed = true;
    if (!failing) return;
    failing = degraded = false;
    retries = 0;
    clearTimeout(retryTimer);
    onRecovered(message(102));
  };

  /** One commit of what is staged: a promise when the adapter answers asynchronously. Never rejects. */
  const commit = (): Promise<void> | undefined => {
    if (blind) return;
    if (unread.size) return recheck();
    const writes = collect();
    if (!writes.length) return;
    let r: unknown;
    try {
      current = writes;
      r = adapter.commit(writes);
    } catch (error) {
      return failed(writes, error);
    } finally {
      current = [];
    }
    if (!isThenable(r)) return succeeded();
    const done = Promise.resolve(r).then(succeeded, (error: unknown) => failed(writes, error, true));
    // The adapter took the writes in call order already (a journal appends them at once, the segment
    // log queues them); only their acknowledgement is pending. Waiting for it before the next commit
    // would keep that one from the OS (a flush to the disk), and a kill meanwhile would lose it.
    const before = chain;
    return done.then(() => before);
  };

  /** Commits what is staged, after the commit under way. A synchronous storage is done on return. */
  function flush(): Promise<void> {
    scheduled = false;
    const p = commit();
    return p ? (chain = p) : chain;
  }

  /** Commits at the end of this burst (a microtask), unless held. */
  const due = (): void => {
    if (!scheduled && !holds) {
      scheduled = true;
      queueMicrotask(() => scheduled && flush());
    }
  };

  /** {@link due}, and what `set` and `remove` answer (made only for them: the hub's `touch` needs none). */
  const schedule = (): Promise<void> => {
    due();
    return (burst ??= Promise.resolve().then(() => {
      burst = null;
      return pipeline.settled();
    }));
  };

  const stage = (key: string, value: Staged, lazy?: boolean): Promise<void> => {
    if (key == lastKey) lastText = undefined;
    staged.delete(key);
    staged.set(key, value);
    if (typeof value == 'string' && (stagedChars += value.length) > RECORD_CHARS) pipeline.commitNow();
    if (!lazy) {
      eager = true;
      return schedule();
    }
    // Joins the next commit (an event's, usually), or the one made when the flushes under way end;
    // LAZY_MS at most.
    if (!lazyTimer) {
      lazyTimer = setTimeout(flush, LAZY_MS);
      (lazyTimer as { unref?: () => void }).unref?.();
    }
    return chain;
  };

  const pipeline: CommitPipeline = {
    get blind() {
      return !!blind;
    },
    get degraded() {
      return degraded;
    },
    async get(key) {
      const s = staged.get(key);
      if (s !== undefined) return typeof s == 'function' ? (s() ?? null) : s;
      for (let wait = 100; ; wait *= 4) {
        let v: unknown;
        try {
          v = adapter.getItem(key);
          return typeof (v = await v) == 'string' ? v : null;
        } catch (error) {
          // An asynchronous storage that failed (AsyncStorage's database busy a moment at launch) is
          // asked again, 100 ms and 400 ms later, before its owner goes on without what it holds.
          if (!isThenable(v) || wait > 400) {
            unread.add(key);
            // Once per outage, as for writes.
            if (!failing) onProblem(message(103, labelOf(key), errorMessage(error)));
            failing = true;
            return null;
          }
          await new Promise((wake) => setTimeout(wake, wait));
        }
      }
    },
    set: (key, value) => stage(key, value),
    remove: (key, lazy) => stage(key, null, lazy),
    setLater(key, produce, lazy) {
      void stage(key, produce, lazy);
    },
    settled: () => (pending() ? flush() : chain),
    busy() {
      busy++;
      // The last flush under way ended: what was delivered is removed, in one commit (this burst's).
      return () => void (--busy || ((eager = true), due()));
    },
    commitNow(ifStaged) {
      if (ifStaged === undefined || staged.has(ifStaged)) holds ? (nowWanted = true) : void flush();
    },
    writeLast(key, produce) {
      lastKey = key;
      lastProduce = produce;
    },
    touch() {
      lastDirty = true;
      due();
    },
    hold() {
      holds++;
    },
    release() {
      if (--holds) return;
      if (nowWanted) {
        nowWanted = false;
        void flush();
      } else if (pending()) void schedule();
    },
    compact: () =>
      flush().then(async () => {
        try {
          await adapter.compact?.();
        } catch (error) {
          onProblem(message(106, errorMessage(error)));
        }
      }),
    label(prefix, label) {
      labels.push([prefix, label]);
    },
    spare(list, drop, items) {
      spares.push([list, drop, items]);
    },
  };
  // (Synchronous there: the storage is.)
  if (adapter.free) storage.whenFull?.(makeRoom as (chars: number) => boolean);
  // A microtask later: the hub is being made, and the listeners the app adds next must hear it.
  if (adapter.notice) Promise.resolve().then(() => onProblem(adapter.notice!));
  return pipeline;
}
