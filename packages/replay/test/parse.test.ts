import { isUtf8 } from 'node:buffer';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { BadLineError } from '../src/log/bad-lines';
import { LineParser, LogReader, MAX_LINE_BYTES, readLog } from '../src/log/read-log';
import { replayLog } from '../src/replay/run-replay';
import { parseTimestamp } from '../src/log/timestamp';
import { compareLog } from '../src/compare/run-compare';
import type { ParsedLine } from '../src/log/log-record';

const dir = mkdtempSync(join(tmpdir(), 'sessionhub-parse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function all(source: string | Readable, format: 'ndjson' | 'csv' | null = null): Promise<ParsedLine[]> {
  const out: ParsedLine[] = [];
  for await (const batch of readLog(source, { format })) out.push(...batch);
  return out;
}

const problems = (lines: ParsedLine[]): string[] => lines.flatMap((l) => (l.ok ? [] : [`line ${l.error.line}: ${l.error.problem}`]));

describe('timestamps', () => {
  it('reads epoch ms (numbers and digit strings) and ISO 8601 with Z or an offset', () => {
    const t = Date.UTC(2026, 2, 14, 9, 0, 0);
    expect(parseTimestamp(t)).toBe(t);
    expect(parseTimestamp(String(t))).toBe(t);
    expect(parseTimestamp('2026-03-14T09:00:00Z')).toBe(t);
    expect(parseTimestamp('2026-03-14T09:00:00.250Z')).toBe(t + 250);
    expect(parseTimestamp('2026-03-14T10:30:00+01:30')).toBe(t);
    expect(parseTimestamp('2026-03-14T04:00:00-0500')).toBe(t);
    expect(parseTimestamp('2026-03-14 09:00:00Z')).toBe(t);
  });

  it('refuses a time without a zone, and anything else, saying what it got', () => {
    expect(parseTimestamp('2026-03-14T09:00:00')).toMatch(/ISO 8601 with Z or an offset.*got "2026-03-14T09:00:00"/);
    expect(parseTimestamp('yesterday')).toMatch(/got "yesterday"/);
    expect(parseTimestamp(null)).toMatch(/got null/);
    expect(parseTimestamp(Infinity)).toMatch(/finite/);
  });
});

describe('timestamps: real dates only', () => {
  const two = (n: number): string => String(n).padStart(2, '0');
  const daysIn = (y: number, m: number): number => (m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31);

  it('an ISO date and time is read when every field is real (in its own offset), and refused as not real otherwise, never rolled over', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 60 }),
        fc.option(fc.integer({ min: 0, max: 60 })),
        fc.option(fc.tuple(fc.constantFrom(1, -1), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))),
        (y, m, d, h, mi, sec, offset) => {
          const zone = offset === null ? 'Z' : `${offset[0] > 0 ? '+' : '-'}${two(offset[1])}:${two(offset[2])}`;
          const text = `${String(y).padStart(4, '0')}-${two(m)}-${two(d)}T${two(h)}:${two(mi)}${sec === null ? '' : `:${two(sec)}`}${zone}`;
          const real = m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m) && h <= 23 && mi <= 59 && (sec ?? 0) <= 59;
          if (!real) return void expect(parseTimestamp(text)).toBe(`timestamp ${JSON.stringify(text)} is not a real date and time`);
          const date = new Date(0);
          date.setUTCFullYear(y, m - 1, d);
          date.setUTCHours(h, mi, sec ?? 0, 0);
          const offsetMs = offset === null ? 0 : offset[0] * (offset[1] * 60 + offset[2]) * 60_000;
          expect(parseTimestamp(text)).toBe(date.getTime() - offsetMs);
        },
      ),
      { numRuns: 2000 },
    );
    expect(parseTimestamp('2026-02-30T00:00:00Z')).toBe('timestamp "2026-02-30T00:00:00Z" is not a real date and time');
    expect(parseTimestamp('2026-03-14T24:00:00Z')).toMatch(/not a real date and time/);
    expect(parseTimestamp('2028-02-29T00:00:00Z')).toBe(Date.UTC(2028, 1, 29));
  });

  it('epoch ms outside the range of dates (±8.64e15) are refused: a Date there is invalid', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (t) => {
        const parsed = parseTimestamp(t);
        if (Math.abs(t) <= 8.64e15) expect(parsed).toBe(t);
        else expect(parsed).toBe(`timestamp ${t} is outside the range of dates (at most ±8.64e15 ms from 1970)`);
        expect(typeof parseTimestamp(String(Math.trunc(t)))).toBe(Math.abs(Math.trunc(t)) <= 8.64e15 ? 'number' : 'string');
      }),
    );
  });

  it('such a line is a bad line, named by its number (compare --html drew it with a RangeError)', async () => {
    const path = join(dir, 'far.ndjson');
    writeFileSync(path, '{"deviceId":"d","timestamp":1e20,"type":"event","name":"a"}\n');
    await expect(compareLog(path, { sampleDevices: 12 })).rejects.toThrow('line 1: timestamp 100000000000000000000 is outside the range of dates');
  });
});

describe('NDJSON lines', () => {
  it('reads every field: userId string / null / absent, affectsSession, platform, attributes', async () => {
    const text = [
      '{"deviceId":"d","timestamp":1000,"type":"event","name":"a","attributes":{"x":1},"userId":"u","platform":"web"}',
      '',
      '{"deviceId":"d","timestamp":"2026-03-14T09:00:00Z","type":"event","name":"b","affectsSession":false,"userId":null}',
      '{"deviceId":"d","timestamp":2000,"type":"background"}',
    ].join('\n');
    const lines = await all(Readable.from([text]));
    expect(lines.map((l) => l.ok && l.record)).toEqual([
      { line: 1, deviceId: 'd', t: 1000, type: 'event', name: 'a', attributes: { x: 1 }, affectsSession: true, platform: 'web', userId: 'u' },
      { line: 3, deviceId: 'd', t: Date.UTC(2026, 2, 14, 9), type: 'event', name: 'b', attributes: {}, affectsSession: false, platform: null, userId: null },
      { line: 4, deviceId: 'd', t: 2000, type: 'background', name: null, attributes: {}, affectsSession: true, platform: null, userId: undefined },
    ]);
  });

  it('names each bad line as line N with what is wrong', async () => {
    const text = [
      '{"deviceId":"d","timestamp":1,"type":"event","name":"ok"}',
      '{"deviceId":"d","timestamp":1,"type":"event"',
      '{"timestamp":1,"type":"event","name":"x"}',
      '{"deviceId":"d","type":"event","name":"x"}',
      '{"deviceId":"d","timestamp":1,"type":"click"}',
      '{"deviceId":"d","timestamp":1,"type":"event"}',
      '{"deviceId":"d","timestamp":1,"type":"event","name":"x","userId":""}',
      '{"deviceId":"d","timestamp":1,"type":"event","name":"x","platform":"ios"}',
      '{"deviceId":"d","timestamp":1,"type":"event","name":"x","attributes":[1]}',
      '{"deviceId":"d","timestamp":1,"type":"event","name":"x","affectsSession":"no"}',
      '{"deviceId":"d","timestamp":1,"type":"background","affectsSession":false}',
      '[1,2]',
      // A string, as on an event: NDJSON's booleans are JSON's.
      '{"deviceId":"d","timestamp":1,"type":"background","affectsSession":"true"}',
      '{"deviceId":"d","timestamp":1,"type":"event","name":"x","affectsSession":"true"}',
    ].join('\n');
    expect(problems(await all(Readable.from([text])))).toEqual([
      expect.stringMatching(/^line 2: not valid JSON/),
      'line 3: deviceId must be a non-empty string, got nothing',
      'line 4: timestamp is missing',
      'line 5: type must be one of event, foreground, background, launch, got "click"',
      'line 6: an event needs a name (a non-empty string), got nothing',
      'line 7: userId must be a non-empty string or null (logged out), got ""',
      'line 8: platform must be mobile or web, got "ios"',
      'line 9: attributes must be an object, got an array',
      'line 10: affectsSession must be true or false, got "no"',
      'line 11: affectsSession: false applies to events only, not to a background line',
      'line 12: a line must be a JSON object, got an array',
      'line 13: affectsSession must be true or false, got "true"',
      'line 14: affectsSession must be true or false, got "true"',
    ]);
  });
});

describe('UTF-8', () => {
  /** The outcomes of the log's bytes, read by the LogReader the CLI uses (cut in two anywhere, as chunks are). */
  const readBytes = (bytes: Buffer, format: 'ndjson' | 'csv' | null = null, cut = 0): ParsedLine[] => {
    const reader = new LogReader(format);
    return [...reader.push(bytes.subarray(0, cut)), ...reader.push(bytes.subarray(cut)), ...reader.end()];
  };
  const line = (deviceId: Buffer): Buffer => Buffer.concat([Buffer.from('{"deviceId":"'), deviceId, Buffer.from('","timestamp":1,"type":"event","name":"a"}\n')]);

  it('a line that is not valid UTF-8 is a bad line, never read with replacement characters (two devices would become one)', () => {
    const lines = readBytes(Buffer.concat([line(Buffer.from('dev\xff', 'latin1')), line(Buffer.from('dev\xfe', 'latin1')), line(Buffer.from('dév'))]));
    expect(problems(lines)).toEqual(['line 1: not valid UTF-8 text', 'line 2: not valid UTF-8 text']);
    expect(lines[2]).toMatchObject({ ok: true, record: { line: 3, deviceId: 'dév' } });
    expect(problems(readBytes(Buffer.from('deviceId,timestamp,type,name\nd\xc3,1,event,a\n', 'latin1'), 'csv'))).toEqual(['line 2: not valid UTF-8 text']);
  });

  it('any device id bytes: valid UTF-8 is read as its text, anything else is refused (NDJSON and CSV, chunks cut anywhere)', () => {
    // Bytes that need no escaping in JSON or CSV: no controls, no quote, backslash or comma.
    const idBytes = fc.uint8Array({ minLength: 1, maxLength: 12 }).map((a) => Buffer.from(a.filter((b) => b >= 0x20 && b !== 0x22 && b !== 0x5c && b !== 0x2c && b !== 0x7f)));
    fc.assert(
      fc.property(idBytes.filter((b) => b.length > 0 && b.toString('latin1').trim() === b.toString('latin1')), fc.boolean(), fc.nat(), (id, csv, cut) => {
        const bytes = csv ? Buffer.concat([Buffer.from('deviceId,timestamp,type,name\n'), id, Buffer.from(',1,event,a\n')]) : line(id);
        const [outcome] = readBytes(bytes, csv ? 'csv' : 'ndjson', cut % (bytes.length + 1));
        if (isUtf8(id)) expect(outcome).toMatchObject({ ok: true, record: { deviceId: id.toString('utf8') } });
        else expect(outcome).toEqual({ ok: false, error: { line: csv ? 2 : 1, problem: 'not valid UTF-8 text' } });
      }),
      { numRuns: 500 },
    );
  });

  it('a byte order mark opening an NDJSON log is passed over, as for CSV', async () => {
    const record = '{"deviceId":"d1","timestamp":1000,"type":"event","name":"a"}\n';
    for (const format of ['ndjson', null] as const) {
      const lines = readBytes(Buffer.from(`\ufeff${record}${record}`), format);
      expect(lines.map((l) => l.ok && l.record.line)).toEqual([1, 2]);
    }
    const report = await compareLog(Readable.from([Buffer.from(`\ufeff${record}`)]));
    expect(report.input).toMatchObject({ records: 1, skipped: 0 });
    expect(readBytes(Buffer.from('\ufeffdeviceId,timestamp,type,name\nd,1,event,a\n'), 'csv').map((l) => l.ok)).toEqual([true]);
  });
});

describe('lines that cannot be read at all', () => {
  const record = (name: string): string => `{"deviceId":"d","timestamp":1,"type":"event","name":"${name}"}`;
  /** The outcomes of `text`, fed to the reader in chunks of `size` bytes. */
  const inChunks = (text: string, size: number): ParsedLine[] => {
    const bytes = Buffer.from(text);
    const reader = new LogReader('ndjson');
    const out: ParsedLine[] = [];
    for (let i = 0; i < bytes.length; i += size) out.push(...reader.push(bytes.subarray(i, i + size)));
    return [...out, ...reader.end()];
  };

  it(`a line longer than ${MAX_LINE_BYTES} bytes is a bad line with its number (its bytes are not kept); the lines after it are read`, () => {
    const longest = record('x'.repeat(MAX_LINE_BYTES - record('').length));
    const tooLong = record('x'.repeat(MAX_LINE_BYTES - record('').length + 1));
    expect(Buffer.byteLength(longest)).toBe(MAX_LINE_BYTES);
    for (const size of [1 << 16, 1 << 20, 1 << 25]) {
      const lines = inChunks(`${record('a')}\n${tooLong}\n${longest}\r\n${record('b')}\n${tooLong}`, size);
      expect(lines.map((l) => (l.ok ? `${l.record.line} ${l.record.name!.length}` : `${l.error.line}: ${l.error.problem}`))).toEqual([
        '1 1',
        '2: longer than 16777216 bytes (16 MiB), the longest line read',
        `3 ${MAX_LINE_BYTES - record('').length}`,
        '4 1',
        '5: longer than 16777216 bytes (16 MiB), the longest line read',
      ]);
    }
  });

  it('a bad CSV header fails the run even with --on-error skip: no later line can be read without it', async () => {
    const path = join(dir, 'bad-header.csv');
    writeFileSync(path, 'deviceId,time,type\nd,1,event\nd,2,event\n');
    const warnings: string[] = [];
    await expect(compareLog(path, { onError: 'skip', warn: (m) => warnings.push(m) })).rejects.toThrow(/^line 1: the header names an unknown column "time" .*: no later line can be read without it$/);
    expect(warnings).toEqual([]);
    writeFileSync(path, Buffer.from('device\xffId,timestamp,type\nd,1,event\n', 'latin1'));
    await expect(compareLog(path, { onError: 'skip' })).rejects.toThrow('line 1: not valid UTF-8 text: no later line can be read without it');
  });

  it('resumed, a line that was not UTF-8 is passed over as the first run read it: it does not decide the format', async () => {
    const path = join(dir, 'undecided.log');
    const out = join(dir, 'undecided-out.ndjson');
    const ck = join(dir, 'undecided-ck');
    writeFileSync(path, Buffer.concat([Buffer.from('{\xff\n', 'latin1'), Buffer.from('deviceId,timestamp,type,name\nd,1000,event,a\n')]));
    const options = { out, checkpoint: ck, onError: 'skip' as const, warn: () => undefined };
    expect(await replayLog(path, options)).toMatchObject({ skipped: 1, counts: { events: 1 } });
    appendFileSync(path, 'd,2000,event,b\n');
    expect(await replayLog(path, options)).toMatchObject({ resumedAfter: 3, skipped: 1, counts: { events: 2 } });
  });
});

describe('CSV with a header', () => {
  it('reads the same columns: empty cells are absent, null is logged out, quoted fields, JSON attributes', async () => {
    const parser = new LineParser('csv');
    const rows = [
      'deviceId,timestamp,type,name,attributes,affectsSession,userId',
      'd,1000,event,"song, played","{""genre"":""jazz""}",false,alice',
      'd,2026-03-14T09:00:00Z,background,,,,',
      'd,3000,event,x,,,null',
    ].map((l) => parser.parse(l));
    expect(rows[0]).toBeNull();
    expect(rows.slice(1).map((r) => r?.ok && [r.record.name, r.record.attributes, r.record.affectsSession, r.record.userId, r.record.type])).toEqual([
      ['song, played', { genre: 'jazz' }, false, 'alice', 'event'],
      [null, {}, true, undefined, 'background'],
      ['x', {}, true, null, 'event'],
    ]);
  });

  it('reports a bad header and bad rows by line', async () => {
    const badHeader = new LineParser('csv');
    expect(badHeader.parse('deviceId,time,type')).toEqual({ ok: false, error: { line: 1, problem: expect.stringContaining('unknown column "time"'), fatal: true } });
    const p = new LineParser('csv');
    p.parse('deviceId,timestamp,type,name');
    expect(p.parse('d,1,event')).toEqual({ ok: false, error: { line: 2, problem: 'expected 4 fields (as the header), got 3' } });
    expect(p.parse('d,1,event,"open')).toEqual({ ok: false, error: { line: 3, problem: expect.stringContaining('not closed') } });
    expect(p.parse('d,1,event,{"x":1,"y":2}')).toEqual({ ok: false, error: { line: 4, problem: 'unexpected text after a quoted field at column 21' } });
  });

  it('reads .csv.gz files, detecting gzip by its bytes and CSV by the name', async () => {
    const path = join(dir, 'log.csv.gz');
    writeFileSync(path, gzipSync('deviceId,timestamp,type,name\r\nd,1000,launch,\r\nd,2000,event,x\r\n'));
    const lines = await all(path);
    expect(lines.map((l) => l.ok && [l.record.line, l.record.type, l.record.name])).toEqual([
      [2, 'launch', null],
      [3, 'event', 'x'],
    ]);
  });
});

describe('--on-error', () => {
  const path = join(dir, 'bad.ndjson');
  writeFileSync(path, ['{"deviceId":"d","timestamp":1000,"type":"event","name":"a"}', 'oops', '{"deviceId":"d","timestamp":2000,"type":"event","name":"b"}', '{"deviceId":"d"}'].join('\n'));

  it('stop (the default) fails at the first bad line, naming it', async () => {
    await expect(compareLog(path)).rejects.toBeInstanceOf(BadLineError);
    await expect(compareLog(path)).rejects.toThrow(/^line 2: not valid JSON/);
  });

  it('skip reports every bad line and counts them in the summary', async () => {
    const warnings: string[] = [];
    const report = await compareLog(path, { onError: 'skip', warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([expect.stringMatching(/^skipped line 2: not valid JSON/), 'skipped line 4: timestamp is missing']);
    expect(report.input).toEqual({ lines: 4, records: 2, skipped: 2 });
  });
});
