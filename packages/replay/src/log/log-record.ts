/** One line of an event log, checked and normalized (see `docs/compare.md`, "The log"). */

/** What a line says happened. `launch` is an app launch in the foreground. */
export type LogLineType = 'event' | 'foreground' | 'background' | 'launch';

/** The platform a device's vendor SDKs would run on. */
export type Platform = 'mobile' | 'web';

/** A valid log line. */
export interface LogRecord {
  /** 1-based line number in its input (the CSV header is line 1). */
  readonly line: number;
  readonly deviceId: string;
  /** Epoch ms. */
  readonly t: number;
  readonly type: LogLineType;
  /** The event name; null for lifecycle lines. */
  readonly name: string | null;
  /** The event's attributes; an empty object when none were given. */
  readonly attributes: Readonly<Record<string, unknown>>;
  /** False for a session-neutral event (neither starts nor extends a session). Always true for lifecycle lines. */
  readonly affectsSession: boolean;
  /** The device's platform when the line says it; null when it does not (then it is inferred). */
  readonly platform: Platform | null;
  /**
   * The user as of this line, applied before it like `setUser`: a string, or null for logged out.
   * Undefined when the line does not say (the user is unchanged).
   */
  readonly userId: string | null | undefined;
}

/** A line that could not be read: where, and what is wrong with it. */
export interface LineProblem {
  readonly line: number;
  /** What is wrong, in words, e.g. `timestamp must be epoch ms or ISO 8601 with Z or an offset, got "yesterday"`. */
  readonly problem: string;
  /** No later line can be read (a CSV log's header): the run fails here, even when bad lines are skipped. */
  readonly fatal?: true;
}

/** The outcome of reading one line. */
export type ParsedLine = { readonly ok: true; readonly record: LogRecord } | { readonly ok: false; readonly error: LineProblem };

/** `line N: problem`, the form every message about a bad line takes. */
export function describeProblem(error: LineProblem): string {
  return `line ${error.line}: ${error.problem}`;
}
