import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHub, decodeState, DEFAULT_ENGINE_CONFIG, initialState, step, stepInPlace, type EngineInput, type EngineState, type SessionHub } from '@sessionhub/core';
import type { SessionState } from '../src/engine/state';
import { dyingStorage, manualClock, recordingKit, storedView, type DyingStorage, type RecordingKit } from '@sessionhub/testing';
import { stateEncoder } from '../src/engine/state-codec';
import { applyPatch, patchOf } from '../src/storage/record-codec';
import { EngineHarness, T0 } from './engine-harness';
import { expectSessionInvariants, type StreamItem } from './session-invariants';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** Time gaps: mostly short, sometimes past any timeout, sometimes backwards (small and large). */
const gap = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 20_000 }) },
  { weight: 3, arbitrary: fc.integer({ min: 20_000, max: 200_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 200_000, max: 5_000_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: -400_000, max: -1 }) },
);

type Op =
  | { op: 'event'; gap: number; name: string; affects: boolean }
  | { op: 'foreground' | 'background' | 'tick' | 'startNewSession' | 'endSession'; gap: number }
  | { op: 'launch'; gap: number; foreground: boolean }
  | { op: 'setUser'; gap: number; user: string | null }
  | { op: 'set'; gap: number; key: string; value: string | number }
  | { op: 'increment'; gap: number; key: string; by: number }
  | { op: 'remove'; gap: number; key: string }
  | { op: 'timeout'; gap: number; seconds: number };

const key = fc.constantFrom('level', 'LEVEL', 'songs', '__proto__');
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant('event' as const), gap, name: fc.constantFrom('play', 'view', 'Notification Sent'), affects: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('foreground' as const, 'background' as const), gap }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('tick' as const, 'startNewSession' as const, 'endSession' as const), gap }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('launch' as const), gap, foreground: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('setUser' as const), gap, user: fc.constantFrom(null, 'u1', 'u2') }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('set' as const), gap, key, value: fc.oneof(fc.string(), fc.integer()) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('increment' as const), gap, key, by: fc.integer({ min: -5, max: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('remove' as const), gap, key }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('timeout' as const), gap, seconds: fc.integer({ min: 1, max: 300 }) }) },
);

function toInput(o: Op, t: number, n: number): EngineInput {
  switch (o.op) {
    case 'event':
      return { type: 'event', t, eventId: `evt-${n}`, name: o.name, attributes: {}, affectsSession: o.affects };
    case 'launch':
      return { type: 'launch', t, foreground: o.foreground };
    case 'setUser':
      return { type: 'setUser', t, userId: o.user };
    case 'set':
      return { type: 'setAttribute', t, key: o.key, value: o.value };
    case 'increment':
      return { type: 'incrementAttribute', t, key: o.key, by: o.by };
    case 'remove':
      return { type: 'removeAttribute', t, key: o.key };
    case 'timeout':
      return { type: 'configure', t, config: { sessionTimeoutMs: o.seconds * 1000 } };
    default:
      return { type: o.op, t };
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function streamOf(h: EngineHarness): StreamItem[] {
  return h.outputs.flatMap((o): StreamItem[] =>
    o.type === 'sessionStart' ? [{ type: 'start', record: o.record }]
    : o.type === 'sessionEnd' ? [{ type: 'end', record: o.record }]
    : o.type === 'event' ? [{ type: 'event', record: o.record }]
    : [],
  );
}

describe('engine properties over random input sequences', () => {
  it('every start ends exactly once, in order, with sane durations, indexes and events', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.boolean(), fc.option(fc.integer({ min: 1, max: 3600 }), { nil: null }), (ops, resume, fgTimeout) => {
        const h = new EngineHarness({
          resumeOnRelaunch: resume,
          foregroundTimeoutMs: fgTimeout === null ? null : fgTimeout * 1000,
          excludedEvents: ['Notification Sent'],
        });
        let t = T0;
        h.launch(t);
        ops.forEach((o, i) => {
          t += o.gap;
          h.apply(toInput(o, t, i));
        });
        h.apply({ type: 'endSession', t: t + 1 });
        expectSessionInvariants(streamOf(h));
        // Persisted state always decodes back to itself.
        const decoded = decodeState(JSON.stringify(h.state), h.state.config);
        expect(decoded.ok).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('stepInPlace gives exactly the outputs, results and states of step, and step never modifies its input', () => {
    const withReset = fc.oneof({ weight: 30, arbitrary: op }, { weight: 1, arbitrary: fc.record({ op: fc.constant('reset' as const), gap }) });
    fc.assert(
      fc.property(fc.array(withReset, { maxLength: 80 }), fc.boolean(), fc.option(fc.integer({ min: 1, max: 3600 }), { nil: null }), (ops, resume, fgTimeout) => {
        const config = { ...DEFAULT_ENGINE_CONFIG, resumeOnRelaunch: resume, foregroundTimeoutMs: fgTimeout === null ? null : fgTimeout * 1000, excludedEvents: ['Notification Sent'] };
        const ids = () => {
          let n = 0;
          return { newId: () => `id-${++n}` };
        };
        const pureEnv = ids();
        const placeEnv = ids();
        let pure = initialState('device-1', config, T0);
        const working = initialState('device-1', config, T0);
        let t = T0;
        const inputs: EngineInput[] = [{ type: 'launch', t, foreground: true }];
        ops.forEach((o, i) => inputs.push(o.op === 'reset' ? { type: 'reset', t: (t += o.gap) } : toInput(o, (t += o.gap), i)));
        inputs.push({ type: 'endSession', t: t + 1 });
        for (const input of inputs) {
          // Frozen to the bottom: a write into the input state by step would throw.
          const a = step(deepFreeze(pure), input, pureEnv);
          const b = stepInPlace(working, input, placeEnv);
          expect(b.state).toBe(working);
          expect(b.outputs).toStrictEqual(a.outputs);
          expect(b.result).toStrictEqual(a.result);
          expect(working).toStrictEqual(a.state);
          pure = a.state;
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** The hub's encoder, a fresh state, and the launch then `ops` as inputs (ids `id-1`, `id-2`, …). */
function encoderTrace(ops: readonly Op[]): { env: { newId: () => string }; encode: ReturnType<typeof stateEncoder>; state: EngineState; inputs: EngineInput[] } {
  let n = 0;
  let t = T0;
  const inputs: EngineInput[] = [{ type: 'launch', t, foreground: true }, ...ops.map((o, k) => toInput(o, (t += o.gap), k))];
  return { env: { newId: () => `id-${++n}` }, encode: stateEncoder(), state: initialState('device-1', DEFAULT_ENGINE_CONFIG, T0), inputs };
}

describe('stored state, encoded state after state', () => {
  it("the hub's encoder, reusing the text of what did not change, writes exactly the JSON of each state (config left out)", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const trace = encoderTrace(ops);
        const { env, encode, inputs } = trace;
        let { state } = trace;
        for (const input of inputs) {
          state = step(state, input, env).state;
          const { config: _notStored, ...stored } = state;
          expect(encode(state)[0]).toBe(JSON.stringify(stored));
        }
      }),
    );
  });
});

describe('stored state, one state stepped in place', () => {
  it("the hub's encoder writes exactly the JSON of a state changed in place between calls; of a state of another shape, what decodes the same", () => {
    const stored = (s: object): string => JSON.stringify({ ...s, config: undefined });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const { env, encode, state, inputs } = encoderTrace(ops);
        for (const input of inputs) {
          stepInPlace(state, input, env);
          expect(encode(state)[0]).toBe(stored(state));
          // Decoded from what a later version stored: a field this one does not know, keys in another order.
          const { version, ...rest } = state;
          const others: EngineState[] = [{ ...state, later: [1] } as EngineState, { ...rest, version }];
          if (state.session) {
            const { id, ...fields } = state.session;
            others.push({ ...state, session: { ...fields, id, later: 1 } as SessionState });
          }
          for (const other of others) {
            expect(decodeState(encode(other)[0], DEFAULT_ENGINE_CONFIG)).toStrictEqual(decodeState(stored(state), DEFAULT_ENGINE_CONFIG));
          }
          expect(encode(state)[0]).toBe(stored(state));
        }
      }),
    );
  });
});

describe("the state's patch, known by the encoder", () => {
  it("is the one a field-by-field comparison of the two texts finds, whenever the encoder says it knows it", () => {
    let told = 0;
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const { env, encode, state, inputs } = encoderTrace(ops);
        let before: string | undefined;
        for (const input of inputs) {
          stepInPlace(state, input, env);
          const known = encode(state);
          const text = known[0];
          if (known.length > 1) {
            told++;
            expect(known[1]).toBe(before);
            expect(known[2]).toBe(patchOf(before!, text));
            if (known[2] !== undefined) expect(applyPatch(before!, known[2])).toBe(text);
          }
          before = text;
        }
      }),
      { numRuns: 300 },
    );
    // Told more than once per run on average (after an event only the numbers move): the check above is not vacuous.
    expect(told).toBeGreaterThan(300);
  });
});

describe('the hub steps its state in place', () => {
  const RECORDS = ['sessionStart', 'sessionEnd', 'event', 'foreground', 'background', 'userChange', 'sessionAttributeChange', 'reset'] as const;

  it('hands out exactly the records of the copying step() for the same calls, and stores the state step() makes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op.filter((o) => o.op !== 'launch'), { maxLength: 60 }), async (ops) => {
        const clock = manualClock(T0);
        const stored = new Map<string, string>();
        let n = 0;
        const hub = createHub({
          clock: clock.now,
          logger: silent,
          generateId: () => `id-${++n}`,
          excludedEvents: ['Notification Sent'],
          storage: { getItem: (k) => stored.get(k) ?? null, setItem: (k, v) => void stored.set(k, v), removeItem: (k) => void stored.delete(k) },
        });
        const got: unknown[] = [];
        for (const type of RECORDS) hub.on(type, (record: unknown) => got.push([type, record]));
        await hub.start({ inBackground: false });
        // The copying path, fed the same calls with the same times and ids, in the hub's order.
        let m = 0;
        const env = { newId: () => `id-${++m}` };
        let state = initialState(env.newId(), { ...DEFAULT_ENGINE_CONFIG, excludedEvents: ['Notification Sent'] }, T0);
        const want: unknown[] = [];
        const feed = (input: EngineInput): void => {
          const r = step(state, input, env);
          state = r.state;
          for (const o of r.outputs) if (o.type !== 'warning' && o.type !== 'configChange') want.push([o.type, o.record]);
        };
        feed({ type: 'launch', t: T0, foreground: true });
        for (const o of ops) {
          clock.advance(o.gap);
          const t = clock.now();
          if (o.op === 'event') {
            hub.logEvent(o.name, undefined, { affectsSession: o.affects });
            feed({ type: 'event', t, eventId: env.newId(), name: o.name, attributes: {}, affectsSession: o.affects });
            continue;
          }
          if (o.op === 'tick') continue;
          const input = toInput(o, t, 0);
          if (o.op === 'foreground') hub.foreground();
          else if (o.op === 'background') hub.background();
          else if (o.op === 'startNewSession') hub.startNewSession();
          else if (o.op === 'endSession') hub.endSession();
          else if (o.op === 'setUser') hub.setUser(o.user);
          else if (o.op === 'set') hub.setSessionAttribute(o.key, o.value);
          else if (o.op === 'increment') hub.incrementSessionAttribute(o.key, o.by);
          else if (o.op === 'remove') hub.removeSessionAttribute(o.key);
          else if (o.op === 'timeout') hub.setSessionTimeout(o.seconds);
          feed(input);
        }
        expect(got).toStrictEqual(want);
        await hub.flush();
        const { config: _notStored, ...persisted } = state;
        expect(JSON.parse(storedView(stored).get('sessionhub:state')!)).toStrictEqual(JSON.parse(JSON.stringify(persisted)));
        await hub.shutdown();
      }),
      { numRuns: 150 },
    );
  });
});

describe('hub properties over random lives with force-quits', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
  afterEach(() => vi.useRealTimers());

  const lifeOp = fc.oneof(
    { weight: 12, arbitrary: op.filter((o) => o.op !== 'launch' && o.op !== 'tick') },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('kill' as const), gap: fc.integer({ min: 0, max: 400_000 }), foreground: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('wait' as const), gap: fc.integer({ min: 0, max: 200_000 }) }) },
  );

  it('a killed process never loses a session end, and never ends one twice', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(lifeOp, { maxLength: 40 }), fc.boolean(), async (ops, resume) => {
        const clock = manualClock(T0);
        const stream: StreamItem[] = [];
        let storage: DyingStorage = dyingStorage();
        const boot = async (foreground: boolean): Promise<[SessionHub, RecordingKit]> => {
          const kit = recordingKit();
          const hub = createHub({ clock: clock.now, storage, kits: [kit], logger: silent, resumeOnRelaunch: resume, excludedEvents: ['Notification Sent'] });
          // What a kit of this process received; nothing after the process died.
          const alive = storage;
          const collect = (item: StreamItem) => {
            if (!alive.dead) stream.push(item);
          };
          hub.on('sessionStart', (record) => collect({ type: 'start', record }));
          hub.on('sessionEnd', (record) => collect({ type: 'end', record }));
          hub.on('event', (record) => collect({ type: 'event', record }));
          await hub.start({ inBackground: !foreground });
          return [hub, kit];
        };
        let [hub] = await boot(true);
        let n = 0;
        for (const o of ops) {
          clock.advance(Math.max(0, o.gap)); // the hub-level clock only moves forward here
          vi.advanceTimersByTime(Math.max(0, o.gap));
          if (o.op === 'kill') {
            for (let i = 0; i < 5; i++) await Promise.resolve();
            storage.kill();
            storage = storage.survivor();
            [hub] = await boot(o.foreground);
          } else if (o.op === 'wait') {
            // only time passes; timers fire
          } else {
            const input = toInput(o, clock.now(), n++);
            callHub(hub, input);
          }
        }
        hub.endSession();
        await hub.shutdown();
        // One more launch must find nothing left to recover.
        const before = stream.length;
        storage = storage.survivor();
        const [last] = await boot(false);
        expect(stream.length).toBe(before);
        await last.shutdown();
        expectSessionInvariants(stream);
      }),
      { numRuns: 120 },
    );
  });
});

function callHub(hub: SessionHub, input: EngineInput): void {
  switch (input.type) {
    case 'event':
      hub.logEvent(input.name, {}, { affectsSession: input.affectsSession });
      break;
    case 'foreground':
      hub.foreground();
      break;
    case 'background':
      hub.background();
      break;
    case 'setUser':
      hub.setUser(input.userId);
      break;
    case 'startNewSession':
      hub.startNewSession();
      break;
    case 'endSession':
      hub.endSession();
      break;
    case 'setAttribute':
      hub.setSessionAttribute(input.key, input.value);
      break;
    case 'incrementAttribute':
      hub.incrementSessionAttribute(input.key, input.by);
      break;
    case 'removeAttribute':
      hub.removeSessionAttribute(input.key);
      break;
    case 'configure':
      hub.setSessionTimeout((input.config.sessionTimeoutMs ?? 60_000) / 1000);
      break;
    default:
      break;
  }
}

describe('garbage into every public method', () => {
  const methods = [
    'logEvent', 'setUser', 'setSessionTimeout', 'setSessionAttribute', 'incrementSessionAttribute', 'removeSessionAttribute',
    'foreground', 'background', 'startNewSession', 'endSession', 'getSession', 'getSessionAttributes', 'getSessionTimeout', 'getKitHealth',
  ] as const;

  it('never throws and never corrupts state', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ method: fc.constantFrom(...methods), args: fc.array(fc.anything({ withNullPrototype: true, withObjectString: true }), { maxLength: 3 }) }), { maxLength: 30 }),
        async (calls) => {
          const storage = dyingStorage();
          const clock = manualClock(T0);
          const kit = recordingKit();
          const hub = createHub({ clock: clock.now, storage, kits: [kit], logger: silent });
          await hub.start();
          for (const { method, args } of calls) {
            clock.advance(1000);
            (hub[method] as (...a: unknown[]) => unknown)(...args);
          }
          await hub.flush();
          // The state on disk is valid, the hub still works, and nothing leaked into prototypes.
          const stored = storedView(storage.snapshot()).get('sessionhub:state');
          expect(stored && decodeState(stored, DEFAULT_ENGINE_CONFIG).ok).toBe(true);
          expect(hub.logEvent('still-works')).toBe(true);
          expect(kit.events().at(-1)?.name).toBe('still-works');
          expect(Object.keys(Object.prototype)).toEqual([]);
          await hub.shutdown();
        },
      ),
      { numRuns: 150 },
    );
  });
});
