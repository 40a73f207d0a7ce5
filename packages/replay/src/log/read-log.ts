import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { Socket } from 'node:net';
import { isUtf8 } from 'node:buffer';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { csvRow, parseCsvHeader } from './csv';
import type { LineProblem, LogRecord, ParsedLine } from './log-record';
import { fastRecord } from './ndjson-fast';
import { parseRecord } from './parse-record';
import { UserError } from '../user-error';

/** How a log's lines are written. */
export type LogFormat = 'ndjson' | 'csv';

/**
 * Turns a log's text lines into records, one line at a time: NDJSON, or CSV whose first line is the
 * header. Without a format it is decided by the first line that is not blank (`{` → NDJSON).
 * Blank lines are not records and are passed over; every other line gives a record or a problem.
 */
export class LineParser {
  /** The format: as given, or decided by the first line that is not blank; null until then. */
  format: LogFormat | null;
  private header: string[] | null = null;
  /** Line number of the last line given. */
  line = 0;

  constructor(format: LogFormat | null = null) {
    this.format = format;
  }

  /** Whether the next line that is not blank is the CSV header. */
  get awaitingHeader(): boolean {
    return this.format === 'csv' && this.header === null;
  }

  /**
   * Passes over a line already processed by an earlier run (a resumed replay): only counted, and
   * read when it is the CSV header or decides the format.
   */
  skip(text: string): void {
    if (this.header === null && text.trim().length > 0 && this.format !== 'ndjson') {
      this.parse(text);
      return;
    }
    this.line++;
  }

  /** The next line's outcome; null for a blank line or the CSV header. */
  parse(text: string): ParsedLine | null {
    const line = ++this.line;
    // A byte order mark opens the text, not its first line (editors on Windows write one).
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.length === 0 || (text.trim().length === 0)) return null;
    if (this.format === null) this.format = text.trimStart().startsWith('{') ? 'ndjson' : 'csv';
    if (this.format === 'ndjson') {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        return { ok: false, error: { line, problem: `not valid JSON (${error instanceof Error ? error.message : String(error)})` } };
      }
      return parseRecord(value, line);
    }
    if (this.header === null) {
      const header = parseCsvHeader(text);
      // Without a header no later line can be read: the run fails here, even when bad lines are skipped.
      if (typeof header === 'string') return { ok: false, error: { line, problem: header, fatal: true } };
      this.header = header;
      return null;
    }
    const row = csvRow(this.header, text);
    if (typeof row === 'string') return { ok: false, error: { line, problem: row } };
    return parseRecord(row, line, true);
  }
}

/** How {@link readLog} reads. */
export interface ReadLogOptions {
  /** The format; by default from the file name, else from the first line. */
  readonly format?: LogFormat | null;
  /** Told the size of each chunk of raw (possibly compressed) bytes read, for progress. */
  readonly onBytes?: (bytes: number) => void;
}

/** Where a log comes from: a path (`-` for stdin), or a stream. */
export type LogSource = string | Readable;

/** The log's format from its file name (`.csv`, `.csv.gz`), or null to detect it from its text. */
export function formatFromName(path: string): LogFormat | null {
  const name = path.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.ndjson') || name.endsWith('.jsonl') || name.endsWith('.json')) return 'ndjson';
  return null;
}

/**
 * The bytes of a source, gunzipped when they are gzip (recognized by gzip's magic bytes, so a
 * compressed stdin works too).
 */
export function openSource(source: LogSource, onBytes?: (bytes: number) => void): Readable {
  const raw: Readable = typeof source === 'string' ? (source === '-' ? process.stdin : createReadStream(source)) : source;
  if (onBytes) raw.on('data', (chunk: Buffer) => onBytes(chunk.length));
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  let decided = false;
  const onData = (chunk: Buffer): void => {
    if (decided) return;
    decided = true;
    raw.off('data', onData);
    raw.pause();
    const gz = chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b;
    const target = gz ? createGunzip() : out;
    if (gz) {
      target.on('error', (e) => out.destroy(new UserError(`the gzip data is corrupt: ${e.message}`)));
      target.pipe(out);
    }
    target.write(chunk);
    raw.pipe(target);
    raw.resume();
  };
  raw.on('data', onData);
  raw.on('error', (e) => out.destroy(e));
  // Destroyed before the end (an abort, corrupt gzip): stop reading the source too.
  out.on('close', () => raw.destroy());
  raw.on('end', () => {
    if (!decided) out.end();
  });
  return out;
}

/** The text lines of a byte stream, in arrays (one per chunk, to keep per-line overhead low). */
export async function* readLines(stream: Readable): AsyncGenerator<string[]> {
  stream.setEncoding('utf8');
  let rest = '';
  for await (const chunk of stream as AsyncIterable<string>) {
    const text = rest + chunk;
    const lines = text.split('\n');
    rest = lines.pop()!;
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
    }
    if (lines.length > 0) yield lines;
  }
  if (rest.length > 0) yield [rest.charCodeAt(rest.length - 1) === 13 ? rest.slice(0, -1) : rest];
}

/**
 * The longest line read, in bytes (16 MiB): a longer one is a bad line, and its bytes are not kept
 * (a file with no newline at all would otherwise be held whole, up to the longest string V8 makes).
 */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
const TOO_LONG = `longer than ${MAX_LINE_BYTES} bytes (16 MiB), the longest line read`;

/**
 * Turns a log's bytes, chunk by chunk, into the outcomes of its lines: what {@link readLines} and
 * {@link LineParser} give, faster. Lines are cut at newline bytes (which never occur inside a UTF-8
 * character) and an NDJSON line of the common shape is read by a fast path from the chunk's text,
 * with no per-line string; every other line is decoded as UTF-8 and read by the parser.
 */
export class LogReader {
  readonly parser: LineParser;
  /** Bytes after the last newline, waiting for the rest of their line. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The line under way is longer than {@link MAX_LINE_BYTES}: its bytes are dropped until its newline. */
  private overlong = false;

  /** `skipThrough`: lines up to this number were processed by an earlier run; they are only passed over (see {@link LineParser.skip}). */
  constructor(
    format: LogFormat | null = null,
    private readonly skipThrough = 0,
  ) {
    this.parser = new LineParser(format);
  }

  /** The outcomes of the lines this chunk completes (blank lines and the CSV header give none). */
  push(chunk: Buffer): ParsedLine[] {
    const out: ParsedLine[] = [];
    this.feed(chunk, (record) => out.push({ ok: true, record }), (error) => out.push({ ok: false, error }));
    return out;
  }

  /** The outcome of a last line with no newline after it. */
  end(): ParsedLine[] {
    const out: ParsedLine[] = [];
    this.finish((record) => out.push({ ok: true, record }), (error) => out.push({ ok: false, error }));
    return out;
  }

  /**
   * {@link push} without the outcome objects and arrays: each record and each problem of the lines
   * this chunk completes is handed over as it is read, in order.
   */
  feed(chunk: Buffer, onRecord: (record: LogRecord) => void, onProblem: (problem: LineProblem) => void): void {
    let start = 0;
    if (this.pendingBytes > 0 || this.overlong) {
      const newline = chunk.indexOf(10);
      if (newline === -1) return this.hold(chunk);
      // Only the line earlier chunks began is copied together; the rest is read where it is.
      start = newline + 1;
      // (A last `\r` is not the line's: the exact check is in `lines`; this one keeps the copy bounded.)
      if (this.overlong || this.pendingBytes + newline > MAX_LINE_BYTES + 1) this.tooLong(onProblem);
      else {
        this.pending.push(chunk.subarray(0, start));
        const joined = Buffer.concat(this.pending);
        this.pending = [];
        this.pendingBytes = 0;
        this.lines(joined, onRecord, onProblem);
      }
    }
    const last = chunk.lastIndexOf(10);
    if (last < start) return this.hold(chunk.subarray(start));
    this.lines(chunk.subarray(start, last + 1), onRecord, onProblem);
    this.hold(chunk.subarray(last + 1));
  }

  /** {@link end} without the outcome objects. */
  finish(onRecord: (record: LogRecord) => void, onProblem: (problem: LineProblem) => void): void {
    if (this.overlong) return this.tooLong(onProblem);
    if (this.pending.length === 0) return;
    const bytes = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.lines(bytes, onRecord, onProblem);
  }

  /** Keeps the start of a line for the next chunk; past {@link MAX_LINE_BYTES}, only that it is too long. */
  private hold(bytes: Buffer): void {
    if (bytes.length === 0 || this.overlong) return;
    this.pendingBytes += bytes.length;
    if (this.pendingBytes <= MAX_LINE_BYTES + 1) this.pending.push(bytes);
    else {
      this.overlong = true;
      this.pending = [];
      this.pendingBytes = 0;
    }
  }

  /** The line ending now was longer than {@link MAX_LINE_BYTES}: a problem, its bytes unread. */
  private tooLong(onProblem: (problem: LineProblem) => void): void {
    this.overlong = false;
    this.pending = [];
    this.pendingBytes = 0;
    this.unreadable(TOO_LONG, onProblem);
  }

  /** A line that is not read at all (too long, not UTF-8): counted, and a problem unless an earlier run reported it. */
  private unreadable(problem: string, onProblem: (problem: LineProblem) => void): void {
    const p = this.parser;
    const fatal = p.awaitingHeader;
    if (p.line++ < this.skipThrough) return;
    onProblem(fatal ? { line: p.line, problem, fatal } : { line: p.line, problem });
  }

  /** Reads whole lines (the last one may lack its newline). */
  private lines(bytes: Buffer, onRecord: (record: LogRecord) => void, onProblem: (problem: LineProblem) => void): void {
    const p = this.parser;
    const length = bytes.length;
    // One character per byte: offsets in the text are offsets in the bytes.
    const src = { text: bytes.toString('latin1'), bytes };
    const text = src.text;
    /** Whether all these bytes are UTF-8, checked at the first line that needs decoding (the fast path reads ASCII only). */
    let utf8: boolean | undefined;
    for (let start = 0; start < length; ) {
      let newline = text.indexOf('\n', start);
      if (newline === -1) newline = length;
      const end = newline > start && text.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
      if (end - start > MAX_LINE_BYTES) this.unreadable(TOO_LONG, onProblem);
      else if (p.line < this.skipThrough) {
        // As the earlier run read it: a line that is not UTF-8 neither decided the format nor was the header.
        if ((utf8 ??= isUtf8(bytes)) || isUtf8(bytes.subarray(start, end))) p.skip(bytes.toString('utf8', start, end));
        else p.line++;
      } else if (p.format === 'ndjson' && start === end) p.line++;
      else {
        const record = p.format === 'ndjson' ? fastRecord(src, start, end, p.line + 1) : null;
        if (record !== null) {
          p.line++;
          onRecord(record);
        } else if (!(utf8 ??= isUtf8(bytes)) && !isUtf8(bytes.subarray(start, end))) {
          // Decoding would replace the bad bytes, and two different device ids could become one.
          this.unreadable('not valid UTF-8 text', onProblem);
        } else {
          const parsed = p.parse(bytes.toString('utf8', start, end));
          if (parsed !== null) {
            if (parsed.ok) onRecord(parsed.record);
            else onProblem(parsed.error);
          }
        }
      }
      start = newline + 1;
    }
  }
}

/** Bytes read at a time from a file. */
const CHUNK = 1 << 16;

/**
 * The bytes of a log from a path (`-`: stdin) or a stream, gunzipped when they are gzip. A plain
 * file is read with synchronous reads, a quarter less CPU than a read stream for the same bytes;
 * the event loop still runs between every 16 chunks (signals, the progress bar). Aborting `signal`
 * ends the bytes at once, also while waiting for more from a pipe that stays open (the stream is
 * destroyed: a wait for its writer could last forever).
 */
export async function* logBytes(source: LogSource, onBytes?: (bytes: number) => void, signal?: AbortSignal): AsyncGenerator<Buffer> {
  if (typeof source !== 'string' || source === '-') {
    yield* untilAborted(openSource(source, onBytes), signal);
    return;
  }
  const fd = openSync(source, 'r');
  const kind = fstatSync(fd);
  if (!kind.isFile()) {
    // A pipe by name (a FIFO, /dev/stdin) is read with events, as stdin is: a blocking read would
    // hold the whole process, signals included, until its writer writes.
    const stream = kind.isFIFO() || kind.isSocket() ? new Socket({ fd, readable: true, writable: false }) : createReadStream('', { fd });
    yield* untilAborted(openSource(stream, onBytes), signal);
    return;
  }
  try {
    for (let n = 0; ; n++) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      const length = readSync(fd, chunk, 0, CHUNK, null);
      if (length === 0) return;
      if (n === 0 && length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b) break;
      onBytes?.(length);
      yield chunk.subarray(0, length);
      if (n % 16 === 15) await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    closeSync(fd);
  }
  // gzip: the stream path gunzips it.
  yield* untilAborted(openSource(source, onBytes), signal);
}

/** A stream's chunks until `signal` aborts: then the stream is destroyed and the chunks end. */
async function* untilAborted(stream: Readable, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
  if (signal?.aborted) return void stream.destroy();
  const stop = (): void => void stream.destroy();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) yield chunk;
  } catch (error) {
    // Destroyed by the abort (a premature close): the bytes end here.
    if (!signal?.aborted) throw error;
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}

/** The outcomes of a log's lines in batches (one per chunk read), in order; see {@link LogReader}. */
export async function* readOutcomes(stream: AsyncIterable<Buffer>, reader: LogReader): AsyncGenerator<ParsedLine[]> {
  for await (const chunk of stream) {
    const batch = reader.push(chunk);
    if (batch.length > 0) yield batch;
  }
  const last = reader.end();
  if (last.length > 0) yield last;
}

/**
 * Reads a log and yields its lines' outcomes in batches, in order: records and problems. Blank
 * lines and the CSV header yield nothing.
 */
export async function* readLog(source: LogSource, options: ReadLogOptions = {}): AsyncGenerator<ParsedLine[]> {
  const named = typeof source === 'string' && source !== '-' ? formatFromName(source) : null;
  yield* readOutcomes(logBytes(source, options.onBytes), new LogReader(options.format ?? named));
}
