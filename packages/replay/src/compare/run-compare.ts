import { LogReader, formatFromName, logBytes, type LogSource, type ReadLogOptions } from '../log/read-log';
import type { LineProblem, LogRecord } from '../log/log-record';
import { BadLines, type OnError } from '../log/bad-lines';
import { Comparison, type ComparisonOptions } from './comparison';
import { compareReport, type CompareReport } from './report';

/** Options of {@link compareLog}. */
export interface CompareLogOptions extends ComparisonOptions, ReadLogOptions {
  /** Bad lines: `stop` (default) or `skip`. */
  readonly onError?: OnError;
  /** Where messages about skipped lines go (default: stderr). */
  readonly warn?: (message: string) => void;
}

/**
 * `sessionhub compare` as a function: reads a log (a path, `-` for stdin, or a stream; NDJSON or CSV,
 * gzip or not) and compares the canonical sessions with each vendor model's.
 * Rejects with {@link BadLineError} at the first bad line unless `onError` is `skip`.
 */
export async function compareLog(source: LogSource, options: CompareLogOptions = {}): Promise<CompareReport> {
  const comparison = new Comparison(options);
  const bad = new BadLines(options.onError ?? 'stop', options.warn ?? ((m) => process.stderr.write(`${m}\n`)));
  let lines = 0;
  const onRecord = (record: LogRecord): void => {
    comparison.add(record);
    lines = record.line;
  };
  const onProblem = (problem: LineProblem): void => {
    bad.handle(problem);
    lines = problem.line;
  };
  const named = typeof source === 'string' && source !== '-' ? formatFromName(source) : null;
  const reader = new LogReader(options.format ?? named);
  // The reader hands each record over as it reads it: no outcome object or batch per line.
  for await (const chunk of logBytes(source, options.onBytes)) reader.feed(chunk, onRecord, onProblem);
  reader.finish(onRecord, onProblem);
  return compareReport(comparison, { lines, skipped: bad.skipped });
}
