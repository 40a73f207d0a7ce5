import type { AttributeValue, EventRecord, LifecycleRecord, SessionEndReason, SessionStartRecord, SessionStartTrigger } from '../records';
import { message } from '../messages';
import { MAX_ATTRIBUTES, attributeKeyProblem, attributeValueProblem, describe, findAttributeKey } from './attributes';
import { isExpired } from './expiry';
import type { EngineInput } from './inputs';
import type { EngineOutput, WarningCode } from './outputs';
import type { EngineConfig, EngineState, SessionState } from './state';

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
type Session = Mutable<SessionState>;
type Result = boolean | number | undefined;

/** The state a step modifies: a copy made by {@link step}, or the caller's own with {@link stepInPlace}. */
interface Draft extends Mutable<Omit<EngineState, 'session'>> {
  session: Session | null;
}

// The step in progress's outputs and env: module functions use them instead of closing over them, so
// nothing is allocated per step but the state copy and the outputs. Saved and restored around a
// step, so an `env.newId` that steps another state meanwhile cannot mix them up.
let out: EngineOutput[] = [];
let env: EngineEnv;

/**
 * Apply one input to the session state: the whole of the session rules, as a pure function.
 *
 * Deterministic given `env.newId`; never reads a clock, never touches storage, never throws on a
 * well-typed input, and never modifies `state` (a new state is returned).
 */
export function step(state: EngineState, input: EngineInput, e: EngineEnv): StepResult {
  // Field by field in initialState's order: every state keeps one shape.
  return stepInPlace(
    {
      version: state.version,
      deviceId: state.deviceId,
      userId: state.userId,
      lastSessionIndex: state.lastSessionIndex,
      inForeground: state.inForeground,
      clock: state.clock,
      session: state.session && copySession(state.session),
      previous: state.previous,
      config: state.config,
    },
    input,
    e,
  );
}

/**
 * {@link step} without the copy, for a caller that keeps no earlier state (a server-side replay):
 * the same rules, applied to `state` itself, which is modified and returned as the result's state.
 * Records already emitted are never modified afterwards.
 */
export function stepInPlace(state: EngineState, input: EngineInput, e: EngineEnv): StepResult {
  const savedOut = out;
  const savedEnv = env;
  out = [];
  env = e;
  const result = apply(state as Draft, input);
  const outputs = out;
  out = savedOut;
  env = savedEnv;
  return { state, outputs, result };
}

function apply(d: Draft, input: EngineInput): Result {
  if (input.type === 'launch') return launch(d, input.t, input.foreground, input.config);
  // The input's timestamp becomes the engine's time (see moveClock), then the session ends if it
  // has expired; true: a jump back ended the session.
  const jumped = moveClock(d, input.t, input);
  if (!jumped) expireIfDue(d, d.clock);
  const t = d.clock;
  const s = d.session;
  switch (input.type) {
    case 'foreground':
      if (d.inForeground !== true || !s) {
        d.inForeground = true;
        enterForeground(d, t, 'foreground');
      }
      return true;
    case 'background':
      if (d.inForeground !== false) {
        d.inForeground = false;
        if (s) {
          closeForegroundStretch(s, t);
          s.backgroundIndex++;
          s.lastActivity = Math.max(s.lastActivity, t);
        }
        emit(d, 'background', lifecycleRecord(d, t));
      }
      return true;
    case 'event': {
      const affectsSession = affects(input, d.config);
      const live = affectsSession ? (d.session ?? start(d, t, 'event')) : d.session;
      if (live) {
        if (++live.eventIndex === 1) {
          live.firstEventId = input.eventId;
          live.firstEventTime = t;
        }
        live.lastEventTime = t;
        if (affectsSession) live.lastActivity = t;
      }
      const record: EventRecord = {
        eventId: input.eventId,
        name: input.name,
        attributes: input.attributes,
        timestamp: t,
        sessionId: live ? live.id : null,
        sessionIndex: live ? live.index : 0,
        eventIndex: live ? live.eventIndex : 0,
        sessionStartTime: live ? live.startTime : null,
        previousSessionDuration: live ? live.previousSessionDuration : null,
        userId: d.userId,
        deviceId: d.deviceId,
        inForeground: d.inForeground,
        affectsSession,
        previousSessionId: live ? live.previousSessionId : null,
        firstEventId: live ? live.firstEventId : null,
        firstEventTime: live ? live.firstEventTime : null,
      };
      emit(d, 'event', record);
      return true;
    }
    case 'setUser':
      setUser(d, t, input.userId);
      // After a jump back ended the session, the app in use gets one, for the user now set (not one
      // for the old user that this change would end at once).
      if (jumped && d.inForeground === true) start(d, t, 'clock-change');
      return true;
    case 'startNewSession':
      end(d, t, 'manual');
      start(d, t, 'manual');
      return true;
    case 'endSession':
      // A jump back that just ended the session did what was asked (hub.reset() ends one this way).
      if (!s) return jumped || warn(d, 'no-live-session', message(80));
      end(d, t, 'manual');
      return true;
    case 'setAttribute': {
      const problem = attributeKeyProblem(input.key) ?? attributeValueProblem(input.value);
      return problem ? warn(d, 'invalid-argument', `setSessionAttribute: ${problem}`) : writeAttribute(d, t, 'setSessionAttribute', input.key, input.value);
    }
    case 'incrementAttribute':
      return incrementAttribute(d, t, input.key, input.by);
    case 'removeAttribute': {
      const call = 'removeSessionAttribute';
      const problem = attributeKeyProblem(input.key);
      if (problem) return warn(d, 'invalid-argument', `${call}: ${problem}`);
      const live = liveSession(d, call, input.key);
      const existing = live && findAttributeKey(live.attributes, input.key);
      if (!live || existing === undefined) return false;
      changeAttribute(d, live, t, existing, undefined);
      return true;
    }
    case 'reset':
      end(d, t, 'manual');
      d.deviceId = env.newId();
      d.userId = null;
      d.lastSessionIndex = 0;
      d.previous = null;
      emit(d, 'reset', d.deviceId);
      if (d.inForeground !== false) start(d, t, 'manual');
      return true;
    case 'configure':
      d.config = { ...d.config, ...input.config };
      emit(d, 'configChange', d.config);
      expireIfDue(d, t);
      return true;
    // 'tick': only time passes.
  }
  return true;
}

// ---------------------------------------------------------------- time

/** Inputs that start or end sessions themselves: a jump back before them starts none. */
const SELF_DECIDING: readonly EngineInput['type'][] = ['setUser', 'startNewSession', 'endSession', 'reset'];

/**
 * Moves the engine's clock to `t`. A clock that moved back by less than the session timeout counts
 * as "no time passed"; a jump back by the timeout or more ends the session at its last activity
 * (reason `clock-change`) and returns true when there was one. After an activity `input` (or in the
 * foreground) a new session starts then; without one none does, nor before an input that starts or
 * ends sessions itself (launch, startNewSession, endSession, reset; setUser, see apply): a session
 * started here would end at once, empty.
 */
function moveClock(d: Draft, t: number, input?: Exclude<EngineInput, { type: 'launch' }>): boolean {
  if (t < d.clock) {
    if (d.clock - t >= d.config.sessionTimeoutMs) {
      warn(d, 'clock-moved-backwards', message(81, d.clock - t));
      // After user activity (so a session should exist after it), or in the foreground.
      const restart = !!input && !SELF_DECIDING.includes(input.type) && (input.type === 'foreground' || (input.type === 'event' && affects(input, d.config)) || d.inForeground === true);
      d.clock = t;
      const s = d.session;
      if (s) {
        end(d, s.lastActivity, 'clock-change');
        if (restart) start(d, t, 'clock-change');
      }
      return !!s;
    }
    return false;
  }
  d.clock = t;
  return false;
}

function expireIfDue(d: Draft, t: number): void {
  const s = d.session;
  if (s && isExpired(s, t, d.inForeground, d.config)) end(d, s.lastActivity, 'timeout');
}

const affects = (input: { name: string; affectsSession: boolean }, config: EngineConfig): boolean =>
  input.affectsSession && !config.excludedEvents.includes(input.name);

// ---------------------------------------------------------------- lifecycle

function launch(d: Draft, t: number, foreground: boolean | null, config: EngineConfig | undefined): true {
  if (config) d.config = config;
  moveClock(d, t);
  t = d.clock;
  const s = d.session;
  if (s) {
    // The previous run is over: whatever it was doing, the app was not running since lastActivity.
    if (d.config.resumeOnRelaunch && !isExpired(s, t, false, d.config)) closeForegroundStretch(s, s.lastActivity);
    else end(d, s.lastActivity, 'recovered');
  }
  d.inForeground = foreground;
  if (foreground) enterForeground(d, t, 'launch');
  else if (foreground === null && !d.session) start(d, t, 'launch');
  return true;
}

function enterForeground(d: Draft, t: number, trigger: SessionStartTrigger): void {
  const s = d.session ?? start(d, t, trigger);
  s.foregroundIndex++;
  s.foregroundSince = t;
  s.lastActivity = t;
  emit(d, 'foreground', lifecycleRecord(d, t));
}

/** Adds the running foreground stretch (if any) up to `until` to the accumulated foreground time. */
function closeForegroundStretch(s: Session, until: number): void {
  if (s.foregroundSince === null) return;
  s.foregroundTime += Math.max(0, until - s.foregroundSince);
  s.foregroundSince = null;
}

// ---------------------------------------------------------------- events and users

function setUser(d: Draft, t: number, userId: string | null): true {
  const previousUserId = d.userId;
  if (userId === previousUserId) return true;
  // A change between users (or a logout) renews by newSessionOnUserChange; a login by newSessionOnLogin.
  const renew = d.session !== null && (previousUserId === null ? d.config.newSessionOnLogin : d.config.newSessionOnUserChange);
  if (renew) end(d, t, 'user-change');
  d.userId = userId;
  const s = d.session;
  if (s) (s.userId = userId), (s.userChangeTime = t), (s.signIn ??= userId ? [t, userId] : null);
  emit(d, 'userChange', { timestamp: t, previousUserId, userId, deviceId: d.deviceId, sessionId: s ? s.id : null, sessionStartTime: s ? s.startTime : null, previousSessionDuration: s ? s.previousSessionDuration : null });
  if (renew) start(d, t, 'user-change');
  return true;
}

// ---------------------------------------------------------------- session attributes

/** The live session for an attribute call, or undefined after a warning. */
function liveSession(d: Draft, call: string, key: string): Session | undefined {
  if (!d.session) warn(d, 'no-live-session', message(82, call, key));
  return d.session ?? undefined;
}

function incrementAttribute(d: Draft, t: number, key: string, by: number): number | undefined {
  const call = 'incrementSessionAttribute';
  const problem = attributeKeyProblem(key) ?? (Number.isFinite(by) ? null : message(53, describe(by)));
  if (problem) return warn(d, 'invalid-argument', `${call}: ${problem}`) || undefined;
  const s = liveSession(d, call, key);
  if (!s) return undefined;
  const existing = findAttributeKey(s.attributes, key);
  const current = existing === undefined ? 0 : s.attributes[existing];
  if (typeof current !== 'number') {
    return warn(d, 'attribute-not-numeric', message(83, call, key, describe(current))) || undefined;
  }
  const next = current + by;
  if (!Number.isFinite(next)) return warn(d, 'invalid-argument', message(94, call, key)) || undefined;
  return writeAttribute(d, t, call, key, next) ? next : undefined;
}

function writeAttribute(d: Draft, t: number, call: string, key: string, value: AttributeValue): boolean {
  const s = liveSession(d, call, key);
  if (!s) return false;
  const existing = findAttributeKey(s.attributes, key);
  if (existing === undefined && Object.keys(s.attributes).length >= MAX_ATTRIBUTES) {
    return warn(d, 'attribute-limit', message(84, call, key, MAX_ATTRIBUTES));
  }
  changeAttribute(d, s, t, existing ?? key, value);
  return true;
}

/** Sets (or with `undefined`, removes) one attribute on a fresh copy of the attributes, and reports it. */
function changeAttribute(d: Draft, s: Session, t: number, key: string, value: AttributeValue | undefined): void {
  // Records already emitted hold the old object: never modify it. A plain object (it prints as one),
  // written only by spread and a computed key, which define own properties: "__proto__" is an
  // ordinary key, never the prototype's setter.
  const attributes: Record<string, AttributeValue> = { ...s.attributes, [key]: value! };
  if (value === undefined) delete attributes[key];
  s.attributes = attributes;
  emit(d, 'sessionAttributeChange', { timestamp: t, sessionId: s.id, key, value, attributes });
}

// ---------------------------------------------------------------- session start and end

/**
 * A copy of the session for the step to modify, field by field in the order `start` creates them:
 * every session object keeps one shape, and a replay copies one per event (object spread was the
 * largest single cost of step() in a replay).
 */
function copySession(s: SessionState): Session {
  return {
    id: s.id,
    index: s.index,
    previousSessionId: s.previousSessionId,
    trigger: s.trigger,
    startTime: s.startTime,
    lastActivity: s.lastActivity,
    eventIndex: s.eventIndex,
    foregroundIndex: s.foregroundIndex,
    backgroundIndex: s.backgroundIndex,
    foregroundTime: s.foregroundTime,
    foregroundSince: s.foregroundSince,
    firstEventId: s.firstEventId,
    firstEventTime: s.firstEventTime,
    lastEventTime: s.lastEventTime,
    attributes: s.attributes,
    userId: s.userId,
    userChangeTime: s.userChangeTime,
    signIn: s.signIn,
    previousSessionStartTime: s.previousSessionStartTime,
    previousSessionDuration: s.previousSessionDuration,
  };
}

function start(d: Draft, t: number, trigger: SessionStartTrigger): Session {
  const prev = d.previous;
  const s: Session = {
    id: env.newId(),
    index: ++d.lastSessionIndex,
    previousSessionId: prev ? prev.id : null,
    trigger,
    startTime: t,
    lastActivity: t,
    eventIndex: 0,
    foregroundIndex: 0,
    backgroundIndex: 0,
    foregroundTime: 0,
    foregroundSince: d.inForeground === true ? t : null,
    firstEventId: null,
    firstEventTime: null,
    lastEventTime: null,
    attributes: {},
    userId: d.userId,
    userChangeTime: null,
    signIn: null,
    previousSessionStartTime: prev ? prev.startTime : null,
    previousSessionDuration: prev ? prev.duration : null,
  };
  d.session = s;
  emit(d, 'sessionStart', sessionStartRecord(s, d.deviceId));
  return s;
}

/** Ends the live session (if any) at `at` (clamped to its start). */
function end(d: Draft, at: number, reason: SessionEndReason): void {
  const s = d.session;
  if (!s) return;
  const { id, startTime } = s;
  const endTime = Math.max(at, startTime);
  const duration = endTime - startTime;
  const running = s.foregroundSince === null ? 0 : Math.max(0, endTime - s.foregroundSince);
  d.previous = { id, startTime, duration };
  d.session = null;
  emit(d, 'sessionEnd', {
    sessionId: id,
    sessionIndex: s.index,
    previousSessionId: s.previousSessionId,
    trigger: s.trigger,
    startTime,
    endTime,
    duration,
    foregroundDuration: Math.min(duration, s.foregroundTime + running),
    eventCount: s.eventIndex,
    lastActivity: s.lastActivity,
    firstEventId: s.firstEventId,
    firstEventTime: s.firstEventTime,
    lastEventTime: s.lastEventTime,
    attributes: s.attributes,
    userId: s.userId,
    userChangeTime: s.userChangeTime,
    signIn: s.signIn,
    previousSessionDuration: s.previousSessionDuration,
    deviceId: d.deviceId,
    reason,
  });
}

// ---------------------------------------------------------------- outputs

function emit<T extends Exclude<EngineOutput['type'], 'warning'>>(d: Draft, type: T, payload: unknown): void {
  out.push((type === 'configChange' ? { type, config: payload } : { type, record: payload }) as EngineOutput);
}

function warn(d: Draft, code: WarningCode, message: string): false {
  out.push({ type: 'warning', warning: { code, message } });
  return false;
}

function lifecycleRecord(d: Draft, t: number): LifecycleRecord {
  const s = d.session;
  return {
    timestamp: t,
    sessionId: s ? s.id : null,
    sessionIndex: s ? s.index : 0,
    foregroundIndex: s ? s.foregroundIndex : 0,
    backgroundIndex: s ? s.backgroundIndex : 0,
    userId: d.userId,
    deviceId: d.deviceId,
    previousSessionId: s ? s.previousSessionId : null,
    eventIndex: s ? s.eventIndex : 0,
    firstEventId: s ? s.firstEventId : null,
    firstEventTime: s ? s.firstEventTime : null,
  };
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
