import { closeSync, fsync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../describe-value';
import { decodeWrites, encodeWrite } from '../storage/record-codec';
import { unpackSegments } from '../storage/segment-log';
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
/** … and past this many characters. */
const COMPACT_MIN = 256 * 1024;

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

/**
 * A storage for Node (servers, CLIs): an append-only journal in `directory`. Each commit of the hub
 * (everything one burst of calls produced: the kits' outbox records, then the hub's state) is one
 * record appended with one write, so a process killed at any instant leaves every completed commit
 * and nothing of a torn one. Delivered items are removed by the next commit's record, a few bytes,
 * and the journal is rewritten from the live data (a temp file, then a rename) once it has grown to
 * several times their size. The durability setting says when a commit also reaches the disk
 * (see {@link Durability}).
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
  let seq = 0;

  /** Writes the live data as a fresh journal: a temp file, flushed, then renamed over the old one. */
  const rewrite = (): void => {
    let body = '';
    for (const [k, v] of map) body += encodeWrite(k, v);
    const text = body ? record(body) : '';
    const temp = `${path}.${process.pid}.${++seq}.tmp`;
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
    if (fd >= 0) closeSync(fd);
    fd = openSync(path, 'a');
    journalSize = Buffer.byteLength(text);
    liveSize = text.length;
    broken = false;
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

  // Group commit: one fsync at a time; the commits written while it runs wait for the next one.
  let syncing = false;
  let waiting: Array<[() => void, (error: unknown) => void]> = [];
  const sync = (): void => {
    const batch = waiting;
    waiting = [];
    // Closed meanwhile: closing wrote nothing more, and what was written is with the OS.
    if (fd < 0) return batch.forEach(([resolve]) => resolve());
    syncing = true;
    fsync(fd, (error) => {
      syncing = false;
      // Closed meanwhile (EBADF): what was written is with the OS, as closing leaves it.
      for (const [resolve, reject] of batch) error && fd >= 0 ? reject(error) : resolve();
      if (waiting.length) sync();
    });
  };
  let dirty = false;
  let timer: ReturnType<typeof setInterval> | undefined;
  if (durability === 'interval' && fd >= 0) {
    timer = setInterval(() => {
      if (!dirty || fd < 0) return;
      dirty = false;
      fsync(fd, () => {});
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
    let body = '';
    // A value written again (the hub's state) as a patch of the one before; a rewrite writes it whole.
    for (const [k, v] of writes) body += encodeWrite(k, v, map.get(k));
    const text = record(body);
    apply(writes);
    if (broken || journalSize + text.length > Math.max(COMPACT_MIN, COMPACT_RATIO * liveSize)) rewrite();
    else {
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
        throw error;
      }
      journalSize += bytes;
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
      if (fd >= 0) closeSync(fd);
      fd = -1;
    },
  };
}

