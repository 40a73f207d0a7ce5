/**
 * stdout whose reader may go away (`sessionhub … | head -1`). Node reports that as an EPIPE 'error'
 * event, which crashes with a stack when nothing listens. A closed stdout ends the run quietly
 * instead, with the exit code of a Unix tool killed by SIGPIPE: 141 (128 + 13).
 */
export const STDOUT_CLOSED_EXIT = 141;

/** Thrown by {@link writeStdout} once stdout failed: nothing more can be written there. */
export class StdoutClosedError extends Error {
  override readonly name = 'StdoutClosedError';
  constructor() {
    super('stdout is closed');
  }
}

/** The exit code stdout's failure calls for; null while it works. */
let failed: number | null = null;
let watched = false;

/** {@link STDOUT_CLOSED_EXIT} once stdout's reader is gone, 1 once stdout failed otherwise, null while it works. */
export const stdoutFailure = (): number | null => failed;

/**
 * Whether `error` is stdout failing: thrown by {@link writeStdout}, or the write error itself as a
 * stream writer passes it on (`generate`).
 */
export const isStdoutFailure = (error: unknown): boolean =>
  error instanceof StdoutClosedError || (failed !== null && typeof (error as NodeJS.ErrnoException | null)?.syscall === 'string' && (error as NodeJS.ErrnoException).syscall === 'write');

/**
 * Listens to stdout's errors, once per process. EPIPE (the reader is gone): quietly, exit code
 * {@link STDOUT_CLOSED_EXIT}; any other (a full disk under `> file`): one line on stderr, exit
 * code 1. The code is set here too, as the error may come after the command set its own.
 */
export function watchStdout(): void {
  if (watched) return;
  watched = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (failed === null) {
      failed = error.code === 'EPIPE' ? STDOUT_CLOSED_EXIT : 1;
      if (failed === 1) process.stderr.write(`sessionhub: cannot write to stdout: ${error.message}\n`);
    }
    process.exitCode = failed;
  });
}

/** Writes to stdout (Node queues what a pipe cannot take yet); throws {@link StdoutClosedError} once stdout failed. */
export function writeStdout(text: string): void {
  if (failed !== null) throw new StdoutClosedError();
  process.stdout.write(text);
}

/** Resolves once what was written to stdout was taken or failed (then {@link stdoutFailure} says so). */
export function settleStdout(): Promise<void> {
  return new Promise((resolve) => {
    if (failed !== null || process.stdout.destroyed) resolve();
    // The callback comes after the error event of an earlier write that failed.
    else process.stdout.write('', () => resolve());
  });
}
