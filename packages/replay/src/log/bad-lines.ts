import { UserError } from '../user-error';
import { describeProblem, type LineProblem } from './log-record';

/** What to do with a bad line: `stop` (the default) fails the run at it; `skip` reports it and goes on. */
export type OnError = 'skip' | 'stop';

/** A run stopped at a bad line (`--on-error stop`, or a line no later line can be read without). */
export class BadLineError extends UserError {
  override readonly name = 'BadLineError';
  constructor(readonly problem: LineProblem) {
    super(`${describeProblem(problem)}${problem.fatal ? ': no later line can be read without it' : ' (use --on-error skip to skip bad lines)'}`);
  }
}

/**
 * Applies the `--on-error` policy: stop throws {@link BadLineError}; skip reports the line through
 * `report` (each one: nothing is dropped silently) and counts it.
 */
export class BadLines {
  skipped = 0;
  constructor(
    private readonly policy: OnError,
    private readonly report: (message: string) => void,
  ) {}

  /** Applies the policy to one bad line (one no later line can be read without stops the run whatever the policy). */
  handle(problem: LineProblem): void {
    if (this.policy === 'stop' || problem.fatal) throw new BadLineError(problem);
    this.skipped++;
    this.report(`skipped ${describeProblem(problem)}`);
  }
}
