/**
 * A failure the user can fix — a bad line, an unusable checkpoint, a wrong kits config: its message
 * says what is wrong and what to do. The CLI prints the message alone (no stack) and exits with
 * {@link UserError.exitCode}; any other error is a bug and shows its stack.
 */
export class UserError extends Error {
  override readonly name: string = 'UserError';
  /** The CLI's exit code: 1, the run failed. */
  readonly exitCode: number = 1;
}

/** A command line that cannot run: the message says what to fix; exit code 2. */
export class UsageError extends UserError {
  override readonly name: string = 'UsageError';
  override readonly exitCode: number = 2;
}
