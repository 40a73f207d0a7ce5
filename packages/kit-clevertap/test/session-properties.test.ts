/**
 * Random traces through a real hub with the CleverTap kit: lifecycle, events (session-neutral ones
 * included), user changes, attributes, timeout changes, clock jumps and force-quits with relaunches.
 * What CleverTap receives is checked against the canonical records the hub gave a recording kit.
 */
import { CLEVERTAP_SESSION_NEUTRAL_EVENTS, CLEVERTAP_SYSTEM_EVENTS, cleverTapGuid, type CleverTapEventItem, type CleverTapUploadItem } from '@sessionhub/kit-clevertap';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
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
      // Mostly session-affecting; drawn by fast-check (not Math.random) so a failing seed replays.
      affects: fc.oneof({ weight: 17, arbitrary: fc.constant(true) }, { weight: 3, arbitrary: fc.constant(false) }),
      attributes: fc.dictionary(key, scalar, { maxKeys: 3 }),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ t: 'foreground' as const }) },
  { weight: 2, arbitrary: fc.constant({ t: 'background' as const }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('user' as const), id: fc.constantFrom(null, 'u1', 'u2', 'u3') }) },
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
        // The app dies idle: a second with nothing happening, in which delivered batches' removals
        // are committed (they wait that long for a commit to join).
        await vi.advanceTimersByTimeAsync(1000);
        await d.forceQuit();
        await d.launch(c.relaunchInBackground);
        break;
    }
  }
  await d.finish();
  return { neutralChecked };
}

/** One sent item with the device id it went under and whether its request opened a session. */
type Sent = CleverTapUploadItem & { g: string; frs: boolean };

const isOpening = (i: CleverTapUploadItem) => i.type === 'page' || (i.type === 'event' && i.evtName === 'App Launched');

describe('CleverTap sessions over random traces through a real hub', () => {
  // Timers fire only when a trace lets time pass for them (see forceQuit); expiry is noticed from timestamps.
  beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
  afterEach(() => void vi.useRealTimers());

  it('follow the canonical sessions as CleverTap\'s SDKs send theirs', async () => {
    let recovered = 0;
    let sameSecond = 0;
    let neutralTotal = 0;
    let switches = 0;
    await fc.assert(
      fc.asyncProperty(setup, fc.constantFrom('Web', 'Android'), fc.boolean(), fc.array(command, { minLength: 1, maxLength: 40 }), async (s, os, sessionConcluded, commands) => {
        const d = new Device({ ...s, kit: { os, sessionConcluded } });
        await d.launch(s.launchInBackground);
        const { neutralChecked } = await play(d, commands);
        neutralTotal += neutralChecked;
        const calls = d.calls();
        const sent: Sent[] = d.net.uploads.flatMap((u) => u.items.map((item) => ({ ...item, g: u.header.g, frs: u.header.frs })));
        const deviceGuid = cleverTapGuid(d.runs[0]!.hub.getDeviceId()!);

        // Every request: at most 50 items; it opens a session exactly when it carries an opening item.
        for (const u of d.net.uploads) {
          expect(u.items.length).toBeLessThanOrEqual(50);
          expect(u.header.frs).toBe(u.items.some((i) => isOpening(i) && (i.type === 'page' ? i.pg === 1 : true)));
        }

        // Events: every canonical event but CleverTap's system names, in order, with its data and time.
        const events = calls.flatMap((c) => (c.type === 'onEvent' ? [c.record] : []));
        const sentEvents = sent.filter((i): i is CleverTapEventItem & Sent => i.type === 'event' && i.evtName !== 'App Launched' && i.evtName !== 'Session Concluded');
        const kept = events.filter((e) => !CLEVERTAP_SYSTEM_EVENTS.includes(e.name));
        expect(sentEvents.map((i) => [i.evtName, { ...i.evtData }, i.ep])).toEqual(kept.map((e) => [e.name, e.attributes, Math.floor(e.timestamp / 1000)]));

        // Sessions: one s per canonical session that sent something, issued at its first item as
        // max(that second, previous s + 1); all its items carry it; outside a session s is 0.
        const sOf = new Map<string, number>();
        let last = 0;
        const stamped = calls.flatMap((c) =>
          c.type === 'onEvent' && !CLEVERTAP_SYSTEM_EVENTS.includes(c.record.name) ? [{ sessionId: c.record.sessionId, at: c.record.timestamp, index: c.record.sessionIndex }]
          : c.type === 'onUserChange' && c.record.userId !== null ? [{ sessionId: c.record.sessionId, at: c.record.timestamp, index: 0 }]
          : [],
        );
        const stampedItems = sent.filter((i) => !isOpening(i) && !(i.type === 'event' && i.evtName === 'Session Concluded'));
        expect(stampedItems).toHaveLength(stamped.length);
        stamped.forEach((e, k) => {
          const item = stampedItems[k]!;
          if (e.sessionId === null) return expect(item).toMatchObject({ s: 0, pg: 1, f: false, lsl: 0 });
          if (e.index) expect(item.f).toBe(e.index === 1);
          expect(item.pg).toBeGreaterThanOrEqual(1);
          // One s per canonical session.
          expect(item.s).toBe(sOf.get(e.sessionId) ?? item.s);
          sOf.set(e.sessionId, item.s);
        });
        // Each s is issued with its session's first item: the session's start second, or the previous
        // s + 1 when that is not after it (sessions that sent nothing take none).
        const startOf = new Map<string, number>();
        for (const c of calls) if (c.type === 'onSessionStart') startOf.set(c.record.sessionId, c.record.startTime);
        const idOf = new Map<number, string>();
        for (const [id, sid] of sOf) idOf.set(sid, id);
        for (const item of sent) {
          if (item.s === 0 || item.s <= last) continue;
          const id = idOf.get(item.s);
          if (id !== undefined) {
            const second = Math.floor(startOf.get(id)! / 1000);
            expect(item.s).toBe(Math.max(second, last + 1));
            if (item.s > second) sameSecond++;
          }
          last = item.s;
        }
        // Each CleverTap session opens with exactly one opening item, before its other items.
        const sessions = new Set(sent.filter((i) => i.s !== 0).map((i) => i.s));
        for (const sid of sessions) {
          const its = sent.filter((i) => i.s === sid);
          const openings = its.filter((i) => isOpening(i) && (i.type !== 'page' || i.pg === 1));
          // (A session of an earlier run with no entry may get only its Session Concluded: see below.)
          if (its.some((i) => i.type !== 'profile' && !(i.type === 'event' && i.evtName === 'Session Concluded'))) {
            expect(its.findIndex(isOpening)).toBe(0);
            expect(openings.length).toBeGreaterThanOrEqual(1);
          }
          for (const o of openings) expect(o).toMatchObject(os === 'Web' ? { type: 'page' } : { evtName: 'App Launched' });
        }

        // Session Concluded: only when asked for, once per canonical session with events at CleverTap,
        // first event to last event, at the last event.
        const concluded = sent.filter((i): i is CleverTapEventItem & Sent => i.type === 'event' && i.evtName === 'Session Concluded');
        const ends = calls.flatMap((c) => (c.type === 'onSessionEnd' ? [c.record] : []));
        if (!sessionConcluded) expect(concluded).toEqual([]);
        else {
          // A session of an earlier run that sent nothing here may have lost its entry to a kill: it concludes too.
          const fresh = new Set<string>();
          for (const run of d.runs) for (const c of run.recorder.calls) if (c.type === 'onSessionStart') fresh.add(`${d.runs.indexOf(run)}:${c.record.sessionId}`);
          const endedIn = (id: string) => d.runs.findIndex((run) => run.recorder.calls.some((c) => c.type === 'onSessionEnd' && c.record.sessionId === id));
          // When CleverTap got a session's first item: its opening at an app start, else its first item.
          const firstAt = new Map<string, number>();
          for (const c of calls) if (c.type === 'onSessionStart' && (c.record.trigger === 'launch' || c.record.trigger === 'foreground')) firstAt.set(c.record.sessionId, c.record.startTime);
          for (const e of stamped) if (e.sessionId !== null && !firstAt.has(e.sessionId)) firstAt.set(e.sessionId, e.at);
          const withEvents = ends.filter((e) => firstAt.has(e.sessionId) || (e.eventCount > 0 && !fresh.has(`${endedIn(e.sessionId)}:${e.sessionId}`)));
          expect(concluded.map((i) => [i.evtData['Session Length'], i.ep])).toEqual(
            withEvents.map((e) => {
              const first = firstAt.get(e.sessionId) ?? e.firstEventTime!;
              const last = Math.max(first, e.lastEventTime ?? first);
              return [(last - first) / 1000, Math.floor(last / 1000)];
            }),
          );
          concluded.forEach((i, n) => expect(i.s).toBe(sOf.get(withEvents[n]!.sessionId) ?? i.s));
        }
        recovered += ends.filter((e) => e.reason === 'recovered').length;

        // Device ids: the device's own until a first sign-in, which keeps it; each other identity
        // one id of its own, for good; a log-out keeps the last one.
        const guidOf = new Map<string, string>();
        let current = deviceGuid;
        let k = 0;
        for (const c of calls) {
          if (c.type === 'onUserChange' && c.record.userId !== null) {
            const id = c.record.userId;
            const next = guidOf.get(id) ?? (guidOf.size === 0 ? current : undefined);
            const profile = sent.filter((i) => i.type === 'profile')[k++]!;
            expect(profile.profile.Identity).toBe(id);
            if (next !== undefined) expect(profile.g).toBe(next);
            else {
              expect([...guidOf.values(), deviceGuid]).not.toContain(profile.g);
              switches++;
            }
            guidOf.set(id, (current = profile.g));
          } else if (c.type === 'onEvent' && !CLEVERTAP_SYSTEM_EVENTS.includes(c.record.name)) {
            expect(sentEvents[kept.indexOf(c.record)]!.g).toBe(current);
          }
        }
      }),
      {
        numRuns: 120,
        examples: [
          // A session resumed at a relaunch whose first item at CleverTap is a sign-in, a minute on:
          // its s is still its start second (the sign-in once issued it from its own time).
          [
            { sessionTimeout: 1, foregroundTimeout: null, resumeOnRelaunch: true, launchInBackground: false },
            'Web',
            false,
            [{ t: 'newSession' }, { t: 'forceQuit', relaunchInBackground: false }, { t: 'advance', ms: 60_000 }, { t: 'user', id: 'u2' }, { t: 'advance', ms: 0 }],
          ],
        ],
      },
    );
    // The traces did exercise what matters.
    expect(recovered).toBeGreaterThan(0);
    expect(sameSecond).toBeGreaterThan(0);
    expect(neutralTotal).toBeGreaterThan(0);
    expect(switches).toBeGreaterThan(0);
  });
});
