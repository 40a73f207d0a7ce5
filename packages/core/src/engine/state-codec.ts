import { message } from '../messages';
import type { SessionStartTrigger } from '../records';
import { attributeValueProblem } from './attributes';
import type { EngineConfig, EngineState, PreviousSession, SessionState } from './state';

const TRIGGERS: readonly SessionStartTrigger[] = ['launch', 'foreground', 'event', 'user-change', 'manual', 'clock-change'];

/** A value's JSON, kept while the value stays the same (`===`; attributes and `previous` are replaced, never changed). */
function memo(): (value: unknown) => string {
  let last: unknown = memo;
  let text = '';
  return (value) => (value === last ? text : (text = JSON.stringify((last = value))));
}

type Memos = Record<string, (value: unknown) => string>;

/**
 * An encoder for states one after another (the hub's, after every call): the persisted form of
 * {@link encodeState}, made from the text of the previous state's fields where they did not change.
 * Most of a state stays the same from one event to the next (ids, start times, the previous session),
 * and writing a timestamp costs more than anything else in it.
 */
export function stateEncoder(): (state: EngineState) => string {
  const top: Memos = {};
  const inSession: Memos = {};
  // As JSON.stringify writes them: own fields in order, undefined ones left out.
  const fields = (o: object, memos: Memos): string => {
    let text = '';
    for (const key in o) {
      const value = (o as Record<string, unknown>)[key];
      if (key == 'config' || value === undefined) continue;
      text += (text ? ',"' : '{"') + key + '":' + (memos == top && key == 'session' && value ? fields(value, inSession) : (memos[key] ??= memo())(value));
    }
    return text + '}';
  };
  return (state) => fields(state, top);
}

/**
 * The persisted form of the engine state; `version` lets later releases migrate it. The config is
 * left out: each run takes it from its own options (see {@link decodeState}), so writing it on every
 * event would only cost time and bytes.
 */
export const encodeState = (state: EngineState): string => stateEncoder()(state);

/** A decoded state, or why the stored text could not be used. */
export type DecodeResult = { ok: true; state: EngineState } | { ok: false; problem: string; deviceId: string | null };

type Obj = Record<string, unknown>;
/** A stored field's check (also the browser's shared record's). */
export type Check = (v: any) => unknown;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const time: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const count: Check = (v) => Number.isSafeInteger(v) && v >= 0;
const text: Check = (v) => typeof v === 'string' && v.length > 0;
export const orNull = (check: Check): Check => (v) => v === null || check(v);
/** The first of `checks`' fields that `v` fails, or undefined. */
export const badField = (v: Obj, checks: Record<string, Check>): string | undefined => Object.keys(checks).find((k) => !checks[k]!(v[k]));

const PREVIOUS: Record<string, Check> = { id: text, startTime: time, duration: (v) => time(v) && v >= 0 };
/** Every persisted field but `version` and `session`, and what it must hold. */
const STATE: Record<string, Check> = {
  deviceId: text,
  userId: orNull(text),
  lastSessionIndex: count,
  inForeground: (v) => v === null || typeof v === 'boolean',
  clock: time,
  previous: orNull((v) => isObj(v) && !badField(v, PREVIOUS)),
};
const SESSION: Record<string, Check> = {
  id: text,
  index: (v) => count(v) && v >= 1,
  previousSessionId: orNull(text),
  trigger: (v) => TRIGGERS.includes(v),
  startTime: time,
  lastActivity: time,
  foregroundTime: time,
  eventIndex: count,
  foregroundIndex: count,
  backgroundIndex: count,
  foregroundSince: orNull(time),
  firstEventTime: orNull(time),
  lastEventTime: orNull(time),
  previousSessionStartTime: orNull(time),
  previousSessionDuration: orNull(time),
  firstEventId: orNull(text),
  userId: orNull(text),
  attributes: (v) => isObj(v) && Object.values(v).every((value) => attributeValueProblem(value) === null),
};

/** What is wrong with a stored session (null: none), or undefined. */
function badSession(s: unknown, lastSessionIndex: number): string | undefined {
  if (s === null) return undefined;
  if (!isObj(s)) return 'session';
  const field = badField(s, SESSION);
  if (field) return `session.${field}`;
  // Indexes only grow, and a session is active from its start on.
  if ((s.index as number) > lastSessionIndex) return 'session.index';
  if ((s.lastActivity as number) < (s.startTime as number)) return 'session.lastActivity';
}

/**
 * Reads persisted state, checking every field: corrupt or foreign data is reported (and the caller
 * starts afresh, keeping the device id when it can be salvaged) instead of crashing the app.
 */
export function decodeState(text: string, currentConfig: EngineConfig): DecodeResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, problem: message(90), deviceId: null };
  }
  return decodeStateValue(raw, currentConfig);
}

/** {@link decodeState} for a state already parsed from JSON (e.g. nested in a larger record). */
export function decodeStateValue(raw: unknown, currentConfig: EngineConfig): DecodeResult {
  if (!isObj(raw)) return { ok: false, problem: message(91), deviceId: null };
  const deviceId = text(raw.deviceId) ? (raw.deviceId as string) : null;
  if (raw.version !== 1) return { ok: false, problem: message(92, String(JSON.stringify(raw.version))), deviceId };
  const s = raw.session;
  const bad = badField(raw, STATE) ?? badSession(s, raw.lastSessionIndex as number);
  if (bad) return { ok: false, problem: message(93, bad), deviceId };
  return {
    ok: true,
    state: {
      version: 1,
      deviceId: deviceId!,
      userId: raw.userId as string | null,
      lastSessionIndex: raw.lastSessionIndex as number,
      inForeground: raw.inForeground as boolean | null,
      clock: raw.clock as number,
      // Its attributes are JSON.parse's object: a plain one, whose "__proto__" key is an own, ordinary key.
      session: isObj(s) ? { ...(s as unknown as SessionState) } : null,
      previous: raw.previous as PreviousSession | null,
      // Configuration comes from this run's options, not from the stored state.
      config: currentConfig,
    },
  };
}
