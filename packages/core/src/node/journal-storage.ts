import { close, closeSync, constants, fsync, fsyncSync, ftruncateSync, linkSync, mkdirSync, open, openSync, read, readdirSync, readFileSync, readSync, renameSync, rm, rmSync, write, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../describe-value';
import { message } from '../messages';
import { decodeWrites, encodeWrite, scanWrites } from '../storage/record-codec';
import { patchFor, unpackSegments } from '../storage/segment-log';
import { fileStorageKey } from './file-storage';
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
/**
 * The directory's owner: `<pid> <start time>` of the process that has its journal open. A second
 * process appending to the same journal (Node cluster workers, a new process started while the old
 * one still shuts down) would patch values it did not read and rename rewrites over the other's
 * appends: state no process wrote, commits lost after they resolved.
 */
const LOCK = 'sessionhub.lock';
/** When process `pid` started (Linux: clock ticks since boot), so that a pid used again later is not taken for it; '' elsewhere. */
const startOf = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()!.split(' ')[19] ?? '';
  } catch {
    return '';
  }
};
/** The live process other than this one that a lock's text names, or 0 (none: it ended, or it was this one). */
const holder = (text: string): number => {
  const [pid, start = ''] = text.split(' ');
  const n = Number(pid);
  if (!Number.isSafeInteger(n) || n <= 0 || n === process.pid) return 0;
  try {
    process.kill(n, 0);
  } catch (error) {
    // EPERM: alive, another user's.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return 0;
  }
  return startOf(n) === start ? n : 0;
};
/** The journal is rewritten from the live data when it grows past this many times their size … */
const COMPACT_RATIO = 8;
/**
 * … and past this many bytes. Each rewrite creates, flushes and renames a file and frees the old
 * one's blocks (a few ms of the disk's time); at 256 KB that came every ~200 events in bursts and
 * cost more than everything else the journal did. Opening reads it whole: ~10 ms for 400 KB on a
 * busy 2-core machine, so ~25 ms at 1 MB.
 */
const COMPACT_MIN = 1024 * 1024;

/**
 * Numbers the temp files of this process's rewrites. Per process, not per journal: a journal closed
 * mid-rewrite deletes its temp file after the next one on the directory opened, which would be that
 * one's own temp file under the same name (its rewrite then fails, and the journal grows to twice
 * its size before the next).
 */
let tempSeq = 0;

/** A record: `#<body length>\n<body>\n`; one whose body or final newline is missing was torn by a kill. */
const record = (body: string): string => `#${body.length}\n${body}\n`;

/**
 * A value at least this long, written whole and in ASCII the first time its key is stored (an outbox
 * item: written once, then removed), is kept on the disk only: in memory, its place in the journal
 * (see {@link LINE}) instead of its text. Values written again (the hub's state, an outbox's index)
 * stay in memory: the next is written as a patch of them.
 */
const ON_DISK_MIN = 128;
/** A value kept on the disk only: the byte offset of its write's line in the journal × LINE + its length. */
const LINE = 2 ** 21;

/** Where each record of `text` (up to `end`) last wrote each key whole (line, value length); keys it removed or patched since are left out. */
function wholeWrites(text: string, end: number): Map<string, [line: number, length: number]> {
  const last = new Map<string, [number, number]>();
  for (let pos = 0; pos < end; ) {
    const nl = text.indexOf('\n', pos);
    const start = nl + 1;
    const stop = start + Number(text.slice(pos + 1, nl));
    scanWrites(text, start, stop, (sign, key, at, next, value) => void (sign == '+' ? last.set(key, [at, next - value]) : last.delete(key)));
    pos = stop + 1;
  }
  return last;
}

/**
 * Reads a journal into `map`. Returns the length of the intact prefix: a record torn by a kill
 * mid-write, and anything after it, is not applied.
 */
function replay(text: string, map: Map<string, string | number>): number {
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    if (text[pos] !== '#' || nl < 0) break;
    const length = Number(text.slice(pos + 1, nl));
    const start = nl + 1;
    const end = start + length;
    if (!Number.isSafeInteger(length) || text[end] !== '\n') break;
    // (Read at open: every value is text yet.)
    const writes = decodeWrites(text, start, end, (k) => map.get(k) as string | undefined);
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
/** A disk (or quota) that is full now and may have room later. */
const FULL = new Set(['ENOSPC', 'EDQUOT']);
/** The error of a write the disk took only `written` of `bytes` of. */
const noSpace = (written: number, bytes: number): Error => Object.assign(new Error(`ENOSPC: no space left on device, wrote ${written} of ${bytes} bytes`), { code: 'ENOSPC' });
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
 * when a commit also reaches the disk (see {@link Durability}). Outbox items (long values written
 * once) are kept on the disk only, not in memory as well: reading one back reads the journal.
 *
 * Opening it reads the journal, moves in what an earlier version stored as one file per key
 * ({@link fileStorage}), and deletes temp files a kill left behind. A directory that cannot be
 * created throws; one that exists but cannot be written (read-only) is reported once by the hub,
 * and the data then stays in memory for the run. On a full disk, what the open would rewrite (files
 * of an earlier version, a torn record) is rewritten by the first commit that finds room.
 *
 * One process at a time: the one that opens the directory names itself in `sessionhub.lock` until
 * `close()` or its end. Another process opening it meanwhile (cluster workers sharing a directory)
 * reads nothing there and keeps its data in memory; the hub reports it once (SH112). A lock left by
 * a process that ended is taken over.
 *
 * @example
 * const hub = createHub({ storage: journalStorage('.sessionhub', { durability: 'interval' }) });
 */
export function journalStorage(directory: string, options: JournalStorageOptions = {}): JournalStorage {
  const durability = options.durability ?? 'commit';
  const syncIntervalMs = options.syncIntervalMs ?? 1000;
  mkdirSync(directory, { recursive: true });
  const path = join(directory, JOURNAL);
  /** The live data: each key's value, or where it is in the journal (see {@link ON_DISK_MIN}). */
  const map = new Map<string, string | number>();
  /** Values kept on the disk only: a rewrite reads the journal back when there are. */
  let onDisk = 0;
  /** A descriptor to read the journal back, and the journal it reads (see `generation`). */
  let rfd = -1;
  let rgen = -1;
  let notice: string | undefined;
  let fd = -1;
  /** Bytes in the journal file; characters in the live data (with a little for each key). */
  let journalSize = 0;
  let liveSize = 0;
  /** A write failed part-way and could not be cut off, or the rewrite at open could not be made (a full disk): the next commit rewrites the journal. */
  let broken = false;
  /** After a failed background rewrite, the next is tried once the journal has grown to this size. */
  let retryAt = 0;

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

  /** The length of a value, or of one kept on the disk only. */
  const lengthOf = (v: string | number): number => (typeof v == 'string' ? v.length : v % LINE);
  /**
   * The value of `key` kept on the disk only at `loc`: from `source` (the journal from byte `from` on,
   * read in Latin-1: a character per byte) when it holds it, else read from the journal. Its line's
   * head is checked: a place that does not hold this key's write is a defect, thrown, never read as data.
   */
  const readBack = (key: string, loc: number, source = '', from = 0): string => {
    const length = loc % LINE;
    const line = Math.floor(loc / LINE);
    // The head as the journal's bytes read in Latin-1 (a key may be UTF-8).
    const head = Buffer.from(`+${encodeWrite(key, null).slice(1, -1)} ${length}\n`).toString('latin1');
    let text = line < from ? '' : source.slice(line - from, line - from + head.length + length);
    if (text.length < head.length + length) {
      if (rgen !== generation) {
        // Closed off the event loop: the journal it reads may have been replaced, and closing the
        // last descriptor of a deleted file frees its blocks (a few ms).
        if (rfd >= 0) close(rfd, noop);
        // (Not the closed descriptor, should the open throw.)
        rfd = -1;
        rfd = openSync(path, 'r');
        rgen = generation;
      }
      const bytes = Buffer.allocUnsafe(head.length + length);
      text = bytes.toString('latin1', 0, readSync(rfd, bytes, 0, bytes.length, line));
    }
    if (text.length < head.length + length || !text.startsWith(head)) throw new Error(`journalStorage: "${key}" is not where the journal wrote it`);
    return text.slice(head.length);
  };
  /** Values kept on the disk only, back in memory (the journal is closing). */
  const readAllBack = (): void => {
    if (!onDisk) return;
    const source = readFileSync(path, 'latin1');
    for (const [k, v] of map) if (typeof v == 'number') map.set(k, readBack(k, v, source));
    onDisk = 0;
  };

  /**
   * A fresh journal: the live data as one record (values kept on the disk only read back from
   * `source`, the journal in Latin-1), and where each of those will be in it.
   */
  const snapshot = (source: string, from = 0): [text: string, places: Array<[key: string, loc: number]>] => {
    let body = '';
    const places: Array<[string, number]> = [];
    for (const [k, v] of map) {
      if (typeof v == 'string') body += encodeWrite(k, v);
      else {
        places.push([k, body.length * LINE + (v % LINE)]);
        body += encodeWrite(k, readBack(k, v, source, from));
      }
    }
    if (!body) return ['', places];
    const text = record(body);
    const at = text.length - body.length - 1;
    // Character offsets are byte offsets only in ASCII: else counted in bytes, line by line.
    if (Buffer.byteLength(text) === text.length) return [text, places.map(([k, loc]) => [k, loc + at * LINE])];
    let chars = 0;
    let bytes = Buffer.byteLength(text.slice(0, at));
    return [
      text,
      places.map(([k, loc]) => {
        const length = loc % LINE;
        const line = at + Math.floor(loc / LINE);
        bytes += Buffer.byteLength(text.slice(chars || at, line));
        chars = line;
        return [k, bytes * LINE + length];
      }),
    ];
  };
  const tempPath = (): string => `${path}.${process.pid}.${++tempSeq}.tmp`;
  /** Appends (so that a failed write can be cut off, as in the journal), but truncates first (a stale temp file of the same name). */
  const TEMP_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_APPEND;
  /** The journal is now `tfd`, holding `size` bytes; values kept on the disk only are at `places` in it. */
  const replaceWith = (tfd: number, size: number, places: ReadonlyArray<[string, number]>): void => {
    retire(fd);
    fd = tfd;
    journalSize = size;
    // (In order: a later place of a key is of a later write. One that is in memory now, or gone, has none.)
    for (const [k, loc] of places) if (typeof map.get(k) == 'number') map.set(k, loc);
    liveSize = 0;
    for (const [k, v] of map) liveSize += k.length + lengthOf(v) + 16;
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
    const [text, places] = snapshot(onDisk ? readFileSync(path, 'latin1') : '');
    const temp = tempPath();
    const tfd = openSync(temp, 'w');
    try {
      // A disk with room for part of the file takes part of it (a short write, no error): renamed
      // over the journal, that torn record would lose every value and every commit after it.
      const written = writeSync(tfd, text);
      if (written < Buffer.byteLength(text)) throw noSpace(written, Buffer.byteLength(text));
      if (durability !== 'none') fsyncSync(tfd);
    } catch (error) {
      closeSync(tfd);
      rmSync(temp, { force: true });
      throw error;
    }
    closeSync(tfd);
    renameSync(temp, path);
    replaceWith(openSync(path, 'a'), Buffer.byteLength(text), places);
    // What an earlier version stored is in the journal now (see `legacy`), each file forgotten once deleted.
    while (legacy.length) rmSync(join(directory, legacy[0]!), { force: true }), legacy.shift();
  };

  /**
   * A rewrite under way off the event loop: its temp file is written and flushed by the thread pool
   * while commits go on being appended to the journal, and into `tail` (written to the temp file
   * too). Once the temp file is on the disk, the rest of the tail is appended to it and it is renamed
   * over the journal, in one task: every commit is in the journal in place before and after the
   * rename. A kill before the rename leaves the old journal whole (and a temp file, deleted at the
   * next open).
   */
  let compacting: { temp: string; tfd: number; tail: string; size: number; places: Array<[string, number]> } | undefined;
  /** Drops the rewrite under way; its next callback closes and deletes its temp file (never while a write to it is in flight). */
  const abortCompaction = (): void => {
    compacting = undefined;
    rewriteEnded();
  };
  const compactInBackground = (): void => {
    // `size`: bytes of the temp file's snapshot and tail so far, -1 until the snapshot is made; `places`:
    // where the values kept on the disk only will be in it.
    const job = { temp: tempPath(), tfd: -1, tail: '', size: -1, places: [] as Array<[string, number]> };
    compacting = job;
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
      replaceWith(job.tfd, size, job.places);
      dirty = true;
      rewriteEnded();
    };
    const start = (source: string, from: number): void => {
      if (compacting !== job) return drop();
      // The live data now; the commits from here on are its tail.
      let text: string;
      let places: Array<[string, number]>;
      try {
        [text, places] = snapshot(source, from);
      } catch {
        // (A value not where the journal wrote it: no rewrite, and reading it reports the defect.)
        return drop();
      }
      job.size = Buffer.byteLength(text);
      job.places = places;
      job.tail = '';
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
    if (!onDisk) return start('', 0);
    // Values kept on the disk only are read back first, off the event loop, from the first of them
    // on; then what was committed meanwhile (a few rounds at most: commits keep coming), so that
    // little is left to read synchronously as the snapshot is made.
    let from = journalSize;
    for (const v of map.values()) if (typeof v == 'number') from = Math.min(from, Math.floor(v / LINE));
    let source = '';
    open(path, 'r', (error, f) => {
      if (error) return drop();
      const readOn = (round: number): void => {
        const bytes = Buffer.allocUnsafe(Math.max(0, journalSize - from - source.length));
        read(f, bytes, 0, bytes.length, from + source.length, (error, n) => {
          if (!error) source += bytes.toString('latin1', 0, n);
          if (!error && compacting === job && round < 3 && journalSize > from + source.length) return readOn(round + 1);
          close(f, noop);
          error ? drop() : start(source, from);
        });
      };
      readOn(0);
    });
  };

  let names: string[] = [];
  try {
    names = readdirSync(directory);
  } catch {
    // an unreadable directory: nothing to load; opening the journal below says what is wrong
  }
  /**
   * What the previous version stored, one file per key (fileStorage), comes first; the journal is
   * newer. The files are deleted by the rewrite that moves them in.
   */
  const legacy: string[] = [];
  for (const name of names) {
    const key = fileStorageKey(name);
    if (key === undefined) continue;
    try {
      map.set(key, readFileSync(join(directory, name), 'utf8'));
      legacy.push(name);
    } catch {
      // unreadable: left alone
    }
  }
  // fileStorage keeps the hub's keys in segment keys (this version) or one per key (earlier ones).
  unpackSegments(map as Map<string, string>);
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    // Created below: its name is on the disk once the directory is flushed.
    renamed = true;
  }
  const intact = replay(text, map);
  const lockPath = join(directory, LOCK);
  const me = `${process.pid} ${startOf(process.pid)}`;
  /** The live process that holds the directory, or 0 once this one does (or could not say: a full disk). */
  let busy = 0;
  /** Takes the directory: links a file naming this process (atomic: fails if there is one), or, past one whose process ended, its place. */
  const lock = (): void => {
    const mine = `${lockPath}.${process.pid}.tmp`;
    const aside = `${lockPath}.${process.pid}.old.tmp`;
    try {
      // (A few tries: the owner of the moment deletes temp files, ours too, as it opens.)
      for (let tries = 0; tries < 5; tries++) {
        try {
          writeFileSync(mine, me);
          return void linkSync(mine, lockPath);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code == 'ENOENT') continue;
          if (code != 'EEXIST') throw error;
        }
        let held = '';
        try {
          held = readFileSync(lockPath, 'utf8');
        } catch {
          // gone meanwhile: try again
        }
        if ((busy = holder(held))) return;
        // Left by a process that ended: moved aside (where no other can take it) and checked again,
        // in case another process took the place since; put back if so (unless a third took it).
        try {
          renameSync(lockPath, aside);
          busy = holder(readFileSync(aside, 'utf8'));
          if (busy) linkSync(aside, lockPath);
        } catch {
          // moved or taken meanwhile: try again
        }
        rmSync(aside, { force: true });
        if (busy) return;
      }
    } catch (error) {
      // A file this small does not fit (a full disk): opened unlocked, as earlier versions did (the
      // commits cannot be written now either).
      if (!FULL.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    } finally {
      rmSync(mine, { force: true });
    }
  };
  try {
    lock();
    if (busy) throw new Error(LOCK);
    fd = openSync(path, 'a');
    // Temp files a kill left behind (ours, and fileStorage's).
    for (const name of names) if (name.endsWith('.tmp')) rmSync(join(directory, name), { force: true });
    if (legacy.length || intact < text.length) {
      try {
        rewrite();
      } catch (error) {
        // A full disk: the journal opens all the same, in memory, and the next commit tries the
        // rewrite again (`broken`; the old files stay until then), rather than the app not starting.
        if (!FULL.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
        broken = true;
      }
    } else {
      journalSize = Buffer.byteLength(text);
      // An ASCII journal (a character per byte): the values written whole are kept there only, not
      // as slices of the text read, which would keep it all.
      if (journalSize == text.length) {
        for (const [k, [line, length]] of wholeWrites(text, intact)) {
          const v = map.get(k);
          if (typeof v == 'string' && v.length == length && length >= ON_DISK_MIN && length < LINE) map.set(k, line * LINE + length), onDisk++;
        }
      }
      for (const [k, v] of map) liveSize += k.length + lengthOf(v) + 16;
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (!busy && !READ_ONLY.has(code)) throw error;
    // Nothing stored there can be updated: sending it would send it again at every launch (or, in
    // use by another process, it is that process's to send).
    map.clear();
    if (fd >= 0) closeSync(fd);
    fd = -1;
    notice = busy ? message(112, directory, busy) : `"${directory}" is read-only (${errorMessage(error)}): the state and outboxes stay in memory for this run, nothing is saved, and what is stored there is left alone; make the directory writable to keep sessions across runs`;
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
      if (old !== undefined) liveSize -= k.length + lengthOf(old) + 16;
      if (typeof old == 'number') onDisk--;
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
      // A failed write left bytes it could not cut off (or the open could not rewrite): the journal is written afresh, values whole.
      apply(writes);
      rewrite();
    } else {
      let body = '';
      /** Where in `body` each write's line is, when its value may be kept on the disk only (see ON_DISK_MIN); else -1. */
      const lines: number[] = [];
      for (const w of writes) {
        const old = map.get(w[0]);
        // A value written again (the hub's state) as a patch of the one before; a rewrite writes it whole.
        const patch = patchFor(w, typeof old == 'number' ? undefined : old);
        const v = w[1];
        lines.push(old === undefined && patch === undefined && v !== null && v.length >= ON_DISK_MIN && v.length < LINE ? body.length : -1);
        body += encodeWrite(w[0], v, patch);
      }
      const text = record(body);
      const bytes = Buffer.byteLength(text);
      let written = 0;
      try {
        written = writeSync(fd, text);
        if (written < bytes) throw noSpace(written, bytes);
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
      // In an ASCII record a character's offset is its byte's: values written whole are kept there only.
      const job = compacting && compacting.size >= 0 ? compacting : undefined;
      if (bytes == text.length) {
        const at = text.length - body.length - 1;
        for (let i = 0; i < writes.length; i++) {
          const [k, v] = writes[i]!;
          const line = lines[i]!;
          // (The write that left the value stored: a key's last in the commit.)
          if (line < 0 || map.get(k) !== v) continue;
          map.set(k, (journalSize + at + line) * LINE + v!.length);
          onDisk++;
          // Its place in the rewrite under way, where this record goes after the snapshot.
          job?.places.push([k, (job.size + at + line) * LINE + v!.length]);
        }
      }
      journalSize += bytes;
      if (job) {
        job.tail += text;
        job.size += bytes;
      } else if (!compacting && journalSize > Math.max(COMPACT_MIN, COMPACT_RATIO * liveSize, retryAt)) compactInBackground();
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
    getItem(key) {
      const v = map.get(key);
      return v === undefined ? null : typeof v == 'string' ? v : readBack(key, v);
    },
    setItem: (key, value) => commit([[key, value]]),
    removeItem: (key) => commit([[key, null]]),
    commit,
    keys: () => [...map.keys()],
    compact() {
      if (fd >= 0) rewrite();
    },
    close() {
      clearInterval(timer);
      // 'interval': what was written since the last flush reaches the disk now, not whenever the OS
      // writes it back after the process ended (a CLI's last commits, up to ~30 s of a power loss).
      // ('none' leaves it to the OS, here too; 'commit' has flushed, or is flushing, every commit.)
      if (timer && dirty && fd >= 0) {
        try {
          fsyncSync(fd);
        } catch {
          // as a failed interval flush: the bytes are written, only not yet on the disk
        }
      }
      abortCompaction();
      // Later reads and commits use memory: the values kept on the disk only are read back first.
      try {
        if (fd >= 0) readAllBack();
      } catch {
        // The journal is gone (its directory deleted): those values cannot be read any more.
      }
      if (rfd >= 0) close(rfd, noop);
      rfd = -1;
      if (fd >= 0) {
        flushing.has(fd) ? retired.add(fd) : closeSync(fd);
        // The directory is free for another process (unless one took it: a process that ended is seen as such).
        try {
          if (readFileSync(lockPath, 'utf8') === me) rmSync(lockPath);
        } catch {
          // gone with its directory
        }
      }
      fd = -1;
    },
  };
}

