import { statSync } from 'node:fs';
import type { EngineConfig } from '@sessionhub/core';
import { BadLines, type OnError } from '../log/bad-lines';
import { LogReader, formatFromName, logBytes, type ReadLogOptions } from '../log/read-log';
import type { ParsedLine } from '../log/log-record';
import { CheckpointError, prepareCheckpointDirectory, readCheckpoint, writeCheckpoint } from './checkpoint';
import { UsageError } from '../user-error';
import { isInputFile } from '../same-file';
import { NdjsonFileSink } from './ndjson-sink';
import { Replayer, type ReplayCounts, type ReplaySink } from './replayer';

/** Options of {@link replayLog}. */
export interface ReplayLogOptions extends ReadLogOptions {
  /** Where the canonical records go: a path for NDJSON (`-`: stdout), or a sink of your own. */
  readonly out: string | ReplaySink;
  /**
   * A directory for checkpoints: per-device state and the position in the log are saved there every
   * `checkpointEvery` lines, when stopped and at the end; the same call with the same directory
   * resumes where the last one stopped, without sending anything twice or skipping anything.
   */
  readonly checkpoint?: string | null;
  /** Lines between checkpoints (default 100,000). */
  readonly checkpointEvery?: number;
  readonly engine?: Partial<EngineConfig>;
  /** Bad lines: `stop` (default) or `skip`. */
  readonly onError?: OnError;
  /** Where messages about skipped lines go (default: stderr). */
  readonly warn?: (message: string) => void;
  /** Aborting stops the run cleanly after a checkpoint (the CLI aborts on SIGINT and SIGTERM). */
  readonly signal?: AbortSignal;
}

/** How a replay ended. */
export interface ReplayResult {
  /** True when stopped by the signal before the end of the log. */
  readonly stopped: boolean;
  /** Lines of the log consumed, in all runs. */
  readonly line: number;
  /** The line this run started after (0 unless resumed). */
  readonly resumedAfter: number;
  readonly skipped: number;
  readonly counts: ReplayCounts;
  readonly devices: number;
  /** Sessions still live: checkpointed, with no end record (a later run with more lines ends them). */
  readonly liveSessions: number;
}

/**
 * `sessionhub replay` as a function: server-side sessionization of a log with the canonical engine,
 * records to NDJSON or a sink, with checkpoints. A file written to is cut back on resume to the
 * length the checkpoint counted, so records written after the last checkpoint are written once.
 */
export async function replayLog(source: string, options: ReplayLogOptions): Promise<ReplayResult> {
  const dir = options.checkpoint ?? null;
  if (dir !== null && options.out === '-') throw new UsageError('a checkpointed replay cannot write to stdout (what was written after the last checkpoint could not be taken back): give --out a file');
  if (typeof options.out === 'string' && options.out !== '-') {
    // Opening --out empties it before a line of the log is read.
    if (isInputFile(source, options.out)) throw new UsageError(`--out ${options.out} is the log itself: writing the records would erase it; give another file`);
    if (dir !== null && statSync(options.out, { throwIfNoEntry: false })?.isFile() === false) {
      throw new UsageError(`--checkpoint needs --out to be a regular file, not ${options.out}: what was written after the last checkpoint is cut back on resume`);
    }
  }
  const every = options.checkpointEvery ?? 100_000;
  const probe = new Replayer({ write: () => undefined }, options.engine);
  // A checkpoint holds it as JSON, which writes Infinity and NaN as null.
  if (!Number.isFinite(probe.config.sessionTimeoutMs)) throw new UsageError(`the session timeout must be a finite number of ms, got ${probe.config.sessionTimeoutMs}`);
  const saved = dir === null ? null : readCheckpoint(dir, probe.config);
  if (saved) {
    if (saved.log !== source) throw new CheckpointError(`the checkpoint in ${dir} is for ${saved.log}, not ${source}; use another directory or remove it`);
    if (saved.sessionTimeoutMs !== probe.config.sessionTimeoutMs || saved.resumeOnRelaunch !== probe.config.resumeOnRelaunch) {
      throw new CheckpointError(`the checkpoint in ${dir} was made with other session options (timeout ${saved.sessionTimeoutMs / 1000} s, resumeOnRelaunch ${saved.resumeOnRelaunch}); use the same ones to resume`);
    }
    if (typeof options.out === 'string' && saved.out?.path !== options.out) throw new CheckpointError(`the checkpoint in ${dir} wrote to ${saved.out?.path ?? 'a sink'}, not ${options.out}; use the same --out to resume`);
  }
  if (dir !== null) prepareCheckpointDirectory(dir);
  const file = typeof options.out === 'string' ? new NdjsonFileSink(options.out, saved?.out?.bytes ?? null) : null;
  const sink: ReplaySink = file ?? (options.out as ReplaySink);
  const replayer = new Replayer(sink, options.engine);
  if (saved) replayer.restore(saved.devices, saved.counts);
  const bad = new BadLines(options.onError ?? 'stop', options.warn ?? ((m) => process.stderr.write(`${m}\n`)));
  bad.skipped = saved?.skipped ?? 0;
  const resumedAfter = saved?.line ?? 0;
  const reader = new LogReader(options.format ?? (source !== '-' ? formatFromName(source) : null), resumedAfter);
  const parser = reader.parser;
  /** The last line applied: a checkpoint between two lines of a batch names it (the parser is at the batch's end). */
  let applied = resumedAfter;

  const checkpoint = async (line: number): Promise<void> => {
    if (file) file.flush();
    else await sink.flush?.();
    if (dir === null) return;
    writeCheckpoint(dir, {
      log: source,
      line,
      out: file && typeof options.out === 'string' ? { path: options.out, bytes: file.bytes } : null,
      skipped: bad.skipped,
      counts: replayer.counts,
      sessionTimeoutMs: replayer.config.sessionTimeoutMs,
      resumeOnRelaunch: replayer.config.resumeOnRelaunch,
      devices: replayer.snapshot(),
    });
  };

  let stopped = false;
  let sinceCheckpoint = 0;
  const apply = async (batch: readonly ParsedLine[], checkpoints: boolean): Promise<void> => {
    for (let i = 0; i < batch.length; i++) {
      const parsed = batch[i]!;
      if (parsed.ok) replayer.add(parsed.record);
      else bad.handle(parsed.error);
      applied = parsed.ok ? parsed.record.line : parsed.error.line;
      // Checkpoint between lines only: a checkpoint's line and its states always agree.
      if (checkpoints && ++sinceCheckpoint >= every) {
        await checkpoint(applied);
        sinceCheckpoint = 0;
      }
    }
  };
  try {
    await sink.open?.(options.signal);
    // The signal also ends a wait for more input (stdin that stays open).
    for await (const chunk of logBytes(source, options.onBytes, options.signal)) {
      await apply(reader.push(chunk), true);
      if (options.signal?.aborted) break;
    }
    stopped = options.signal?.aborted ?? false;
    // Every complete line read so far is applied (blank lines and a CSV header included).
    await checkpoint(parser.line);
    // A last line with no newline may be a line still being written: it is replayed, but after the
    // checkpoint, so the next run reads it again, whole, once the log has grown (its records are cut
    // back from the output first, or sent to the kits again with the same ids).
    if (!stopped) await apply(reader.end(), false);
  } finally {
    if (file) file.close();
    else await sink.close?.();
  }
  return {
    stopped,
    line: parser.line,
    resumedAfter,
    skipped: bad.skipped,
    counts: { ...replayer.counts },
    devices: replayer.snapshot().size,
    liveSessions: replayer.liveSessions(),
  };
}
