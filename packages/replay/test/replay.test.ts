import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { formatLine, GENERATED_CSV_HEADER, generateLog } from '../src/generate';
import { BadLineError } from '../src/log/bad-lines';
import { MAX_TIMEOUT_MS } from '../src/cli-args';
import { LineParser } from '../src/log/read-log';
import type { LogRecord } from '../src/log/log-record';
import { partitionOf } from '../src/partition';
import { Replayer, type ReplayOutput } from '../src/replay/replayer';
import { replayLog } from '../src/replay/run-replay';
import { bg, ev, fg, launch, records } from './timeline';

const dir = mkdtempSync(join(tmpdir(), 'sessionhub-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function logText(devices: number, events: number, seed: number): string {
  let text = '';
  for (const l of generateLog({ devices, events, seed })) text += `${formatLine(l, 'ndjson')}\n`;
  return text;
}

function parse(text: string): LogRecord[] {
  const p = new LineParser('ndjson');
  return text
    .split('\n')
    .map((l) => p.parse(l))
    .flatMap((r) => (r?.ok ? [r.record] : []));
}

function run(lines: readonly LogRecord[], config = {}): ReplayOutput[] {
  const out: ReplayOutput[] = [];
  const r = new Replayer({ write: (o) => out.push(o) }, config);
  for (const l of lines) r.add(l);
  return out;
}

const deviceOf = (o: ReplayOutput): string => o.record.deviceId;

/** Records grouped by device, in each device's order. */
function byDevice(outputs: readonly ReplayOutput[]): Map<string, ReplayOutput[]> {
  const m = new Map<string, ReplayOutput[]>();
  for (const o of outputs) {
    const list = m.get(deviceOf(o)) ?? [];
    list.push(o);
    m.set(deviceOf(o), list);
  }
  return new Map([...m].sort(([a], [b]) => (a < b ? -1 : 1)));
}

describe('replay', () => {
  it('launch: ends a session the previous run left open (recovered) unless resumeOnRelaunch; a live session at the end gets no end record', () => {
    const lines = records([launch(0), ev(5), launch(20), ev(25)]);
    const ends = (o: ReplayOutput[]) => o.flatMap((x) => (x.type === 'sessionEnd' ? [x.record.reason] : []));
    expect(ends(run(lines))).toEqual(['recovered']);
    expect(ends(run(lines, { resumeOnRelaunch: true }))).toEqual([]);
    const starts = run(lines).filter((o) => o.type === 'sessionStart');
    expect(starts).toHaveLength(2);
  });

  it('out of order: a line earlier than the device\'s latest time is applied at that time; by the timeout or more, the session ends (clock-change)', () => {
    const slightly = run(records([fg(0), ev(30), ev(20)]));
    expect(slightly.filter((o) => o.type === 'event').map((o) => o.record.timestamp)).toEqual([records([ev(30)])[0]!.t, records([ev(30)])[0]!.t]);
    const far = run(records([fg(0), ev(300), bg(310), ev(100)]));
    expect(far.flatMap((o) => (o.type === 'sessionEnd' ? [o.record.reason] : []))).toEqual(['clock-change']);
  });

  it('partitions by device-id hash, sessionized separately and merged, give exactly one run (any log, any number of partitions)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 2, max: 5 }), (seed, n) => {
        const lines = parse(logText(12, 400, seed));
        const whole = byDevice(run(lines));
        const merged: ReplayOutput[] = [];
        for (let p = 0; p < n; p++) merged.push(...run(lines.filter((l) => partitionOf(l.deviceId, n) === p)));
        expect(byDevice(merged)).toEqual(whole);
      }),
      { numRuns: 15 },
    );
  });

  it('a stopped run resumes from its checkpoint exactly: nothing twice, nothing skipped, even with records written after the checkpoint', async () => {
    const log = join(dir, 'log.ndjson');
    writeFileSync(log, logText(20, 3000, 11));
    const reference = join(dir, 'reference.ndjson');
    await replayLog(log, { out: reference });
    const expected = readFileSync(reference, 'utf8');
    // Stop points: the log is read in 64 KB chunks and the signal is checked after each one.
    for (const [i, stopAtBytes] of [1, 130_000, 250_000].entries()) {
      const out = join(dir, `out-${i}.ndjson`);
      const checkpoint = join(dir, `ck-${i}`);
      const stop = new AbortController();
      let read = 0;
      const first = await replayLog(log, {
        out,
        checkpoint,
        checkpointEvery: 97,
        signal: stop.signal,
        onBytes: (n) => {
          if ((read += n) >= stopAtBytes) stop.abort();
        },
      });
      expect(first.stopped).toBe(true);
      expect(first.line).toBeLessThan(3000);
      // A crash after the checkpoint: records written that the checkpoint does not count.
      appendFileSync(out, '{"type":"event","record":{"half":');
      const second = await replayLog(log, { out, checkpoint, checkpointEvery: 97 });
      expect(second).toMatchObject({ stopped: false, line: 3000, resumedAfter: first.line });
      expect(readFileSync(out, 'utf8')).toBe(expected);
      // And again: the finished run resumes at the end and adds nothing.
      const third = await replayLog(log, { out, checkpoint });
      expect(third.resumedAfter).toBe(3000);
      expect(readFileSync(out, 'utf8')).toBe(expected);
    }
  });

  it('a log that grows, cut anywhere (mid-line too) and resumed at each cut, gives exactly one run over the whole log', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1000 }),
        fc.constantFrom<'ndjson' | 'csv'>('ndjson', 'csv'),
        fc.constantFrom<'stop' | 'skip'>('stop', 'skip'),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 5 }),
        async (seed, format, onError, cuts, lastNewline, junk) => {
          const lines = [...generateLog({ devices: 4, events: 60, seed })].map((l) => formatLine(l, format));
          if (format === 'csv') lines.unshift(GENERATED_CSV_HEADER);
          // Bad lines among them (with skip), and blank ones.
          for (let j = 0; j < junk; j++) lines.splice(1 + ((seed * (j + 7)) % (lines.length - 1)), 0, onError === 'skip' && j % 2 === 0 ? 'oops,"' : '');
          const whole = Buffer.from(lines.join('\n') + (lastNewline ? '\n' : ''));
          const at = join(dir, `grow-${++runs}`);
          const log = `${at}.${format}`;
          const options = { onError, warn: () => undefined };
          writeFileSync(log, whole);
          const single = await replayLog(log, { ...options, out: `${at}-single.ndjson` });
          writeFileSync(log, '');
          for (const cut of [...cuts.map((c) => Math.floor(c * whole.length)).sort((a, b) => a - b), whole.length]) {
            appendFileSync(log, whole.subarray(statSync(log).size, cut));
            // A cut inside a line leaves a bad last line: with stop the run fails there, after its checkpoint.
            const grown = await replayLog(log, { ...options, out: `${at}-grown.ndjson`, checkpoint: `${at}-ck`, checkpointEvery: 7 }).catch((error: unknown) => {
              if (cut === whole.length || !(error instanceof BadLineError)) throw error;
              return null;
            });
            if (cut === whole.length) expect(grown).toMatchObject({ line: single.line, skipped: single.skipped, counts: single.counts });
          }
          expect(readFileSync(`${at}-grown.ndjson`, 'utf8')).toBe(readFileSync(`${at}-single.ndjson`, 'utf8'));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('the longest session timeout round-trips through a checkpoint; one a checkpoint cannot hold (Infinity) is refused', async () => {
    const log = join(dir, 'long-timeout.ndjson');
    writeFileSync(log, '{"deviceId":"d","timestamp":1000,"type":"event","name":"a"}\n');
    const options = { out: join(dir, 'long-timeout-out.ndjson'), checkpoint: join(dir, 'long-timeout-ck'), engine: { sessionTimeoutMs: MAX_TIMEOUT_MS } };
    await replayLog(log, options);
    expect(await replayLog(log, options)).toMatchObject({ resumedAfter: 1 });
    await expect(replayLog(log, { ...options, engine: { sessionTimeoutMs: Infinity } })).rejects.toThrow('the session timeout must be a finite number of ms, got Infinity');
  });

  it('a live session at the end of a log stays open in the checkpoint and ends when more lines arrive', async () => {
    const log = join(dir, 'growing.ndjson');
    const text = (specs: Parameters<typeof records>[0]) => records(specs).map((r) => `${JSON.stringify({ deviceId: r.deviceId, timestamp: r.t, type: r.type, ...(r.name ? { name: r.name } : {}) })}\n`).join('');
    writeFileSync(log, text([launch(0), ev(5)]));
    const out = join(dir, 'growing-out.ndjson');
    const checkpoint = join(dir, 'growing-ck');
    const first = await replayLog(log, { out, checkpoint });
    expect(first.liveSessions).toBe(1);
    expect(readFileSync(out, 'utf8')).not.toContain('sessionEnd');
    appendFileSync(log, text([bg(10), ev(500)]).split('\n').slice(0, 2).join('\n') + '\n');
    const second = await replayLog(log, { out, checkpoint });
    expect(second.resumedAfter).toBe(2);
    const ends = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((o) => o.type === 'sessionEnd');
    expect(ends.map((o) => [o.record.reason, o.record.duration])).toEqual([['timeout', 10_000]]);
  });
});
