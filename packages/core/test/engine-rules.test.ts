import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expiryInstant, step } from '@sessionhub/core';
import { EngineHarness, SEC, T0 } from './engine-harness';

describe('engine: timeouts', () => {
  it('defaults to a 60 s session timeout', () => {
    const h = new EngineHarness();
    expect(h.state.config.sessionTimeoutMs).toBe(60 * SEC);
  });

  it('a background shorter than the timeout continues the same session', () => {
    const h = new EngineHarness();
    h.launch(T0);
    h.event(T0 + 5 * SEC);
    h.apply({ type: 'background', t: T0 + 10 * SEC });
    h.apply({ type: 'foreground', t: T0 + 69 * SEC }); // 59 s in the background
    const e = h.event(T0 + 70 * SEC);
    expect(h.starts()).toHaveLength(1);
    expect(h.ends()).toHaveLength(0);
    expect(e.sessionId).toBe(h.starts()[0]?.sessionId);
    expect(h.state.session?.foregroundIndex).toBe(2);
    expect(h.state.session?.backgroundIndex).toBe(1);
  });

  it('a background of exactly the timeout ends the session at the last activity, and foreground starts a new one', () => {
    const h = new EngineHarness();
    h.launch(T0);
    h.event(T0 + 5 * SEC);
    h.apply({ type: 'background', t: T0 + 10 * SEC });
    h.apply({ type: 'foreground', t: T0 + 70 * SEC }); // exactly 60 s: t − lastActivity ≥ timeout
    const [end] = h.ends();
    expect(end).toMatchObject({ reason: 'timeout', endTime: T0 + 10 * SEC, duration: 10 * SEC, startTime: T0 });
    expect(h.starts().map((s) => s.trigger)).toEqual(['launch', 'foreground']);
    expect(h.starts()[1]?.previousSessionId).toBe(end?.sessionId);
    expect(h.types()).toEqual(['sessionStart', 'foreground', 'event', 'background', 'sessionEnd', 'sessionStart', 'foreground']);
  });

  it('a timer tick ends an expired session with endTime = last activity and starts none', () => {
    const h = new EngineHarness();
    h.launch(T0);
    h.apply({ type: 'background', t: T0 + 3 * SEC });
    expect(expiryInstant(h.state)).toBe(T0 + 63 * SEC);
    h.apply({ type: 'tick', t: T0 + 62 * SEC });
    expect(h.ends()).toHaveLength(0);
    h.apply({ type: 'tick', t: T0 + 500 * SEC }); // the timer fired late (a suspended app)
    expect(h.ends()).toEqual([expect.objectContaining({ endTime: T0 + 3 * SEC, reason: 'timeout' })]);
    expect(h.state.session).toBeNull();
    expect(h.starts()).toHaveLength(1);
  });

  it('timers that never fire give the same sessions on the next event', () => {
    const withTick = new EngineHarness();
    const without = new EngineHarness();
    for (const h of [withTick, without]) {
      h.launch(T0);
      h.event(T0 + SEC);
      h.apply({ type: 'background', t: T0 + 2 * SEC });
    }
    withTick.apply({ type: 'tick', t: T0 + 62 * SEC });
    withTick.event(T0 + 900 * SEC);
    without.event(T0 + 900 * SEC);
    const strip = (h: EngineHarness) => h.outputs.filter((o) => o.type !== 'warning');
    expect(strip(without)).toEqual(strip(withTick));
  });

  it('a foreground session never idles out without foregroundTimeout', () => {
    const h = new EngineHarness();
    h.launch(T0);
    expect(expiryInstant(h.state)).toBeNull();
    h.event(T0 + 10 * 3600 * SEC);
    expect(h.ends()).toHaveLength(0);
  });

  it('foregroundTimeout ends an idle foreground session at its last activity', () => {
    const h = new EngineHarness({ foregroundTimeoutMs: 1800 * SEC });
    h.launch(T0);
    h.event(T0 + 100 * SEC);
    expect(expiryInstant(h.state)).toBe(T0 + 1900 * SEC);
    h.event(T0 + 1899 * SEC); // within the timeout: same session
    h.event(T0 + 3699 * SEC); // 1800 s idle: a new session
    expect(h.ends()).toEqual([expect.objectContaining({ endTime: T0 + 1899 * SEC, reason: 'timeout' })]);
    expect(h.starts().map((s) => s.trigger)).toEqual(['launch', 'event']);
  });

  it('maxSessionDuration caps a busy session', () => {
    const h = new EngineHarness({ maxSessionDurationMs: 600 * SEC });
    h.launch(T0);
    for (let t = 10; t < 600; t += 10) h.event(T0 + t * SEC);
    h.event(T0 + 600 * SEC);
    expect(h.ends()).toEqual([expect.objectContaining({ endTime: T0 + 590 * SEC, reason: 'timeout' })]);
    expect(h.events().at(-1)?.sessionId).toBe(h.starts()[1]?.sessionId);
  });

  it('with no lifecycle information the session timeout applies', () => {
    const h = new EngineHarness();
    h.event(T0);
    expect(h.state.inForeground).toBeNull();
    h.event(T0 + 59 * SEC);
    h.event(T0 + 119 * SEC);
    expect(h.starts().map((s) => s.trigger)).toEqual(['event', 'event']);
    expect(h.ends()[0]?.endTime).toBe(T0 + 59 * SEC);
  });

  it('a configure input changes the timeout for the live session from then on', () => {
    const h = new EngineHarness();
    h.launch(T0);
    h.apply({ type: 'background', t: T0 + SEC });
    h.apply({ type: 'configure', t: T0 + 20 * SEC, config: { sessionTimeoutMs: 10 * SEC } });
    expect(h.types().slice(-2)).toEqual(['configChange', 'sessionEnd']);
    expect(h.ends()[0]).toMatchObject({ endTime: T0 + SEC, reason: 'timeout' });
  });
});

describe('engine: launch and force-quit recovery', () => {
  it('the first launch in the foreground starts session 1', () => {
    const h = new EngineHarness();
    h.launch(T0);
    expect(h.starts()).toEqual([
      expect.objectContaining({ sessionIndex: 1, previousSessionId: null, isFirstSession: true, trigger: 'launch', startTime: T0 }),
    ]);
  });

  it('a launch in the background starts no session', () => {
    const h = new EngineHarness();
    h.launch(T0, false);
    expect(h.starts()).toHaveLength(0);
    h.apply({ type: 'foreground', t: T0 + SEC });
    expect(h.starts()).toEqual([expect.objectContaining({ trigger: 'foreground', startTime: T0 + SEC })]);
  });

  it('a relaunch ends the unended session at its last activity (reason recovered), then starts a new one', () => {
    const h = new EngineHarness();
    h.launch(T0);
    h.event(T0 + 7 * SEC);
    // The process dies here; the next launch sees the persisted state.
    h.launch(T0 + 20 * SEC);
    expect(h.ends()).toEqual([expect.objectContaining({ reason: 'recovered', endTime: T0 + 7 * SEC, foregroundDuration: 7 * SEC })]);
    expect(h.starts()[1]).toMatchObject({ sessionIndex: 2, trigger: 'launch', previousSessionDuration: 7 * SEC, previousSessionStartTime: T0 });
  });

  it('with resumeOnRelaunch, a relaunch within the timeout continues the session', () => {
    const h = new EngineHarness({ resumeOnRelaunch: true });
    h.launch(T0);
    h.event(T0 + 7 * SEC);
    h.launch(T0 + 30 * SEC);
    expect(h.ends()).toHaveLength(0);
    expect(h.starts()).toHaveLength(1);
    expect(h.state.session?.foregroundTime).toBe(7 * SEC);
    h.launch(T0 + 200 * SEC); // past the timeout: recovered
    expect(h.ends()).toEqual([expect.objectContaining({ reason: 'recovered', endTime: T0 + 30 * SEC })]);
  });
});

describe('engine: events', () => {
  it('stamps events with the session, eventIndex from 1 and the first event fields', () => {
    const h = new EngineHarness();
    h.launch(T0);
    const a = h.event(T0 + SEC, 'a');
    const b = h.event(T0 + 2 * SEC, 'b');
    expect(a).toMatchObject({ eventIndex: 1, firstEventId: a.eventId, firstEventTime: T0 + SEC, sessionStartTime: T0, inForeground: true });
    expect(b).toMatchObject({ eventIndex: 2, firstEventId: a.eventId, sessionIndex: 1 });
  });

  it('an event with no session starts one (trigger event)', () => {
    const h = new EngineHarness();
    h.launch(T0, false);
    const e = h.event(T0 + SEC);
    expect(h.starts()).toEqual([expect.objectContaining({ trigger: 'event', startTime: T0 + SEC })]);
    expect(e.inForeground).toBe(false);
  });

  it('excluded and affectsSession:false events neither start nor extend a session', () => {
    const h = new EngineHarness({ excludedEvents: ['Notification Sent'] });
    h.launch(T0, false);
    const orphan = h.event(T0 + SEC, 'Notification Sent');
    expect(orphan).toMatchObject({ sessionId: null, eventIndex: 0, affectsSession: false });
    expect(h.starts()).toHaveLength(0);
    h.event(T0 + 2 * SEC, 'play');
    const neutral = h.event(T0 + 50 * SEC, 'ping', false);
    expect(neutral.sessionId).toBe(h.starts()[0]?.sessionId);
    h.event(T0 + 62 * SEC, 'play'); // 60 s after the last session-affecting event
    expect(h.ends()).toEqual([expect.objectContaining({ endTime: T0 + 2 * SEC, eventCount: 2 })]);
  });
});

describe('engine: users', () => {
  it('anonymous → identified keeps the session and attaches the user', () => {
    const h = new EngineHarness();
    h.launch(T0);
    h.apply({ type: 'setUser', t: T0 + SEC, userId: 'u1' });
    const e = h.event(T0 + 2 * SEC);
    expect(h.starts()).toHaveLength(1);
    expect(e.userId).toBe('u1');
    expect(h.state.session?.userId).toBe('u1');
  });

  it('identified → another user ends the session at t and starts one for the new user', () => {
    const h = new EngineHarness();
    h.launch(T0);
    h.apply({ type: 'setUser', t: T0 + SEC, userId: 'u1' });
    h.apply({ type: 'setUser', t: T0 + 9 * SEC, userId: 'u2' });
    expect(h.ends()).toEqual([expect.objectContaining({ reason: 'user-change', endTime: T0 + 9 * SEC, userId: 'u1' })]);
    expect(h.starts()[1]).toMatchObject({ trigger: 'user-change', userId: 'u2', startTime: T0 + 9 * SEC });
    expect(h.types().slice(-3)).toEqual(['sessionEnd', 'userChange', 'sessionStart']);
  });

  it('logging out ends the session too; the same id does nothing', () => {
    const h = new EngineHarness();
    h.launch(T0);
    h.apply({ type: 'setUser', t: T0 + SEC, userId: 'u1' });
    const before = h.outputs.length;
    h.apply({ type: 'setUser', t: T0 + 2 * SEC, userId: 'u1' });
    expect(h.outputs.length).toBe(before);
    h.apply({ type: 'setUser', t: T0 + 3 * SEC, userId: null });
    expect(h.starts()[1]).toMatchObject({ userId: null, trigger: 'user-change' });
  });

  it('signing in keeps the session by default; with newSessionOnLogin it ends the anonymous session and starts the user\'s', () => {
    const keep = new EngineHarness();
    keep.launch(T0);
    keep.apply({ type: 'setUser', t: T0 + 4 * SEC, userId: 'u1' });
    expect(keep.starts()).toHaveLength(1);
    expect(keep.state.session?.userId).toBe('u1');

    const renew = new EngineHarness({ newSessionOnLogin: true });
    renew.launch(T0);
    renew.apply({ type: 'setUser', t: T0 + 4 * SEC, userId: 'u1' });
    expect(renew.ends()).toEqual([expect.objectContaining({ reason: 'user-change', endTime: T0 + 4 * SEC, userId: null })]);
    expect(renew.starts()[1]).toMatchObject({ trigger: 'user-change', userId: 'u1', startTime: T0 + 4 * SEC, previousSessionId: renew.starts()[0]!.sessionId });
    expect(renew.types().slice(-3)).toEqual(['sessionEnd', 'userChange', 'sessionStart']);
  });

  it('a session\'s end tells when its user last changed while it went on (userChangeTime), not a change that started or ended it', () => {
    const h = new EngineHarness({ newSessionOnUserChange: false });
    h.launch(T0);
    h.apply({ type: 'setUser', t: T0 + SEC, userId: 'u1' }); // a sign-in: the session goes on
    h.apply({ type: 'setUser', t: T0 + 2 * SEC, userId: 'u2' }); // kept too (newSessionOnUserChange off)
    h.apply({ type: 'startNewSession', t: T0 + 3 * SEC });
    h.apply({ type: 'endSession', t: T0 + 4 * SEC });
    const renew = new EngineHarness();
    renew.launch(T0);
    renew.apply({ type: 'setUser', t: T0 + SEC, userId: 'u1' });
    renew.apply({ type: 'setUser', t: T0 + 2 * SEC, userId: 'u2' }); // ends u1's session, starts u2's
    renew.apply({ type: 'endSession', t: T0 + 3 * SEC });
    expect(h.ends().map((e) => e.userChangeTime)).toEqual([T0 + 2 * SEC, null]);
    expect(renew.ends().map((e) => e.userChangeTime)).toEqual([T0 + SEC, null]);
  });

  it("a session's end keeps its first change of user to an id (signIn) through later changes, not a change that started it", () => {
    const h = new EngineHarness({ newSessionOnUserChange: false });
    h.launch(T0);
    h.apply({ type: 'setUser', t: T0 + SEC, userId: 'u1' }); // a sign-in: the session goes on
    h.apply({ type: 'setUser', t: T0 + 2 * SEC, userId: null }); // a log-out: kept too
    h.apply({ type: 'setUser', t: T0 + 3 * SEC, userId: 'u2' });
    h.apply({ type: 'startNewSession', t: T0 + 4 * SEC });
    h.apply({ type: 'setUser', t: T0 + 5 * SEC, userId: null }); // a log-out alone
    h.apply({ type: 'startNewSession', t: T0 + 6 * SEC });
    const renew = new EngineHarness({ newSessionOnLogin: true });
    renew.launch(T0);
    renew.apply({ type: 'setUser', t: T0 + SEC, userId: 'u1' }); // ends the anonymous session, starts u1's
    renew.apply({ type: 'endSession', t: T0 + 2 * SEC });
    expect(h.ends().map((e) => [e.signIn, e.userId, e.userChangeTime])).toEqual([
      [[T0 + SEC, 'u1'], 'u2', T0 + 3 * SEC],
      [null, null, T0 + 5 * SEC],
    ]);
    expect(renew.ends().map((e) => e.signIn)).toEqual([null, null]);
  });

  it('property: a session renews at setUser exactly when the rules say (login: newSessionOnLogin; change or logout: newSessionOnUserChange)', () => {
    const user = fc.constantFrom(null, 'u1', 'u2');
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.array(user, { maxLength: 12 }), (onLogin, onChange, users) => {
        const h = new EngineHarness({ newSessionOnLogin: onLogin, newSessionOnUserChange: onChange });
        h.launch(T0);
        let previous: string | null = null;
        users.forEach((userId, i) => {
          const starts = h.starts().length;
          const live = h.state.session;
          h.apply({ type: 'setUser', t: T0 + (i + 1) * SEC, userId });
          const renewed = h.starts().length > starts;
          const expected = userId !== previous && live !== null && (previous === null ? onLogin : onChange);
          expect(renewed).toBe(expected);
          if (renewed) expect(h.ends().at(-1)).toMatchObject({ sessionId: live!.id, userId: previous, reason: 'user-change' });
          // Whatever happened, the live session belongs to the new user.
          expect(h.state.session?.userId ?? null).toBe(h.state.session ? userId : null);
          previous = userId;
        });
      }),
    );
  });

  it('with newSessionOnUserChange false the session continues', () => {
    const h = new EngineHarness({ newSessionOnUserChange: false });
    h.launch(T0);
    h.apply({ type: 'setUser', t: T0 + SEC, userId: 'u1' });
    h.apply({ type: 'setUser', t: T0 + 2 * SEC, userId: 'u2' });
    expect(h.starts()).toHaveLength(1);
    expect(h.state.session?.userId).toBe('u2');
  });
});

describe('engine: manual start and end', () => {
  it('startNewSession ends the live session at t and starts another', () => {
    const h = new EngineHarness();
    h.launch(T0);
    h.apply({ type: 'startNewSession', t: T0 + 5 * SEC });
    expect(h.ends()).toEqual([expect.objectContaining({ reason: 'manual', endTime: T0 + 5 * SEC })]);
    expect(h.starts()[1]).toMatchObject({ trigger: 'manual', sessionIndex: 2 });
  });

  it('endSession ends it; with no session it warns and fails', () => {
    const h = new EngineHarness();
    h.launch(T0);
    expect(h.apply({ type: 'endSession', t: T0 + 5 * SEC })).toBe(true);
    expect(h.apply({ type: 'endSession', t: T0 + 6 * SEC })).toBe(false);
    expect(h.warnings()).toEqual(['no-live-session']);
    h.apply({ type: 'foreground', t: T0 + 7 * SEC }); // still in the foreground: a new session starts
    expect(h.starts()).toHaveLength(2);
  });
});

describe('engine: the clock moving backwards', () => {
  it('a small step back counts as no time passed', () => {
    const h = new EngineHarness();
    h.launch(T0 + 100 * SEC);
    const e = h.event(T0 + 90 * SEC);
    expect(e.timestamp).toBe(T0 + 100 * SEC);
    expect(h.ends()).toHaveLength(0);
    expect(h.warnings()).toEqual([]);
  });

  it('a jump back by the timeout or more ends the session at its last activity and starts a new one', () => {
    const h = new EngineHarness();
    h.launch(T0 + 1000 * SEC);
    h.event(T0 + 1010 * SEC);
    const e = h.event(T0 + 900 * SEC);
    expect(h.ends()).toEqual([expect.objectContaining({ reason: 'clock-change', endTime: T0 + 1010 * SEC, duration: 10 * SEC })]);
    expect(h.starts()[1]).toMatchObject({ trigger: 'clock-change', startTime: T0 + 900 * SEC });
    expect(e.sessionId).toBe(h.starts()[1]?.sessionId);
    expect(h.warnings()).toEqual(['clock-moved-backwards']);
  });

  it('a relaunch after a jump back ends the old session once (clock-change) and starts one launch session', () => {
    const h = new EngineHarness();
    h.launch(T0 + 1000 * SEC);
    h.event(T0 + 1010 * SEC);
    h.launch(T0 + 100 * SEC);
    expect(h.ends()).toEqual([expect.objectContaining({ reason: 'clock-change', endTime: T0 + 1010 * SEC })]);
    expect(h.starts().map((s) => s.trigger)).toEqual(['launch', 'launch']);
  });

  it('a jump back seen by a background tick ends the session and starts none', () => {
    const h = new EngineHarness();
    h.launch(T0 + 1000 * SEC);
    h.apply({ type: 'background', t: T0 + 1001 * SEC });
    h.apply({ type: 'tick', t: T0 + 10 * SEC });
    expect(h.ends()).toEqual([expect.objectContaining({ reason: 'clock-change' })]);
    expect(h.starts()).toHaveLength(1);
  });
});

describe('engine: session attributes', () => {
  it('set, increment and remove, with case-insensitive keys keeping the first spelling', () => {
    const h = new EngineHarness();
    h.launch(T0);
    expect(h.apply({ type: 'setAttribute', t: T0, key: 'Level', value: '11' })).toBe(true);
    expect(h.apply({ type: 'setAttribute', t: T0, key: 'level', value: '12' })).toBe(true);
    expect(h.apply({ type: 'incrementAttribute', t: T0, key: 'songs', by: 1 })).toBe(1);
    expect(h.apply({ type: 'incrementAttribute', t: T0, key: 'SONGS', by: 2.5 })).toBe(3.5);
    expect({ ...h.state.session?.attributes }).toEqual({ Level: '12', songs: 3.5 });
    expect(h.apply({ type: 'removeAttribute', t: T0, key: 'LEVEL' })).toBe(true);
    expect(h.apply({ type: 'removeAttribute', t: T0, key: 'missing' })).toBe(false);
    expect({ ...h.state.session?.attributes }).toEqual({ songs: 3.5 });
  });

  it('incrementing a non-numeric value leaves it unchanged with a warning', () => {
    const h = new EngineHarness();
    h.launch(T0);
    h.apply({ type: 'setAttribute', t: T0, key: 'level', value: '11' });
    expect(h.apply({ type: 'incrementAttribute', t: T0, key: 'level', by: 1 })).toBeUndefined();
    expect(h.state.session?.attributes.level).toBe('11');
    expect(h.warnings()).toEqual(['attribute-not-numeric']);
  });

  it('needs a live session', () => {
    const h = new EngineHarness();
    expect(h.apply({ type: 'setAttribute', t: T0, key: 'k', value: 1 })).toBe(false);
    expect(h.apply({ type: 'incrementAttribute', t: T0, key: 'k', by: 1 })).toBeUndefined();
    expect(h.warnings()).toEqual(['no-live-session', 'no-live-session']);
  });

  it('enforces key length, value length, value type and the 100-attribute limit', () => {
    const h = new EngineHarness();
    h.launch(T0);
    expect(h.apply({ type: 'setAttribute', t: T0, key: '', value: 1 })).toBe(false);
    expect(h.apply({ type: 'setAttribute', t: T0, key: 'k'.repeat(256), value: 1 })).toBe(false);
    expect(h.apply({ type: 'setAttribute', t: T0, key: 'k'.repeat(255), value: 'v'.repeat(4096) })).toBe(true);
    expect(h.apply({ type: 'setAttribute', t: T0, key: 'long', value: 'v'.repeat(4097) })).toBe(false);
    expect(h.apply({ type: 'setAttribute', t: T0, key: 'nan', value: Number.NaN })).toBe(false);
    for (let i = 1; i < 100; i++) expect(h.apply({ type: 'setAttribute', t: T0, key: `a${i}`, value: i })).toBe(true);
    expect(h.apply({ type: 'setAttribute', t: T0, key: 'one-too-many', value: 1 })).toBe(false);
    expect(h.apply({ type: 'incrementAttribute', t: T0, key: 'one-too-many', by: 1 })).toBeUndefined();
    expect(h.apply({ type: 'setAttribute', t: T0, key: 'A1', value: 'replaced' })).toBe(true); // existing key: allowed
    expect(Object.keys(h.state.session?.attributes ?? {})).toHaveLength(100);
    expect(h.warnings().filter((w) => w === 'attribute-limit')).toHaveLength(2);
  });

  it('__proto__ is an ordinary key and pollutes nothing', () => {
    const h = new EngineHarness();
    h.launch(T0);
    h.apply({ type: 'setAttribute', t: T0, key: '__proto__', value: 'x' });
    h.apply({ type: 'incrementAttribute', t: T0, key: 'constructor', by: 1 });
    expect(Object.keys(h.state.session?.attributes ?? {})).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it('attributes ride on the end record and are cleared when the session ends', () => {
    const h = new EngineHarness();
    h.launch(T0);
    h.apply({ type: 'setAttribute', t: T0, key: 'level', value: 3 });
    h.apply({ type: 'startNewSession', t: T0 + SEC });
    expect({ ...h.ends()[0]?.attributes }).toEqual({ level: 3 });
    expect(Object.keys(h.state.session?.attributes ?? {})).toEqual([]);
  });
});

describe('engine: reset', () => {
  it('ends the live session, then a new device id with no user and numbering from 1; the reset output comes between end and start', () => {
    const h = new EngineHarness();
    h.launch(T0);
    h.apply({ type: 'setUser', t: T0 + SEC, userId: 'u1' });
    h.event(T0 + 2 * SEC);
    const before = h.state;
    h.outputs.length = 0;
    expect(h.apply({ type: 'reset', t: T0 + 3 * SEC })).toBe(true);
    expect(h.types()).toEqual(['sessionEnd', 'reset', 'sessionStart']);
    expect(h.ends()[0]).toMatchObject({ sessionId: before.session!.id, deviceId: 'device-1', userId: 'u1', reason: 'manual' });
    const id = (h.outputs[1] as { record: string }).record;
    expect(id).not.toBe('device-1');
    expect(h.starts()[0]).toMatchObject({ deviceId: id, userId: null, sessionIndex: 1, isFirstSession: true, previousSessionId: null });
    expect(h.state).toMatchObject({ deviceId: id, userId: null, lastSessionIndex: 1, previous: null, config: before.config });
  });

  it('in the background: no session starts until activity; without a live session nothing ends', () => {
    const h = new EngineHarness();
    h.launch(T0, false);
    h.outputs.length = 0;
    h.apply({ type: 'reset', t: T0 + SEC });
    expect(h.types()).toEqual(['reset']);
    expect(h.state.session).toBeNull();
    h.event(T0 + 2 * SEC);
    expect(h.starts()[0]).toMatchObject({ deviceId: h.state.deviceId, sessionIndex: 1 });
  });
});

describe('engine: purity', () => {
  it('never modifies the state it is given and is deterministic', () => {
    const h = new EngineHarness();
    h.launch(T0);
    h.event(T0 + SEC);
    const frozen = structuredClone(h.state);
    const deepFreeze = (o: unknown): void => {
      if (o && typeof o === 'object') {
        Object.freeze(o);
        for (const v of Object.values(o)) deepFreeze(v);
      }
    };
    deepFreeze(h.state);
    const ids = () => {
      let n = 0;
      return { newId: () => `id-${++n}` };
    };
    const input = { type: 'event', t: T0 + 500 * SEC, eventId: 'x', name: 'n', attributes: {}, affectsSession: true } as const;
    const a = step(h.state, input, ids());
    const b = step(h.state, input, ids());
    expect(a).toEqual(b);
    expect(structuredClone(h.state)).toEqual(frozen);
  });
});
