import { cleverTapGuid, type CleverTapEventItem, type CleverTapUploadItem } from '@sessionhub/kit-clevertap';
import { describe, expect, it, vi } from 'vitest';
import { ACCOUNT, Device, settle, T0 } from './harness';

const concluded = (items: CleverTapUploadItem[]) =>
  items.filter((i): i is CleverTapEventItem => i.type === 'event' && i.evtName === 'Session Concluded');
const named = (items: CleverTapUploadItem[], name: string) => items.filter((i): i is CleverTapEventItem => i.type === 'event' && i.evtName === name);
const sec = (ms: number) => Math.floor(ms / 1000);

describe('the CleverTap kit in a hub', () => {
  it('sends a session: its events with s, pg, ep, f, lsl and a Session Concluded at the last activity', async () => {
    const d = new Device({ sessionTimeout: 60 });
    const { hub, lifecycle } = await d.launch();
    d.clock.advance(1_500);
    hub.logEvent('play', { track: 'a', n: 1 });
    d.clock.advance(10_000);
    hub.logEvent('pause');
    hub.setSessionAttribute('plan', 'pro');
    d.clock.advance(2_000);
    lifecycle.background();
    d.clock.advance(120_000); // expired: ends at the background, not now
    lifecycle.foreground();
    await d.finish();

    const [first, second] = d.run.recorder.starts();
    const s1 = sec(T0);
    const items = d.net.items();
    expect(items.slice(0, 3)).toEqual([
      { type: 'event', evtName: 'play', evtData: { track: 'a', n: 1 }, s: s1, pg: 1, ep: sec(T0 + 1_500), f: true, lsl: 0 },
      { type: 'event', evtName: 'pause', evtData: {}, s: s1, pg: 2, ep: sec(T0 + 11_500), f: true, lsl: 0 },
      {
        type: 'event',
        evtName: 'Session Concluded',
        evtData: { 'Session Length': 13.5, 'Session ID': s1, sh_plan: 'pro' },
        s: s1,
        pg: 2,
        ep: sec(T0 + 13_500),
        f: true,
        lsl: 0,
      },
    ]);
    // The next session: not the first, lsl = the previous length, s = its own start second.
    expect(concluded(items)[1]).toMatchObject({ s: sec(second!.startTime), f: false, lsl: 14, evtData: { 'Session ID': sec(second!.startTime) } });
    expect(first!.isFirstSession).toBe(true);
  });

  it('gives sessions starting in the same second different, increasing ids', async () => {
    const d = new Device();
    const { hub } = await d.launch();
    hub.logEvent('a');
    hub.startNewSession();
    hub.logEvent('b');
    hub.setUser('u1');
    hub.setUser('u2'); // identified -> another: a new session, same millisecond
    hub.logEvent('c');
    await d.finish();
    const ids = concluded(d.net.items()).map((i) => i.evtData['Session ID']);
    expect(ids).toEqual([sec(T0), sec(T0) + 1, sec(T0) + 2]);
    expect(named(d.net.items(), 'c')[0]!.s).toBe(sec(T0) + 2);
  });

  it('keeps ids increasing across a relaunch, even when the new session starts in the same second', async () => {
    const d = new Device();
    const first = await d.launch();
    first.hub.startNewSession();
    first.hub.startNewSession();
    await d.forceQuit();
    await d.launch();
    d.hub.logEvent('after');
    await d.finish();
    const ids = concluded(d.net.items()).map((i) => i.s);
    expect(ids).toEqual([sec(T0), sec(T0) + 1, sec(T0) + 2, sec(T0) + 3]);
    expect(named(d.net.items(), 'after')[0]!.s).toBe(sec(T0) + 3);
  });

  it('force-quit recovery concludes the session at its last activity, with the id its events had', async () => {
    const d = new Device({ sessionTimeout: 60 });
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
    const end = d.run.recorder.ends()[0]!;
    expect(end.reason).toBe('recovered');
    expect(concluded(items)).toEqual([
      {
        type: 'event',
        evtName: 'Session Concluded',
        evtData: { 'Session Length': 10, 'Session ID': sec(T0) },
        s: sec(T0),
        pg: 2,
        ep: sec(T0 + 10_000),
        f: true,
        lsl: 0,
      },
    ]);
    expect(named(items, 'seek')[0]!.s).toBe(sec(T0));
    await d.hub.shutdown();
  });

  it('recomputes the same id when the kit state never reached storage before the app died', async () => {
    const d = new Device();
    await d.launch();
    d.clock.advance(2_000);
    d.hub.startNewSession(); // s = T0 + 2 s
    d.hub.logEvent('x');
    await d.forceQuit();
    // Lose the kit's ledger write, keep everything else (the hub state, the queued items).
    const key = [...d.storage.snapshot().keys()].find((k) => k.endsWith(':kit:clevertap:session-ids'))!;
    const before = new Map(d.storage.snapshot());
    before.set(key, JSON.stringify({ v: 1, last: sec(T0), sessions: [] }));
    d.storage = (await import('@sessionhub/testing')).dyingStorage(before);
    await d.launch(true);
    await d.hub.flush();
    const items = d.net.items();
    expect(named(items, 'x')[0]!.s).toBe(sec(T0) + 2);
    expect(concluded(items).map((i) => i.s)).toEqual([sec(T0), sec(T0) + 2]);
    await d.hub.shutdown();
  });

  it('does not conclude a session twice when its end comes again after a relaunch', async () => {
    const d = new Device();
    await d.launch();
    d.hub.logEvent('x');
    await settle();
    const hubStateWhileLive = [...d.storage.snapshot()].filter(([k]) => k.endsWith(':state'));
    d.hub.endSession();
    await d.hub.flush();
    await d.forceQuit();
    // The hub state write of the end was lost; the kit's was not.
    const stored = new Map(d.storage.snapshot());
    for (const [k, v] of hubStateWhileLive) stored.set(k, v);
    d.storage = (await import('@sessionhub/testing')).dyingStorage(stored);
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
    d.hub.logEvent('Push Impressions', { campaign: 'c1' });
    expect(d.hub.getSession()).toBeNull();
    d.hub.logEvent('play');
    const live = d.hub.getSession()!;
    d.clock.advance(30_000);
    d.hub.logEvent('Notification Clicked');
    expect(d.hub.getSession()!.lastActivity).toBe(live.lastActivity);
    d.clock.advance(40_000); // 70 s after play: expired despite the click
    d.hub.logEvent('UTM Visited');
    expect(d.hub.getSession()).toBeNull();
    await d.finish();
    const items = d.net.items() as CleverTapEventItem[];
    expect(items.map((i) => [i.evtName, i.s])).toEqual([
      ['App Installed', 0],
      ['Push Impressions', 0],
      ['play', sec(T0)],
      ['Notification Clicked', sec(T0)],
      ['Session Concluded', sec(T0)],
      ['UTM Visited', 0],
    ]);
    expect(items[4]).toMatchObject({ ep: sec(T0), evtData: { 'Session Length': 0 } });
    expect(items[1]).toMatchObject({ pg: 0, f: false, lsl: 0, evtData: { campaign: 'c1' } });
  });

  it('opting out of the neutral list makes those events count again', async () => {
    const d = new Device({ kit: { sessionNeutralEvents: [] } });
    await d.launch(true);
    d.hub.logEvent('App Installed');
    expect(d.hub.getSession()).not.toBeNull();
    await d.finish();
    expect(named(d.net.items(), 'App Installed')[0]!.s).toBe(sec(T0));
  });

  it('sends the identity as a profile on sign-in, and nothing on log-out', async () => {
    const d = new Device();
    const { hub } = await d.launch();
    hub.logEvent('a');
    hub.setUser('user-1'); // anonymous -> identified: same session
    hub.setUser(null); // log-out: a new session, no profile
    hub.logEvent('b');
    await d.finish();
    const items = d.net.items();
    const profiles = items.filter((i) => i.type === 'profile');
    expect(profiles).toEqual([{ type: 'profile', profile: { Identity: 'user-1' }, s: sec(T0), pg: 1, ep: sec(T0), f: true, lsl: 0 }]);
    expect(concluded(items)).toHaveLength(2);
  });

  it('uploads to /a1 with the account headers and the device guid in the meta header', async () => {
    const d = new Device({ kit: { os: 'Android', appFields: { Version: '1.2.3' } } });
    await d.launch();
    d.hub.logEvent('a');
    await d.finish();
    const upload = d.net.uploads[0]!;
    expect(upload.request.url).toMatch(new RegExp(`^https://ct\\.test/a1\\?os=Android&t=0\\.1\\.0&z=W9R-486-4W5Z&ts=\\d+$`));
    expect(upload.request.headers).toMatchObject({ 'X-CleverTap-Account-ID': ACCOUNT.accountId, 'X-CleverTap-Token': ACCOUNT.token });
    expect(upload.header).toMatchObject({ type: 'meta', g: cleverTapGuid(d.hub.getDeviceId()!), af: { OS: 'Android', Version: '1.2.3' } });
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
    expect(lines().at(-1)).toBe(
      "timeouts (s): session 45, foreground 600, longest none; not CleverTap's 20 min",
    );
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
    expect(d.net.items().map((i) => (i as CleverTapEventItem).evtName)).toEqual(['a']);
    expect(d.net.uploads[0]!.keepalive).toBe(true); // a request that outlives the page
    expect(d.hub.getKitHealth().clevertap).toMatchObject({ status: 'ready', errors: 0, delivery: { delivered: 1, queued: 0 } });
    await d.finish();
  });

  it('keeps what could not be sent for the next run', async () => {
    const d = new Device();
    await d.launch();
    d.net.down = true;
    d.hub.logEvent('offline');
    await d.hub.flush();
    expect(d.hub.getKitHealth().clevertap!.delivery).toMatchObject({ queued: 1, delivered: 0 });
    await d.forceQuit();
    d.net.down = false;
    await d.launch(true);
    await d.hub.flush();
    expect(named(d.net.items(), 'offline')).toHaveLength(1);
    await d.hub.shutdown();
  });
});
