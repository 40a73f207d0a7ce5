import { describe, expect, it } from 'vitest';
import { brazeMobileModel, brazeWebModel } from '../src/models/braze';
import { clevertapModel } from '../src/models/clevertap';
import { mparticleMobileModel, mparticleWebModel } from '../src/models/mparticle';
import { snowplowMobileModel, snowplowWebModel } from '../src/models/snowplow';
import { bg, ev, fg, launch, runModel } from './timeline';

describe('Braze mobile (10 s)', () => {
  // Launch, a 40 s visit, 5 s in the background, back: from the session's start (iOS, braze-docs#10081)
  // 45 s have passed, so a new session; from the background only 5 s, so the same one.
  const shortBackground = [launch(0), ev(10), ev(40), bg(40), fg(45), ev(50), bg(60)];

  it('counts from the session start by default: any foreground more than 10 s after the start opens a new session', () => {
    expect(runModel(brazeMobileModel(), shortBackground)).toEqual({ closed: [[0, 40, 40]], live: [45, 60, 15], started: 2 });
  });

  it('counts from the background with "background" (Android, the docs): 5 s away keeps the session', () => {
    expect(runModel(brazeMobileModel('background'), shortBackground)).toEqual({ closed: [], live: [0, 60, 60], started: 1 });
  });

  it('ends a session 10 s after the background at the next foreground, dated at the background (both clocks)', () => {
    const lines = [launch(0), ev(5), bg(8), fg(30), bg(35)];
    for (const clock of ['session-start', 'background'] as const) {
      expect(runModel(brazeMobileModel(clock), lines).closed).toEqual([[0, 8, 8]]);
    }
  });

  it('does not end a session at the 10 s mark while in the foreground', () => {
    expect(runModel(brazeMobileModel(), [launch(0), ev(100), ev(500)])).toEqual({ closed: [], live: [0, 500, 500], started: 1 });
  });

  it('Android seals a session 10 s after the background: a background event after that starts a new one', () => {
    expect(runModel(brazeMobileModel('background'), [launch(0), bg(5), ev(30)]).closed).toEqual([[0, 5, 5]]);
    expect(runModel(brazeMobileModel('session-start'), [launch(0), bg(5), ev(30)]).closed).toEqual([]);
  });

  it('changeUser to a new id ends the session now and opens a new one; a logout changes nothing', () => {
    const r = runModel(brazeMobileModel(), [launch(0), ev(3, { userId: 'alice' }), ev(6, { userId: 'bob' }), ev(8, { userId: null })]);
    expect(r.closed).toEqual([
      [0, 3, 3],
      [3, 6, 3],
    ]);
    expect(r.live).toEqual([6, 8, 2]);
  });

  it('a relaunch of a killed app ends the stored session at its last activity', () => {
    expect(runModel(brazeMobileModel(), [launch(0), ev(4), launch(600)]).closed).toEqual([[0, 4, 4]]);
  });
});

describe('Braze web (1800 s, lazy end, 10 s minimum)', () => {
  it('ends a session lazily at the next call after 30 min, dated at the last call', () => {
    expect(runModel(brazeWebModel(), [launch(0), ev(100), ev(1000), ev(2801)])).toEqual({ closed: [[0, 1000, 1000]], live: [2801, 2811, 10], started: 2 });
  });

  it('keeps the session at exactly 1800 s (it ends only after more than the timeout)', () => {
    expect(runModel(brazeWebModel(), [ev(0), ev(1800)]).closed).toEqual([]);
  });

  it('reports a session shorter than 10 s as 10 s', () => {
    expect(runModel(brazeWebModel(), [ev(0), ev(3), ev(5000)]).closed).toEqual([[0, 10, 10]]);
  });

  it('changeUser to a new id ends the session at that moment (also from anonymous); the same id does nothing', () => {
    const r = runModel(brazeWebModel(), [ev(0), ev(60, { userId: 'alice' }), ev(90, { userId: 'alice' }), ev(120, { userId: 'bob' })]);
    expect(r.closed).toEqual([
      [0, 60, 60],
      [60, 120, 60],
    ]);
    expect(r.started).toBe(3);
  });

  it('does not see page visibility: background and foreground lines are no SDK calls', () => {
    expect(runModel(brazeWebModel(), [ev(0), bg(10), fg(2000), ev(2005)])).toEqual({ closed: [[0, 10, 10]], live: [2005, 2015, 10], started: 2 });
  });
});

describe('Snowplow (30 min in the foreground and background)', () => {
  it('renews a session when more than 30 min passed since the last event, lifecycle events included', () => {
    // bg(120) → fg(1920) is exactly 1800 s: the same session; bg(2100) → ev(3901) is 1801 s: a new one.
    const r = runModel(snowplowMobileModel(), [launch(0), ev(60), bg(120), fg(1920), ev(2000), bg(2100), ev(3901)]);
    expect(r.closed).toEqual([[0, 2100, 2100]]);
    expect(r.live).toEqual([3901, 3901, 0]);
    expect(r.started).toBe(2);
  });

  it('starts a new session on every app restart (continueSessionOnRestart is false)', () => {
    expect(runModel(snowplowMobileModel(), [launch(0), ev(5), launch(20), ev(25)]).closed).toEqual([[0, 5, 5]]);
  });

  it('measures a length from the first event to the last', () => {
    expect(runModel(snowplowMobileModel(), [launch(0), ev(30), bg(90)]).live).toEqual([0, 90, 90]);
  });

  it('ignores user ids', () => {
    expect(runModel(snowplowMobileModel(), [launch(0), ev(5, { userId: 'a' }), ev(9, { userId: 'b' })]).started).toBe(1);
  });

  it('web: the session cookie lives 30 min from the last event; a page load does not renew a live session', () => {
    expect(runModel(snowplowWebModel(), [launch(0), ev(1799), launch(1900), ev(1900 + 1800)])).toEqual({ closed: [[0, 1900, 1900]], live: [3700, 3700, 0], started: 2 });
  });
});

describe('CleverTap web (20 min since the last event, length first → last event)', () => {
  it('ends a session after more than 20 min without an event; length from the first event to the last', () => {
    const r = runModel(clevertapModel('web'), [ev(30), ev(90), ev(90 + 1200), ev(90 + 1200 + 1201)]);
    expect(r.closed).toEqual([[30, 1290, 1260]]);
    expect(r.live).toEqual([2491, 2491, 0]);
  });

  it('unchanged by the mobile rules: times out between events, and a page load (launch) keeps the session', () => {
    const r = runModel(clevertapModel('web'), [launch(0), ev(60), ev(60 + 1500), launch(1600), ev(1610)]);
    expect(r.closed).toEqual([[0, 60, 60]]);
    expect(r.live).toEqual([1560, 1610, 50]);
    expect(r.started).toBe(2);
  });

  it('creates a session only with an event: page visibility alone makes none', () => {
    expect(runModel(clevertapModel('web'), [fg(0), bg(10)]).started).toBe(0);
  });

  it('does not count its own system events (Notification Sent) toward a session', () => {
    expect(runModel(clevertapModel('web'), [ev(0, { name: 'Notification Sent' })]).started).toBe(0);
  });

  it('onUserLogin: a new identity ends the session; a login from anonymous keeps it', () => {
    const r = runModel(clevertapModel('web'), [ev(0), ev(10, { userId: 'alice' }), ev(20, { userId: 'bob' })]);
    expect(r.closed).toEqual([[0, 10, 10]]);
    expect(r.live).toEqual([20, 20, 0]);
  });
});

describe('CleverTap mobile (20 min in the background, checked at the foreground)', () => {
  const mobile = clevertapModel('mobile');

  it('never times out in the foreground: events 25 min apart are one session (events do not check the timeout)', () => {
    expect(runModel(mobile, [launch(0), ev(60), ev(60 + 1500), bg(1600)])).toEqual({ closed: [], live: [0, 1560, 1560], started: 1 });
  });

  it('a foreground more than 20 min after the background starts a new session there, App Launched its first event', () => {
    const r = runModel(mobile, [launch(0), ev(30), bg(60), fg(60 + 1260), ev(1400)]);
    expect(r.closed).toEqual([[0, 30, 30]]);
    expect(r.live).toEqual([1320, 1400, 80]);
    expect(r.started).toBe(2);
  });

  it('a foreground 19 min after the background keeps the session, however late the next event', () => {
    expect(runModel(mobile, [launch(0), ev(30), bg(60), fg(60 + 1140), ev(1200 + 1500)])).toEqual({ closed: [], live: [0, 2700, 2700], started: 1 });
  });

  it('counts from the background (appLastSeen), not from events in the background; those join the session', () => {
    // A push logged 10 min into a 21 min background: still a new session at the foreground.
    const r = runModel(mobile, [launch(0), bg(60), ev(660, { name: 'push_received' }), fg(60 + 1260)]);
    expect(r.closed).toEqual([[0, 660, 660]]);
    expect(r.live).toEqual([1320, 1320, 0]);
    // In the background the session never ends by itself: an event 2 h later still joins it.
    expect(runModel(mobile, [launch(0), bg(60), ev(7260)]).live).toEqual([0, 7260, 7260]);
  });

  it('a relaunch (a new process) starts a new session, however soon', () => {
    const r = runModel(mobile, [launch(0), ev(10), launch(60), ev(70)]);
    expect(r.closed).toEqual([[0, 10, 10]]);
    expect(r.live).toEqual([60, 70, 10]);
    expect(r.started).toBe(2);
  });

  it('a foreground pushes App Launched when there is no session yet (once per process), not on a return within 20 min', () => {
    expect(runModel(mobile, [fg(0), bg(10)])).toEqual({ closed: [], live: [0, 0, 0], started: 1 });
    expect(runModel(mobile, [launch(0), bg(10)]).live).toEqual([0, 0, 0]);
    // Events before any lifecycle line (a process started in the background) open a session lazily;
    // the first foreground then pushes App Launched into it.
    expect(runModel(mobile, [ev(0), fg(30)])).toEqual({ closed: [], live: [0, 30, 30], started: 1 });
    expect(runModel(mobile, [launch(0), ev(5), bg(10), fg(100)]).live).toEqual([0, 5, 5]);
  });

  it('onUserLogin with a new identity starts a new session at the login (App Launched forced), also in the background', () => {
    const r = runModel(mobile, [launch(0), ev(10, { userId: 'alice' }), ev(20), bg(30, { userId: 'bob' }), fg(100), ev(110)]);
    // alice on an anonymous device keeps the session; bob switches the profile at the background line.
    expect(r.closed).toEqual([[0, 20, 20]]);
    expect(r.live).toEqual([30, 110, 80]);
    expect(r.started).toBe(2);
  });

  it('a login on a launch or on a timed-out foreground opens one new session, not two; a logout changes nothing', () => {
    const r = runModel(mobile, [launch(0, { userId: 'alice' }), ev(5), launch(100, { userId: 'bob' }), ev(110, { userId: null }), ev(120, { userId: 'bob' })]);
    expect(r).toEqual({ closed: [[0, 5, 5]], live: [100, 120, 20], started: 2 });
    expect(runModel(mobile, [launch(0, { userId: 'alice' }), ev(5), bg(10), fg(10 + 1500, { userId: 'bob' }), bg(1520)])).toEqual({ closed: [[0, 5, 5]], live: [1510, 1510, 0], started: 2 });
  });

  it('does not count its own system events (Notification Sent) toward a session', () => {
    expect(runModel(mobile, [ev(0, { name: 'Notification Sent' })]).started).toBe(0);
    expect(runModel(mobile, [launch(0), bg(10), ev(500, { name: 'Notification Sent' })]).live).toEqual([0, 0, 0]);
  });
});

describe('mParticle', () => {
  it('mobile: 60 s in the background since the last event ends the session at that event; the foreground never times out', () => {
    const r = runModel(mparticleMobileModel(), [launch(0), ev(500), bg(510), fg(569), ev(600), bg(610), fg(670)]);
    expect(r.closed).toEqual([[0, 610, 610]]);
    expect(r.live).toEqual([670, 670, 0]);
  });

  it('mobile: a relaunch ends the orphaned session at its last event; users keep the session', () => {
    const r = runModel(mparticleMobileModel(), [launch(0), ev(5, { userId: 'a' }), ev(9, { userId: 'b' }), launch(20)]);
    expect(r.closed).toEqual([[0, 9, 9]]);
    expect(r.started).toBe(2);
  });

  it('web: 30 min since the last event (≥), ended at it; visibility is not watched', () => {
    // ev(1899) is 1799 s after ev(100): the same session; ev(3699) is exactly 1800 s later: a new one.
    const r = runModel(mparticleWebModel(), [launch(0), ev(100), bg(200), fg(1000), ev(1899), ev(3699)]);
    expect(r.closed).toEqual([[0, 1899, 1899]]);
    expect(r.live).toEqual([3699, 3699, 0]);
  });
});
