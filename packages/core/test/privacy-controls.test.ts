/**
 * Opt-out, reset and clearStoredData with the three real kits, an AsyncStorage-like store that
 * outlives each hub (a relaunch is a new hub on the same store) and a transport that can refuse.
 */
import { describe, expect, it, vi } from 'vitest';
import { createHub, memoryStorage, type HubOptions, type SessionHub } from '@sessionhub/core';
import { createNodeHub } from '@sessionhub/core/node';
import { createBrowserHub } from '@sessionhub/core/browser';
import { brazeKit } from '@sessionhub/kit-braze';
import { clevertapKit } from '@sessionhub/kit-clevertap';
import { snowplowKit } from '@sessionhub/kit-snowplow';
import { recordingKit, storedView } from '@sessionhub/testing';

const quiet = () => ({ debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() });

/**
 * One device: its storage, and what reached the vendors. `up` false: every request fails (503).
 * `kills`, when set: what the storage holds after each write, as a kill right after it leaves it.
 */
function device(map = new Map<string, string>()) {
  const requests: { url: string; body: string }[] = [];
  const net = { up: true };
  const at: { kills?: Array<Map<string, string>> } = {};
  const storage = {
    getItem: async (k: string) => map.get(k) ?? null,
    setItem: async (k: string, v: string) => void (map.set(k, v), at.kills?.push(new Map(map))),
    removeItem: async (k: string) => void (map.delete(k), at.kills?.push(new Map(map))),
  };
  const transport = async (request: { url: string; body?: string }) => {
    requests.push({ url: request.url, body: request.body ?? '' });
    return { status: net.up ? 200 : 503 };
  };
  const launch = (options: HubOptions = {}): SessionHub =>
    createHub({
      storage,
      logger: quiet(),
      kits: [
        brazeKit({ apiKey: 'k', baseUrl: 'sdk.iad-01.braze.com', transport }),
        snowplowKit({ collectorUrl: 'https://c.example.com', appId: 'a', delivery: { transport } }),
        clevertapKit({ accountId: 'W9R-486-4W5Z', token: 't', delivery: { transport } }),
      ],
      ...options,
    });
  return { map, requests, net, launch, at };
}

const queued = (hub: SessionHub) => Object.values(hub.getKitHealth()).reduce((n, h) => n + (h.delivery?.queued ?? 0), 0);
/** Keys holding more than the outbox's sequence numbers. */
const dataKeys = (map: Map<string, string>) => [...storedView(map).keys()].filter((k) => !k.endsWith(':outbox:meta'));

describe('setOptOut', () => {
  it('purges what was queued and stored, records and sends nothing, and stays opted out across a relaunch', async () => {
    const d = device();
    d.net.up = false;
    const hub = d.launch();
    await hub.start();
    hub.setUser('user-1');
    hub.logEvent('song_played', { genre: 'jazz' });
    await hub.flush();
    expect(queued(hub)).toBeGreaterThan(0);
    const sentBefore = d.requests.length;

    await hub.setOptOut(true);
    expect(hub.isOptedOut()).toBe(true);
    expect(queued(hub)).toBe(0);
    expect(dataKeys(d.map)).toEqual(['sessionhub:optOut']);
    expect(hub.logEvent('after')).toBe(false);
    expect(hub.getSession()).toBeNull();
    d.net.up = true;
    await hub.flush();
    await hub.shutdown();
    expect(d.requests.length).toBe(sentBefore);

    const relaunched = d.launch();
    await relaunched.start();
    expect(relaunched.isOptedOut()).toBe(true);
    expect(relaunched.logEvent('again')).toBe(false);
    relaunched.background();
    await relaunched.flush();
    expect(d.requests.length).toBe(sentBefore);
    expect(dataKeys(d.map)).toEqual(['sessionhub:optOut']);
  });

  it('opting back in starts cleanly: a new device id, a session, delivery; and it is remembered', async () => {
    const d = device();
    const hub = d.launch();
    await hub.start();
    const oldDevice = hub.getDeviceId();
    await hub.setOptOut(true);
    await hub.setOptOut(false);
    expect(hub.isOptedOut()).toBe(false);
    expect(hub.getDeviceId()).not.toBe(oldDevice);
    expect(hub.getSession()).not.toBeNull();
    expect(hub.logEvent('welcome_back')).toBe(true);
    await hub.flush();
    expect(d.requests.filter((r) => r.body.includes('welcome_back'))).toHaveLength(3);
    await hub.shutdown();

    // The choice wins over the option on the next launch.
    const relaunched = d.launch({ optOut: true });
    await relaunched.start();
    expect(relaunched.isOptedOut()).toBe(false);
    expect(relaunched.logEvent('still_in')).toBe(true);
  });

  it('a timeout set with setSessionTimeout holds for the run across an opt-out and back in: the kits were told it, and the sessions use it', async () => {
    let now = Date.UTC(2026, 0, 1, 12);
    const kit = recordingKit('rec');
    const hub = createHub({ storage: memoryStorage(), logger: quiet(), clock: () => now, kits: [kit] });
    await hub.start();
    expect(hub.setSessionTimeout(120)).toBe(true);
    await hub.setOptOut(true);
    expect(hub.getSessionTimeout()).toBe(120);
    await hub.setOptOut(false);
    const told = kit.calls.filter((c) => c.type === 'onConfigChange').map((c) => (c.record as { sessionTimeout: number }).sessionTimeout);
    expect([hub.getSessionTimeout(), told.at(-1)]).toEqual([120, 120]);
    const session = hub.getSession()!.id;
    hub.background();
    now += 90_000; // past the options' 60 s, within the run's 120 s
    hub.foreground();
    expect(hub.getSession()!.id).toBe(session);
    await hub.shutdown();
  });

  it('calls dropped before start() are reported once, not again when opting back in runs the launch again', async () => {
    const d = device();
    const logger = quiet();
    const hub = d.launch({ logger });
    for (let i = 0; i < 1001; i++) hub.logEvent('early');
    await hub.start();
    await hub.setOptOut(true);
    await hub.setOptOut(false);
    const dropped = logger.warn.mock.calls.map((c) => String(c[1] ?? c[0])).filter((m) => m.includes('were dropped'));
    expect(dropped).toEqual([expect.stringContaining('1 calls made before start() were dropped')]);
  });

  it('createHub({ optOut: true }) and the browser and Node presets start opted out, for consent-gated apps', async () => {
    const d = device();
    const hub = d.launch({ optOut: true });
    expect(hub.isOptedOut()).toBe(true);
    await hub.start();
    expect(hub.logEvent('before_consent')).toBe(false);
    await hub.flush();
    expect(d.requests).toEqual([]);
    // Nothing written before consent: no purge of what no earlier run left, no kit started.
    expect([...d.map.keys()]).toEqual([]);
    await hub.setOptOut(false);
    expect(hub.logEvent('after_consent')).toBe(true);

    for (const preset of [
      createBrowserHub({ storage: null, lifecycle: null, optOut: true, logger: quiet(), kits: [recordingKit()] }),
      createNodeHub({ storage: memoryStorage(), optOut: true, shutdownSignals: [], shutdownOnIdleExit: false, logger: quiet() }),
    ]) {
      await preset.start();
      expect(preset.isOptedOut()).toBe(true);
      expect(preset.logEvent('x')).toBe(false);
      await preset.shutdown();
    }
  });
});

describe('reset', () => {
  it('ends the live session, forgets the user, gives a new device id that kits use, and the new id survives a relaunch', async () => {
    const d = device();
    const kit = recordingKit('rec');
    const hub = d.launch();
    hub.registerKit(kit);
    await hub.start();
    hub.setUser('user-1');
    const before = hub.getSession()!;
    await hub.reset();
    expect(kit.ends().map((e) => e.sessionId)).toContain(before.id);
    expect(hub.getUser()).toBeNull();
    const device2 = hub.getDeviceId()!;
    expect(device2).not.toBe(before.deviceId);
    expect(hub.getSession()!.id).not.toBe(before.id);
    expect(hub.getSession()!.index).toBe(1);
    hub.logEvent('after_reset');
    await hub.flush();
    const after = d.requests.filter((r) => r.body.includes('after_reset'));
    expect(after).toHaveLength(3);
    for (const r of after) {
      expect(r.body).not.toContain(before.deviceId);
      expect(r.body).not.toContain('user-1');
    }
    // CleverTap's device guid follows the new device id.
    expect(after.find((r) => r.url.includes('clevertap'))!.body).toContain(`__${device2.replace(/-/g, '')}`);
    await hub.shutdown();

    const relaunched = d.launch();
    await relaunched.start();
    expect(relaunched.getDeviceId()).toBe(device2);
  });
});

describe('clearStoredData', () => {
  it('removes the state, the outboxes and the ledgers; the hub goes on as a fresh install; a relaunch finds nothing old', async () => {
    const d = device();
    d.net.up = false;
    const hub = d.launch();
    await hub.start();
    hub.setUser('user-1');
    hub.logEvent('song_played');
    await hub.flush();
    const oldDevice = hub.getDeviceId();
    expect(dataKeys(d.map).length).toBeGreaterThan(3);
    await hub.clearStoredData();
    expect(dataKeys(d.map)).toEqual([]);
    expect(queued(hub)).toBe(0);
    expect(hub.getDeviceId()).not.toBe(oldDevice);
    expect(hub.getUser()).toBeNull();
    await hub.shutdown();
    for (const value of d.map.values()) expect(value).not.toContain('user-1');

    const relaunched = d.launch();
    await relaunched.start();
    expect(relaunched.getDeviceId()).not.toBe(oldDevice);
    await relaunched.shutdown();
    for (const value of d.map.values()) expect(value).not.toMatch(new RegExp(`user-1|${oldDevice}|${oldDevice!.replace(/-/g, '')}`));
  });
});

describe('after shutdown()', () => {
  it("setOptOut and clearStoredData still do what the user asked (the choice stored, the data deleted: the next launch honours both); flush() is refused with a warning", async () => {
    const d = device();
    d.net.up = false;
    const logger = quiet();
    const hub = d.launch({ logger });
    await hub.start();
    hub.setUser('user-1');
    hub.logEvent('song_played');
    await hub.shutdown();
    const oldDevice = hub.getDeviceId();
    expect(dataKeys(d.map).length).toBeGreaterThan(3);
    const warnings: string[] = [];
    hub.on('warning', (w) => warnings.push(`${w.code}: ${w.message}`));

    d.net.up = true;
    const tried = d.requests.length;
    await hub.flush();
    expect(warnings).toEqual(['not-started: flush: the hub was shut down; create a new hub to keep tracking']);
    expect(d.requests.length).toBe(tried);

    await hub.clearStoredData();
    for (const value of d.map.values()) expect(value).not.toMatch(new RegExp(`user-1|${oldDevice}`));
    await hub.setOptOut(true);
    expect(d.map.get('sessionhub:optOut')).toBe('1');
    expect(warnings).toHaveLength(1);

    const relaunched = d.launch();
    await relaunched.start();
    expect(relaunched.isOptedOut()).toBe(true);
    await relaunched.flush();
    await relaunched.shutdown();
    expect(d.requests.length).toBe(tried);
    expect(dataKeys(d.map)).toEqual(['sessionhub:optOut']);
  });
});

describe('consent: launches, overlapping calls and calls before start()', () => {
  /** A run that queued a user's event while the network was down, then stopped: its outboxes hold it. */
  async function leftovers() {
    const d = device();
    d.net.up = false;
    const first = d.launch();
    await first.start();
    first.setUser('user-secret-42');
    first.logEvent('purchase', { email: 'a@example.com' });
    await first.shutdown();
    expect(queued(first)).toBeGreaterThan(0);
    d.net.up = true;
    d.requests.length = 0;
    return d;
  }

  it('a launch opted out (by the option, or by a stored choice whose purge a kill cut short) sends nothing an earlier run left', async () => {
    const gated = await leftovers();
    const hub = gated.launch({ optOut: true });
    await hub.start();
    await hub.flush();
    await hub.shutdown();
    expect(gated.requests).toEqual([]);
    expect(dataKeys(gated.map)).toEqual([]);

    const cut = await leftovers();
    cut.map.set('sessionhub:optOut', '1');
    const relaunched = cut.launch();
    await relaunched.start();
    await relaunched.flush();
    expect(cut.requests).toEqual([]);
    expect(dataKeys(cut.map)).toEqual(['sessionhub:optOut']);
  });

  it('a purge cut short by a kill at any write is done again: consent later sends nothing an earlier run left, under no old id', async () => {
    const how = {
      // A consent-gated launch after a run with consent (no choice stored: an app that added the gate).
      'the option': async (d: Awaited<ReturnType<typeof leftovers>>) => d.launch({ optOut: true }).start(),
      'setOptOut(true)': async (d: Awaited<ReturnType<typeof leftovers>>) => {
        const hub = d.launch();
        d.net.up = false; // what it recovers at launch stays queued
        await hub.start();
        d.requests.length = 0;
        d.at.kills = [];
        await hub.setOptOut(true);
      },
    };
    for (const [name, purge] of Object.entries(how)) {
      const d = await leftovers();
      const oldDevice = JSON.stringify([...d.map.values()]).match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/)![0];
      d.at.kills = [];
      await purge(d);
      const kills = d.at.kills;
      expect(kills.length, name).toBeGreaterThan(2);
      for (const [k, stored] of kills.entries()) {
        const after = device(new Map(stored));
        const hub = after.launch({ optOut: true });
        await hub.start();
        await hub.flush();
        expect(after.requests, `${name}, killed after write ${k + 1}`).toEqual([]);
        await hub.setOptOut(false);
        hub.logEvent('after_consent');
        await hub.flush();
        const sent = after.requests.map((r) => r.body).join('\n');
        expect(sent, `${name}, killed after write ${k + 1}`).toContain('after_consent');
        for (const old of ['user-secret-42', 'purchase', oldDevice, oldDevice.replace(/-/g, '')]) expect(sent, `${name}, killed after write ${k + 1}`).not.toContain(old);
        await hub.shutdown();
      }
    }
  });

  it('overlapping setOptOut calls apply in order: the last choice holds, with nothing of the user kept or sent', async () => {
    for (const choices of [
      [true, false],
      [true, false, true],
      [false, true],
    ]) {
      const d = device();
      const hub = d.launch();
      await hub.start();
      hub.setUser('user-secret-42');
      hub.logEvent('purchase', { email: 'a@example.com' });
      const before = hub.getDeviceId();
      d.net.up = false;
      await Promise.all(choices.map((choice) => hub.setOptOut(choice)));
      const out = choices.at(-1)!;
      expect(hub.isOptedOut()).toBe(out);
      d.net.up = true;
      const sent = d.requests.length;
      await hub.flush();
      const after = d.requests.slice(sent).map((r) => r.body).join('\n');
      expect(after).not.toContain('user-secret-42');
      if (out) {
        expect(d.requests.length).toBe(sent);
        expect(dataKeys(d.map)).toEqual(['sessionhub:optOut']);
        expect(hub.getSession()).toBeNull();
      } else if (choices.includes(true)) {
        // Opted out, then back in: a fresh install.
        expect(hub.getDeviceId()).not.toBe(before);
        expect(hub.getUser()).toBeNull();
      }
      await hub.shutdown();
    }
  });

  it('calls made before start() while opted out by the option are dropped, also when the user opts in before start() finishes', async () => {
    const d = device();
    const hub = d.launch({ optOut: true });
    hub.setUser('user-secret-42');
    hub.logEvent('before_consent', { email: 'a@example.com' });
    void hub.setOptOut(false);
    expect(hub.isOptedOut()).toBe(false);
    hub.logEvent('after_consent');
    await hub.start();
    await hub.flush();
    const sent = d.requests.map((r) => r.body).join('\n');
    expect(sent).not.toContain('before_consent');
    expect(sent).not.toContain('user-secret-42');
    expect(sent).toContain('after_consent');
    await hub.shutdown();

    // A user who opted in on an earlier launch: the option's opt-out is overridden, the calls kept.
    const consented = device();
    consented.map.set('sessionhub:optOut', '0');
    const next = consented.launch({ optOut: true });
    next.logEvent('early_but_consented');
    await next.start();
    await next.flush();
    expect(consented.requests.map((r) => r.body).join('\n')).toContain('early_but_consented');
    await next.shutdown();
  });

  it('a ready kit whose flush or clear never settles holds up neither hub.flush() nor an opt-out (3 s at most): the state and the other kits are cleared', async () => {
    const map = new Map<string, string>();
    const storage = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), removeItem: (k: string) => void map.delete(k) };
    const hang = () => new Promise<void>(() => {});
    const stuck = recordingKit('stuck', { flush: hang, clear: hang });
    const other = recordingKit('other');
    const hub = createHub({ storage, logger: quiet(), kits: [stuck, other] });
    await hub.start();
    hub.setUser('user-secret-42');
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let flushed = false;
      void hub.flush().then(() => (flushed = true));
      await vi.advanceTimersByTimeAsync(3000);
      expect(flushed).toBe(true);
      let optedOut = false;
      void hub.setOptOut(true).then(() => (optedOut = true));
      await vi.advanceTimersByTimeAsync(3000);
      expect(optedOut).toBe(true);
    } finally {
      vi.useRealTimers();
    }
    expect(other.calls.map((c) => c.type)).toContain('clear');
    expect(dataKeys(map)).toEqual(['sessionhub:optOut']);
    for (const value of map.values()) expect(value).not.toContain('user-secret-42');
  });

  it("a kit whose init is slow, or never ends, gets none of what an opt-out or a deletion drops, and neither call waits for it", async () => {
    for (const call of ['optOut', 'clear'] as const) {
      for (const slow of [true, false]) {
        const map = new Map<string, string>();
        const storage = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), removeItem: (k: string) => void map.delete(k) };
        let finish!: () => void;
        const kit = recordingKit('slow', { init: () => new Promise<void>((resolve) => (finish = resolve)) });
        const hub = createHub({ storage, logger: quiet(), kits: [kit] });
        // start() waits 3 s at most for a kit's init.
        vi.useFakeTimers({ toFake: ['setTimeout'] });
        const started = hub.start();
        await vi.advanceTimersByTimeAsync(3000);
        vi.useRealTimers();
        await started;
        hub.setUser('user-secret-42');
        hub.logEvent('purchase', { email: 'a@example.com' });
        // What the kit is owed waits under its key, written ahead of the state.
        const owed = async () => storedView(map).get('sessionhub:kit:slow:~') ?? null;
        await new Promise((resolve) => setTimeout(resolve, 0));
        expect(await owed()).toContain('user-secret-42');
        await (call === 'optOut' ? hub.setOptOut(true) : hub.clearStoredData());
        expect(await owed()).toBeNull();
        if (slow) {
          finish();
          await hub.flush();
          await new Promise((resolve) => setTimeout(resolve, 0));
          // Its own clear, and nothing it was owed before.
          expect(kit.calls.map((c) => c.type)).toEqual(['clear']);
        } else {
          expect(kit.calls).toEqual([]);
        }
      }
    }
  });

  it('clearStoredData() before start() deletes what an earlier run left before any of it is sent; reset() before start() is refused with a warning', async () => {
    const d = await leftovers();
    const oldDevice = [...storedView(d.map).values()].join();
    const hub = d.launch();
    await hub.clearStoredData();
    await hub.start();
    await hub.flush();
    const sent = d.requests.map((r) => r.body).join('\n');
    expect(sent).not.toContain('user-secret-42');
    expect(sent).not.toContain('purchase');
    expect(hub.getUser()).toBeNull();
    await hub.shutdown();
    void oldDevice;

    const warnings: string[] = [];
    const early = device().launch();
    early.on('warning', (w) => warnings.push(`${w.code}: ${w.message}`));
    await early.reset();
    expect(warnings).toEqual(['not-started: reset() before start(): nothing was done; call it once start() has been called']);
  });
});
