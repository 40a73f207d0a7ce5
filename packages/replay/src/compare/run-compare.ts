import { readLog, type LogSource, type ReadLogOptions } from '../log/read-log';
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
  for await (const batch of readLog(source, options)) {
    for (let i = 0; i < batch.length; i++) {
      const parsed = batch[i]!;
      if (parsed.ok) comparison.add(parsed.record);
      else bad.handle(parsed.error);
      lines = parsed.ok ? parsed.record.line : parsed.error.line;
    }
  }
  return compareReport(comparison, { lines, skipped: bad.skipped });
}
