import fc from 'fast-check';
import { decodeState, DEFAULT_ENGINE_CONFIG, encodeState, initialState, sessionStartRecord, step, type EngineInput, type EngineOutput, type EngineState } from '@sessionhub/core';
import { describe, expect, it } from 'vitest';
import { stateEncoder } from '../src/engine/state-codec';

const T0 = 1_700_000_000_000;

/** A state with a live session (attributes, events, a sign-in) and a previous one, as the engine makes it. */
function livedState(): EngineState {
  let n = 0;
  const env = { newId: () => `id-${++n}` };
  const inputs: EngineInput[] = [
    { type: 'launch', t: T0, foreground: true },
    { type: 'event', t: T0 + 1000, eventId: 'e1', name: 'play', attributes: {}, affectsSession: true },
    { type: 'startNewSession', t: T0 + 3000 },
    { type: 'setUser', t: T0 + 3500, userId: 'u1' },
    { type: 'setAttribute', t: T0 + 4000, key: 'level', value: 3 },
    { type: 'event', t: T0 + 5000, eventId: 'e2', name: 'play', attributes: {}, affectsSession: true },
    { type: 'background', t: T0 + 6000 },
  ];
  return inputs.reduce((state, input) => step(state, input, env).state, initialState('device-1', DEFAULT_ENGINE_CONFIG, T0));
}

type Json = Record<string, unknown>;

/** Session fields a previous version did not store: a session without them loads as before. */
const KEPT_LATER = ['session.userChangeTime', 'session.signIn'];

const TEXT = [42, '', {}, true, []];
const TEXT_OR_NULL = [42, '', {}, false];
const COUNT = [-1, 1.5, '3', null, {}];
/** Times (epoch ms) and durations alike: never negative. */
const TIME = ['1', null, {}, true, -1, -1e9];
const TIME_OR_NULL = ['1', {}, true, [], -1, -0.5];

/** Every persisted field (path in the stored JSON) and values it must refuse. */
const WRONG: Record<string, readonly unknown[]> = {
  version: [2, '1', null],
  deviceId: TEXT,
  userId: TEXT_OR_NULL,
  lastSessionIndex: [...COUNT, 0 /* below the live session's index */],
  inForeground: ['yes', 0, {}],
  clock: TIME,
  previous: ['x', 1, [], { startTime: T0, duration: 1 }, { id: 'p', startTime: T0, duration: -1 }, { id: 'p', startTime: '0', duration: 1 }, { id: 'p', startTime: -1, duration: 1 }],
  session: ['x', 1, []],
  'session.id': TEXT,
  'session.index': [...COUNT, 0],
  'session.previousSessionId': TEXT_OR_NULL,
  'session.trigger': ['boot', null, 1],
  'session.startTime': [...TIME, T0 + 10_000 /* after its last activity */],
  'session.lastActivity': [...TIME, T0 - 1 /* before its start */],
  'session.eventIndex': COUNT,
  'session.foregroundIndex': COUNT,
  'session.backgroundIndex': COUNT,
  'session.foregroundTime': TIME,
  'session.foregroundSince': TIME_OR_NULL,
  'session.firstEventId': TEXT_OR_NULL,
  'session.firstEventTime': TIME_OR_NULL,
  'session.lastEventTime': TIME_OR_NULL,
  'session.previousSessionStartTime': TIME_OR_NULL,
  'session.previousSessionDuration': TIME_OR_NULL,
  'session.userId': TEXT_OR_NULL,
  'session.userChangeTime': TIME_OR_NULL,
  'session.signIn': ['1', {}, true, [], [T0], ['1', 'u1'], [-1, 'u1'], [T0, ''], [T0, null]],
  'session.attributes': ['x', [], null, { level: {} }, { level: [1] }, { level: 'x'.repeat(5000) }],
};

/** The stored JSON of `state` with one field replaced (`undefined`: removed). */
function withField(state: EngineState, path: string, value: unknown): string {
  const json = JSON.parse(encodeState(state)) as Json;
  const [head, tail] = path.split('.') as [string, string | undefined];
  const target = tail === undefined ? json : (json[head] as Json);
  const key = tail ?? head;
  if (value === undefined) delete target[key];
  else target[key] = value;
  return JSON.stringify(json);
}

describe('stored state', () => {
  const state = livedState();

  it('decodes back to itself, with the config of this run', () => {
    const config = { ...DEFAULT_ENGINE_CONFIG, sessionTimeoutMs: 5000 };
    const decoded = decodeState(encodeState(state), config);
    expect(decoded).toEqual({ ok: true, state: { ...state, config } });
    expect(state.session?.attributes).toEqual({ level: 3 });
    expect(state.previous).not.toBeNull();
  });

  it('covers every persisted field (a new field needs its check and its case here)', () => {
    const { session, config: _notPersisted, ...top } = state;
    expect(Object.keys(WRONG).sort()).toEqual([...Object.keys(top), ...Object.keys(session!).map((k) => `session.${k}`), 'session'].sort());
  });

  for (const [path, values] of Object.entries(WRONG)) {
    it(`refuses a missing or wrong ${path}, naming it, and keeps the device id when it is sound`, () => {
      // (A session stored before userChangeTime or signIn was kept has none: see below.)
      for (const value of [...(KEPT_LATER.includes(path) ? [] : [undefined]), ...values]) {
        const decoded = decodeState(withField(state, path, value), DEFAULT_ENGINE_CONFIG);
        expect(decoded.ok, `${path} = ${JSON.stringify(value)}`).toBe(false);
        if (decoded.ok) continue;
        const field = path === 'lastSessionIndex' && value === 0 ? 'session.index' : path === 'session.startTime' && typeof value === 'number' && value >= 0 ? 'session.lastActivity' : path;
        if (path !== 'version') expect(decoded.problem).toBe(`stored state is corrupt (${field})`);
        expect(decoded.deviceId).toBe(path === 'deviceId' ? null : 'device-1');
        // With the device id, the count of its sessions and the last one go on (its live session,
        // when its id and times are sound), so the next session is not a first one again.
        const s = state.session!;
        const live = !['session', 'session.id', 'session.startTime', 'session.lastActivity'].includes(path);
        const kept = { lastSessionIndex: 2, previous: live ? { id: s.id, startTime: s.startTime, duration: s.lastActivity - s.startTime } : null };
        expect(decoded.kept).toEqual(['deviceId', 'version'].includes(path) ? undefined : kept);
      }
    });
  }

  it('keeps the previous session a corrupt state names when it was in none', () => {
    const ended = { ...state, session: null };
    const decoded = decodeState(withField(ended, 'userId', 7), DEFAULT_ENGINE_CONFIG);
    expect(decoded).toMatchObject({ ok: false, deviceId: 'device-1', kept: { lastSessionIndex: 2, previous: state.previous } });
    expect(decodeState(withField(ended, 'previous', { id: 'p', startTime: T0, duration: -1 }), DEFAULT_ENGINE_CONFIG)).toMatchObject({ kept: { lastSessionIndex: 2, previous: null } });
  });

  it('reads a session stored before userChangeTime was kept as one without a user change, and writes it back with it', () => {
    const old = withField(state, 'session.userChangeTime', undefined);
    expect(old).not.toContain('userChangeTime');
    const decoded = decodeState(old, DEFAULT_ENGINE_CONFIG);
    expect(decoded.ok && decoded.state.session).toEqual({ ...state.session, userChangeTime: null });
    expect(decoded.ok && JSON.parse(encodeState(decoded.state)).session.userChangeTime).toBeNull();
  });

  it('reads a session stored before signIn was kept as one without a sign-in kept, and writes it back with it (both encoders)', () => {
    expect(state.session?.signIn).toEqual([T0 + 3500, 'u1']);
    for (const old of [withField(state, 'session.signIn', undefined), withField(JSON.parse(withField(state, 'session.signIn', undefined)), 'session.userChangeTime', undefined)]) {
      expect(old).not.toContain('signIn');
      const decoded = decodeState(old, DEFAULT_ENGINE_CONFIG);
      if (!decoded.ok) throw new Error(decoded.problem);
      const { userChangeTime = null } = (JSON.parse(old) as { session: Json }).session;
      expect(decoded.state.session).toEqual({ ...state.session, userChangeTime, signIn: null });
      for (const text of [encodeState(decoded.state), stateEncoder()(decoded.state)[0]]) expect(JSON.parse(text).session.signIn).toBeNull();
    }
  });

  it('keeps "__proto__" as an ordinary attribute key', () => {
    const text = withField(state, 'session.attributes', JSON.parse('{"__proto__": 1, "level": 3}'));
    const decoded = decodeState(text, DEFAULT_ENGINE_CONFIG);
    expect(decoded.ok && Object.keys(decoded.state.session!.attributes)).toEqual(['__proto__', 'level']);
  });

  it('reports text that is not JSON or not an object', () => {
    expect(decodeState('{', DEFAULT_ENGINE_CONFIG)).toEqual({ ok: false, problem: 'stored state is not valid JSON', deviceId: null });
    expect(decodeState('[1]', DEFAULT_ENGINE_CONFIG)).toEqual({ ok: false, problem: 'stored state is not an object', deviceId: null });
  });
});

/** Every number a stored state holds, by its path in the stored JSON. */
const NUMBERS = [
  'clock', 'lastSessionIndex', 'previous.startTime', 'previous.duration',
  ...['index', 'startTime', 'lastActivity', 'eventIndex', 'foregroundIndex', 'backgroundIndex', 'foregroundTime', 'foregroundSince',
    'firstEventTime', 'lastEventTime', 'userChangeTime', 'previousSessionStartTime', 'previousSessionDuration', 'signIn.0'].map((k) => `session.${k}`),
];

/** Numbers of every kind, mostly plausible ones (small counts, times near the state's own), so that many decode. */
const number = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: -3, max: 5 }) },
  { weight: 3, arbitrary: fc.integer({ min: -10_000_000, max: 10_000_000 }).map((d) => T0 + d) },
  { weight: 2, arbitrary: fc.integer({ min: -10_000_000, max: 10_000_000 }) },
  { weight: 1, arbitrary: fc.double() },
);

/** Inputs after the stored state: lifecycle, events and session calls, at times around it (earlier ones too). */
const inputs = fc.array(
  fc.tuple(fc.constantFrom('launch', 'foreground', 'background', 'event', 'tick', 'startNewSession', 'endSession', 'setUser'), fc.integer({ min: -5_000_000, max: 20_000_000 })),
  { maxLength: 8 },
);

function toInput([type, d]: [string, number], n: number): EngineInput {
  const t = T0 + d;
  if (type === 'launch') return { type, t, foreground: n % 2 === 0 };
  if (type === 'event') return { type, t, eventId: `e${n}`, name: 'play', attributes: {}, affectsSession: true };
  if (type === 'setUser') return { type, t, userId: n % 2 ? 'u2' : null };
  return { type, t } as EngineInput;
}

/** The durations an output carries (none is ever negative, and the foreground part is within the whole). */
function durations(output: EngineOutput): number[] {
  if (output.type === 'sessionEnd') {
    const { duration, foregroundDuration } = output.record;
    expect(foregroundDuration).toBeLessThanOrEqual(duration);
    return [duration, foregroundDuration];
  }
  if (output.type === 'sessionStart') return [output.record.previousSessionDuration ?? 0];
  return [];
}

describe('stored state and the engine', () => {
  it('no state that decodes makes the engine give a negative duration, whatever its numbers', () => {
    const foreground = step(livedState(), { type: 'foreground', t: T0 + 7000 }, { newId: () => 'x' }).state;
    const bases = [livedState(), foreground, { ...livedState(), session: null }].map((state) => JSON.parse(encodeState(state)) as Json);
    let decoded = 0;
    fc.assert(
      fc.property(fc.nat(bases.length - 1), fc.array(fc.tuple(fc.constantFrom(...NUMBERS), number), { minLength: 1, maxLength: 4 }), inputs, (base, changes, calls) => {
        const stored = structuredClone(bases[base]!);
        for (const [path, value] of changes) {
          const keys = path.split('.');
          const holder = keys.slice(0, -1).reduce<Json | null>((o, k) => (o?.[k] ?? null) as Json | null, stored);
          if (holder) holder[keys.at(-1)!] = value;
        }
        const result = decodeState(JSON.stringify(stored), DEFAULT_ENGINE_CONFIG);
        if (!result.ok) return;
        decoded++;
        let state = result.state;
        // A kit registered while the session is live is caught up with its start record.
        const outputs: EngineOutput[] = state.session ? [{ type: 'sessionStart', record: sessionStartRecord(state.session, state.deviceId) }] : [];
        calls.forEach((call, n) => {
          const r = step(state, toInput(call, n), { newId: () => `id-${n}` });
          state = r.state;
          outputs.push(...r.outputs);
        });
        for (const d of outputs.flatMap(durations)) expect(d).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 2000 },
    );
    // (Most runs must test something: a state that decodes.)
    expect(decoded).toBeGreaterThan(500);
  });
});
