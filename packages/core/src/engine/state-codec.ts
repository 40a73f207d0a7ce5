import { message } from '../messages';
import type { SessionStartTrigger } from '../records';
import { attributeValueProblem } from './attributes';
import type { EngineConfig, EngineState, PreviousSession, SessionState } from './state';

const TRIGGERS: readonly SessionStartTrigger[] = ['launch', 'foreground', 'event', 'user-change', 'manual', 'clock-change'];

const json = JSON.stringify;

/**
 * The JSON of a run of fields of one object, `,"a":1,"b":2` (`open` instead of the first comma),
 * written again only when one of their values changed (`!==`; attributes and `previous` are
 * replaced, never changed).
 */
function fieldRun(open: string, keys: readonly string[], close = ''): (o: object) => string {
  const last: unknown[] = [];
  let text = '';
  return (o) => {
    let i = 0;
    while (i < keys.length && (o as Obj)[keys[i]!] === last[i]) i++;
    if (i < keys.length) {
      text = '';
      for (i = 0; i < keys.length; i++) text += (i ? ',"' : open + '"') + keys[i] + '":' + json((last[i] = (o as Obj)[keys[i]!]));
      text += close;
    }
    return text;
  };
}

/**
 * JSON of a number, as JSON.stringify writes it. An epoch-ms time is written from the text of its
 * millions (kept while they stay the same) and of the rest: V8 takes 5× longer to write a 13-digit
 * number, and a state holds several per event.
 */
function numberText(): (n: number | null) => string {
  let millions = NaN;
  let text = '';
  return (n) => {
    if (!(Number.isSafeInteger(n) && n! >= 1e6)) return json(n);
    const high = Math.floor(n! / 1e6);
    if (high !== millions) text = '' + (millions = high);
    // The rest with its leading zeros: the digits after the 1 of 1,xxx,xxx.
    return text + ('' + (n! - high * 1e6 + 1e6)).slice(1);
  };
}

/**
 * An encoder for states one after another (the hub's, after every call): the persisted form of
 * {@link encodeState}, made from the text of the previous state's fields where they did not change.
 * Most of a state stays the same from one event to the next (ids, start times, the previous
 * session); only the clock, the last activity and the counters move. It writes the fields the engine
 * keeps, in its order (the order of the checks below): the JSON of a state the engine made; a field
 * no check knows (stored by a later version) is not written again.
 *
 * Each call gives `[text, from, patch]`: when only those numbers moved, the encoder knows `patch`,
 * the patch of its previous text `from` that makes the new one (what the storage's `patchOf` would
 * find, without comparing ~700 characters field by field on every commit; undefined: none short
 * enough); the hub's commit carries it with the write. Otherwise `[text]`.
 */
export function stateEncoder(): (state: EngineState) => [text: string, from?: string, patch?: string] {
  const keys = Object.keys(SESSION);
  const head = fieldRun('{', ['version', ...Object.keys(STATE).slice(0, 4)]);
  const sessionHead = fieldRun(',"session":{', keys.slice(0, 5));
  const sessionMiddle = fieldRun(',', keys.slice(7, 13));
  const sessionTail = fieldRun(',', keys.slice(14), '}');
  const previous = fieldRun(',', ['previous'], '}');
  const time = numberText();
  let last: string[] = [];
  let lastText = '';
  /** The field (between commas) each number is in, while the runs stay the same: its patch's `<index>.`. */
  const fields: string[] = [];
  return (state) => {
    const s = state.session;
    // Runs of fields, and the numbers that move from one event to the next, each after its label.
    const p = s
      ? [head(state), time(state.clock), sessionHead(s), time(s.lastActivity), time(s.eventIndex), sessionMiddle(s), time(s.lastEventTime), sessionTail(s), previous(state)]
      : [head(state), time(state.clock), ',"session":null' + previous(state)];
    let text = '';
    for (let j = 0; j < p.length; j++) text += (LABELS[j] ?? '') + p[j];
    let patch: string | undefined = '';
    for (let j = 0; patch !== undefined && j < p.length; j++) {
      const a = last[j]!;
      const b = p[j]!;
      if (a === b) continue;
      if (LABELS[j] && p.length == last.length) {
        let kept = 0;
        while (kept < b.length && a.charCodeAt(kept) === b.charCodeAt(kept)) kept++;
        patch += (patch ? ',' : '') + fields[j] + (kept + LABELS[j]!.length - 1).toString(36) + '.' + b.slice(kept);
      } else {
        // A run changed (rare: a new session, a lifecycle change, the user): left to patchOf.
        patch = undefined;
        for (let i = 0, f = 0; i < p.length; i++) LABELS[i] ? (fields[i] = (++f).toString(36) + '.') : (f += p[i]!.split(',').length - 1);
      }
    }
    const from = lastText;
    last = p;
    lastText = text;
    return patch === undefined ? [text] : [text, from, patch.length * 2 < text.length ? patch : undefined];
  };
}

/** The numbers' labels, by their place among a state's pieces. */
const LABELS: Array<string | undefined> = [, ',"clock":', , ',"lastActivity":', ',"eventIndex":', , ',"lastEventTime":'];

/**
 * The persisted form of the engine state; `version` lets later releases migrate it. The config is
 * left out: each run takes it from its own options (see {@link decodeState}), so writing it on every
 * event would only cost time and bytes.
 */
export const encodeState = (state: EngineState): string => json({ ...state, config: undefined });

/**
 * A decoded state, or why the stored text could not be used, with what of it can be kept: the
 * device id, and with it the count of its sessions and the last one (`kept`), so that the state
 * that replaces it goes on numbering them instead of starting a first session again.
 */
export type DecodeResult = { ok: true; state: EngineState } | { ok: false; problem: string; deviceId: string | null; kept?: Kept };

/** What a corrupt state still tells of its device's sessions, for the fresh state that replaces it. */
export type Kept = Pick<EngineState, 'lastSessionIndex' | 'previous'>;

type Obj = Record<string, unknown>;
/** A stored field's check (also the browser's shared record's). */
export type Check = (v: any) => unknown;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A time (epoch ms) or a duration (ms): never negative. */
export const time: Check = (v) => typeof v === 'number' && v >= 0 && v < Infinity;
const count: Check = (v) => Number.isSafeInteger(v) && v >= 0;
const text: Check = (v) => typeof v === 'string' && v.length > 0;
export const orNull = (check: Check): Check => (v) => v === null || check(v);
/** The first of `checks`' fields that `v` fails, or undefined. */
export const badField = (v: Obj, checks: Record<string, Check>): string | undefined => Object.keys(checks).find((k) => !checks[k]!(v[k]));

const PREVIOUS: Record<string, Check> = { id: text, startTime: time, duration: time };
/** Every persisted field but `version` and `session`, and what it must hold (in the order of the engine's state). */
const STATE: Record<string, Check> = {
  deviceId: text,
  userId: orNull(text),
  lastSessionIndex: count,
  inForeground: (v) => v === null || typeof v === 'boolean',
  clock: time,
  previous: orNull((v) => isObj(v) && !badField(v, PREVIOUS)),
};
/** In the order the engine makes a session's fields, which the hub's encoder writes them in. */
const SESSION: Record<string, Check> = {
  id: text,
  index: (v) => count(v) && v >= 1,
  previousSessionId: orNull(text),
  trigger: (v) => TRIGGERS.includes(v),
  startTime: time,
  lastActivity: time,
  eventIndex: count,
  foregroundIndex: count,
  backgroundIndex: count,
  foregroundTime: time,
  foregroundSince: orNull(time),
  firstEventId: orNull(text),
  firstEventTime: orNull(time),
  lastEventTime: orNull(time),
  attributes: (v) => isObj(v) && Object.values(v).every((value) => attributeValueProblem(value) === null),
  userId: orNull(text),
  userChangeTime: orNull(time),
  signIn: orNull((v) => time(v[0]) && text(v[1])),
  previousSessionStartTime: orNull(time),
  previousSessionDuration: orNull(time),
};

/** What is wrong with a stored session (null: none), or undefined. */
function badSession(s: unknown, lastSessionIndex: number): string | undefined {
  if (s === null) return undefined;
  if (!isObj(s)) return 'session';
  // Absent from sessions stored before they were kept: none.
  s.userChangeTime ??= null;
  s.signIn ??= null;
  const field = badField(s, SESSION);
  if (field) return `session.${field}`;
  // Indexes only grow, and a session is active from its start on.
  if ((s.index as number) > lastSessionIndex) return 'session.index';
  if ((s.lastActivity as number) < (s.startTime as number)) return 'session.lastActivity';
}

/**
 * What can be read of a version-1 state's sessions when another of its fields is corrupt: the
 * highest session index it names, and as the previous session its live one, ended at its last
 * activity as a recovery ends it (with none, the previous one it names), if that passes its checks.
 */
function kept(raw: Obj): Kept {
  const s = raw.session as Obj | null;
  const last = s === null ? raw.previous : { id: s?.id, startTime: s?.startTime, duration: (s?.lastActivity as number) - (s?.startTime as number) };
  return {
    lastSessionIndex: Math.max(0, ...([raw.lastSessionIndex, s?.index].filter(count) as number[])),
    previous: isObj(last) && !badField(last, PREVIOUS) ? (last as unknown as PreviousSession) : null,
  };
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
  if (bad) return { ok: false, problem: message(93, bad), deviceId, kept: deviceId ? kept(raw) : undefined };
  return {
    ok: true,
    state: {
      version: 1,
      deviceId: deviceId!,
      userId: raw.userId as string | null,
      lastSessionIndex: raw.lastSessionIndex as number,
      inForeground: raw.inForeground as boolean | null,
      clock: raw.clock as number,
      // Its attributes are JSON.parse's object: a plain one, whose "__proto__" key is an own, ordinary
      // key. (badSession let through only null or an object.)
      session: (s as SessionState | null) && { ...(s as SessionState) },
      previous: raw.previous as PreviousSession | null,
      // Configuration comes from this run's options, not from the stored state.
      config: currentConfig,
    },
  };
}
