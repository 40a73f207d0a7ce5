import type { AttributeValue, SessionStartTrigger } from '../records';

const TRIGGERS: readonly SessionStartTrigger[] = ['launch', 'foreground', 'event', 'user-change', 'manual', 'clock-change'];
import { attributeValueProblem, emptyAttributes } from './attributes';
import type { EngineConfig, EngineState, PreviousSession, SessionState } from './state';

/**
 * The persisted form of the engine state; `version` lets later releases migrate it. The config is
 * left out: each run takes it from its own options (see {@link decodeState}), so writing it on every
 * event would only cost time and bytes.
 */
export function encodeState(state: EngineState): string {
  const { config: _fromOptions, ...persisted } = state;
  return JSON.stringify(persisted);
}

/** A decoded state, or why the stored text could not be used. */
export type DecodeResult = { ok: true; state: EngineState } | { ok: false; problem: string; deviceId: string | null };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const orNull = <T>(check: (v: unknown) => v is T) => (v: unknown): v is T | null => v === null || check(v);

class Invalid extends Error {}
function need(ok: boolean, what: string): void {
  if (!ok) throw new Invalid(what);
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
    return { ok: false, problem: 'stored state is not valid JSON', deviceId: null };
  }
  return decodeStateValue(raw, currentConfig);
}

/** {@link decodeState} for a state already parsed from JSON (e.g. nested in a larger record). */
export function decodeStateValue(raw: unknown, currentConfig: EngineConfig): DecodeResult {
  const deviceId = isObj(raw) && isStr(raw.deviceId) ? raw.deviceId : null;
  try {
    need(isObj(raw), 'stored state is not an object');
    const r = raw as Obj;
    need(r.version === 1, `unknown stored state version ${JSON.stringify(r.version)}`);
    need(isStr(r.deviceId), 'deviceId');
    need(orNull(isStr)(r.userId), 'userId');
    need(isCount(r.lastSessionIndex), 'lastSessionIndex');
    need(r.inForeground === null || typeof r.inForeground === 'boolean', 'inForeground');
    need(isTime(r.clock), 'clock');
    const session = r.session === null ? null : decodeSession(r.session);
    need(r.previous === null || isPrevious(r.previous), 'previous');
    if (session) need(session.index <= (r.lastSessionIndex as number), 'session.index');
    return {
      ok: true,
      state: {
        version: 1,
        deviceId: r.deviceId as string,
        userId: r.userId as string | null,
        lastSessionIndex: r.lastSessionIndex as number,
        inForeground: r.inForeground as boolean | null,
        clock: r.clock as number,
        session,
        previous: r.previous as PreviousSession | null,
        // Configuration comes from this run's options, not from the stored state.
        config: currentConfig,
      },
    };
  } catch (error) {
    if (!(error instanceof Invalid)) throw error;
    return { ok: false, problem: `stored state is corrupt (${error.message})`, deviceId };
  }
}

function isPrevious(v: unknown): v is PreviousSession {
  return isObj(v) && isStr(v.id) && isTime(v.startTime) && isTime(v.duration) && v.duration >= 0;
}

function decodeSession(v: unknown): SessionState {
  need(isObj(v), 'session');
  const s = v as Obj;
  need(isStr(s.id), 'session.id');
  need(isCount(s.index) && (s.index as number) >= 1, 'session.index');
  need(orNull(isStr)(s.previousSessionId), 'session.previousSessionId');
  need(TRIGGERS.includes(s.trigger as SessionStartTrigger), 'session.trigger');
  for (const k of ['startTime', 'lastActivity', 'foregroundTime'] as const) need(isTime(s[k]), `session.${k}`);
  for (const k of ['eventIndex', 'foregroundIndex', 'backgroundIndex'] as const) need(isCount(s[k]), `session.${k}`);
  for (const k of ['foregroundSince', 'firstEventTime', 'lastEventTime', 'previousSessionStartTime', 'previousSessionDuration'] as const) {
    need(orNull(isTime)(s[k]), `session.${k}`);
  }
  need(orNull(isStr)(s.firstEventId), 'session.firstEventId');
  need(orNull(isStr)(s.userId), 'session.userId');
  need((s.lastActivity as number) >= (s.startTime as number), 'session.lastActivity');
  need(isObj(s.attributes), 'session.attributes');
  const attributes = emptyAttributes();
  for (const [k, value] of Object.entries(s.attributes as Obj)) {
    need(attributeValueProblem(value) === null, `session.attributes.${k}`);
    attributes[k] = value as AttributeValue;
  }
  return { ...(s as unknown as SessionState), attributes };
}
