/**
 * Opt-out, reset() and clearStoredData() across real Chromium tabs (Debian's, via launchChromium):
 * real localStorage shared by the tabs of an origin (with its asynchronous propagation), real Web
 * Locks, reloads. Each page runs an esbuild bundle of the sources with the real Snowplow kit (an
 * outbox in localStorage, requests to a local collector that can refuse) and a recording kit that
 * posts every session start and end, event and reset it gets to the same server.
 */
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SessionHub } from '@sessionhub/core';
import { launchChromium, openReadyPage, servePage, type PageServer, type TestBrowser } from '@sessionhub/testing/chromium';
import { bundleForBrowser } from '../../../scripts/workspace-sources';

declare global {
  interface Window {
    hub: SessionHub;
    ready: Promise<void>;
  }
}

/** What the recording kit of a page posted: a kit callback and its record. */
interface Posted {
  readonly type: 'start' | 'end' | 'event' | 'reset';
  readonly record: { sessionId?: string; deviceId?: string; userId?: string | null; name?: string } | string;
}

const packagesDir = fileURLToPath(new URL('../../', import.meta.url));

const PAGE_SCRIPT = `
  import { createBrowserHub } from '@sessionhub/core/browser';
  import { snowplowKit } from '@sessionhub/kit-snowplow';
  const post = (type, record) =>
    fetch('/record', { method: 'POST', body: JSON.stringify({ type, record }), keepalive: true }).catch(() => undefined);
  const recorder = {
    name: 'recorder',
    onSessionStart: (r) => post('start', r),
    onSessionEnd: (r) => post('end', r),
    onEvent: (r) => post('event', r),
    onReset: (id) => post('reset', id),
  };
  const snowplow = snowplowKit({ collectorUrl: location.origin, appId: 'app', delivery: { retryBaseMs: 100, retryMaxMs: 200 } });
  const hub = createBrowserHub({ kits: [recorder, snowplow], sessionTimeout: 600, foregroundTimeout: 600 });
  window.hub = hub;
  window.ready = hub.start();
`;

let server: PageServer;
let origin: string;
let posted: Posted[] = [];
/** Bodies the collector received (also those it refused). */
let collected: string[] = [];
let collectorUp = true;
let browser: TestBrowser;

beforeAll(async () => {
  const js = await bundleForBrowser(PAGE_SCRIPT, packagesDir);
  server = await servePage({
    title: 'privacy',
    script: js,
    onPost(path, body) {
      if (path === '/record') return void posted.push(JSON.parse(body) as Posted);
      collected.push(body);
      return collectorUp ? 200 : 503;
    },
  });
  origin = server.origin;
});
afterAll(async () => {
  await server?.close();
});
beforeEach(async () => {
  posted = [];
  collected = [];
  collectorUp = true;
  browser = await launchChromium();
});
afterEach(async () => {
  await browser?.close();
});

const openTab = (): Promise<Page> => openReadyPage(browser.context, origin);

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
/** Every call of these tabs committed and handed to the kits, which tried to send. */
const flushAll = (pages: readonly Page[]): Promise<unknown> => Promise.all(pages.map((p) => p.evaluate(() => window.hub.flush())));
/** localStorage of the origin: key → value. */
const stored = (page: Page): Promise<Record<string, string>> => page.evaluate(() => ({ ...localStorage }));

async function waitFor(done: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`never saw ${what}`);
    await sleep(50);
  }
}

/** Polls the pages until `check` holds (tabs learn of each other's changes asynchronously). */
async function eventually(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never saw ${what}`);
    await sleep(100);
  }
}
const deviceIds = (pages: readonly Page[]): Promise<Array<string | null>> => Promise.all(pages.map((p) => p.evaluate(() => window.hub.getDeviceId())));

const records = (type: Posted['type']) => posted.filter((p) => p.type === type).map((p) => p.record as Exclude<Posted['record'], string>);

describe('privacy controls in real Chromium tabs', () => {
  it('opting out in one tab stops every tab, across a reload and in new tabs: nothing recorded, stored or sent; opting back in starts one clean session', async () => {
    const pages = [await openTab(), await openTab(), await openTab()];
    await Promise.all(pages.map((p, i) => p.evaluate((name) => void window.hub.logEvent(name), `before-${i}`)));
    await flushAll(pages);
    await waitFor(() => collected.join().includes('before-2'), 'the events before the opt-out at the collector');
    const oldDevice = await pages[0]!.evaluate(() => window.hub.getDeviceId());

    await pages[1]!.evaluate(() => window.hub.setOptOut(true));
    await eventually(async () => (await Promise.all(pages.map((p) => p.evaluate(() => window.hub.isOptedOut())))).every(Boolean), 'every tab opted out');
    await sleep(300);
    const [postedBefore, collectedBefore] = [posted.length, collected.length];

    await Promise.all(
      pages.map((p, i) =>
        p.evaluate((name) => {
          window.hub.logEvent(name);
          window.hub.setUser('user-1');
          window.hub.startNewSession();
        }, `after-${i}`),
      ),
    );
    await pages[2]!.reload();
    await pages[2]!.evaluate(() => window.ready);
    const late = await openTab();
    for (const p of [pages[2]!, late]) expect(await p.evaluate(() => [window.hub.isOptedOut(), window.hub.logEvent('late')])).toEqual([true, false]);
    await flushAll([...pages, late]);
    await sleep(500);
    expect(posted.length, 'kits got nothing').toBe(postedBefore);
    expect(collected.length, 'nothing was sent').toBe(collectedBefore);
    expect(await stored(late), 'nothing is stored but the choice').toEqual({ 'sessionhub:optOut': '1' });

    await late.evaluate(() => window.hub.setOptOut(false));
    const all = [...pages, late];
    await eventually(async () => new Set(await deviceIds(all)).size === 1 && (await deviceIds(all))[0] !== null, 'one device id in every tab');
    expect(await Promise.all(all.map((p) => p.evaluate(() => window.hub.isOptedOut())))).toEqual([false, false, false, false]);
    const devices = new Set(await Promise.all(all.map((p) => p.evaluate(() => window.hub.getDeviceId()))));
    expect(devices.size, 'one device id in every tab').toBe(1);
    const [device] = devices;
    expect(device).not.toBe(oldDevice);
    await Promise.all(all.map((p, i) => p.evaluate((name) => void window.hub.logEvent(name), `consented-${i}`)));
    await flushAll(all);
    await waitFor(() => records('event').filter((e) => e.name?.startsWith('consented')).length === 4, 'the events after opting back in');
    const starts = posted.slice(postedBefore).filter((p) => p.type === 'start');
    expect(starts.map((s) => (s.record as { deviceId: string }).deviceId), 'one new session, started once').toEqual([device]);
    expect(new Set(records('event').filter((e) => e.name?.startsWith('consented')).map((e) => e.deviceId))).toEqual(new Set([device]));
    expect(JSON.stringify(await stored(late))).not.toContain(oldDevice!);
  }, 60_000);

  it('reset() in one tab ends the session once, and every tab goes on with one new device id and no user, its kits told', async () => {
    const pages = [await openTab(), await openTab(), await openTab()];
    await pages[0]!.evaluate(() => void window.hub.setUser('user-1'));
    await Promise.all(pages.map((p, i) => p.evaluate((name) => void window.hub.logEvent(name), `before-${i}`)));
    await flushAll(pages);
    const old = (await pages[2]!.evaluate(() => window.hub.getSession()))!;
    expect(old.userId).toBe('user-1');

    await pages[1]!.evaluate(() => window.hub.reset());
    await sleep(300);
    await waitFor(() => records('end').length > 0 && posted.filter((p) => p.type === 'reset').length === 3, 'the end and three resets');
    expect(records('end').map((e) => e.sessionId), 'the old session ends once').toEqual([old.id]);
    const device = posted.find((p) => p.type === 'reset')!.record as string;
    expect(posted.filter((p) => p.type === 'reset').map((p) => p.record), 'each tab tells its kits once').toEqual([device, device, device]);
    expect(device).not.toBe(old.deviceId);
    for (const page of pages) expect(await page.evaluate(() => [window.hub.getDeviceId(), window.hub.getUser()])).toEqual([device, null]);

    const sentBefore = collected.length;
    await Promise.all(pages.map((p, i) => p.evaluate((name) => void window.hub.logEvent(name), `after-${i}`)));
    await flushAll(pages);
    await waitFor(() => ['after-0', 'after-1', 'after-2'].every((n) => collected.join().includes(n)), 'the events after the reset at the collector');
    const after = collected.slice(sentBefore).join();
    expect(after).toContain(device);
    expect(after, 'nothing sent after the reset links to the old device or user').not.toMatch(new RegExp(`${old.deviceId}|user-1`));
    // Snowplow got the old session's end exactly once too (the kit's session_end event).
    const items = collected.flatMap((body) => (JSON.parse(body) as { data: Array<Record<string, string>> }).data);
    expect(items.filter((item) => item.se_ac === 'session_end').map((item) => item.sid)).toEqual([old.id]);
    expect(records('start').filter((s) => s.deviceId === device)).toHaveLength(1);
  }, 60_000);

  it('clearStoredData() in one tab removes what every tab stored (a closed tab\'s queue too); no tab writes or sends the old data again', async () => {
    collectorUp = false;
    const pages = [await openTab(), await openTab(), await openTab()];
    await pages[0]!.evaluate(() => void window.hub.setUser('user-1'));
    await Promise.all(pages.map((p) => p.evaluate(() => void window.hub.logEvent('song_played'))));
    await flushAll(pages);
    const oldDevice = (await pages[0]!.evaluate(() => window.hub.getDeviceId()))!;
    const holdsOld = (storage: Record<string, string>) => Object.entries(storage).filter(([, v]) => new RegExp(`${oldDevice}|user-1|song_played`).test(v)).map(([k]) => k);
    // The outboxes hold it (in their tab's segment keys).
    expect((await holdsOld(await stored(pages[0]!))).filter((k) => /:tab\d+:seg:\d+$/.test(k)).length).toBeGreaterThan(0);
    // A tab closed before the clear leaves its queue in its slot.
    await pages[2]!.close({ runBeforeUnload: true });
    const open = pages.slice(0, 2);
    await pages[1]!.evaluate(() => void window.hub.logEvent('song_played')); // may be in flight when the clear comes

    await pages[0]!.evaluate(() => window.hub.clearStoredData());
    await eventually(async () => new Set(await deviceIds(open)).size === 1, 'the new device id in both tabs');
    await sleep(300);
    expect(await holdsOld(await stored(pages[1]!)), 'nothing of the old data is stored').toEqual([]);
    const device = await pages[0]!.evaluate(() => window.hub.getDeviceId());
    expect(device).not.toBe(oldDevice);
    expect(await pages[1]!.evaluate(() => [window.hub.getDeviceId(), window.hub.getUser()])).toEqual([device, null]);

    // The tabs go on: activity, a reload, a new tab; then the network is back.
    await Promise.all(open.map((p) => p.evaluate(() => void window.hub.logEvent('after_clear'))));
    await open[1]!.reload();
    await open[1]!.evaluate(() => window.ready);
    const fresh = await openTab();
    collectorUp = true;
    const sentBefore = collected.length;
    await flushAll([...open, fresh]);
    await waitFor(() => collected.slice(sentBefore).join().includes('after_clear'), 'the events after the clear at the collector');
    await sleep(500);
    await flushAll([...open, fresh]);
    expect(await holdsOld(await stored(fresh)), 'nothing of the old data is stored').toEqual([]);
    expect(collected.slice(sentBefore).join(), 'nothing of the old data is sent').not.toMatch(new RegExp(`${oldDevice}|user-1|song_played`));
  }, 60_000);
});
