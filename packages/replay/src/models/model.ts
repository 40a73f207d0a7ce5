import type { LogRecord, Platform } from '../log/log-record';

/** The vendors whose SDK session rules `compare` models. */
export type Vendor = 'braze' | 'snowplow' | 'clevertap' | 'mparticle';

/** A session a vendor model closed (or, at the end of the log, measured while still live). */
export interface ClosedSession {
  /** Epoch ms. */
  readonly start: number;
  /** When the vendor says the session ended, epoch ms. */
  readonly end: number;
  /** The length the vendor reports, ms (e.g. CleverTap: first event to last event). */
  readonly length: number;
  /** Start to last activity as the model saw it, ms: the length measured the canonical way. */
  readonly span: number;
  /** The user the session belonged to at its start (null: anonymous). */
  readonly userId: string | null;
}

/**
 * What a vendor model remembers about one device. Plain numbers and strings; `NaN` means "none".
 * `closed` and `started` describe the step that produced the state, for the caller to count.
 */
export interface ModelState {
  /** Start of the live session, or NaN. */
  readonly start: number;
  /** The instant the vendor's timeout is counted from (its notion of last activity). */
  readonly last: number;
  /**
   * First and last event of the live session (NaN: none yet). Only models whose lengths use them
   * (Snowplow, CleverTap) mark events: the others' stay NaN, and `compare` keeps no column for them.
   */
  readonly firstEvent: number;
  readonly lastEvent: number;
  /** The user as the vendor knows it. */
  readonly user: string | null;
  /** The user at the live session's start. */
  readonly sessionUser: string | null;
  readonly inForeground: boolean | null;
  /** The latest time seen: a line earlier than this is applied at this time. */
  readonly clock: number;
  /** Sessions the last step closed, in order. */
  readonly closed: readonly ClosedSession[];
  /** Sessions the last step started. */
  readonly started: number;
}

/**
 * A vendor SDK's session rules as a pure function: `step` never modifies its input and depends only
 * on it. See `docs/compare.md` for the vendor source behind each rule.
 */
export interface VendorModel {
  /** e.g. `braze-mobile`. */
  readonly id: string;
  readonly vendor: Vendor;
  readonly platform: Platform;
  /** The SDK's default session timeout, ms. */
  readonly timeoutMs: number;
  /** The rules in one line, for reports. */
  readonly summary: string;
  /** Applies one log line. */
  step(state: ModelState, line: LogRecord): ModelState;
  /**
   * The rules themselves: applies one line to a draft the caller owns, its clock already moved to
   * the line's time (the module's `draft` does it for `step`; a comparison of many devices keeps the states
   * in columns and loads each into one reused draft).
   */
  apply(d: Draft, line: LogRecord): void;
  /** The session still live at the end of the log, measured as the vendor would measure it, or null. */
  finish(state: ModelState): ClosedSession | null;
}

const NONE: readonly ClosedSession[] = Object.freeze([]);

/** A device the model has seen nothing of. */
export const INITIAL_MODEL_STATE: ModelState = Object.freeze({
  start: NaN,
  last: NaN,
  firstEvent: NaN,
  lastEvent: NaN,
  user: null,
  sessionUser: null,
  inForeground: null,
  clock: -Infinity,
  closed: NONE,
  started: 0,
});

/** A step in progress: a copy of the state that a model's rules modify (the input is never touched). */
export interface Draft {
  start: number;
  last: number;
  firstEvent: number;
  lastEvent: number;
  user: string | null;
  sessionUser: string | null;
  inForeground: boolean | null;
  clock: number;
  closed: readonly ClosedSession[];
  started: number;
}

/**
 * A copy of `s` to modify, its clock moved to the line's time; a line earlier than the clock is
 * applied at the clock (never backwards). The step's time is `d.clock`.
 */
export function draft(s: ModelState, line: LogRecord): Draft {
  const t = line.t > s.clock ? line.t : s.clock;
  const d: Draft = {
    start: s.start,
    last: s.last,
    firstEvent: s.firstEvent,
    lastEvent: s.lastEvent,
    user: s.user,
    sessionUser: s.sessionUser,
    inForeground: s.inForeground,
    clock: t,
    closed: NONE,
    started: 0,
  };
  return d;
}

export const live = (d: Draft | ModelState): boolean => d.start === d.start; // not NaN

/** Starts a session at `t`. */
export function open(d: Draft, t: number): void {
  d.start = t;
  d.last = t;
  d.firstEvent = NaN;
  d.lastEvent = NaN;
  d.sessionUser = d.user;
  d.started++;
}

/** Ends the live session: `end` and `length` as the vendor reports them. */
export function close(d: Draft, end: number, length: number): void {
  const session: ClosedSession = { start: d.start, end, length: Math.max(0, length), span: Math.max(0, d.last - d.start), userId: d.sessionUser };
  d.closed = d.closed.length === 0 ? [session] : [...d.closed, session];
  d.start = NaN;
  d.firstEvent = NaN;
  d.lastEvent = NaN;
}

/** Marks an event at `t` in the live session. */
export function countEvent(d: Draft, t: number): void {
  if (d.firstEvent !== d.firstEvent) d.firstEvent = t;
  d.lastEvent = t;
}

/** The user a line changes to: a string or null, or undefined when it changes nothing. */
export function userChange(d: Draft, line: LogRecord): string | null | undefined {
  return line.userId === undefined || line.userId === d.user ? undefined : line.userId;
}

/** The live session measured at the end of the log with `length`, ending at `end`. */
export function finished(s: ModelState, end: number, length: number): ClosedSession | null {
  if (!live(s)) return null;
  return { start: s.start, end, length: Math.max(0, length), span: Math.max(0, s.last - s.start), userId: s.sessionUser };
}

/** A model from its rules: `step` is `apply` on a fresh {@link draft}, so the input state is never touched. */
export function vendorModel(spec: Omit<VendorModel, 'step'>): VendorModel {
  return {
    ...spec,
    step(s, line) {
      const d = draft(s, line);
      spec.apply(d, line);
      return d;
    },
  };
}
