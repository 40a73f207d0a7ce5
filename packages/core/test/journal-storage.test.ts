import { appendFileSync, chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bundleForNode } from '../../../scripts/workspace-sources';
import { createHub, type Kit } from '@sessionhub/core';
import { fileStorage, fileStorageKeys, journalStorage, nodeDefaults } from '@sessionhub/core/node';
import { manualClock, recordingKit } from '@sessionhub/testing';
// By path: @sessionhub/delivery depends on core, so core does not list it as a dependency.
import { createOutbox, type Outbox } from '../../delivery/src/index';
import { SEGMENTS, segmentLog } from '../src/storage/segment-log';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'sessionhub-journal-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) {
    chmodSync(d, 0o755);
    rmSync(d, { recursive: true, force: true });
  }
});
const quiet = () => ({ debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() });

/** A kit with a real outbox whose transport answers `status` and records the event names it was sent. */
function outboxKit(status: number, sent: string[] = []): Kit {
  let outbox: Outbox<{ name: string }> | undefined;
  return {
    name: 'sink',
    async init(context) {
      outbox = createOutbox({
        name: 'sink',
        storage: context.storage,
        clock: context.clock,
        flushIntervalMs: 3_600_000,
        transport: async (request) => {
          if (status === 200) sent.push(...(JSON.parse(request.body!) as Array<{ name: string }>).map((i) => i.name));
          return { status };
        },
        buildRequest: (items) => ({ url: 'https://collector.test/', method: 'POST', headers: {}, body: JSON.stringify(items) }),
      });
      await outbox.load();
    },
    onEvent: (record) => void outbox?.enqueue({ name: record.name }),
    onSessionEnd: (record) => void outbox?.enqueue({ name: `end:${record.reason}` }),
    flush: () => outbox?.flush(),
    getHealth: () => outbox?.health(),
  };
}

describe('journalStorage', () => {
  it('one append per commit; a record torn by a kill is ignored, and the next open cuts it off', () => {
    const dir = tempDir();
    const s = journalStorage(dir);
    s.commit!([
      ['a', '1'],
      ['b', 'two\nlines'],
    ]);
    s.commit!([
      ['a', null],
      ['c', 'é ☃ 3'],
    ]);
    s.close();
    const path = join(dir, 'sessionhub.journal');
    const intact = readFileSync(path, 'utf8');
    // A kill in the middle of the next append: half a record.
    appendFileSync(path, '#40\n+d 5\nhal');
    const reopened = journalStorage(dir);
    expect([reopened.getItem('a'), reopened.getItem('b'), reopened.getItem('c'), reopened.getItem('d')]).toEqual([null, 'two\nlines', 'é ☃ 3', null]);
    reopened.setItem('e', '5');
    reopened.close();
    const again = journalStorage(dir);
    expect(again.getItem('e')).toBe('5');
    expect(again.getItem('b')).toBe('two\nlines');
    // The open rewrote the journal from what was intact, so the torn bytes are gone before the next append.
    expect(intact).toContain('#');
    expect(readFileSync(path, 'utf8')).not.toContain('hal');
    again.close();
  });

  it('appends a value written again as a patch of the one before, and reads it back after a reopen and a rewrite (issue 14)', () => {
    const dir = tempDir();
    const s = journalStorage(dir, { durability: 'none' });
    const state = (t: number, n: number): string => JSON.stringify({ deviceId: 'device-1', clock: t, session: { lastActivity: t, eventIndex: n } });
    s.commit!([['ns:state', state(1_764_900_000_000, 1)]]);
    s.commit!([['ns:kit:a:outbox:1', '{"at":1}'], ['ns:state', state(1_764_900_001_000, 2)]]);
    s.close();
    const path = join(dir, 'sessionhub.journal');
    expect(readFileSync(path, 'utf8')).toMatch(/~ns:state \d+\n1\.h\.1000,2\.z\.1000,3\.d\.2\}\}\n$/);
    const reopened = journalStorage(dir, { durability: 'none' });
    expect(reopened.getItem('ns:state')).toBe(state(1_764_900_001_000, 2));
    reopened.compact!();
    reopened.close();
    expect(readFileSync(path, 'utf8')).not.toContain('~');
    const last = journalStorage(dir, { durability: 'none' });
    expect(last.getItem('ns:state')).toBe(state(1_764_900_001_000, 2));
    last.close();
  });

  it('rewrites itself off the event loop while commits go on: a kill at any moment of the rewrite leaves every commit made, and the rewrite keeps them all', async () => {
    const dir = tempDir();
    const s = journalStorage(dir);
    const path = join(dir, 'sessionhub.journal');
    const big = 'x'.repeat(300_000);
    const expected = new Map<string, string>();
    let n = 0;
    /** One commit as the hub makes them: an item queued, one delivered, the state patched. */
    const commit = (): Promise<void> => {
      n++;
      const writes: Array<[string, string | null]> = [
        [`ns:kit:a:outbox:${n}`, `{"n":${n}}`],
        [`ns:kit:a:outbox:${n - 1}`, null],
        ['ns:state', `{"clock":${1_764_900_000_000 + n},"events":${n}}`],
      ];
      for (const [k, v] of writes) v === null ? expected.delete(k) : expected.set(k, v);
      return s.commit!(writes) as Promise<void>;
    };
    // Large values, removed at once: the journal passes its rewrite size while the live data stay small
    // (in one task: the rewrite this starts cannot end before the first turn below).
    const filled: unknown[] = [];
    for (let i = 0; i < 4; i++) filled.push(s.commit!([[`ns:big:${i}`, big]]), s.commit!([[`ns:big:${i}`, null]]));
    // The commit that passed the rewrite size returned with the journal not rewritten yet (no stall).
    const grown = statSync(path).size;
    expect(grown).toBeGreaterThan(1_000_000);
    let rewritten = false;
    const made: unknown[] = [];
    // Until the journal has been replaced: one commit per turn of the event loop, and after each, the
    // directory as a kill at that instant would leave it (copied: the old journal, the temp file as far
    // as it got), which must open with every commit made;
    // and none of them counts as done before the rewritten file holding it is flushed (after its rename).
    const doneBeforeRename: number[] = [];
    for (let turn = 0; turn < 2_000 && !rewritten; turn++) {
      const at = n + 1;
      made.push(commit().then(() => void (statSync(path).size < grown || doneBeforeRename.push(at))));
      const copy = mkdtempSync(join(tmpdir(), 'sessionhub-journal-kill-'));
      dirs.push(copy);
      cpSync(dir, copy, { recursive: true });
      const opened = journalStorage(copy, { durability: 'none' });
      expect(new Map(opened.keys().map((k) => [k, opened.getItem(k)!]))).toEqual(expected);
      opened.close();
      expect(readdirSync(copy).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      await new Promise((resolve) => setImmediate(resolve));
      rewritten = statSync(path).size < grown;
    }
    expect(rewritten).toBe(true);
    await Promise.all([...filled, ...made]);
    expect(doneBeforeRename).toEqual([]);
    for (let i = 0; i < 3; i++) await commit();
    s.close();
    expect(readdirSync(dir)).toEqual(['sessionhub.journal']);
    const reopened = journalStorage(dir);
    expect(new Map(reopened.keys().map((k) => [k, reopened.getItem(k)!]))).toEqual(expected);
    expect(statSync(path).size).toBeLessThan(100_000);
    reopened.close();
  });

  it('a rewrite under way is dropped for compact() (a deletion) or close(), and its temp file deleted', async () => {
    const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    for (const stop of ['compact', 'close'] as const) {
      const dir = tempDir();
      const s = journalStorage(dir);
      const big = 'x'.repeat(300_000);
      const pending: unknown[] = [];
      for (let i = 0; i < 4; i++) pending.push(s.commit!([[`big:${i}`, big]]), s.commit!([[`big:${i}`, null]]));
      pending.push(s.commit!([['kept', 'before']]));
      // The rewrite has started (past 1 MB); let it create its temp file, then stop it.
      await turn();
      if (stop === 'compact') {
        s.compact!();
        pending.push(s.commit!([['kept', 'after']]));
      } else s.close();
      await Promise.all(pending);
      // (Deleted by the dropped rewrite's own callbacks, in the thread pool: a few ms.)
      for (let i = 0; i < 200 && readdirSync(dir).some((f) => f.endsWith('.tmp')); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      // (The lock names the process that has the journal open: closed, it is deleted.)
      expect(readdirSync(dir).sort()).toEqual(stop === 'compact' ? ['sessionhub.journal', 'sessionhub.lock'] : ['sessionhub.journal']);
      if (stop === 'compact') {
        // Rewritten by compact(): nothing of the removed values lingers.
        expect(readFileSync(join(dir, 'sessionhub.journal'), 'utf8')).not.toContain('xxxx');
        s.close();
      }
      const reopened = journalStorage(dir);
      expect(reopened.keys()).toEqual(['kept']);
      expect(reopened.getItem('kept')).toBe(stop === 'compact' ? 'after' : 'before');
      reopened.close();
    }
  });

  it('a journal opened again in the same process as the one before it closes mid-rewrite: its own rewrite is not undone by the old one deleting its temp file', async () => {
    const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    const dir = tempDir();
    const path = join(dir, 'sessionhub.journal');
    const big = 'x'.repeat(300_000);
    // Past the rewrite size with little live data: the next commit starts a rewrite off the event loop.
    const grow = (s: ReturnType<typeof journalStorage>): number => {
      for (let i = 0; i < 4; i++) void s.commit!([[`big:${i}`, big]]), void s.commit!([[`big:${i}`, null]]);
      return statSync(path).size;
    };
    for (let round = 0; round < 6; round++) {
      const first = journalStorage(dir, { durability: 'none' });
      const grown = grow(first);
      void first.commit!([['kept', String(round)]]);
      // Closed while its rewrite is under way (a hub shut down and another made: tests, a server's reload).
      first.close();
      const s = journalStorage(dir, { durability: 'none' });
      const before = grow(s);
      expect(before).toBeGreaterThan(grown);
      // The new journal's rewrite ends: its file is smaller than 1 MB. Dropped, the next would
      // wait for the journal to double.
      for (let i = 0; i < 400 && statSync(path).size >= before; i++) {
        void s.commit!([['kept', String(round)]]);
        await (i % 20 ? turn() : new Promise((resolve) => setTimeout(resolve, 5)));
      }
      expect(statSync(path).size).toBeLessThan(1024 * 1024);
      expect(s.getItem('kept')).toBe(String(round));
      s.close();
    }
  });

  it('deletes the temp files kills left behind (zero-byte *.tmp of fileStorage and its own)', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'sessionhub%3Astate.json.123.4.tmp'), '');
    writeFileSync(join(dir, 'sessionhub.journal.99.1.tmp'), 'partial');
    journalStorage(dir).close();
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    writeFileSync(join(dir, 'x.json.1.1.tmp'), '');
    fileStorage(dir);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('fileStorageKeys lists the keys a fileStorage holds (any characters), not temp files nor files it did not write; none for a missing directory', () => {
    const dir = tempDir();
    const storage = fileStorage(dir);
    const keys = ['sessionhub:state', 'phone/3/snowplow/outbox:12', 'é ✓ %41 ../x', ''];
    for (const key of keys) void storage.setItem(key, 'v');
    writeFileSync(join(dir, 'sessionhub%3Astate.json.123.4.tmp'), '');
    writeFileSync(join(dir, 'notes.txt'), 'the app\'s');
    writeFileSync(join(dir, '%E0%A4.json'), 'not a name fileStorage writes');
    expect([...fileStorageKeys(dir)].sort()).toEqual([...keys].sort());
    void storage.removeItem('');
    expect([...fileStorageKeys(dir)].sort()).toEqual(keys.slice(0, 3).sort());
    expect([...fileStorageKeys(join(dir, 'none'))]).toEqual([]);
    // Moving them into the journal leaves the files that are not fileStorage's.
    journalStorage(dir).close();
    expect(readdirSync(dir).sort()).toEqual(['%E0%A4.json', 'notes.txt', 'sessionhub.journal']);
  });

  it('moves in what the previous version stored (one file per key): the open session and the queued items survive the upgrade', async () => {
    const dir = tempDir();
    const clock = manualClock();
    const old = createHub({ storage: fileStorage(dir), clock: clock.now, logger: quiet(), kits: [outboxKit(503)] });
    await old.start();
    old.logEvent('a');
    old.logEvent('b');
    await old.flush();
    // One file per key: the launch's record and the events' (two segment keys).
    expect(readdirSync(dir).filter((f) => f.endsWith('.json')).length).toBeGreaterThanOrEqual(2);
    clock.advance(600_000);
    const sent: string[] = [];
    const kit = recordingKit();
    const upgraded = createHub({ ...nodeDefaults({ dir }), resumeOnRelaunch: false, clock: clock.now, logger: quiet(), kits: [kit, outboxKit(200, sent)] });
    await upgraded.start();
    await upgraded.flush();
    expect(kit.ends()).toEqual([expect.objectContaining({ reason: 'recovered', eventCount: 2 })]);
    expect(sent).toEqual(['a', 'b', 'end:recovered']);
    // (The lock: the hub has the journal open.)
    expect(readdirSync(dir).sort()).toEqual(['sessionhub.journal', 'sessionhub.lock']);
  });

  it('moves in what fileStorage held after an outage, spills too: every queued item and the state, nothing else left', () => {
    const dir = tempDir();
    const log = segmentLog(fileStorage(dir), 1);
    const model = new Map<string, string>();
    for (let n = 0; n < 3 * SEGMENTS; n++) {
      const writes: Array<[string, string | null]> = [[`sessionhub:kit:a:outbox:${n}`, `item ${n}`], ['sessionhub:state', `state ${n}`]];
      // Some delivered along the way: their removals hide the values spills still hold.
      if (n % 5 === 4) writes.push([`sessionhub:kit:a:outbox:${n - 4}`, null]);
      log.commit(writes);
      for (const [k, v] of writes) v === null ? model.delete(k) : model.set(k, v);
    }
    expect(readdirSync(dir).some((f) => f.includes('spill'))).toBe(true);
    const journal = journalStorage(dir);
    for (let n = 0; n < 3 * SEGMENTS; n++) expect(journal.getItem(`sessionhub:kit:a:outbox:${n}`)).toBe(model.get(`sessionhub:kit:a:outbox:${n}`) ?? null);
    expect(journal.getItem('sessionhub:state')).toBe(model.get('sessionhub:state'));
    expect(journal.getItem('sessionhub:spills')).toBeNull();
    journal.close();
    expect(readdirSync(dir)).toEqual(['sessionhub.journal']);
  });

  it('a read-only directory: the hub says so once, naming it, and keeps the run in memory', async () => {
    let dir = tempDir();
    writeFileSync(join(dir, 'sessionhub.journal'), '');
    chmodSync(dir, 0o555);
    // root writes anywhere it has a mode for: use a file system that is read-only to everyone.
    if (process.getuid?.() === 0) dir = '/sys/fs';
    const logger = quiet();
    const hub = createHub({ ...nodeDefaults({ dir }), logger });
    // Added right after the hub is made, as an app does: it hears the warning too.
    const warnings: string[] = [];
    hub.on('warning', (w) => warnings.push(w.code));
    await hub.start();
    hub.logEvent('a');
    await hub.flush();
    await hub.shutdown();
    expect(warnings).toEqual(['storage-failure']);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(String(logger.warn.mock.calls[0]!.join(' '))).toMatch(new RegExp(`"${dir}" is read-only .*in memory`));
    expect(existsSync(join(dir, 'sessionhub.journal.tmp'))).toBe(false);
  });
});

/**
 * A real full disk: a 64 KB tmpfs mounted in a mount namespace of its own (`unshare`), where a child
 * process fills it and commits. What it prints: how each step went and what a reopen reads.
 */
const FULL_DISK_CHILD = `
import { appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { journalStorage } from '@sessionhub/core/node';
const dir = process.argv[2];
const out = {};
// Fields that change one at a time, as the hub's state does (each later value is written as a patch).
const state = (a, b) => '{"a":' + a + ',"pad":"' + 'p'.repeat(300) + '","b":' + b + '}';
const item = 'i'.repeat(6000);
const s = journalStorage(dir);
await s.commit([['ns:state', state(1, 1)]]);
// Fill the disk to the last page.
const filler = join(dir, 'filler');
try { for (;;) appendFileSync(filler, 'f'.repeat(1024)); } catch (error) { out.filled = error.code; }
try {
  await s.commit([['ns:kit:a:outbox:1', item], ['ns:state', state(2, 1)]]);
  out.second = 'stored';
} catch (error) {
  out.second = error.code;
}
rmSync(filler);
// The commit pipeline retries the failed writes with what was staged since.
await s.commit([['ns:kit:a:outbox:1', item], ['ns:state', state(2, 3)]]);
s.close();
const reopened = journalStorage(dir);
out.state = reopened.getItem('ns:state') === state(2, 3);
out.item = reopened.getItem('ns:kit:a:outbox:1') === item;
process.stdout.write(JSON.stringify(out));
`;

/**
 * A disk with room for part of a rewrite of the journal (~19 KB of live data, 8 KB free), in a 64 KB
 * tmpfs as above. Modes: `compact` (the hub's compact(), a deletion), `legacy` (an upgrade moving in
 * fileStorage's files), `torn` (a record torn by a kill, on a disk full to the last page). The journal
 * is opened there and commits once; then the disk is freed and it commits again. What it prints: how
 * each step went, whether a reopen reads every value back, and the files left.
 */
const NEARLY_FULL_CHILD = `
import { appendFileSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { fileStorage, journalStorage } from '@sessionhub/core/node';
const [dir, mode] = process.argv.slice(2);
const out = {};
const code = (error) => error.code;
const expected = new Map();
for (let i = 0; i < 6; i++) expected.set('ns:kit:a:outbox:' + i, '{"i":' + i + ',"p":"' + 'x'.repeat(3000) + '"}');
expected.set('ns:state', '{"a":1}');
if (mode === 'legacy') {
  const old = fileStorage(dir);
  for (const [k, v] of expected) old.setItem(k, v);
} else {
  const s = journalStorage(dir);
  for (const [k, v] of expected) await s.commit([[k, v]]);
  s.close();
  if (mode === 'torn') appendFileSync(join(dir, 'sessionhub.journal'), '#40\\n+d 5\\nhal');
}
const filler = join(dir, 'filler');
try { for (;;) appendFileSync(filler, 'f'.repeat(1024)); } catch (error) { out.filled = code(error); }
if (mode !== 'torn') truncateSync(filler, statSync(filler).size - 8192);
let s;
try { s = journalStorage(dir); out.open = 'ok'; } catch (error) { out.open = code(error); }
if (s && mode === 'compact') {
  try { s.compact(); out.compact = 'ok'; } catch (error) { out.compact = code(error); }
}
if (s) {
  try { await s.commit([['ns:state', '{"a":2}']]); out.commit = 'ok'; } catch (error) { out.commit = code(error); }
}
rmSync(filler);
if (s) {
  // The hub's commit pipeline retries the failed commit.
  await s.commit([['ns:state', '{"a":2}']]);
  s.close();
  expected.set('ns:state', '{"a":2}');
}
const reopened = journalStorage(dir);
out.reads = JSON.stringify([...expected].sort()) === JSON.stringify(reopened.keys().sort().map((k) => [k, reopened.getItem(k)]));
reopened.close();
out.files = readdirSync(dir);
process.stdout.write(JSON.stringify(out));
`;

/**
 * A second process on the same directory (a Node cluster worker, a new process started while the old
 * one still shuts down): it opens the journal, commits as the hub does (an item, its state) and, with
 * `compact`, rewrites it (a deletion); with `kill`, it is SIGKILLed instead of closing; with `hold`, it
 * closes once its stdin ends. What it prints:
 * the notice its hub would warn with.
 */
const SECOND_PROCESS_CHILD = `
import { journalStorage } from '@sessionhub/core/node';
const [dir, then] = process.argv.slice(2);
const s = journalStorage(dir);
process.stdout.write(JSON.stringify({ notice: s.notice ?? null }));
await s.commit([['ns:kit:b:outbox:1', 'the second process queued this'], ['ns:state', '{"deviceId":"d2","clock":2000,"n":1}']]);
if (then === 'compact') s.compact();
if (then === 'kill') process.kill(process.pid, 'SIGKILL');
// Held open until told (workers started together): its stdin ends.
if (then === 'hold') await new Promise((resolve) => process.stdin.on('end', resolve).resume());
s.close();
`;

describe('journalStorage: one process per directory', () => {
  it('a second process opening a directory in use keeps its run in memory and says so: the first one’s commits all read back, its state as it wrote it; a directory left by a killed process is taken over', async () => {
    const work = tempDir();
    const script = join(work, 'second-process-child.mjs');
    await bundleForNode({ contents: SECOND_PROCESS_CHILD, resolveDir: fileURLToPath(new URL('.', import.meta.url)) }, script);
    const second = (dir: string, then: string) => spawnSync(process.execPath, [script, dir, then], { encoding: 'utf8' });
    const state = (clock: number, n: number): string => `{"deviceId":"d1","clock":${clock},"n":${n}}`;
    for (const then of ['close', 'compact']) {
      const dir = tempDir();
      const s = journalStorage(dir);
      await s.commit!([['ns:state', state(1000, 1)]]);
      // While this process has the journal open, another opens the directory and commits.
      const run = second(dir, then);
      expect(run.stderr).toBe('');
      // This one goes on: its next commit is patched against the state it wrote.
      await s.commit!([['ns:kit:a:outbox:1', 'queued'], ['ns:state', state(1001, 2)]]);
      s.close();
      const reopened = journalStorage(dir);
      // Was: the other's patch read on top of this one's state (device d2 with this one's clock, a
      // state no process wrote); after its compact(), this one's resolved commit was gone.
      expect(new Map(reopened.keys().map((k) => [k, reopened.getItem(k)])), then).toEqual(new Map([['ns:state', state(1001, 2)], ['ns:kit:a:outbox:1', 'queued']]));
      reopened.close();
      // The other process was told (its hub warns with it, as for a read-only directory).
      expect(JSON.parse(run.stdout).notice).toBe(`"${dir}" is in use by process ${process.pid}: the state and outboxes stay in memory for this run, nothing is saved, and what is stored there is left to that process; give each process a directory of its own (one per cluster worker)`);
    }
    // A process killed with the journal open leaves its lock: the next process takes the directory over.
    const dir = tempDir();
    const killed = second(dir, 'kill');
    expect([killed.signal, JSON.parse(killed.stdout).notice]).toEqual(['SIGKILL', null]);
    expect(readdirSync(dir).sort()).toEqual(['sessionhub.journal', 'sessionhub.lock']);
    const next = journalStorage(dir);
    expect(next.notice).toBeUndefined();
    expect(next.getItem('ns:kit:b:outbox:1')).toBe('the second process queued this');
    next.close();
    expect(readdirSync(dir)).toEqual(['sessionhub.journal']);
  });

  it('processes started together (cluster workers) on a new directory, or on one a killed process left: exactly one of them has it', async () => {
    const work = tempDir();
    const script = join(work, 'second-process-child.mjs');
    await bundleForNode({ contents: SECOND_PROCESS_CHILD, resolveDir: fileURLToPath(new URL('.', import.meta.url)) }, script);
    /** A worker: what it said at open, once it has; and its end, once its stdin is closed. */
    const start = (dir: string) => {
      const child = spawn(process.execPath, [script, dir, 'hold'], { stdio: ['pipe', 'pipe', 'inherit'] });
      const notice = new Promise<string | null>((resolve) => child.stdout.once('data', (c: Buffer) => resolve((JSON.parse(c.toString()) as { notice: string | null }).notice)));
      const exited = new Promise((resolve) => child.on('exit', resolve));
      return { notice, end: () => (child.stdin.end(), exited) };
    };
    const fresh = tempDir();
    const left = tempDir();
    // A lock naming a process that has ended.
    const ended = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(join(left, 'sessionhub.lock'), `${ended} 1`);
    for (const dir of [fresh, left]) {
      const workers = Array.from({ length: 4 }, () => start(dir));
      // All four have the directory open at once.
      const notices = await Promise.all(workers.map((w) => w.notice));
      await Promise.all(workers.map((w) => w.end()));
      expect(notices.filter((n) => n === null)).toHaveLength(1);
      expect(notices.filter((n) => n !== null).every((n) => n!.includes(' is in use by process '))).toBe(true);
      const reopened = journalStorage(dir);
      expect(reopened.getItem('ns:kit:b:outbox:1')).toBe('the second process queued this');
      reopened.close();
      expect(readdirSync(dir)).toEqual(['sessionhub.journal']);
    }
  });
});

describe('journalStorage: values kept on the disk only (issue 14: heap per queued payload)', () => {
  const item = (n: number, length = 200): string => `{"at":${1_764_900_000_000 + n},"item":"${'x'.repeat(length)}"}`;
  // (The journal answers synchronously.)
  const contents = (s: ReturnType<typeof journalStorage>): Map<string, string | null> => new Map(s.keys().map((k) => [k, s.getItem(k) as string | null]));

  /** A journal in `dir` and what it must read back: each commit goes to both, and each check compares them. */
  function modelled(dir: string) {
    let s = journalStorage(dir, { durability: 'none' });
    const expected = new Map<string, string | null>();
    return {
      get storage() {
        return s;
      },
      commit(writes: ReadonlyArray<readonly [string, string | null]>): void {
        // A commit writes a key once (the hub's pipeline stages one value per key).
        const once = [...new Map(writes).entries()];
        void s.commit!(once);
        for (const [k, v] of once) v === null ? expected.delete(k) : expected.set(k, v);
      },
      check: (): void => expect(contents(s)).toEqual(expected),
      reopen(): void {
        s.close();
        s = journalStorage(dir, { durability: 'none' });
      },
      /** The directory as a kill now would leave it opens with every value, read from its journal. */
      killed(): void {
        const copy = mkdtempSync(join(tmpdir(), 'sessionhub-journal-kill-'));
        try {
          cpSync(dir, copy, { recursive: true });
          const opened = journalStorage(copy, { durability: 'none' });
          expect(contents(opened)).toEqual(expected);
          opened.close();
        } finally {
          rmSync(copy, { recursive: true, force: true });
        }
      },
      /** Closed, then opened once more: every value reads back. */
      finish(): void {
        s.close();
        const last = journalStorage(dir, { durability: 'none' });
        expect(contents(last)).toEqual(expected);
        last.close();
      },
    };
  }
  /** Runs `steps` on a journal in a directory of its own, deleted afterwards. */
  async function inFreshDir(steps: (dir: string) => void | Promise<void>): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'sessionhub-journal-disk-'));
    try {
      await steps(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('reads an item back from the journal, where its line says it is: bytes changed there read back changed; a line that is not its own throws', () => {
    const dir = tempDir();
    const s = journalStorage(dir, { durability: 'none' });
    s.commit!([['ns:kit:a:outbox:1', item(1)], ['ns:kit:a:outbox:2', item(2, 10)]]);
    const path = join(dir, 'sessionhub.journal');
    const text = readFileSync(path, 'latin1');
    // The first item (200 characters and more, ASCII, written whole once) is read from the file;
    // the short one stays in memory.
    writeFileSync(path, text.replaceAll('"x', '"y'), 'latin1');
    expect(s.getItem('ns:kit:a:outbox:1')).toBe(item(1).replace('"x', '"y'));
    expect(s.getItem('ns:kit:a:outbox:2')).toBe(item(2, 10));
    writeFileSync(path, text.replace('+ns:kit:a:outbox:1 ', '+ns:kit:a:outbox:9 '), 'latin1');
    expect(() => s.getItem('ns:kit:a:outbox:1')).toThrow(/"ns:kit:a:outbox:1" is not where the journal wrote it/);
    writeFileSync(path, text, 'latin1');
    expect(s.getItem('ns:kit:a:outbox:1')).toBe(item(1));
    // Closed, the journal keeps what it held in memory: its file may go.
    s.close();
    rmSync(path);
    expect(s.getItem('ns:kit:a:outbox:1')).toBe(item(1));
  });

  it('any sequence of commits (items, patched states, removals, non-ASCII values and keys), rewrites and reopens reads back what was written', async () => {
    const key = fc.constantFrom('ns:state', 'ns:kit:a:outbox:meta', 'ns:kit:a:outbox:1', 'ns:kit:a:outbox:2', 'ns:kit:b:outbox:3', 'ns:kit:b:outbox:4', 'ns:kit:é:outbox:5', 'ns:kit:a b%:outbox:6');
    const text = fc
      .tuple(fc.integer({ min: 0, max: 400 }), fc.constantFrom('x', 'é', '☃', ','), fc.integer({ min: 0, max: 9 }))
      .map(([length, odd, n]) => (`{"n":${n},"v":"` + 'a,b'.repeat(Math.ceil(length / 3)).slice(0, length) + '"' + (length % 7 == 0 ? odd : '') + '}'));
    const op = fc.oneof(
      { weight: 6, arbitrary: fc.array(fc.tuple(key, fc.option(text, { freq: 4 })), { minLength: 1, maxLength: 4 }).map((writes) => ({ commit: writes })) },
      { weight: 1, arbitrary: fc.constant('compact' as const) },
      { weight: 1, arbitrary: fc.constant('reopen' as const) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 30 }), (ops) =>
        inFreshDir((dir) => {
          const j = modelled(dir);
          for (const o of ops) {
            if (o === 'compact') j.storage.compact!();
            else if (o === 'reopen') j.reopen();
            else j.commit(o.commit);
            j.check();
          }
          j.finish();
        }),
      ),
      { numRuns: 150 },
    );
  });

  it('any sequence of commits with rewrites off the event loop under way (large values passing the rewrite size), kills and reopens reads back what was written', async () => {
    const key = fc.constantFrom(...Array.from({ length: 12 }, (_, i) => `ns:kit:a:outbox:${i}`), 'ns:state', 'ns:kit:é:outbox:1');
    const text = fc.tuple(fc.integer({ min: 0, max: 900 }), fc.boolean()).map(([length, odd]) => '{"v":"' + 'a,b'.repeat(Math.ceil(length / 3)).slice(0, length) + (odd ? 'é"}' : '"}'));
    const op = fc.oneof(
      { weight: 20, arbitrary: fc.tuple(fc.array(fc.tuple(key, fc.option(text, { freq: 3 })), { minLength: 1, maxLength: 3 }), fc.boolean()).map(([writes, yields]) => ({ writes, yields })) },
      // Past the rewrite size with little live data: a rewrite starts, off the event loop.
      { weight: 2, arbitrary: fc.constant('big' as const) },
      { weight: 1, arbitrary: fc.constant('kill' as const) },
      { weight: 1, arbitrary: fc.constant('reopen' as const) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 50, maxLength: 300 }), (ops) =>
        inFreshDir(async (dir) => {
          const j = modelled(dir);
          for (const o of ops) {
            if (o === 'big') j.commit([['ns:big', 'y'.repeat(600_000)]]), j.commit([['ns:big', null]]);
            else if (o === 'reopen') j.reopen();
            else if (o === 'kill') j.killed();
            else {
              j.commit(o.writes);
              // A turn of the event loop: the rewrite under way goes on.
              if (o.yields) await new Promise((resolve) => setImmediate(resolve));
            }
            j.check();
          }
          j.finish();
        }),
      ),
      { numRuns: 12 },
    );
  }, 120_000);

  it('a rewrite off the event loop: items kept on the disk only read back before, during and after it, those queued while it runs too', async () => {
    const dir = tempDir();
    const j = modelled(dir);
    const path = join(dir, 'sessionhub.journal');
    let n = 0;
    const queue = (): void => {
      n++;
      // Every third one delivered: removed.
      j.commit(n % 3 == 0 ? [[`ns:kit:a:outbox:${n}`, item(n)], [`ns:kit:a:outbox:${n - 2}`, null]] : [[`ns:kit:a:outbox:${n}`, item(n)]]);
    };
    for (let i = 0; i < 30; i++) queue();
    // Large values, removed at once: past the rewrite size with little live data.
    const big = 'y'.repeat(300_000);
    for (let i = 0; i < 4; i++) j.commit([[`ns:big:${i}`, big]]), j.commit([[`ns:big:${i}`, null]]);
    const grown = statSync(path).size;
    expect(grown).toBeGreaterThan(1_000_000);
    let rewritten = false;
    for (let turn = 0; turn < 2_000 && !rewritten; turn++) {
      queue();
      j.check();
      j.killed();
      await new Promise((resolve) => setImmediate(resolve));
      rewritten = statSync(path).size < grown;
    }
    expect(rewritten).toBe(true);
    j.check();
    for (let i = 0; i < 5; i++) queue();
    j.check();
    j.finish();
  });
});

describe('journalStorage on a full disk (a real tmpfs)', () => {
  it('a commit the disk cannot take throws and leaves no part of itself; once there is room, the retry is stored whole and reads back', async () => {
    const work = tempDir();
    const script = join(work, 'full-disk-child.mjs');
    await bundleForNode({ contents: FULL_DISK_CHILD, resolveDir: fileURLToPath(new URL('.', import.meta.url)) }, script);
    const mount = tempDir();
    const run = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs "$1" && exec "$2" "$3" "$1"', 'sh', mount, process.execPath, script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ filled: 'ENOSPC', second: 'ENOSPC', state: true, item: true });
  });

  it('a rewrite the disk has room for part of (compact, an upgrade, a torn record) throws and leaves the journal whole; the app still opens it, and once there is room it is rewritten', async () => {
    const work = tempDir();
    const script = join(work, 'nearly-full-child.mjs');
    await bundleForNode({ contents: NEARLY_FULL_CHILD, resolveDir: fileURLToPath(new URL('.', import.meta.url)) }, script);
    const results: Record<string, unknown> = {};
    for (const mode of ['compact', 'legacy', 'torn']) {
      const mount = tempDir();
      const run = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs "$1" && exec "$2" "$3" "$1" "$4"', 'sh', mount, process.execPath, script, mode], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      results[mode] = JSON.parse(run.stdout);
    }
    const stored = { reads: true, files: ['sessionhub.journal'] };
    expect(results).toEqual({
      // A short write renamed over the journal was a torn first record: every value, and every commit after it, lost.
      compact: { filled: 'ENOSPC', open: 'ok', compact: 'ENOSPC', commit: 'ok', ...stored },
      // The old files moved into a torn journal, then deleted.
      legacy: { filled: 'ENOSPC', open: 'ok', commit: 'ENOSPC', ...stored },
      // The open threw: the app could not start on a full disk.
      torn: { filled: 'ENOSPC', open: 'ok', commit: 'ENOSPC', ...stored },
    });
  });
});
