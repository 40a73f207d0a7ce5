import type {
  AttributeValue,
  EventRecord,
  LifecycleRecord,
  SessionEndReason,
  SessionEndRecord,
  SessionStartRecord,
  SessionStartTrigger,
} from '../records';
import {
  ATTRIBUTE_LIMITS,
  attributeKeyProblem,
  attributeValueProblem,
  copyAttributes,
  describe,
  emptyAttributes,
  findAttributeKey,
} from './attributes';
import { isExpired } from './expiry';
import type { EngineInput } from './inputs';
import type { EngineOutput, WarningCode } from './outputs';
import type { EngineConfig, EngineState, PreviousSession, SessionState } from './state';

/** What the engine needs from outside that is not in its state: fresh ids. Seed it for replays. */
export interface EngineEnv {
  /** A new unique id (UUID v4 in the hub). */
  newId(): string;
}

/** The engine's answer to one input. */
export interface StepResult {
  readonly state: EngineState;
  readonly outputs: readonly EngineOutput[];
  /** The call's return value: true/false for commands, the new value for an increment, undefined on failure. */
  readonly result: boolean | number | undefined;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Apply one input to the session state: the whole of the session rules, as a pure function.
 *
 * Deterministic given `env.newId`; never reads a clock, never touches storage, never throws on a
 * well-typed input, and never modifies `state` (a new state is returned when anything changed).
 */
export function step(state: EngineState, input: EngineInput, env: EngineEnv): StepResult {
  return new Step(state, env).run(input);
}

class Step {
  private readonly d: Mutable<EngineState>;
  /** The draft's session, copied on first write so the caller's state is never modified. */
  private s: Mutable<SessionState> | null;
  private sessionCopied = false;
  private readonly outputs: EngineOutput[] = [];

  constructor(
    state: EngineState,
    private readonly env: EngineEnv,
  ) {
    this.d = { ...state };
    this.s = state.session as Mutable<SessionState> | null;
  }

  run(input: EngineInput): StepResult {
    const result = this.apply(input);
    this.d.session = this.s;
    return { state: this.d, outputs: this.outputs, result };
  }

  private apply(input: EngineInput): boolean | number | undefined {
    if (input.type === 'launch') return this.launch(input.t, input.foreground, input.config);
    const t = this.advanceClock(input);
    switch (input.type) {
      case 'foreground':
        return this.foreground(t);
      case 'background':
        return this.background(t);
      case 'event':
        return this.event(t, input.eventId, input.name, input.attributes, input.affectsSession);
      case 'tick':
        return true;
      case 'setUser':
        return this.setUser(t, input.userId);
      case 'startNewSession':
        if (this.s) this.end(t, 'manual');
        this.start(t, 'manual');
        return true;
      case 'endSession':
        if (!this.s) return this.warn('no-live-session', 'endSession() was called with no live session');
        this.end(t, 'manual');
        return true;
      case 'setAttribute':
        return this.setAttribute(t, input.key, input.value);
      case 'incrementAttribute':
        return this.incrementAttribute(t, input.key, input.by);
      case 'removeAttribute':
        return this.removeAttribute(t, input.key);
      case 'configure':
        this.d.config = { ...this.d.config, ...input.config };
        this.outputs.push({ type: 'configChange', config: this.d.config });
        this.expireIfDue(t);
        return true;
    }
  }

  // ---------------------------------------------------------------- time

  /**
   * Turns the input's timestamp into the engine's time. A clock that moved back by less than the
   * session timeout counts as "no time passed"; a jump back by the timeout or more ends the session
   * at its last activity (reason `clock-change`). Then ends the session if it has expired.
   */
  private advanceClock(input: Exclude<EngineInput, { type: 'launch' }>): number {
    let t = input.t;
    if (t < this.d.clock) {
      if (this.d.clock - t < this.d.config.sessionTimeoutMs) {
        t = this.d.clock;
      } else {
        this.clockJumpedBack(t, isActivity(input, this.d.config));
        return t;
      }
    }
    this.d.clock = t;
    this.expireIfDue(t);
    return t;
  }

  /** Ends the session after a large backward jump; `restart` starts a new one (not on launch, which decides itself). */
  private clockJumpedBack(t: number, activity: boolean, restart = true): void {
    this.warn(
      'clock-moved-backwards',
      `the clock moved back by ${this.d.clock - t} ms (at least the session timeout): the session ends at its last activity`,
    );
    this.d.clock = t;
    if (!this.s) return;
    this.end(this.s.lastActivity, 'clock-change');
    if (restart && (activity || this.d.inForeground === true)) this.start(t, 'clock-change');
  }

  private expireIfDue(t: number): void {
    if (this.s && isExpired(this.s, t, this.d.inForeground, this.d.config)) this.end(this.s.lastActivity, 'timeout');
  }

  // ---------------------------------------------------------------- lifecycle

  private launch(t: number, foreground: boolean, config: EngineConfig | undefined): true {
    if (config) this.d.config = config;
    if (t < this.d.clock && this.d.clock - t >= this.d.config.sessionTimeoutMs) {
      this.clockJumpedBack(t, false, false);
    } else if (t < this.d.clock) {
      t = this.d.clock;
    }
    this.d.clock = t;
    const s = this.s;
    if (s) {
      // The previous run is over: whatever it was doing, the app was not running since lastActivity.
      if (this.d.config.resumeOnRelaunch && !isExpired(s, t, false, this.d.config)) {
        this.closeForegroundStretch(s.lastActivity);
      } else {
        this.end(s.lastActivity, 'recovered');
      }
    }
    this.d.inForeground = foreground;
    if (foreground) this.enterForeground(t, 'launch');
    return true;
  }

  private foreground(t: number): boolean {
    if (this.d.inForeground === true && this.s) return true;
    this.d.inForeground = true;
    this.enterForeground(t, 'foreground');
    return true;
  }

  private enterForeground(t: number, trigger: SessionStartTrigger): void {
    if (!this.s) this.start(t, trigger);
    const s = this.writableSession();
    s.foregroundIndex += 1;
    s.foregroundSince = t;
    s.lastActivity = t;
    this.outputs.push({ type: 'foreground', record: this.lifecycleRecord(t) });
  }

  private background(t: number): boolean {
    if (this.d.inForeground === false) return true;
    this.d.inForeground = false;
    if (this.s) {
      this.closeForegroundStretch(t);
      const s = this.writableSession();
      s.backgroundIndex += 1;
      s.lastActivity = Math.max(s.lastActivity, t);
    }
    this.outputs.push({ type: 'background', record: this.lifecycleRecord(t) });
    return true;
  }

  /** Adds the running foreground stretch (if any) up to `until` to the accumulated foreground time. */
  private closeForegroundStretch(until: number): void {
    const since = this.s?.foregroundSince;
    if (since === null || since === undefined) return;
    const s = this.writableSession();
    s.foregroundTime += Math.max(0, until - since);
    s.foregroundSince = null;
  }

  // ---------------------------------------------------------------- events and users

  private event(
    t: number,
    eventId: string,
    name: string,
    attributes: Readonly<Record<string, unknown>>,
    affectsSessionRequested: boolean,
  ): true {
    const affectsSession = affectsSessionRequested && !this.d.config.excludedEvents.includes(name);
    if (affectsSession && !this.s) this.start(t, 'event');
    let record: EventRecord;
    if (this.s) {
      const s = this.writableSession();
      s.eventIndex += 1;
      if (s.eventIndex === 1) {
        s.firstEventId = eventId;
        s.firstEventTime = t;
      }
      s.lastEventTime = t;
      if (affectsSession) s.lastActivity = t;
      record = {
        eventId,
        name,
        attributes,
        timestamp: t,
        sessionId: s.id,
        sessionIndex: s.index,
        eventIndex: s.eventIndex,
        sessionStartTime: s.startTime,
        userId: this.d.userId,
        deviceId: this.d.deviceId,
        inForeground: this.d.inForeground,
        affectsSession,
        previousSessionId: s.previousSessionId,
        firstEventId: s.firstEventId,
        firstEventTime: s.firstEventTime,
      };
    } else {
      record = {
        eventId,
        name,
        attributes,
        timestamp: t,
        sessionId: null,
        sessionIndex: 0,
        eventIndex: 0,
        sessionStartTime: null,
        userId: this.d.userId,
        deviceId: this.d.deviceId,
        inForeground: this.d.inForeground,
        affectsSession,
        previousSessionId: null,
        firstEventId: null,
        firstEventTime: null,
      };
    }
    this.outputs.push({ type: 'event', record });
    return true;
  }

  private setUser(t: number, userId: string | null): true {
    const previousUserId = this.d.userId;
    if (userId === previousUserId) return true;
    const renew = previousUserId !== null && this.d.config.newSessionOnUserChange && this.s !== null;
    if (renew) this.end(t, 'user-change');
    this.d.userId = userId;
    if (this.s) this.writableSession().userId = userId;
    const sessionId = this.s ? this.s.id : null;
    this.outputs.push({ type: 'userChange', record: { timestamp: t, previousUserId, userId, deviceId: this.d.deviceId, sessionId } });
    if (renew) this.start(t, 'user-change');
    return true;
  }

  // ---------------------------------------------------------------- session attributes

  private setAttribute(t: number, key: string, value: AttributeValue): boolean {
    const problem = attributeKeyProblem(key) ?? attributeValueProblem(value);
    if (problem) return this.warn('invalid-argument', `setSessionAttribute: ${problem}`);
    return this.writeAttribute(t, key, value, 'setSessionAttribute');
  }

  private incrementAttribute(t: number, key: string, by: number): number | undefined {
    const problem = attributeKeyProblem(key) ?? (Number.isFinite(by) ? null : `increment must be a finite number, got ${describe(by)}`);
    if (problem) return this.warnUndefined('invalid-argument', `incrementSessionAttribute: ${problem}`);
    if (!this.s) return this.warnUndefined('no-live-session', `incrementSessionAttribute('${key}') needs a live session`);
    const existing = findAttributeKey(this.s.attributes, key);
    const current = existing === undefined ? 0 : this.s.attributes[existing];
    if (typeof current !== 'number') {
      return this.warnUndefined(
        'attribute-not-numeric',
        `incrementSessionAttribute('${key}'): the current value is not a number (${describe(current)}); it is left unchanged`,
      );
    }
    const next = current + by;
    if (!Number.isFinite(next)) return this.warnUndefined('invalid-argument', `incrementSessionAttribute('${key}') would overflow`);
    return this.writeAttribute(t, key, next, 'incrementSessionAttribute') ? next : undefined;
  }

  private writeAttribute(t: number, key: string, value: AttributeValue, call: string): boolean {
    if (!this.s) return this.warn('no-live-session', `${call}('${key}') needs a live session; nothing was stored`);
    const existing = findAttributeKey(this.s.attributes, key);
    if (existing === undefined && Object.keys(this.s.attributes).length >= ATTRIBUTE_LIMITS.maxCount) {
      return this.warn('attribute-limit', `${call}('${key}'): a session holds at most ${ATTRIBUTE_LIMITS.maxCount} attributes`);
    }
    const storedKey = existing ?? key;
    const attributes = copyAttributes(this.s.attributes);
    attributes[storedKey] = value;
    this.changeAttributes(t, storedKey, value, attributes);
    return true;
  }

  private removeAttribute(t: number, key: string): boolean {
    const problem = attributeKeyProblem(key);
    if (problem) return this.warn('invalid-argument', `removeSessionAttribute: ${problem}`);
    if (!this.s) return this.warn('no-live-session', `removeSessionAttribute('${key}') needs a live session`);
    const existing = findAttributeKey(this.s.attributes, key);
    if (existing === undefined) return false;
    const attributes = copyAttributes(this.s.attributes);
    delete attributes[existing];
    this.changeAttributes(t, existing, undefined, attributes);
    return true;
  }

  private changeAttributes(
    t: number,
    key: string,
    value: AttributeValue | undefined,
    attributes: Record<string, AttributeValue>,
  ): void {
    const s = this.writableSession();
    s.attributes = attributes;
    this.outputs.push({ type: 'sessionAttributeChange', record: { timestamp: t, sessionId: s.id, key, value, attributes } });
  }

  // ---------------------------------------------------------------- session start and end

  private start(t: number, trigger: SessionStartTrigger): void {
    const index = this.d.lastSessionIndex + 1;
    const prev: PreviousSession | null = this.d.previous;
    const s: Mutable<SessionState> = {
      id: this.env.newId(),
      index,
      previousSessionId: prev ? prev.id : null,
      trigger,
      startTime: t,
      lastActivity: t,
      eventIndex: 0,
      foregroundIndex: 0,
      backgroundIndex: 0,
      foregroundTime: 0,
      foregroundSince: this.d.inForeground === true ? t : null,
      firstEventId: null,
      firstEventTime: null,
      lastEventTime: null,
      attributes: emptyAttributes(),
      userId: this.d.userId,
      previousSessionStartTime: prev ? prev.startTime : null,
      previousSessionDuration: prev ? prev.duration : null,
    };
    this.s = s;
    this.sessionCopied = true;
    this.d.lastSessionIndex = index;
    this.outputs.push({ type: 'sessionStart', record: sessionStartRecord(s, this.d.deviceId) });
  }

  private end(at: number, reason: SessionEndReason): void {
    const s = this.s;
    if (!s) return;
    const endTime = Math.max(at, s.startTime);
    const duration = endTime - s.startTime;
    const running = s.foregroundSince === null ? 0 : Math.max(0, endTime - s.foregroundSince);
    const foregroundDuration = Math.min(duration, s.foregroundTime + running);
    const record: SessionEndRecord = {
      sessionId: s.id,
      sessionIndex: s.index,
      previousSessionId: s.previousSessionId,
      startTime: s.startTime,
      endTime,
      duration,
      foregroundDuration,
      eventCount: s.eventIndex,
      lastActivity: s.lastActivity,
      firstEventId: s.firstEventId,
      firstEventTime: s.firstEventTime,
      lastEventTime: s.lastEventTime,
      attributes: s.attributes,
      userId: s.userId,
      deviceId: this.d.deviceId,
      reason,
    };
    this.d.previous = { id: s.id, startTime: s.startTime, duration };
    this.s = null;
    this.sessionCopied = false;
    this.outputs.push({ type: 'sessionEnd', record });
  }

  // ---------------------------------------------------------------- helpers

  private writableSession(): Mutable<SessionState> {
    const s = this.s as Mutable<SessionState>;
    if (!this.sessionCopied) {
      this.s = { ...s };
      this.sessionCopied = true;
    }
    return this.s as Mutable<SessionState>;
  }

  private lifecycleRecord(t: number): LifecycleRecord {
    const s = this.s;
    return {
      timestamp: t,
      sessionId: s ? s.id : null,
      sessionIndex: s ? s.index : 0,
      foregroundIndex: s ? s.foregroundIndex : 0,
      backgroundIndex: s ? s.backgroundIndex : 0,
      userId: this.d.userId,
      deviceId: this.d.deviceId,
      previousSessionId: s ? s.previousSessionId : null,
      eventIndex: s ? s.eventIndex : 0,
      firstEventId: s ? s.firstEventId : null,
      firstEventTime: s ? s.firstEventTime : null,
    };
  }

  private warn(code: WarningCode, message: string): false {
    this.outputs.push({ type: 'warning', warning: { code, message } });
    return false;
  }

  private warnUndefined(code: WarningCode, message: string): undefined {
    this.warn(code, message);
    return undefined;
  }
}

/** The start record of a session (also used to catch up a kit registered while the session is live). */
export function sessionStartRecord(s: SessionState, deviceId: string): SessionStartRecord {
  return {
    sessionId: s.id,
    sessionIndex: s.index,
    previousSessionId: s.previousSessionId,
    startTime: s.startTime,
    userId: s.userId,
    deviceId,
    trigger: s.trigger,
    isFirstSession: s.index === 1,
    previousSessionStartTime: s.previousSessionStartTime,
    previousSessionDuration: s.previousSessionDuration,
  };
}

/** Inputs that are user activity, so a session should exist after them. */
function isActivity(input: EngineInput, config: EngineConfig): boolean {
  switch (input.type) {
    case 'foreground':
    case 'startNewSession':
      return true;
    case 'event':
      return input.affectsSession && !config.excludedEvents.includes(input.name);
    default:
      return false;
  }
}
