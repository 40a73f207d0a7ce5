import { UserError } from '../user-error';
import { describeProblem, type LineProblem } from './log-record';

/** What to do with a bad line: `stop` (the default) fails the run at it; `skip` reports it and goes on. */
export type OnError = 'skip' | 'stop';

/** A run stopped at a bad line (`--on-error stop`). */
export class BadLineError extends UserError {
  override readonly name = 'BadLineError';
  constructor(readonly problem: LineProblem) {
    super(`${describeProblem(problem)} (use --on-error skip to skip bad lines)`);
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

  /** Applies the policy to one bad line. */
  handle(problem: LineProblem): void {
    if (this.policy === 'stop') throw new BadLineError(problem);
    this.skipped++;
    this.report(`skipped ${describeProblem(problem)}`);
  }
}
