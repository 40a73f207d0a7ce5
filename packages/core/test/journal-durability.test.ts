/**
 * The journal's durability settings (issue 14: "fsync per commit, per interval, or none"), checked on
 * the file-system calls it makes. `node:fs` is the real one, each call recorded in order as it is made
 * and as it completes: a commit counts as saved (its promise resolves) only once the disk has its
 * bytes and the name of the file that holds them.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createNodeHub, journalStorage } from '@sessionhub/core/node';

/** One file-system call of the journal: `file` is what the descriptor or path is at that moment. */
interface FsEvent {
  readonly op: 'write' | 'fsync-start' | 'fsync-end' | 'fsyncSync' | 'rename' | 'create' | 'resolved' | 'rejected';
  readonly file?: 'journal' | 'temp' | 'directory' | 'other';
  readonly fd?: number;
  /** For `resolved` / `rejected`: the commit's number. */
  readonly commit?: number;
  readonly error?: string;
}

const trace = vi.hoisted(() => ({
  events: [] as FsEvent[],
  /** The directory of the journal under test: calls on other paths are not recorded. */
  dir: '',
  /** Descriptor → path, as opened (renames move them). */
  paths: new Map<number, string>(),
  /** Errors the next journal fsyncs fail with, in order. */
  failNext: [] as string[],
}));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const kind = (path: string | undefined): FsEvent['file'] =>
    path === undefined || !trace.dir || !path.startsWith(trace.dir)
      ? 'other'
      : path === trace.dir
        ? 'directory'
        : path.endsWith('.tmp')
          ? 'temp'
          : path.endsWith('sessionhub.journal')
            ? 'journal'
            : 'other';
  const record = (event: FsEvent): void => void (event.file !== 'other' && trace.events.push(event));
  const fdKind = (fd: number): FsEvent['file'] => kind(trace.paths.get(fd));
  type Callback = (error: NodeJS.ErrnoException | null, ...rest: any[]) => void;
  return {
    ...fs,
    openSync(path: string, ...rest: any[]) {
      const existed = fs.existsSync(path);
      const fd = (fs.openSync as (...a: any[]) => number)(path, ...rest);
      trace.paths.set(fd, String(path));
      if (!existed) record({ op: 'create', file: kind(String(path)), fd });
      return fd;
    },
    open(path: string, ...rest: any[]) {
      const callback = rest.pop() as Callback;
      const existed = fs.existsSync(path);
      (fs.open as (...a: any[]) => void)(path, ...rest, (error: NodeJS.ErrnoException | null, fd: number) => {
        if (!error) {
          trace.paths.set(fd, String(path));
          if (!existed) record({ op: 'create', file: kind(String(path)), fd });
        }
        callback(error, fd);
      });
    },
    writeSync(fd: number, ...rest: any[]) {
      const n = (fs.writeSync as (...a: any[]) => number)(fd, ...rest);
      record({ op: 'write', file: fdKind(fd), fd });
      return n;
    },
    write(fd: number, ...rest: any[]) {
      const callback = rest.pop() as Callback;
      (fs.write as (...a: any[]) => void)(fd, ...rest, (error: NodeJS.ErrnoException | null, ...result: any[]) => {
        if (!error) record({ op: 'write', file: fdKind(fd), fd });
        callback(error, ...result);
      });
    },
    fsync(fd: number, callback: Callback) {
      const file = fdKind(fd);
      record({ op: 'fsync-start', file, fd });
      const injected = file === 'journal' ? trace.failNext.shift() : undefined;
      fs.fsync(fd, (error) => {
        const failure = error ?? (injected ? Object.assign(new Error(`${injected}: injected`), { code: injected }) : null);
        record({ op: 'fsync-end', file, fd, error: failure?.code });
        callback(failure);
      });
    },
    fsyncSync(fd: number) {
      fs.fsyncSync(fd);
      record({ op: 'fsyncSync', file: fdKind(fd), fd });
    },
    renameSync(from: string, to: string) {
      fs.renameSync(from, to);
      for (const [fd, path] of trace.paths) if (path === String(from)) trace.paths.set(fd, String(to));
      record({ op: 'rename', file: kind(String(to)) });
    },
  };
});

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  trace.events.length = 0;
  trace.failNext.length = 0;
  trace.dir = '';
});
const traced = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'sessionhub-durability-'));
  dirs.push(dir);
  trace.dir = dir;
  trace.events.length = 0;
  return dir;
};

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Makes commits on `storage`, each one's write and resolution in the trace. */
function committer(storage: ReturnType<typeof journalStorage>) {
  let n = 0;
  const writes = new Map<number, number>();
  const pending: Array<Promise<void> | void> = [];
  return {
    writes,
    pending,
    commit(entries: ReadonlyArray<[string, string | null]>): Promise<void> | void {
      const i = ++n;
      const before = trace.events.length;
      const r = storage.commit!(entries);
      const at = trace.events.findIndex((e, j) => j >= before && e.op == 'write' && e.file == 'journal');
      expect(at, `commit ${i} was written to the journal in the call`).toBeGreaterThanOrEqual(0);
      writes.set(i, at);
      if (r) {
        const p = r.then(
          () => void trace.events.push({ op: 'resolved', commit: i }),
          (error: NodeJS.ErrnoException) => void trace.events.push({ op: 'rejected', commit: i, error: error.code }),
        );
        pending.push(p);
        return p;
      }
      pending.push(r);
      return r;
    },
  };
}

/** Index of the first event at or after `from` that matches. */
const find = (from: number, to: number, match: (e: FsEvent, at: number) => boolean): number => {
  for (let i = from; i < to; i++) if (match(trace.events[i]!, i)) return i;
  return -1;
};

/**
 * `'commit'`: every commit resolved only after its bytes and the journal's name were flushed — an
 * fsync of the journal begun after its write (and after the journal was last renamed or created) had
 * ended without error, and, once the journal was renamed or created, a flush of the directory begun
 * after that; and the journal is never flushed twice at once (group commit).
 */
function checkCommitDurability(writes: ReadonlyMap<number, number>): void {
  const events = trace.events;
  for (const [i, w] of writes) {
    const res = events.findIndex((e) => e.op == 'resolved' && e.commit == i);
    if (res < 0) continue;
    // The last time the journal's name changed before the resolution: a rename over it, or its creation.
    let named = -1;
    for (let j = 0; j < res; j++) if ((events[j]!.op == 'rename' || events[j]!.op == 'create') && events[j]!.file == 'journal') named = j;
    const after = Math.max(w, named) + 1;
    const flushed = find(after, res, (e, at) => e.op == 'fsync-start' && e.file == 'journal' && endsWell(e.fd!, at, res));
    expect(flushed, `commit ${i} resolved with no flush of the journal begun after its write`).toBeGreaterThan(0);
    if (named >= 0) {
      const dirFlush = find(named + 1, res, (e) => e.op == 'fsync-end' && e.file == 'directory' && !e.error);
      expect(dirFlush, `commit ${i} resolved before the directory was flushed after the journal's rename`).toBeGreaterThan(0);
    }
  }
  // One flush of the journal at a time.
  let inFlight = 0;
  for (const e of events) {
    if (e.file != 'journal') continue;
    if (e.op == 'fsync-start') expect(++inFlight, 'two flushes of the journal at once').toBe(1);
    if (e.op == 'fsync-end') inFlight--;
  }
}

/** Whether the flush of `fd` that started at `start` ended, without error, before `to`. */
function endsWell(fd: number, start: number, to: number): boolean {
  const end = find(start + 1, trace.events.length, (e) => e.op == 'fsync-end' && e.fd === fd && e.file == 'journal');
  return end > start && end < to && !trace.events[end]!.error;
}

describe("journalStorage durability 'commit' (the default): a commit counts as saved once it is on the disk", () => {
  it('resolves a commit only after the flush of its write and of the journal’s new name', async () => {
    const dir = traced();
    const s = journalStorage(dir);
    const c = committer(s);
    const p = c.commit([['ns:state', '{"a":1}']]);
    expect(p).toBeInstanceOf(Promise);
    // Written before the call returned (a killed process loses nothing), not flushed yet.
    expect(trace.events.filter((e) => e.op == 'write' && e.file == 'journal')).toHaveLength(1);
    expect(trace.events.some((e) => e.op == 'resolved')).toBe(false);
    await p;
    checkCommitDurability(c.writes);
    // The journal was created by this storage: its name is flushed too (the directory), once.
    expect(trace.events.filter((e) => e.op == 'fsync-end' && e.file == 'directory')).toHaveLength(1);
    await c.commit([['ns:state', '{"a":2}']]);
    checkCommitDurability(c.writes);
    expect(trace.events.filter((e) => e.op == 'fsync-end' && e.file == 'directory')).toHaveLength(1);
    s.close();
  });

  it('group commit: a burst of commits shares at most two flushes, and commits made during a flush wait for the next one', async () => {
    const dir = traced();
    const s = journalStorage(dir);
    const c = committer(s);
    await c.commit([['ns:state', '{"a":0}']]);
    const start = trace.events.length;
    for (let i = 1; i <= 20; i++) c.commit([[`ns:kit:a:outbox:${i}`, `{"n":${i}}`], ['ns:state', `{"a":${i}}`]]);
    await Promise.all(c.pending);
    const flushes = trace.events.slice(start).filter((e) => e.op == 'fsync-start' && e.file == 'journal');
    // The first commit's flush begins at once; the 19 written while it runs share the next.
    expect(flushes).toHaveLength(2);
    checkCommitDurability(c.writes);
    s.close();
  });

  it('a flush that fails rejects the commits waiting for it, and the next flush saves the next commit', async () => {
    const dir = traced();
    const s = journalStorage(dir);
    const c = committer(s);
    await c.commit([['ns:state', '{"a":0}']]);
    trace.failNext.push('EIO');
    // (The committer records how each commit ended.)
    await c.commit([['ns:state', '{"a":1}']]);
    expect(trace.events.at(-1)).toEqual({ op: 'rejected', commit: 2, error: 'EIO' });
    await c.commit([['ns:state', '{"a":2}']]);
    expect(trace.events.filter((e) => e.op == 'rejected').map((e) => e.commit)).toEqual([2]);
    checkCommitDurability(c.writes);
    s.close();
    // What was written stays readable: the failed flush did not lose the journal's contents.
    const reopened = journalStorage(dir, { durability: 'none' });
    expect(reopened.getItem('ns:state')).toBe('{"a":2}');
    reopened.close();
  });

  it('property: whatever the commits, bursts, waits, rewrites (compact) and background rewrites, no commit resolves before it is on the disk, and every resolved commit reads back', async () => {
    type Step = { kind: 'burst'; size: number; big: boolean } | { kind: 'turn' } | { kind: 'settle' } | { kind: 'compact' };
    const step = fc.oneof(
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('burst' as const), size: fc.integer({ min: 1, max: 6 }), big: fc.boolean() }) },
      { weight: 3, arbitrary: fc.constant({ kind: 'turn' as const }) },
      { weight: 2, arbitrary: fc.constant({ kind: 'settle' as const }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'compact' as const }) },
    );
    // Values of 160 KB overwritten: the journal passes its rewrite size (1 MB) and rewrites itself in
    // the background while commits go on.
    const big = (n: number): string => `${n}:`.padEnd(160_000, 'x');
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), async (steps: Step[]) => {
        const dir = traced();
        const s = journalStorage(dir);
        const c = committer(s);
        const expected = new Map<string, string>();
        let n = 0;
        for (const st of steps) {
          if (st.kind == 'burst') {
            for (let i = 0; i < st.size; i++) {
              n++;
              const entries: Array<[string, string | null]> = [
                [`ns:kit:a:outbox:${n}`, `{"n":${n}}`],
                [`ns:kit:a:outbox:${n - 2}`, null],
                ['ns:state', `{"clock":${1_764_900_000_000 + n},"n":${n}}`],
              ];
              if (st.big) entries.push(['ns:big', big(n)]);
              for (const [k, v] of entries) v === null ? expected.delete(k) : expected.set(k, v);
              void c.commit(entries);
            }
          } else if (st.kind == 'turn') await turn();
          else if (st.kind == 'settle') await Promise.all(c.pending);
          else s.compact!();
        }
        await Promise.all(c.pending);
        expect(trace.events.filter((e) => e.op == 'rejected')).toEqual([]);
        checkCommitDurability(c.writes);
        s.close();
        const reopened = journalStorage(dir, { durability: 'none' });
        expect(new Map(reopened.keys().map((k) => [k, reopened.getItem(k)]))).toEqual(expected);
        reopened.close();
        rmSync(dir, { recursive: true, force: true });
      }),
      { numRuns: 25 },
    );
  }, 60_000);

  it('a rewrite flushes its file before it renames it over the journal, in the foreground (compact) and in the background', async () => {
    const dir = traced();
    const s = journalStorage(dir);
    const c = committer(s);
    await c.commit([['ns:state', '{"a":0}']]);
    s.compact!();
    const sync = trace.events.findIndex((e) => e.op == 'fsyncSync' && e.file == 'temp');
    expect(sync).toBeGreaterThan(0);
    expect(trace.events.findIndex((e) => e.op == 'rename' && e.file == 'journal')).toBeGreaterThan(sync);
    // In the background: big values overwritten until the journal passes its rewrite size.
    trace.events.length = 0;
    for (let i = 0; i < 12; i++) void c.commit([['ns:big', `${i}:`.padEnd(160_000, 'x')]]);
    await Promise.all(c.pending);
    for (let i = 0; i < 200 && !trace.events.some((e) => e.op == 'rename'); i++) await turn();
    const renamed = trace.events.findIndex((e) => e.op == 'rename' && e.file == 'journal');
    expect(renamed).toBeGreaterThan(0);
    expect(find(0, renamed, (e) => e.op == 'fsync-end' && e.file == 'temp' && !e.error)).toBeGreaterThanOrEqual(0);
    // The commit after the rename waits for the new journal and the directory to be flushed.
    await c.commit([['ns:state', '{"a":1}']]);
    checkCommitDurability(c.writes);
    s.close();
  });
});

describe("journalStorage durability 'interval' and 'none'", () => {
  it("'interval': commits return at once, written; the journal is flushed within the interval after a write, and not while nothing is written", async () => {
    const dir = traced();
    const s = journalStorage(dir, { durability: 'interval', syncIntervalMs: 20 });
    const c = committer(s);
    expect(c.commit([['ns:state', '{"a":1}']])).toBeUndefined();
    const written = trace.events.findIndex((e) => e.op == 'write' && e.file == 'journal');
    expect(find(written, trace.events.length, (e) => e.op == 'fsync-start' && e.file == 'journal')).toBe(-1);
    // Timers of a loaded machine run late: wait for the flush up to 2 s, then for a quiet 200 ms.
    for (let i = 0; i < 100 && find(written, trace.events.length, (e) => e.op == 'fsync-end' && e.file == 'journal') < 0; i++) await wait(20);
    expect(find(written, trace.events.length, (e) => e.op == 'fsync-end' && e.file == 'journal' && !e.error)).toBeGreaterThan(written);
    const flushed = trace.events.length;
    await wait(200);
    expect(trace.events.slice(flushed).filter((e) => e.op == 'fsync-start')).toEqual([]);
    s.close();
  });

  it("'interval': close() flushes what was written since the last flush, so a run that ends at once has it on the disk", () => {
    const dir = traced();
    const s = journalStorage(dir, { durability: 'interval', syncIntervalMs: 60_000 });
    expect(committer(s).commit([['ns:state', '{"a":1}']])).toBeUndefined();
    const written = trace.events.findIndex((e) => e.op == 'write' && e.file == 'journal');
    s.close();
    expect(find(written, trace.events.length, (e) => e.op == 'fsyncSync' && e.file == 'journal')).toBeGreaterThan(written);
  });

  it("createNodeHub with 'interval': shutdown() flushes the journal and leaves the directory to the next process", async () => {
    const dir = traced();
    const hub = createNodeHub({ dir, durability: 'interval', shutdownSignals: [], shutdownOnIdleExit: false, logger: { debug() {}, info() {}, warn() {}, error() {} } });
    await hub.start();
    hub.logEvent('command_run');
    await hub.shutdown();
    const lastWrite = trace.events.map((e) => e.op == 'write' && e.file == 'journal').lastIndexOf(true);
    expect(lastWrite).toBeGreaterThan(0);
    expect(find(lastWrite, trace.events.length, (e) => e.op == 'fsyncSync' && e.file == 'journal')).toBeGreaterThan(lastWrite);
    expect(existsSync(join(dir, 'sessionhub.lock'))).toBe(false);
  });

  it("'none': nothing is flushed, neither commits nor rewrites nor close(), and every commit is written before the call returns", async () => {
    const dir = traced();
    const s = journalStorage(dir, { durability: 'none' });
    const c = committer(s);
    for (let i = 0; i < 8; i++) expect(c.commit([['ns:big', `${i}:`.padEnd(160_000, 'x')], ['ns:state', `{"a":${i}}`]])).toBeUndefined();
    s.compact!();
    for (let i = 0; i < 20; i++) await turn();
    await wait(50);
    expect(trace.events.filter((e) => e.op == 'write' && e.file == 'journal').length).toBeGreaterThanOrEqual(8);
    // Closing flushes nothing either: a flush of megabytes the OS would write back anyway can take
    // seconds on a slow disk, at every close.
    s.close();
    expect(trace.events.filter((e) => e.op == 'fsync-start' || e.op == 'fsyncSync')).toEqual([]);
    const reopened = journalStorage(dir, { durability: 'none' });
    expect(reopened.getItem('ns:state')).toBe('{"a":7}');
    reopened.close();
  });
});
