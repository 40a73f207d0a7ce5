/** The `sessionhub` command's body: see {@link main}. */
import { accessSync, constants, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseCommand, USAGE, type Command } from './cli-args';
import { renderCompareHtml } from './compare/render-html';
import { renderCompareTable } from './compare/render-table';
import { compareLog } from './compare/run-compare';
import { formatLine, GENERATED_CSV_HEADER, generateLog } from './generate';
import { progressFor } from './progress';
import { KitsSink, kitsFromConfig, readKitsConfig } from './replay/kits-sink';
import { replayLog } from './replay/run-replay';
import { stderrLogger } from '@sessionhub/core/node';
import { lineWriter } from './write-lines';
import { UsageError, UserError } from './user-error';
import { isInputFile } from './same-file';
import { isStdoutFailure, settleStdout, stdoutFailure, watchStdout, writeStdout } from './stdout';

async function run(command: Command): Promise<number> {
  switch (command.command) {
    case 'help':
      writeStdout(USAGE);
      return 0;
    case 'compare': {
      if (command.html && isInputFile(command.log, command.html)) throw new UsageError(`--html ${command.html} is the log itself: give another file`);
      if (command.html) checkWritable('html', command.html);
      const progress = progressFor(command.log);
      const report = await compareLog(command.log, {
        format: command.format,
        onError: command.onError,
        onBytes: (n) => progress.bytes(n),
        engine: { sessionTimeoutMs: command.timeoutMs, resumeOnRelaunch: command.resumeOnRelaunch },
        vendors: !command.canonicalOnly,
        brazeMobileClock: command.brazeMobile,
        sampleDevices: command.html ? command.sample : 0,
      }).finally(() => progress.stop());
      if (command.html) writeFileSync(command.html, renderCompareHtml(report));
      writeStdout(command.json ? `${JSON.stringify(report, null, 2)}\n` : renderCompareTable(report));
      await settleStdout();
      return 0;
    }
    case 'replay': {
      const progress = progressFor(command.log);
      const stop = new AbortController();
      const onSignal = (signal: NodeJS.Signals): void => {
        if (!stop.signal.aborted) process.stderr.write(`sessionhub: ${signal}: stopping after a checkpoint…\n`);
        stop.abort(signal);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const kits = command.kits === null ? null : new KitsSink(kitsFromConfig(readKitsConfig(command.kits)), command.checkpoint!, stderrLogger(), command.timeoutMs / 1000);
      try {
        const r = await replayLog(command.log, {
          out: kits ?? command.out!,
          checkpoint: command.checkpoint,
          checkpointEvery: command.checkpointEvery,
          format: command.format,
          onError: command.onError,
          onBytes: (n) => progress.bytes(n),
          engine: { sessionTimeoutMs: command.timeoutMs, resumeOnRelaunch: command.resumeOnRelaunch, ...(kits ? { excludedEvents: kits.sessionNeutralEvents() } : {}) },
          signal: stop.signal,
        });
        progress.stop();
        // Records written to stdout may meet a closed pipe only now: then the run says nothing more.
        if (command.out === '-') await settleStdout();
        if (stdoutFailure() !== null) return stdoutFailure()!;
        const c = r.counts;
        process.stderr.write(
          `${r.stopped ? `stopped at line ${r.line}${command.checkpoint ? ' (checkpointed: run the same command to resume)' : ''}` : `replayed to line ${r.line}`}` +
            `${r.resumedAfter ? `, resumed after line ${r.resumedAfter}` : ''}: ${c.records} records from ${r.devices} devices; ` +
            `${c.sessionsStarted} sessions started, ${c.sessionsEnded} ended, ${r.liveSessions} still live (no end record yet); ` +
            `${c.events} events, ${c.outOfOrder} lines out of order, ${r.skipped} lines skipped` +
            `${kits ? `; kit errors: ${kits.errors}` : ''}` +
            `${kits?.storedDevices ? `; outboxes earlier runs left undelivered, sent again: ${kits.storedDevices} devices` : ''}\n`,
        );
        const signal = stop.signal.reason as string | undefined;
        return r.stopped ? (signal === 'SIGTERM' ? 143 : 130) : 0;
      } finally {
        progress.stop();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    }
    case 'generate': {
      const out = lineWriter(command.out);
      let chunk = command.format === 'csv' ? `${GENERATED_CSV_HEADER}\n` : '';
      for (const line of generateLog(command)) {
        chunk += `${formatLine(line, command.format)}\n`;
        if (chunk.length > 1 << 16) {
          await out.write(chunk);
          chunk = '';
        }
      }
      await out.write(chunk);
      await out.close();
      return 0;
    }
  }
}

/**
 * Runs `sessionhub` with `argv` (without `node` and the script) and resolves with the exit code:
 * 0 done, 1 the run failed (e.g. a bad line with `--on-error stop`), 2 a usage mistake, 130 / 143
 * replay stopped by SIGINT / SIGTERM, 141 stdout's reader went away (`| head`). Messages go to
 * stderr, results to stdout.
 */
export async function main(argv: readonly string[]): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    process.stderr.write(`sessionhub: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  watchStdout();
  try {
    const code = await run(command);
    return stdoutFailure() ?? code;
  } catch (error) {
    // stdout's reader went away (`| head`): nothing more to say, as a Unix tool; a full disk was said.
    if (isStdoutFailure(error)) return stdoutFailure()!;
    // Failures the user can fix (a bad line, a checkpoint for another log) and the system's (a missing
    // file, a full disk) say what to fix; anything else is a bug and shows its stack.
    if (error instanceof UserError || isSystemError(error)) {
      process.stderr.write(`sessionhub: ${error.message}\n`);
      return error instanceof UserError ? error.exitCode : 1;
    }
    process.stderr.write(`sessionhub: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

/**
 * Fails now when `--<flag> <path>` could not be written at the end of the run (a missing folder, a
 * directory, no permission): else a long run, or one reading a stdin that stays open, fails only
 * after reading the whole log, or never. Nothing is created or emptied here.
 */
function checkWritable(flag: string, path: string): void {
  try {
    const status = statSync(path, { throwIfNoEntry: false });
    if (status?.isDirectory()) throw new UserError(`cannot write --${flag} ${path}: it is a directory; give a file`);
    accessSync(status ? path : dirname(resolve(path)), constants.W_OK);
  } catch (error) {
    if (isSystemError(error)) throw new UserError(`cannot write --${flag} ${path}: ${error.message}`);
    throw error;
  }
}

/** An error of a system call (ENOENT, EACCES, ENOSPC, …): Node gives them a `syscall`. */
const isSystemError = (error: unknown): error is NodeJS.ErrnoException => error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string';
