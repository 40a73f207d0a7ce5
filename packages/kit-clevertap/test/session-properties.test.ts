/**
 * Random traces through a real hub with the CleverTap kit: lifecycle, events (session-neutral ones
 * included), user changes, attributes, timeout changes, clock jumps and force-quits with relaunches.
 * What CleverTap receives is checked against the canonical records the hub gave a recording kit.
 */
import type { EventRecord, LifecycleRecord, SessionEndRecord, SessionStartRecord } from '@sessionhub/core';
import { CLEVERTAP_SESSION_NEUTRAL_EVENTS, cleverTapGuid, type CleverTapEventItem, type CleverTapUploadItem } from '@sessionhub/kit-clevertap';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Device, type HubSetup } from './harness';

type Command =
  | { t: 'advance'; ms: number }
  | { t: 'clockBack'; ms: number }
  | { t: 'event'; name: string; affects: boolean; attributes: Record<string, string | number | boolean> }
  | { t: 'foreground' }
  | { t: 'background' }
  | { t: 'user'; id: string | null }
  | { t: 'newSession' }
  | { t: 'endSession' }
  | { t: 'attribute'; key: string; value: string | number | boolean | null }
  | { t: 'timeout'; seconds: number }
  | { t: 'flush' }
  | { t: 'forceQuit'; relaunchInBackground: boolean };

const key = fc.constantFrom('plan', 'level', 'tab', 'score');
const scalar = fc.oneof(fc.stringMatching(/^[a-z0-9]{0,8}$/), fc.integer({ min: -1000, max: 1000 }), fc.boolean());

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant('advance' as const), ms: fc.oneof(fc.integer({ min: 0, max: 1_500 }), fc.integer({ min: 0, max: 70_000 }), fc.integer({ min: 60_000, max: 3_600_000 })) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('clockBack' as const), ms: fc.oneof(fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 60_000, max: 600_000 })) }) },
  {
    weight: 8,
    arbitrary: fc.record({
      t: fc.constant('event' as const),
      name: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('play', 'pause', 'view', 'buy') }, { weight: 2, arbitrary: fc.constantFrom(...CLEVERTAP_SESSION_NEUTRAL_EVENTS) }),
      affects: fc.boolean().map((b) => b || Math.random() < 0.7),
      attributes: fc.dictionary(key, scalar, { maxKeys: 3 }),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ t: 'foreground' as const }) },
  { weight: 2, arbitrary: fc.constant({ t: 'background' as const }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('user' as const), id: fc.constantFrom(null, 'u1', 'u2') }) },
  { weight: 1, arbitrary: fc.constant({ t: 'newSession' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'endSession' as const }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('attribute' as const), key, value: fc.oneof(scalar, fc.constant(null)) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('timeout' as const), seconds: fc.constantFrom(1, 10, 60, 300) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'flush' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('forceQuit' as const), relaunchInBackground: fc.boolean() }) },
);

const setup: fc.Arbitrary<HubSetup & { launchInBackground: boolean }> = fc.record({
  sessionTimeout: fc.constantFrom(1, 10, 60),
  foregroundTimeout: fc.constantFrom(null, 30),
  resumeOnRelaunch: fc.boolean(),
  launchInBackground: fc.boolean(),
});

const NEUTRAL = new Set(CLEVERTAP_SESSION_NEUTRAL_EVENTS);

/** Plays a trace; checks on the spot that session-neutral events neither start nor extend a session. */
async function play(d: Device, commands: Command[]): Promise<{ neutralChecked: number }> {
  let neutralChecked = 0;
  for (const c of commands) {
    const hub = d.hub;
    switch (c.t) {
      case 'advance':
        d.clock.advance(c.ms);
        break;
      case 'clockBack':
        d.clock.advance(-c.ms);
        break;
      case 'event': {
        const neutral = !c.affects || NEUTRAL.has(c.name);
        const before = neutral ? hub.getSession() : null;
        // A clock that jumped back by the timeout or more ends the session and, in the foreground,
        // starts one whatever the call (the contract's clock rule): not the event's doing.
        let clockJumped = false;
        const onWarning = (w: { code: string }) => void (clockJumped ||= w.code === 'clock-moved-backwards');
        hub.on('warning', onWarning);
        hub.logEvent(c.name, c.attributes, c.affects ? undefined : { affectsSession: false });
        hub.off('warning', onWarning);
        if (neutral && !clockJumped) {
          const after = hub.getSession();
          if (before === null) expect(after).toBeNull();
          else {
            expect(after?.id).toBe(before.id);
            expect(after?.lastActivity).toBe(before.lastActivity);
          }
          neutralChecked++;
        }
        break;
      }
      case 'foreground':
        d.run.lifecycle.foreground();
        break;
      case 'background':
        d.run.lifecycle.background();
        break;
      case 'user':
        hub.setUser(c.id);
        break;
      case 'newSession':
        hub.startNewSession();
        break;
      case 'endSession':
        hub.endSession();
        break;
      case 'attribute':
        hub.setSessionAttribute(c.key, c.value);
        break;
      case 'timeout':
        hub.setSessionTimeout(c.seconds);
        break;
      case 'flush':
        await hub.flush();
        break;
      case 'forceQuit':
        await d.forceQuit();
        await d.launch(c.relaunchInBackground);
        break;
    }
  }
  await d.finish();
  return { neutralChecked };
}

/** What the hub told the kits, across every run, in order. */
function canonical(d: Device) {
  const starts: SessionStartRecord[] = [];
  const ends: SessionEndRecord[] = [];
  const events: EventRecord[] = [];
  const lifecycle: LifecycleRecord[] = [];
  /** Expected profile stamps: [identity, s of the session the kit knew as live, pg]. */
  const profiles: Array<{ identity: string; sessionId: string | null; pg: number }> = [];
  for (const run of d.runs) {
    // What the kit knows as live in this process: a session it saw start, or whose event it saw.
    let live: string | null = null;
    let pg = 0;
    for (const c of run.recorder.calls) {
      if (c.type === 'onSessionStart') (starts.push(c.record), (live = c.record.sessionId), (pg = 0));
      else if (c.type === 'onSessionEnd') {
        ends.push(c.record);
        if (live === c.record.sessionId) live = null;
      } else if (c.type === 'onEvent') {
        events.push(c.record);
        if (c.record.sessionId !== null) (live = c.record.sessionId), (pg = c.record.eventIndex);
      } else if (c.type === 'onForeground' || c.type === 'onBackground') lifecycle.push(c.record);
      else if (c.type === 'onUserChange' && c.record.userId !== null) profiles.push({ identity: c.record.userId, sessionId: live, pg: live ? pg : 0 });
    }
  }
  return { starts, ends, events, lifecycle, profiles };
}

describe('CleverTap sessions over random traces through a real hub', () => {
  it('match the canonical sessions one to one', async () => {
    let recovered = 0;
    let sameSecond = 0;
    let neutralTotal = 0;
    await fc.assert(
      fc.asyncProperty(setup, fc.array(command, { minLength: 1, maxLength: 40 }), async (s, commands) => {
        const d = new Device(s);
        await d.launch(s.launchInBackground);
        const { neutralChecked } = await play(d, commands);
        neutralTotal += neutralChecked;
        const { starts, ends, events, lifecycle, profiles } = canonical(d);
        const items: CleverTapUploadItem[] = d.net.items();

        // Every canonical session started once and ended once, in order (the harness is sound).
        expect(ends.map((e) => e.sessionId)).toEqual(starts.map((x) => x.sessionId));

        // s: the start second, strictly increasing per device, across relaunches.
        const sOf = new Map<string, number>();
        const lslOf = new Map<string, number>();
        let last = 0;
        for (const start of starts) {
          const expected = Math.max(Math.floor(start.startTime / 1000), last + 1);
          if (expected !== Math.floor(start.startTime / 1000)) sameSecond++;
          sOf.set(start.sessionId, expected);
          lslOf.set(start.sessionId, start.previousSessionDuration === null ? 0 : Math.round(start.previousSessionDuration / 1000));
          last = expected;
        }

        // One Session Concluded per canonical session, in order, with its id, length, time and attributes.
        const concluded = items.filter((i): i is CleverTapEventItem => i.type === 'event' && i.evtName === 'Session Concluded');
        expect(concluded).toHaveLength(ends.length);
        let previousS = 0;
        ends.forEach((end, i) => {
          const item = concluded[i]!;
          const sid = sOf.get(end.sessionId)!;
          expect(item.s).toBeGreaterThan(previousS);
          previousS = item.s;
          const attributes = Object.fromEntries(
            Object.entries(end.attributes)
              .filter(([, v]) => v !== null)
              .map(([k, v]) => [`sh_${k}`, typeof v === 'string' ? v.trim() : v]),
          );
          expect(item).toEqual({
            type: 'event',
            evtName: 'Session Concluded',
            evtData: { 'Session Length': end.duration / 1000, 'Session ID': sid, ...attributes },
            s: sid,
            pg: end.eventCount,
            ep: Math.floor(end.endTime / 1000),
            f: end.sessionIndex === 1,
            lsl: lslOf.get(end.sessionId),
          });
          if (end.reason === 'recovered') recovered++;
          // Ended by inactivity or a force-quit: at the last session-affecting activity, which
          // session-neutral events are not.
          if (end.reason === 'timeout' || end.reason === 'recovered' || end.reason === 'clock-change') {
            let lastActivity = end.startTime;
            for (const e of events) if (e.sessionId === end.sessionId && e.affectsSession) lastActivity = Math.max(lastActivity, e.timestamp);
            for (const l of lifecycle) if (l.sessionId === end.sessionId) lastActivity = Math.max(lastActivity, l.timestamp);
            expect(end.endTime).toBe(lastActivity);
          }
        });
        // Total session length is the canonical total (what Braze gets as se.d).
        const total = concluded.reduce((n, i) => n + (i.evtData['Session Length'] as number), 0);
        expect(total).toBeCloseTo(ends.reduce((n, e) => n + e.duration, 0) / 1000, 6);

        // Every event, in order, with the s of its session (0 outside one), pg, ep, f and lsl.
        const sent = items.filter((i): i is CleverTapEventItem => i.type === 'event' && i.evtName !== 'Session Concluded');
        expect(sent).toHaveLength(events.length);
        events.forEach((e, i) => {
          const item = sent[i]!;
          const inSession = e.sessionId !== null;
          expect(item).toEqual({
            type: 'event',
            evtName: e.name,
            evtData: e.attributes,
            s: inSession ? sOf.get(e.sessionId!) : 0,
            pg: inSession ? e.eventIndex : 0,
            ep: Math.floor(e.timestamp / 1000),
            f: inSession && e.sessionIndex === 1,
            lsl: inSession ? lslOf.get(e.sessionId!) : 0,
          });
          // A neutral event never started a session: it was stamped with none, or with one already live.
          if (!e.affectsSession && inSession) expect(e.eventIndex > 1 || starts.some((x) => x.sessionId === e.sessionId && x.trigger !== 'event')).toBe(true);
        });

        // Sign-ins as profile uploads, stamped with the session the kit knew as live.
        const sentProfiles = items.filter((i) => i.type === 'profile');
        expect(sentProfiles.map((p) => [p.profile.Identity, p.s, p.pg])).toEqual(
          profiles.map((p) => [p.identity, p.sessionId === null ? 0 : sOf.get(p.sessionId), p.pg]),
        );

        // Every request: the device's meta header first, at most 50 items.
        const guid = cleverTapGuid(d.runs[0]!.hub.getDeviceId()!);
        for (const upload of d.net.uploads) {
          expect(upload.header).toMatchObject({ type: 'meta', g: guid });
          expect(upload.items.length).toBeLessThanOrEqual(50);
        }
      }),
      { numRuns: 150 },
    );
    // The traces did exercise what matters.
    expect(recovered).toBeGreaterThan(0);
    expect(sameSecond).toBeGreaterThan(0);
    expect(neutralTotal).toBeGreaterThan(0);
  });
});
