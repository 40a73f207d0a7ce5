import { cleverTapGuid, type CleverTapEventItem, type CleverTapUploadItem } from '@sessionhub/kit-clevertap';
import { describe, expect, it, vi } from 'vitest';
import { ACCOUNT, Device, settle, T0 } from './harness';

const concluded = (items: CleverTapUploadItem[]) =>
  items.filter((i): i is CleverTapEventItem => i.type === 'event' && i.evtName === 'Session Concluded');
const named = (items: CleverTapUploadItem[], name: string) => items.filter((i): i is CleverTapEventItem => i.type === 'event' && i.evtName === name);
const sec = (ms: number) => Math.floor(ms / 1000);
const label = (i: CleverTapUploadItem) => (i.type === 'event' ? i.evtName : i.type === 'profile' ? `profile ${i.profile.Identity}` : 'page');

describe('the CleverTap kit in a hub', () => {
  it('sends a session as CleverTap\'s web SDK does: a page when it starts, then its events with s, pg, ep, f, lsl; no Session Concluded', async () => {
    const d = new Device({ sessionTimeout: 60 });
    const { hub, lifecycle } = await d.launch();
    d.clock.advance(1_500);
    hub.logEvent('play', { track: 'a', n: 1 });
    d.clock.advance(10_000);
    hub.logEvent('pause');
    d.clock.advance(2_000);
    lifecycle.background();
    d.clock.advance(120_000); // expired
    lifecycle.foreground();
    d.clock.advance(1_000);
    hub.logEvent('again');
    await d.finish();

    const s1 = sec(T0);
    const s2 = sec(T0 + 133_500);
    expect(d.net.items()).toEqual([
      // The launch opens the session at once, as a page load does in the web SDK.
      { type: 'page', s: s1, pg: 1, ep: s1, f: true, lsl: 0 },
      { type: 'event', evtName: 'play', evtData: { track: 'a', n: 1 }, s: s1, pg: 1, ep: sec(T0 + 1_500), f: true, lsl: 0 },
      { type: 'event', evtName: 'pause', evtData: {}, s: s1, pg: 1, ep: sec(T0 + 11_500), f: true, lsl: 0 },
      // The next session, opened by the return to the foreground: not the first, lsl = the previous canonical length.
      { type: 'page', s: s2, pg: 1, ep: s2, f: false, lsl: 14 },
      { type: 'event', evtName: 'again', evtData: {}, s: s2, pg: 1, ep: sec(T0 + 134_500), f: false, lsl: 14 },
    ]);
  });

  it('on mobile, sends App Launched with the app fields at each session start, as the SDKs do', async () => {
    const d = new Device({ kit: { os: 'Android', appFields: { Version: '2.4.1', Build: 241 } } });
    const { hub } = await d.launch();
    hub.logEvent('a');
    hub.startNewSession();
    d.clock.advance(1_000);
    hub.logEvent('b');
    await d.finish();
    const af = { OS: 'Android', lib: 'sessionhub-kit-clevertap/0.1.0', Version: '2.4.1', Build: 241 };
    expect(d.net.items()).toEqual([
      { type: 'event', evtName: 'App Launched', evtData: af, s: sec(T0), pg: 1, ep: sec(T0), f: true, lsl: 0 },
      { type: 'event', evtName: 'a', evtData: {}, s: sec(T0), pg: 1, ep: sec(T0), f: true, lsl: 0 },
      { type: 'event', evtName: 'App Launched', evtData: af, s: sec(T0) + 1, pg: 1, ep: sec(T0) + 1, f: false, lsl: 0 },
      { type: 'event', evtName: 'b', evtData: {}, s: sec(T0) + 1, pg: 1, ep: sec(T0) + 1, f: false, lsl: 0 },
    ]);
    // The header says which request opens a session (Android `frs`).
    expect(d.net.uploads.map((u) => u.header.frs)).toEqual([true]);
  });

  it('with sessionConcluded, concludes each session as CleverTap defines it: first event to last event, at the last event', async () => {
    const d = new Device({ sessionTimeout: 60, kit: { sessionConcluded: true } });
    const { hub, lifecycle } = await d.launch();
    d.clock.advance(1_500);
    hub.logEvent('play');
    d.clock.advance(10_000);
    hub.logEvent('pause');
    hub.setSessionAttribute('plan', 'pro');
    d.clock.advance(2_000);
    lifecycle.background(); // the canonical session lasts until here, CleverTap's until 'pause'
    d.clock.advance(120_000);
    lifecycle.foreground(); // a session with its page only: length 0
    hub.startNewSession(); // a session with nothing at CleverTap: nothing to conclude
    await d.finish();
    expect(concluded(d.net.items())).toEqual([
      {
        type: 'event',
        evtName: 'Session Concluded',
        // From the session's first item (the page at launch) to its last event.
        evtData: { 'Session Length': 11.5, 'Session ID': sec(T0), sh_plan: 'pro' },
        s: sec(T0),
        pg: 1,
        ep: sec(T0 + 11_500),
        f: true,
        lsl: 0,
      },
      {
        type: 'event',
        evtName: 'Session Concluded',
        evtData: { 'Session Length': 0, 'Session ID': sec(T0 + 133_500) },
        s: sec(T0 + 133_500),
        pg: 1,
        ep: sec(T0 + 133_500),
        f: false,
        lsl: 14,
      },
    ]);
  });

  it('issues a session id with the session\'s first item: sessions with nothing to send take none, so ids run ahead of the clock only for sessions sending within one second', async () => {
    const d = new Device();
    const { hub } = await d.launch(true); // in the background: no session yet
    hub.startNewSession();
    d.clock.advance(100);
    hub.startNewSession();
    d.clock.advance(100);
    hub.startNewSession();
    d.clock.advance(200);
    hub.logEvent('a'); // 0.4 s in: the only session CleverTap hears of
    hub.startNewSession();
    hub.logEvent('b'); // the same second: the next id
    d.clock.advance(5_000);
    hub.startNewSession();
    hub.logEvent('c'); // back to the clock
    await d.finish();
    expect(named(d.net.items(), 'a')[0]).toMatchObject({ s: sec(T0), ep: sec(T0) });
    expect(named(d.net.items(), 'b')[0]).toMatchObject({ s: sec(T0) + 1, ep: sec(T0) });
    expect(named(d.net.items(), 'c')[0]).toMatchObject({ s: sec(T0) + 5, ep: sec(T0) + 5 });
  });

  it('keeps ids increasing across a relaunch, even when the new session sends in the same second', async () => {
    const d = new Device();
    const first = await d.launch();
    first.hub.logEvent('before');
    await d.forceQuit();
    await d.launch();
    d.hub.logEvent('after');
    await d.finish();
    expect(named(d.net.items(), 'before')[0]!.s).toBe(sec(T0));
    expect(named(d.net.items(), 'after')[0]!.s).toBe(sec(T0) + 1);
  });

  it('force-quit recovery concludes the session (when asked to) with the id its events had, at its last event', async () => {
    const d = new Device({ sessionTimeout: 60, kit: { sessionConcluded: true } });
    const { hub } = await d.launch();
    d.clock.advance(3_000);
    hub.logEvent('play');
    d.clock.advance(7_000);
    hub.logEvent('seek');
    await d.forceQuit();
    d.clock.advance(3_600_000);
    await d.launch(true); // a silent push: no new session
    await d.hub.flush();
    const items = d.net.items();
    expect(d.run.recorder.ends()[0]!.reason).toBe('recovered');
    expect(concluded(items)).toEqual([
      {
        type: 'event',
        evtName: 'Session Concluded',
        evtData: { 'Session Length': 10, 'Session ID': sec(T0) },
        s: sec(T0),
        pg: 1,
        ep: sec(T0 + 10_000),
        f: true,
        lsl: 0,
      },
    ]);
    expect(named(items, 'seek')[0]!.s).toBe(sec(T0));
    await d.hub.shutdown();
  });

  it('recomputes the same id when the kit state never reached storage before the app died', async () => {
    const d = new Device({ kit: { sessionConcluded: true } });
    await d.launch();
    d.hub.logEvent('w');
    d.clock.advance(2_000);
    d.hub.startNewSession();
    d.hub.logEvent('x'); // s = T0 + 2 s
    await d.forceQuit();
    // Lose the kit's ledger write, keep everything else (the hub state, the queued items).
    const { storedView, dyingStorage } = await import('@sessionhub/testing');
    // As stored one key each (the layout of earlier versions, which the hub still reads).
    const stored = storedView(d.storage.snapshot());
    const key = [...stored.keys()].find((k) => k.endsWith(':kit:clevertap:session-ids'))!;
    const ledger = JSON.parse(stored.get(key)!) as { last: number; sessions: unknown[] };
    stored.set(key, JSON.stringify({ ...ledger, last: sec(T0), sessions: ledger.sessions.slice(0, 1) }));
    d.storage = dyingStorage(stored);
    await d.launch(true);
    await d.hub.flush();
    const items = d.net.items();
    expect(named(items, 'x')[0]!.s).toBe(sec(T0) + 2);
    expect(concluded(items).map((i) => i.s)).toEqual([sec(T0), sec(T0) + 2]);
    await d.hub.shutdown();
  });

  it('does not conclude a session twice when its end comes again after a relaunch', async () => {
    const d = new Device({ kit: { sessionConcluded: true } });
    await d.launch();
    d.hub.logEvent('x');
    await settle();
    const { storedView, dyingStorage } = await import('@sessionhub/testing');
    const hubStateWhileLive = [...storedView(d.storage.snapshot())].filter(([k]) => k.endsWith(':state'));
    d.hub.endSession();
    await d.hub.flush();
    await d.forceQuit();
    // The hub state write of the end was lost; the kit's was not.
    // As stored one key each (the layout of earlier versions, which the hub still reads).
    const stored = storedView(d.storage.snapshot());
    for (const [k, v] of hubStateWhileLive) stored.set(k, v);
    d.storage = dyingStorage(stored);
    await d.launch(true);
    await d.hub.flush();
    expect(d.run.recorder.ends()).toHaveLength(1); // the hub recovered it again…
    expect(concluded(d.net.items())).toHaveLength(1); // …CleverTap got it once
    await d.hub.shutdown();
  });

  it('declares CleverTap session-neutral events: they neither start nor extend a session, and go out with s 0 outside one', async () => {
    const d = new Device({ sessionTimeout: 60 });
    await d.launch(true); // background launch: no session
    d.hub.logEvent('App Installed');
    d.hub.logEvent('Identity Set', { campaign: 'c1' });
    expect(d.hub.getSession()).toBeNull();
    d.hub.logEvent('play');
    const live = d.hub.getSession()!;
    d.clock.advance(30_000);
    d.hub.logEvent('Identity Reset');
    expect(d.hub.getSession()!.lastActivity).toBe(live.lastActivity);
    d.clock.advance(40_000); // 70 s after play: expired despite the neutral event
    d.hub.logEvent('Identity Error');
    expect(d.hub.getSession()).toBeNull();
    await d.finish();
    const items = d.net.items();
    expect(items.map((i) => [label(i), i.s])).toEqual([
      ['App Installed', 0],
      ['Identity Set', 0],
      ['page', sec(T0)],
      ['play', sec(T0)],
      ['Identity Reset', sec(T0)],
      ['Identity Error', 0],
    ]);
    // Outside a session: the fields Android stamps with no session (`pg` never below 1).
    expect(items[1]).toMatchObject({ pg: 1, f: false, lsl: 0, evtData: { campaign: 'c1' } });
  });

  it('opting out of the neutral list makes those events count again', async () => {
    const d = new Device({ kit: { sessionNeutralEvents: [] } });
    await d.launch(true);
    d.hub.logEvent('App Installed');
    expect(d.hub.getSession()).not.toBeNull();
    await d.finish();
    expect(named(d.net.items(), 'App Installed')[0]!.s).toBe(sec(T0));
  });

  it('refuses CleverTap system event names with one warning each, as the SDKs do (error 513)', async () => {
    const warn = vi.fn();
    const d = new Device({ logger: { debug() {}, info() {}, warn, error() {} } });
    await d.launch();
    d.hub.logEvent('Notification Clicked', { campaign: 'spring' });
    d.hub.logEvent('Notification Clicked');
    d.hub.logEvent('App Launched');
    d.hub.logEvent('Session Concluded');
    d.hub.logEvent('ok');
    await d.finish();
    expect(d.net.items().map(label)).toEqual(['page', 'ok']);
    const lines = warn.mock.calls.map((c) => String(c[1]));
    expect(lines).toEqual([
      'event "Notification Clicked" not sent to CleverTap: a CleverTap system event',
      'event "App Launched" not sent to CleverTap: a CleverTap system event',
      'event "Session Concluded" not sent to CleverTap: a CleverTap system event',
    ]);
  });

  it('warns of 64 subjects at most, then once that further ones are not reported', async () => {
    const warn = vi.fn();
    const d = new Device({ logger: { debug() {}, info() {}, warn, error() {} } });
    await d.launch();
    // An app logging objects under ever new keys: each key warned once …
    for (let i = 0; i < 70; i++) d.hub.logEvent('Viewed', { [`nested_${i}`]: { a: 1 } });
    d.hub.logEvent('Notification Clicked');
    await d.finish();
    const lines = warn.mock.calls.map((c) => String(c[1]));
    expect(lines.slice(0, 64)).toEqual(Array.from({ length: 64 }, (_, i) => expect.stringContaining(`property "nested_${i}" not sent to CleverTap`) as string));
    // … then one warning says so, rather than silence as if nothing more came.
    expect(lines.slice(64)).toEqual(['further names, keys and user ids not sent to CleverTap are not reported in this run (64 were)']);
  });

  it('gives each person a device id of their own, as CleverTap\'s onUserLogin does, and keeps the device id on log-out', async () => {
    const d = new Device();
    const { hub } = await d.launch();
    const device = cleverTapGuid(hub.getDeviceId()!);
    hub.logEvent('anonymous');
    hub.setUser('user-1'); // the first identity on an anonymous device: its profile, its id
    hub.logEvent('as user-1');
    hub.setUser('user-2'); // another person: another id
    hub.logEvent('as user-2');
    hub.setUser(null); // log-out: nothing sent, the id stays
    hub.logEvent('signed out');
    hub.setUser('user-1'); // back: user-1's id again
    hub.logEvent('user-1 again');
    hub.setUser('user-3');
    await d.finish();
    const byItem = d.net.itemsWithG().map((i) => [label(i), i.g]);
    const g2 = byItem.find(([l]) => l === 'as user-2')![1]!;
    const g3 = byItem.find(([l]) => l === 'profile user-3')![1]!;
    expect(new Set([device, g2, g3]).size).toBe(3);
    expect(g2).toMatch(/^__[0-9a-f]{32}$/);
    expect(byItem).toEqual([
      ['page', device],
      ['anonymous', device],
      ['profile user-1', device],
      ['as user-1', device],
      // The user change ended the session: the profile goes between the two, with s 0.
      ['profile user-2', g2],
      ['page', g2],
      ['as user-2', g2],
      ['page', g2],
      ['signed out', g2],
      ['profile user-1', device],
      ['user-1 again', device],
      ['profile user-3', g3],
    ]);
  });

  it('restores each person\'s device id after a relaunch', async () => {
    const d = new Device();
    await d.launch();
    d.hub.setUser('user-1');
    d.hub.setUser('user-2');
    d.hub.logEvent('x');
    await d.hub.flush();
    await d.forceQuit();
    await d.launch();
    d.hub.logEvent('y'); // still user-2
    d.hub.setUser('user-1');
    await d.finish();
    const g = (l: string) => d.net.itemsWithG().find((i) => label(i) === l)!.g;
    expect(g('y')).toBe(g('x'));
    expect(g('profile user-1')).toBe(cleverTapGuid(d.hub.getDeviceId()!));
  });

  it('uploads to /a1 with the account headers, an integer version code, and the header fields the SDKs send', async () => {
    // (An app field named OS or lib adds nothing: `os` says what af.OS is.)
    const d = new Device({ kit: { os: 'Android', appFields: { Version: '1.2.3', OS: 'Tizen', lib: 'mine' } } });
    await d.launch();
    d.hub.logEvent('a');
    await d.hub.flush();
    d.clock.advance(5_000);
    d.hub.logEvent('b');
    await d.finish();
    const [first, second] = d.net.uploads;
    expect(first!.request.url).toMatch(new RegExp(`^https://ct\\.test/a1\\?os=Android&t=100&z=W9R-486-4W5Z&ts=${sec(T0)}$`));
    expect(first!.request.headers).toMatchObject({ 'X-CleverTap-Account-ID': ACCOUNT.accountId, 'X-CleverTap-Token': ACCOUNT.token });
    expect(first!.header).toEqual({
      type: 'meta',
      g: cleverTapGuid(d.hub.getDeviceId()!),
      af: { OS: 'Android', lib: 'sessionhub-kit-clevertap/0.1.0', Version: '1.2.3' },
      id: ACCOUNT.accountId,
      tk: ACCOUNT.token,
      l_ts: 0,
      f_ts: sec(T0),
      frs: true,
    });
    expect(second!.header).toMatchObject({ l_ts: sec(T0), f_ts: sec(T0), frs: false });
  });

  it('sends at most 50 items per request', async () => {
    const d = new Device();
    await d.launch();
    for (let i = 0; i < 120; i++) d.hub.logEvent(`e${i}`);
    await d.finish();
    expect(d.net.uploads.map((u) => u.items.length)).toEqual([50, 50, 21]);
  });

  it('logs the canonical timeout next to CleverTap\'s 20 minutes at init and on every change', async () => {
    const debug = vi.fn();
    const logger = { debug, info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const d = new Device({ sessionTimeout: 45, foregroundTimeout: 600, logger, logLevel: 'debug' });
    await d.launch();
    await settle();
    const lines = () => debug.mock.calls.filter((c) => c[0] === '[sessionhub:clevertap]').map((c) => String(c[1]));
    expect(lines().at(-1)).toBe("timeouts (s): session 45, foreground 600, longest none; not CleverTap's 20 min");
    d.hub.setSessionTimeout(300);
    await settle();
    expect(lines().at(-1)).toMatch(/^timeouts \(s\): session 300, foreground 600, /);
    await d.finish();
  });

  it('warns once per unsendable property key and still sends the event', async () => {
    const warn = vi.fn();
    const d = new Device({ logger: { debug() {}, info() {}, warn, error() {} } });
    await d.launch();
    d.hub.logEvent('a', { bad: { nested: true }, ok: 1 });
    d.hub.logEvent('a', { bad: { nested: true }, ok: 2 });
    await d.finish();
    expect(named(d.net.items(), 'a').map((i) => ({ ...i.evtData }))).toEqual([{ ok: 1 }, { ok: 2 }]);
    expect(warn.mock.calls.filter((c) => String(c[1]).includes('"bad"'))).toHaveLength(1);
  });

  it('flushes on background and reports delivery health', async () => {
    const d = new Device();
    await d.launch();
    d.hub.logEvent('a');
    expect(d.net.uploads).toHaveLength(0); // waits for company (flush interval)
    d.run.lifecycle.background();
    await settle();
    expect(d.net.items().map(label)).toEqual(['page', 'a']);
    expect(d.net.uploads[0]!.keepalive).toBe(true); // a request that outlives the page
    expect(d.hub.getKitHealth().clevertap).toMatchObject({ status: 'ready', errors: 0, delivery: { delivered: 2, queued: 0 } });
    await d.finish();
  });

  it('keeps what could not be sent for the next run', async () => {
    const d = new Device();
    await d.launch();
    d.net.down = true;
    d.hub.logEvent('offline');
    await d.hub.flush();
    expect(d.hub.getKitHealth().clevertap!.delivery).toMatchObject({ queued: 2, delivered: 0 });
    await d.forceQuit();
    d.net.down = false;
    await d.launch(true);
    await d.hub.flush();
    expect(named(d.net.items(), 'offline')).toHaveLength(1);
    await d.hub.shutdown();
  });
});
