import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EngineInput } from '@sessionhub/core';
import { EngineHarness, SEC, T0 } from './engine-harness';

// Claims of docs/sessions.md held against the engine (audit 2).

describe('sessions.md: a call that starts or ends sessions itself, made as the clock jumps back', () => {
  // "the hub never invents empty sessions": the jump ends the session (clock-change); the call then
  // does what it says, without a zero-length session started by the jump in between.
  const jumped = (config = {}): EngineHarness => {
    const h = new EngineHarness(config);
    h.launch(T0 + 1000 * SEC);
    h.event(T0 + 1010 * SEC);
    return h;
  };
  const emptySessions = (h: EngineHarness) => h.ends().filter((e) => e.duration === 0 && e.eventCount === 0);

  it('startNewSession after a jump back: the old session ends (clock-change) and one manual session starts', () => {
    const h = jumped();
    h.apply({ type: 'startNewSession', t: T0 + 100 * SEC });
    expect(h.ends().map((e) => e.reason)).toEqual(['clock-change']);
    expect(h.starts().map((s) => s.trigger)).toEqual(['launch', 'manual']);
  });

  it('endSession after a jump back: the session ends and none is live', () => {
    const h = jumped();
    // The session the call ends was live until the jump ended it: no "no live session" warning.
    expect(h.apply({ type: 'endSession', t: T0 + 100 * SEC })).toBe(true);
    expect(h.warnings()).toEqual(['clock-moved-backwards']);
    expect(emptySessions(h)).toEqual([]);
    expect(h.state.session).toBeNull();
  });

  it('a change of user after a jump back: one session, for the new user', () => {
    const h = jumped();
    h.apply({ type: 'setUser', t: T0 + 100 * SEC, userId: 'u1' });
    h.apply({ type: 'setUser', t: T0 + 101 * SEC, userId: 'u2' });
    h.event(T0 + 102 * SEC);
    h.apply({ type: 'setUser', t: T0 + 20 * SEC, userId: 'u3' });
    expect(emptySessions(h)).toEqual([]);
    expect(h.state.session?.userId).toBe('u3');
  });

  it('reset after a jump back: no empty session', () => {
    const h = jumped();
    h.apply({ type: 'reset', t: T0 + 100 * SEC });
    expect(emptySessions(h)).toEqual([]);
    expect(h.state.session).not.toBeNull();
  });
});

describe('sessions.md: the hub never invents empty sessions', () => {
  const input = (t: number): fc.Arbitrary<EngineInput> =>
    fc.oneof(
      fc.constant<EngineInput>({ type: 'foreground', t }),
      fc.constant<EngineInput>({ type: 'background', t }),
      fc.constant<EngineInput>({ type: 'tick', t }),
      fc.constant<EngineInput>({ type: 'startNewSession', t }),
      fc.constant<EngineInput>({ type: 'endSession', t }),
      fc.constant<EngineInput>({ type: 'reset', t }),
      fc.boolean().map((affectsSession): EngineInput => ({ type: 'event', t, eventId: 'x', name: 'e', attributes: {}, affectsSession })),
      fc.constantFrom(null, 'u1', 'u2').map((userId): EngineInput => ({ type: 'setUser', t, userId })),
      fc.constant<EngineInput>({ type: 'setAttribute', t, key: 'k', value: 1 }),
    );
  // Time moves on, sometimes back a little, sometimes back past the timeout.
  const timeline = fc.array(
    fc.tuple(fc.constantFrom(-2000, -90, -5, 0, 1, 10, 59, 60, 61, 300), fc.nat(8)).chain(([dt, k]) => input(0).map((i) => ({ dt, i, k }))),
    { maxLength: 40 },
  );

  it('property: no input starts a session and ends it within the same step', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.constantFrom<boolean | null>(true, false, null), timeline, (login, fg, steps) => {
        const h = new EngineHarness({ newSessionOnLogin: login });
        let t = T0 + 10_000 * SEC;
        h.launch(t, fg as boolean);
        for (const { dt, i } of steps) {
          t += dt * SEC;
          const before = h.outputs.length;
          h.apply({ ...i, t } as EngineInput);
          const started = new Set<string>();
          for (const o of h.outputs.slice(before)) {
            if (o.type === 'sessionStart') started.add(o.record.sessionId);
            if (o.type === 'sessionEnd') expect(started.has(o.record.sessionId), `${i.type} started and ended ${o.record.sessionId}`).toBe(false);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * docs/sessions.md's rules written out as a model (time moving forward only), held against the
 * engine: the same sessions (start time and trigger, end time and reason), input by input.
 */
describe('sessions.md: the session rules, as the page states them', () => {
  interface ModelSession { start: number; last: number }
  type Boundary = string;

  class Model {
    fg: boolean | null = null;
    s: ModelSession | null = null;
    user: string | null = null;
    log: Boundary[] = [];
    constructor(readonly c: { sessionTimeout: number; foregroundTimeout: number | null; max: number | null; resume: boolean; login: boolean; change: boolean; excluded: readonly string[] }) {}
    expired(t: number, fg: boolean | null): boolean {
      const s = this.s!;
      const idle = fg === true ? this.c.foregroundTimeout : this.c.sessionTimeout;
      return (idle !== null && t - s.last >= idle) || (this.c.max !== null && t - s.start >= this.c.max);
    }
    start(t: number, trigger: string): void {
      this.s = { start: t, last: t };
      this.log.push(`start ${t} ${trigger}`);
    }
    end(at: number, reason: string): void {
      if (!this.s) return;
      this.log.push(`end ${at} ${reason}`);
      this.s = null;
    }
    clock = T0;
    apply(input: EngineInput): void {
      // "A clock that steps back by less than the timeout counts as 'no time passed'"; by the timeout
      // or more the session ends at its last activity (clock-change), and a session starts "after a
      // clock jump while the app is in use" (an activity, or in the foreground).
      let i = input;
      let jumped = false;
      if (i.t < this.clock) {
        if (this.clock - i.t >= this.c.sessionTimeout) {
          jumped = this.s !== null;
          this.end(this.s?.last ?? 0, 'clock-change');
        } else i = { ...i, t: this.clock };
      }
      this.clock = i.t;
      if (jumped && i.type !== 'launch') {
        const activity = i.type === 'foreground' || (i.type === 'event' && i.affectsSession && !this.c.excluded.includes(i.name));
        const itself = ['setUser', 'startNewSession', 'endSession'].includes(i.type);
        if (!itself && (activity || this.fg === true)) this.start(i.t, 'clock-change');
        if (i.type === 'setUser') {
          this.user = i.userId;
          if (this.fg === true) this.start(i.t, 'clock-change');
          return;
        }
      }
      this.step(i, jumped);
    }
    step(i: EngineInput, jumped: boolean): void {
      if (i.type === 'launch') {
        // "the next launch finds the session still open and ends it ... reason recovered";
        // "resumeOnRelaunch: a relaunch within the timeout continues the same session".
        if (this.s && !(this.c.resume && !this.expired(i.t, false))) this.end(this.s.last, 'recovered');
        this.fg = i.foreground;
        if (i.foreground === true) {
          if (!this.s) this.start(i.t, 'launch');
          this.s!.last = i.t;
        } else if (i.foreground === null && !this.s) this.start(i.t, 'launch');
        return;
      }
      const t = i.t;
      if (!jumped && this.s && this.expired(t, this.fg)) this.end(this.s.last, 'timeout');
      switch (i.type) {
        case 'foreground':
          if (this.fg !== true || !this.s) {
            this.fg = true;
            if (!this.s) this.start(t, 'foreground');
            this.s!.last = t;
          }
          return;
        case 'background':
          if (this.fg !== false) {
            this.fg = false;
            if (this.s) this.s.last = Math.max(this.s.last, t);
          }
          return;
        case 'event':
          if (!i.affectsSession || this.c.excluded.includes(i.name)) return;
          if (!this.s) this.start(t, 'event');
          this.s!.last = t;
          return;
        case 'setUser': {
          if (i.userId === this.user) return;
          const renew = this.s !== null && (this.user === null ? this.c.login : this.c.change);
          if (renew) this.end(t, 'user-change');
          this.user = i.userId;
          if (renew) this.start(t, 'user-change');
          return;
        }
        case 'startNewSession':
          this.end(t, 'manual');
          this.start(t, 'manual');
          return;
        case 'endSession':
          this.end(t, 'manual');
          return;
      }
    }
  }

  const input = (t: number): fc.Arbitrary<EngineInput> =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constant<EngineInput>({ type: 'foreground', t }) },
      { weight: 3, arbitrary: fc.constant<EngineInput>({ type: 'background', t }) },
      { weight: 2, arbitrary: fc.constant<EngineInput>({ type: 'tick', t }) },
      { weight: 1, arbitrary: fc.constant<EngineInput>({ type: 'startNewSession', t }) },
      { weight: 1, arbitrary: fc.constant<EngineInput>({ type: 'endSession', t }) },
      { weight: 1, arbitrary: fc.constantFrom<boolean | null>(true, false, null).map((foreground): EngineInput => ({ type: 'launch', t, foreground })) },
      { weight: 6, arbitrary: fc.tuple(fc.boolean(), fc.constantFrom('play', 'Notification Sent')).map(([affectsSession, name]): EngineInput => ({ type: 'event', t, eventId: 'x', name, attributes: {}, affectsSession })) },
      { weight: 2, arbitrary: fc.constantFrom(null, 'u1', 'u2').map((userId): EngineInput => ({ type: 'setUser', t, userId })) },
    );
  const steps = fc.array(fc.tuple(fc.constantFrom(-400, -60, -5, 0, 1, 5, 9, 10, 11, 29, 30, 31, 60, 61, 400), input(0)), { maxLength: 40 });
  const config = fc.record({
    sessionTimeout: fc.constantFrom(10, 30, 60),
    foregroundTimeout: fc.constantFrom(null, 10, 30),
    max: fc.constantFrom(null, 30, 100),
    resume: fc.boolean(),
    login: fc.boolean(),
    change: fc.boolean(),
    excluded: fc.constantFrom([], ['Notification Sent']),
  });

  it('property: the engine gives the sessions the page describes', () => {
    fc.assert(
      fc.property(config, fc.constantFrom<boolean | null>(true, false, null), steps, (c, fg, list) => {
        const h = new EngineHarness({
          sessionTimeoutMs: c.sessionTimeout * SEC,
          foregroundTimeoutMs: c.foregroundTimeout === null ? null : c.foregroundTimeout * SEC,
          maxSessionDurationMs: c.max === null ? null : c.max * SEC,
          resumeOnRelaunch: c.resume,
          newSessionOnLogin: c.login,
          newSessionOnUserChange: c.change,
          excludedEvents: c.excluded,
        });
        const m = new Model({ ...c, sessionTimeout: c.sessionTimeout * SEC, foregroundTimeout: c.foregroundTimeout === null ? null : c.foregroundTimeout * SEC, max: c.max === null ? null : c.max * SEC });
        let t = T0;
        const all: EngineInput[] = [{ type: 'launch', t, foreground: fg }, ...list.map(([dt, i]) => ({ ...i, t: (t += dt * SEC) }) as EngineInput)];
        const trail: string[] = [];
        for (const i of all) {
          h.apply(i);
          m.apply(i);
          trail.push(`${i.type}@${(i.t - T0) / SEC}`);
          const got = h.outputs.flatMap((o) => (o.type === 'sessionStart' ? [`start ${o.record.startTime} ${o.record.trigger}`] : o.type === 'sessionEnd' ? [`end ${o.record.endTime} ${o.record.reason}`] : []));
          expect(got, trail.join(' ')).toEqual(m.log);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('sessions.md: session attributes, as the page states them', () => {
  type Op = { op: 'set'; key: string; value: string | number | boolean | null } | { op: 'inc'; key: string; by: number } | { op: 'remove'; key: string };
  const key = fc.oneof(
    fc.constantFrom('Level', 'level', 'LEVEL', 'songs', 'Songs', '__proto__', 'constructor', 'toString'),
    fc.integer({ min: 0, max: 120 }).map((n) => `k${n}`),
  );
  const value = fc.oneof(fc.string({ maxLength: 3 }), fc.constantFrom('11', '0'), fc.integer({ min: -5, max: 5 }), fc.boolean(), fc.constant(null));
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ op: fc.constant('set' as const), key, value }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('inc' as const), key, by: fc.integer({ min: -3, max: 3 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('remove' as const), key }) },
  );

  it('property: set, increment and remove give the values, results and limits the page states', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const h = new EngineHarness();
        h.launch(T0);
        // The model: keys matched case-insensitively, keeping their first spelling; at most 100.
        const model = new Map<string, [string, string | number | boolean | null]>();
        let t = T0;
        for (const o of ops) {
          t += 1;
          const found = model.get(o.key.toLowerCase());
          const warningsBefore = h.warnings().length;
          if (o.op === 'set') {
            const ok = !!found || model.size < 100;
            if (ok) model.set(o.key.toLowerCase(), [found?.[0] ?? o.key, o.value]);
            expect(h.apply({ type: 'setAttribute', t, key: o.key, value: o.value })).toBe(ok);
          } else if (o.op === 'inc') {
            // "a missing key becomes the increment; a number gets + by; any other value ... is left
            // unchanged with a warning and undefined is returned."
            const current = found === undefined ? 0 : found[1];
            const next = typeof current === 'number' && (found || model.size < 100) ? current + o.by : undefined;
            if (next !== undefined) model.set(o.key.toLowerCase(), [found?.[0] ?? o.key, next]);
            expect(h.apply({ type: 'incrementAttribute', t, key: o.key, by: o.by })).toBe(next);
            expect(h.warnings().length > warningsBefore).toBe(next === undefined);
          } else {
            model.delete(o.key.toLowerCase());
            expect(h.apply({ type: 'removeAttribute', t, key: o.key })).toBe(found !== undefined);
          }
          expect({ ...h.state.session!.attributes }).toEqual(Object.fromEntries([...model.values()]));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("sessions.md: 'not-started' for a call after shutdown()", () => {
  it('registerKit after shutdown() is refused with the not-started warning, not silently ignored', async () => {
    const { createHub } = await import('@sessionhub/core');
    const { manualClock, recordingKit } = await import('@sessionhub/testing');
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    const hub = createHub({ clock: manualClock().now, logger: quiet });
    const warnings: string[] = [];
    hub.on('warning', (w) => warnings.push(`${w.code}: ${w.message}`));
    await hub.start();
    await hub.shutdown();
    const late = recordingKit('late');
    hub.registerKit(late);
    expect(warnings).toEqual(['not-started: registerKit: the hub was shut down; create a new hub to keep tracking']);
  });
});

describe('sessions.md: stepInPlace', () => {
  // "applies the same rules to `state` itself and returns it as the result's state (the records it
  // emits are never modified afterwards)".
  const input = (t: number): fc.Arbitrary<EngineInput> =>
    fc.oneof(
      fc.constantFrom<EngineInput>({ type: 'foreground', t }, { type: 'background', t }, { type: 'tick', t }, { type: 'startNewSession', t }, { type: 'endSession', t }, { type: 'reset', t }),
      fc.constantFrom(null, 'u1', 'u2').map((userId): EngineInput => ({ type: 'setUser', t, userId })),
      fc.tuple(fc.constantFrom('a', 'A', 'b'), fc.integer({ min: -2, max: 2 })).chain(([key, n]) =>
        fc.constantFrom<EngineInput>({ type: 'setAttribute', t, key, value: n }, { type: 'incrementAttribute', t, key, by: n }, { type: 'removeAttribute', t, key }),
      ),
      fc.constant<EngineInput>({ type: 'event', t, eventId: 'e', name: 'play', attributes: { n: 1 }, affectsSession: true }),
      fc.constant<EngineInput>({ type: 'configure', t, config: { sessionTimeoutMs: 30_000 } }),
      fc.constantFrom<boolean | null>(true, false, null).map((foreground): EngineInput => ({ type: 'launch', t, foreground })),
    );

  it('property: the same outputs and state as step, the state returned is the one given, and no emitted record changes later', async () => {
    const { step, stepInPlace, initialState, DEFAULT_ENGINE_CONFIG } = await import('@sessionhub/core');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(-100, 0, 1, 20, 61), input(0)), { maxLength: 40 }), (list) => {
        let n = 0;
        let m = 0;
        const a = { newId: () => `id-${++n}` };
        const b = { newId: () => `id-${++m}` };
        let copied = initialState('d', DEFAULT_ENGINE_CONFIG, T0);
        const inPlace = initialState('d', DEFAULT_ENGINE_CONFIG, T0);
        const emitted: { output: unknown; snapshot: string }[] = [];
        let t = T0;
        for (const [dt, i] of list) {
          const next = { ...i, t: (t += dt * SEC) } as EngineInput;
          const r1 = step(copied, next, a);
          const r2 = stepInPlace(inPlace, next, b);
          copied = r1.state;
          expect(r2.state).toBe(inPlace);
          expect(r2.outputs).toEqual(r1.outputs);
          expect(r2.result).toEqual(r1.result);
          for (const output of r2.outputs) emitted.push({ output, snapshot: JSON.stringify(output) });
        }
        expect(JSON.stringify(inPlace)).toBe(JSON.stringify(copied));
        for (const { output, snapshot } of emitted) expect(JSON.stringify(output)).toBe(snapshot);
      }),
      { numRuns: 300 },
    );
  });
});
