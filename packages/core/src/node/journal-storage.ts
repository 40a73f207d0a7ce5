import { close, closeSync, constants, fsync, fsyncSync, ftruncateSync, mkdirSync, open, openSync, readdirSync, readFileSync, renameSync, rm, rmSync, write, writeSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../describe-value';
import { decodeWrites, encodeWrite } from '../storage/record-codec';
import { patchFor, unpackSegments } from '../storage/segment-log';
import type { StorageAdapter, StorageWrite } from '../storage/storage-adapter';

/**
 * When a commit is on the disk itself, not only handed to the operating system:
 * - `'commit'` (default): each commit is flushed to the disk (`fsync`) before it counts as saved;
 *   commits that arrive meanwhile share the next flush (group commit). Survives a power loss.
 * - `'interval'`: flushed at most `syncIntervalMs` after it was written. A power loss may lose that
 *   last interval; a killed process loses nothing.
 * - `'none'`: left to the operating system. A killed process loses nothing; a power loss may lose
 *   what the OS had not written yet (typically up to 30 s on Linux).
 * Every commit is written to the OS synchronously, before the call returns, so a killed process
 * never loses a commit that completed; the flush to the disk runs off the event loop.
 */
export type Durability = 'commit' | 'interval' | 'none';

/** Options of {@link journalStorage}. */
export interface JournalStorageOptions {
  /** See {@link Durability}. Default `'commit'`. */
  readonly durability?: Durability;
  /** With `durability: 'interval'`: the longest time before a commit is flushed to the disk, ms. Default 1000. */
  readonly syncIntervalMs?: number;
}

/** A {@link journalStorage}: a storage adapter, plus what tools and tests use. */
export interface JournalStorage extends StorageAdapter {
  /** The keys stored, for tools that inspect a directory. */
  keys(): string[];
  /** Stops the interval flush and closes the journal (tests, tools); later commits stay in memory. */
  close(): void;
}

const JOURNAL = 'sessionhub.journal';
/** The journal is rewritten from the live data when it grows past this many times their size … */
const COMPACT_RATIO = 8;
/**
 * … and past this many bytes. Each rewrite creates, flushes and renames a file and frees the old
 * one's blocks (a few ms of the disk's time); at 256 KB that came every ~200 events in bursts and
 * cost more than everything else the journal did. Opening reads it whole: ~10 ms for 400 KB on a
 * busy 2-core machine, so ~25 ms at 1 MB.
 */
const COMPACT_MIN = 1024 * 1024;

/** A record: `#<body length>\n<body>\n`; one whose body or final newline is missing was torn by a kill. */
const record = (body: string): string => `#${body.length}\n${body}\n`;

/**
 * Reads a journal into `map`. Returns the length of the intact prefix: a record torn by a kill
 * mid-write, and anything after it, is not applied.
 */
function replay(text: string, map: Map<string, string>): number {
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    if (text[pos] !== '#' || nl < 0) break;
    const length = Number(text.slice(pos + 1, nl));
    const start = nl + 1;
    const end = start + length;
    if (!Number.isSafeInteger(length) || text[end] !== '\n') break;
    const writes = decodeWrites(text, start, end, (k) => map.get(k));
    if (!writes) break;
    // A record applies whole or not at all.
    for (const [k, v] of writes) {
      if (v === null) map.delete(k);
      else map.set(k, v);
    }
    pos = end + 1;
  }
  return pos;
}

const READ_ONLY = new Set(['EACCES', 'EPERM', 'EROFS']);
type Waiter = [resolve: () => void, reject: (error: unknown) => void];
/** Flushing a directory is not supported there (some file systems, Windows): nothing to wait for. */
const NO_DIRECTORY_SYNC = new Set(['EINVAL', 'EISDIR', 'EPERM', 'EBADF', 'ENOTSUP']);

/**
 * A storage for Node (servers, CLIs): an append-only journal in `directory`. Each commit of the hub
 * (everything one burst of calls produced: the kits' outbox records, then the hub's state) is one
 * record appended with one write, so a process killed at any instant leaves every completed commit
 * and nothing of a torn one. Delivered items are removed by the next commit's record, a few bytes,
 * and the journal is rewritten from the live data (a temp file, then a rename) once it has grown to
 * several times their size, off the event loop while commits go on. The durability setting says
 * when a commit also reaches the disk (see {@link Durability}).
 *
 * Opening it reads the journal, moves in what an earlier version stored as one file per key
 * ({@link fileStorage}), and deletes temp files a kill left behind. A directory that cannot be
 * created throws; one that exists but cannot be written (read-only) is reported once by the hub,
 * and the data then stays in memory for the run.
 *
 * @example
 * const hub = createHub({ storage: journalStorage('.sessionhub', { durability: 'interval' }) });
 */
export function journalStorage(directory: string, options: JournalStorageOptions = {}): JournalStorage {
  const durability = options.durability ?? 'commit';
  const syncIntervalMs = options.syncIntervalMs ?? 1000;
  mkdirSync(directory, { recursive: true });
  const path = join(directory, JOURNAL);
  const map = new Map<string, string>();
  let notice: string | undefined;
  let fd = -1;
  /** Bytes in the journal file; characters in the live data (with a little for each key). */
  let journalSize = 0;
  let liveSize = 0;
  /** A write failed part-way and could not be cut off: the next commit rewrites the journal. */
  let broken = false;
  /** After a failed background rewrite, the next is tried once the journal has grown to this size. */
  let retryAt = 0;
  let seq = 0;

  // Group commit: one fsync at a time; the commits written while it runs wait for the next one.
  let syncing = false;
  let waiting: Waiter[] = [];
  /**
   * Commits flushed while a rewrite was under way. The rewrite renames its file over the journal
   * with the last commits appended but not yet flushed there, so none of them may count as done
   * before the new file is flushed: they wait for the first flush after the rewrite ends (or is
   * dropped, the old journal staying), a few ms once per rewrite.
   */
  let held: Waiter[] = [];
  /** (A declaration: the rewrite at open may call it.) */
  function rewriteEnded(): void {
    if (!held.length) return;
    waiting.push(...held);
    held = [];
    if (!syncing) sync();
  }
  /** A rename since the directory was last flushed: the next flush also flushes the directory (the rename itself). */
  let renamed = false;
  /** Bumped when the journal file is replaced: a flush of the one before does not flush the new one. */
  let generation = 0;
  /** Flushes in flight per file descriptor; a replaced journal is closed once its own have ended. */
  const flushing = new Map<number, number>();
  const retired = new Set<number>();
  const noop = (): void => {};
  const fsyncFd = (f: number, done: (error: NodeJS.ErrnoException | null) => void): void => {
    flushing.set(f, (flushing.get(f) ?? 0) + 1);
    fsync(f, (error) => {
      const n = flushing.get(f)! - 1;
      n ? flushing.set(f, n) : flushing.delete(f);
      // Closed off the event loop: closing a replaced journal frees its blocks, a few ms.
      if (!n && retired.delete(f)) close(f, noop);
      done(error);
    });
  };
  const retire = (f: number): void => {
    if (f < 0) return;
    flushing.has(f) ? retired.add(f) : close(f, noop);
  };

  /** A fresh journal: the live data as one record. */
  const snapshot = (): string => {
    let body = '';
    for (const [k, v] of map) body += encodeWrite(k, v);
    return body ? record(body) : '';
  };
  const tempPath = (): string => `${path}.${process.pid}.${++seq}.tmp`;
  /** Appends (so that a failed write can be cut off, as in the journal), but truncates first (a stale temp file of the same name). */
  const TEMP_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_APPEND;
  /** The journal is now `tfd`, holding `size` bytes. */
  const replaceWith = (tfd: number, size: number): void => {
    retire(fd);
    fd = tfd;
    journalSize = size;
    liveSize = 0;
    for (const [k, v] of map) liveSize += k.length + v.length + 16;
    broken = false;
    retryAt = 0;
    renamed = true;
    generation++;
  };

  /**
   * Writes the live data as a fresh journal, synchronously: a temp file, flushed, then renamed over
   * the old one. At open (a torn record or files of an earlier version), for `compact()`, and after
   * a write failed part-way.
   */
  const rewrite = (): void => {
    abortCompaction();
    const text = snapshot();
    const temp = tempPath();
    const tfd = openSync(temp, 'w');
    try {
      writeSync(tfd, text);
      if (durability !== 'none') fsyncSync(tfd);
    } catch (error) {
      closeSync(tfd);
      rmSync(temp, { force: true });
      throw error;
    }
    closeSync(tfd);
    renameSync(temp, path);
    replaceWith(openSync(path, 'a'), Buffer.byteLength(text));
  };

  /**
   * A rewrite under way off the event loop: its temp file is written and flushed by the thread pool
   * while commits go on being appended to the journal, and into `tail` (written to the temp file
   * too). Once the temp file is on the disk, the rest of the tail is appended to it and it is renamed
   * over the journal, in one task: every commit is in the journal in place before and after the
   * rename. A kill before the rename leaves the old journal whole (and a temp file, deleted at the
   * next open).
   */
  let compacting: { temp: string; tfd: number; tail: string } | undefined;
  /** Drops the rewrite under way; its next callback closes and deletes its temp file (never while a write to it is in flight). */
  const abortCompaction = (): void => {
    compacting = undefined;
    rewriteEnded();
  };
  const compactInBackground = (): void => {
    const job = { temp: tempPath(), tfd: -1, tail: '' };
    compacting = job;
    const text = snapshot();
    const drop = (): void => {
      if (compacting === job) {
        compacting = undefined;
        retryAt = 2 * journalSize;
        rewriteEnded();
      }
      const temp = job.temp;
      if (job.tfd >= 0) close(job.tfd, () => rm(temp, { force: true }, noop));
      else rm(temp, { force: true }, noop);
    };
    /** Renames the temp file (`size` bytes so far) over the journal, with what was committed since its last write. */
    const finish = (size: number): void => {
      try {
        if (job.tail) {
          const bytes = Buffer.byteLength(job.tail);
          if (writeSync(job.tfd, job.tail) < bytes) return drop();
          size += bytes;
        }
        renameSync(job.temp, path);
      } catch {
        return drop();
      }
      compacting = undefined;
      // What finish wrote is not flushed in the new file yet: the next flush does it (see `held`).
      replaceWith(job.tfd, size);
      dirty = true;
      rewriteEnded();
    };
    open(job.temp, TEMP_FLAGS, (error, tfd) => {
      if (error) return drop();
      job.tfd = tfd;
      if (compacting !== job) return drop();
      let size = 0;
      // The snapshot, then what was committed while it was written (a few times at most: commits keep
      // coming), so that little is left for the synchronous write in `finish`.
      const next = (chunk: string, round: number): void => {
        const bytes = Buffer.byteLength(chunk);
        write(tfd, chunk, (error, written) => {
          if (error || written < bytes || compacting !== job) return drop();
          size += bytes;
          if (job.tail && round < 4) {
            const tail = job.tail;
            job.tail = '';
            return next(tail, round + 1);
          }
          if (durability === 'none') return finish(size);
          fsync(tfd, (error) => (error || compacting !== job ? drop() : finish(size)));
        });
      };
      next(text, 0);
    });
  };

  let names: string[] = [];
  try {
    names = readdirSync(directory);
  } catch {
    // an unreadable directory: nothing to load; opening the journal below says what is wrong
  }
  // What the previous version stored, one file per key (fileStorage), comes first; the journal is newer.
  const legacy = names.filter((n) => n.endsWith('.json'));
  for (const name of legacy) {
    try {
      map.set(decodeURIComponent(name.slice(0, -5)), readFileSync(join(directory, name), 'utf8'));
    } catch {
      // unreadable or not ours: left alone
    }
  }
  // fileStorage keeps the hub's keys in segment keys (this version) or one per key (earlier ones).
  unpackSegments(map);
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    // Created below: its name is on the disk once the directory is flushed.
    renamed = true;
  }
  const intact = replay(text, map);
  try {
    fd = openSync(path, 'a');
    // Temp files a kill left behind (ours, and fileStorage's), then the old per-key files once moved in.
    for (const name of names) if (name.endsWith('.tmp')) rmSync(join(directory, name), { force: true });
    if (legacy.length || intact < text.length) rewrite();
    else {
      journalSize = Buffer.byteLength(text);
      for (const [k, v] of map) liveSize += k.length + v.length + 16;
    }
    for (const name of legacy) rmSync(join(directory, name), { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (!READ_ONLY.has(code)) throw error;
    // Nothing stored there can be updated: sending it would send it again at every launch.
    map.clear();
    if (fd >= 0) closeSync(fd);
    fd = -1;
    notice = `"${directory}" is read-only (${errorMessage(error)}): the state and outboxes stay in memory for this run, nothing is saved, and what is stored there is left alone; make the directory writable to keep sessions across runs`;
  }

  const sync = (): void => {
    const batch = waiting;
    waiting = [];
    syncing = fd >= 0;
    // Closed meanwhile: closing wrote nothing more, and what was written is with the OS.
    if (fd < 0) return batch.forEach(([resolve]) => resolve());
    const gen = generation;
    const dir = renamed;
    renamed = false;
    let left = dir ? 2 : 1;
    let failure: unknown;
    const done = (error: unknown): void => {
      failure ??= error;
      if (--left) return;
      if (failure && dir) renamed = true;
      // Closed meanwhile (EBADF): what was written is with the OS, as closing leaves it.
      if (fd < 0 || failure) for (const [resolve, reject] of batch) failure && fd >= 0 ? reject(failure) : resolve();
      // A rewrite under way copies these commits into its file, whose last part is flushed only after
      // its rename: they count as done once that file is flushed (see `held`).
      else if (compacting) held.push(...batch);
      // The journal was replaced meanwhile: these commits are in the new file too, flushed with the next.
      else if (gen != generation) waiting.push(...batch);
      else for (const [resolve] of batch) resolve();
      // The next flush starts after the commits of this turn of the event loop (a burst ready to run
      // joins it): fewer fsyncs, each of which costs the disk a journal commit.
      if (waiting.length) setImmediate(sync);
      else syncing = false;
    };
    fsyncFd(fd, done);
    if (dir) syncDirectory(done);
  };
  /** Flushes the directory, so that a rename (or the journal's creation) survives a power loss; where directories cannot be opened (Windows), nothing. */
  const syncDirectory = (done: (error: unknown) => void): void =>
    open(directory, 'r', (error, dfd) => {
      if (error) return done(null);
      fsync(dfd, (error) => {
        close(dfd, noop);
        done(error && !NO_DIRECTORY_SYNC.has(error.code ?? '') ? error : null);
      });
    });
  let dirty = false;
  let timer: ReturnType<typeof setInterval> | undefined;
  if (durability === 'interval' && fd >= 0) {
    timer = setInterval(() => {
      if (!dirty || fd < 0) return;
      dirty = false;
      fsyncFd(fd, noop);
      if (renamed) syncDirectory((error) => void (renamed = !!error));
      renamed = false;
    }, syncIntervalMs);
    timer.unref();
  }

  const apply = (writes: readonly StorageWrite[]): void => {
    for (const [k, v] of writes) {
      const old = map.get(k);
      if (old !== undefined) liveSize -= k.length + old.length + 16;
      if (v === null) map.delete(k);
      else {
        map.set(k, v);
        liveSize += k.length + v.length + 16;
      }
    }
  };

  const commit = (writes: readonly StorageWrite[]): void | Promise<void> => {
    if (fd < 0) return apply(writes);
    if (broken) {
      // A failed write left bytes it could not cut off: the journal is written afresh, values whole.
      apply(writes);
      rewrite();
    } else {
      let body = '';
      // A value written again (the hub's state) as a patch of the one before; a rewrite writes it whole.
      for (const w of writes) body += encodeWrite(w[0], w[1], patchFor(w, map.get(w[0])));
      const text = record(body);
      const bytes = Buffer.byteLength(text);
      let written = 0;
      try {
        written = writeSync(fd, text);
        if (written < bytes) throw Object.assign(new Error(`ENOSPC: no space left on device, wrote ${written} of ${bytes} bytes`), { code: 'ENOSPC' });
      } catch (error) {
        // A full disk may take part of the record: cut it off, or rewrite the journal next time.
        try {
          ftruncateSync(fd, journalSize);
        } catch {
          broken = true;
        }
        // Not applied: the next patches are made against what the journal holds.
        throw error;
      }
      apply(writes);
      journalSize += bytes;
      if (compacting) compacting.tail += text;
      else if (journalSize > Math.max(COMPACT_MIN, COMPACT_RATIO * liveSize, retryAt)) compactInBackground();
    }
    if (durability === 'commit') {
      return new Promise<void>((resolve, reject) => {
        waiting.push([resolve, reject]);
        if (!syncing) sync();
      });
    }
    dirty = true;
  };

  return {
    notice,
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => commit([[key, value]]),
    removeItem: (key) => commit([[key, null]]),
    commit,
    keys: () => [...map.keys()],
    compact() {
      if (fd >= 0) rewrite();
    },
    close() {
      clearInterval(timer);
      abortCompaction();
      if (fd >= 0) flushing.has(fd) ? retired.add(fd) : closeSync(fd);
      fd = -1;
    },
  };
}

