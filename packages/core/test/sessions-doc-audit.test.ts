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
    h.apply({ type: 'endSession', t: T0 + 100 * SEC });
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
