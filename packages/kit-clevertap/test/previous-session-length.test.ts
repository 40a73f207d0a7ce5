/**
 * `lsl` (the previous session's length) of a session this run did not see start: a session started by
 * startNewSession or a user change, then a reload (a relaunch, with resumeOnRelaunch) before its
 * first item. The kit makes its entry at that item, from the record it stamps.
 */
import type { CleverTapEventItem, CleverTapUploadItem } from '@sessionhub/kit-clevertap';
import { describe, expect, it } from 'vitest';
import { Device } from './harness';

const ev = (items: CleverTapUploadItem[], name: string) => items.filter((i): i is CleverTapEventItem => i.type === 'event' && i.evtName === name);

describe('lsl of a session whose start this run did not see', () => {
  it('after startNewSession and a reload before the session\'s first item', async () => {
    const d = new Device({ sessionTimeout: 1800, resumeOnRelaunch: true });
    const { hub } = await d.launch();
    d.clock.advance(30_000);
    hub.logEvent('a');
    d.clock.advance(10_000);
    hub.startNewSession(); // session 1 lasted 40 s; session 2 has sent nothing yet
    await hub.flush();
    await hub.shutdown(); // the page navigates
    d.clock.advance(1_000);
    const run = await d.launch();
    run.hub.logEvent('b');
    await d.finish();
    const items = d.net.items();
    expect(ev(items, 'a')[0]!.lsl).toBe(0);
    expect(ev(items, 'b')[0]!.lsl).toBe(40);
    // The page item the reload sends before it, too.
    const page = items.filter((i) => i.type === 'page' && i.s === ev(items, 'b')[0]!.s);
    expect(page.map((i) => i.lsl)).toEqual([40]);
  });

  it('after a log-out that starts a new session and a reload', async () => {
    const d = new Device({ sessionTimeout: 1800, resumeOnRelaunch: true });
    const { hub } = await d.launch();
    hub.setUser('u1');
    d.clock.advance(40_000);
    hub.logEvent('a');
    hub.setUser(null); // the log-out starts session 2
    await hub.flush();
    await hub.shutdown();
    d.clock.advance(1_000);
    const run = await d.launch();
    run.hub.logEvent('b');
    await d.finish();
    expect(ev(d.net.items(), 'b')[0]!.lsl).toBe(40);
  });

  it('when the session\'s first item after the reload is a sign-in\'s profile', async () => {
    const d = new Device({ sessionTimeout: 1800, resumeOnRelaunch: true });
    const { hub } = await d.launch();
    d.clock.advance(40_000);
    hub.logEvent('a');
    hub.startNewSession();
    await hub.flush();
    await hub.shutdown();
    d.clock.advance(1_000);
    const run = await d.launch();
    run.hub.setUser('u2'); // a sign-in keeps the session
    await d.finish();
    const profile = d.net.items().filter((i) => i.type === 'profile');
    expect(profile.map((i) => i.lsl)).toEqual([40]);
  });

  it('in the Session Concluded of a session with events but no item this run', async () => {
    const d = new Device({ sessionTimeout: 1800, resumeOnRelaunch: true, kit: { sessionConcluded: true } });
    const { hub } = await d.launch();
    d.clock.advance(40_000);
    hub.logEvent('a');
    hub.startNewSession();
    hub.logEvent('App Launched'); // counted by the hub, refused by the kit (a CleverTap system event)
    await hub.flush();
    await hub.shutdown();
    d.clock.advance(1_000);
    await d.launch();
    await d.finish(); // ends session 2, which had an event an earlier run was given
    const items = d.net.items();
    const ends = ev(items, 'Session Concluded');
    expect(ends.map((i) => i.lsl)).toEqual([0, 40]);
  });
});
