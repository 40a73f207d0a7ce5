/**
 * The shared session in real Chromium tabs (Debian's, via launchChromium): real localStorage with
 * its asynchronous propagation between renderers, real Web Locks, real page lifecycles. The pages
 * run an esbuild bundle of the sources with a recording kit that posts every session start, end and
 * event to a local server (with keepalive, so records of a page being unloaded arrive too), and the
 * three real kits (Braze, Snowplow, CleverTap) sending their vendors' wire format to the loopback
 * collectors, where each vendor's session starts and ends are counted.
 */
import { fileURLToPath } from 'node:url';
import { bundleForBrowser } from '../../../scripts/workspace-sources';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EventRecord, SessionEndRecord, SessionHub, SessionStartRecord } from '@sessionhub/core';
import { seededRandom } from '@sessionhub/testing';
import { BROWSER_NOT_RESTORED_REASONS, launchChromium, openReadyPage, servePage, type PageServer, type TestBrowser } from '@sessionhub/testing/chromium';
import { startCollectorServer, type CollectedRequest, type CollectorServer } from '@sessionhub/testing/server';

declare global {
  interface Window {
    hub: SessionHub;
    ready: Promise<void>;
    /** Writes of other tabs this tab heard of, by key (see the soloCommits test beside another tab). */
    heard: Record<string, number>;
  }
}

type Posted =
  | { type: 'start'; record: SessionStartRecord }
  | { type: 'end'; record: SessionEndRecord }
  | { type: 'event'; record: EventRecord };

const packagesDir = fileURLToPath(new URL('../../', import.meta.url));

const pageScript = (collector: string): string => `
  import { createBrowserHub } from '@sessionhub/core/browser';
  import { brazeKit } from '@sessionhub/kit-braze';
  import { snowplowKit } from '@sessionhub/kit-snowplow';
  import { clevertapKit } from '@sessionhub/kit-clevertap';
  const post = (type, record) =>
    fetch('/record', { method: 'POST', body: JSON.stringify({ type, record }), keepalive: true }).catch(() => undefined);
  const recorder = {
    name: 'recorder',
    onSessionStart: (r) => post('start', r),
    onSessionEnd: (r) => post('end', r),
    onEvent: (r) => post('event', r),
  };
  const delivery = { flushIntervalMs: 200 };
  const kits = [
    recorder,
    brazeKit({ apiKey: 'tabs-api-key', baseUrl: '${collector}', flushIntervalMs: 200 }),
    snowplowKit({
      collectorUrl: '${collector}',
      appId: 'tabs',
      platform: 'web',
      sessionEvents: { start: 'iglu:dev.sessionhub.test/session_start/jsonschema/1-0-0', end: 'iglu:dev.sessionhub.test/session_end/jsonschema/1-0-0' },
      delivery,
    }),
    clevertapKit({ accountId: 'TEST-123-4567', token: 'tabs-token', endpoint: '${collector}', sessionConcluded: true, delivery }),
  ];
  // A page opened with ?v1 makes its ids like UUID v1: its own clock sequence, and a node field that
  // is the same in every tab of the device.
  const clockSeq = (0x8000 | Math.floor(Math.random() * 0x3fff)).toString(16);
  let made = 0;
  const v1 = () => (Date.now() * 16 + made++).toString(16).slice(-8) + '-0000-1000-' + clockSeq + '-a1b2c3d4e5f6';
  // A page opened with ?solo commits alone in its own slot (soloCommits, the default); the others
  // set it false, so that every commit, even a page's alone, takes the shared record. One opened with ?cas
  // coordinates without Web Locks, by compare-and-set alone (as where navigator.locks is missing).
  // Flags combine: ?v1&solo.
  const flags = new URLSearchParams(location.search);
  const hub = createBrowserHub({
    kits,
    locks: flags.has('cas') ? null : undefined,
    sessionTimeout: 600,
    foregroundTimeout: 600,
    soloCommits: flags.has('solo'),
    generateId: flags.has('v1') ? v1 : undefined,
  });
  window.hub = hub;
  window.ready = hub.start();
`;

let server: PageServer;
let collector: CollectorServer;
let origin: string;
let posted: Posted[] = [];
let browser: TestBrowser;

beforeAll(async () => {
  collector = await startCollectorServer();
  const js = await bundleForBrowser(pageScript(collector.url), packagesDir);
  server = await servePage({
    title: 'tabs',
    script: js,
    onPost: (path, body) => void (path === '/record' && posted.push(JSON.parse(body) as Posted)),
  });
  origin = server.origin;
});
afterAll(async () => {
  await server?.close();
  await collector?.close();
});
beforeEach(async () => {
  posted = [];
  collector.collector.reset();
  browser = await launchChromium();
});
afterEach(async () => {
  await browser?.close();
});

const openTab = (query = ''): Promise<Page> => openReadyPage(browser.context, origin + '/' + query);

/** Waits until every call of these tabs is committed (flush resolves once the tab's commits are done). */
const settled = (pages: readonly Page[]): Promise<unknown> => Promise.all(pages.map((p) => p.evaluate(() => window.hub.flush())));
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Polls the posted records until `done` holds (fetches are asynchronous). */
async function waitFor(done: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`never saw ${what}`);
    await sleep(50);
  }
}

/**
 * Polls until `ready` holds of the counts `count` returns and they have not changed for `quietMs`:
 * a record arriving late (one emitted twice, or by a second tab) is then counted, where a wait for
 * an exact count could pass before it came.
 */
async function waitForQuiet(count: () => number[], ready: (counts: number[]) => boolean, what: string, quietMs = 1_000, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  let last = '';
  let since = Date.now();
  for (;;) {
    const now = count();
    if (JSON.stringify(now) !== last) [last, since] = [JSON.stringify(now), Date.now()];
    else if (ready(now) && Date.now() - since >= quietMs) return;
    if (Date.now() > deadline) throw new Error(`never saw ${what} (counts ${last})`);
    await sleep(50);
  }
}

/**
 * Every open tab answers with the same session once quiet: after two more events in the first tab,
 * each committed there (with soloCommits, the second in its slot), the others from its writes alone.
 * Returns the names of those events.
 */
async function expectSameAnswers(pages: readonly Page[]): Promise<string[]> {
  const names = ['answers-1', 'answers-2'];
  for (const name of names) await pages[0]!.evaluate((name) => (window.hub.logEvent(name), window.hub.flush()), name);
  // (Chromium hands one tab's writes to the others asynchronously, in a few milliseconds. Within 1 s:
  // 2 s after their last commits, the others commit once more on their own, reading the record.)
  let sessions: unknown[] = [];
  for (let i = 0; i < 10; i++, await sleep(100)) {
    sessions = await Promise.all(pages.map((p) => p.evaluate(() => window.hub.getSession())));
    if (sessions.every((s) => JSON.stringify(s) === JSON.stringify(sessions[0]))) break;
  }
  for (const session of sessions) expect(session, 'a tab answers with another session').toEqual(sessions[0]);
  return names;
}

const startsOf = () => posted.flatMap((p) => (p.type === 'start' ? [p.record] : []));
const endsOf = () => posted.flatMap((p) => (p.type === 'end' ? [p.record] : []));
const eventsOf = () => posted.flatMap((p) => (p.type === 'event' ? [p.record] : []));

/** No session started or ended twice; with `closed`, every start has its end and the ends count the events. */
function expectEachSessionOnce(closed: boolean): void {
  const starts = startsOf().map((s) => s.sessionId);
  const ends = endsOf().map((e) => e.sessionId);
  expect(new Set(starts).size, 'a session started twice').toBe(starts.length);
  expect(new Set(ends).size, 'a session ended twice').toBe(ends.length);
  if (!closed) return;
  expect([...ends].sort(), 'orphans: sessions started and never ended').toEqual([...starts].sort());
  const events = eventsOf();
  for (const end of endsOf()) {
    const indexes = events.filter((e) => e.sessionId === end.sessionId).map((e) => e.eventIndex).sort((a, b) => a - b);
    expect(indexes, `events of session ${end.sessionIndex}`).toEqual(indexes.map((_, i) => i + 1));
    expect(end.eventCount).toBe(indexes.length);
  }
}

type Count = Map<string, number>;
const bump = (m: Count, k: string): void => void m.set(k, (m.get(k) ?? 0) + 1);
interface VendorCounts {
  /** Session id (CleverTap: its numeric `s`) → starts (CleverTap: none on the wire), ends. */
  readonly starts: Count;
  readonly ends: Count;
  /** CleverTap: every `s` its items carry. */
  readonly seen: Set<string>;
}
const counts = (): VendorCounts => ({ starts: new Map(), ends: new Map(), seen: new Set() });

/** Parses a Snowplow field that is JSON, or base64url JSON (`cx`, `ue_px`). */
const snowplowJson = (plain: unknown, encoded: unknown): { data?: { schema?: string; data?: { sessionId?: string } } } | null => {
  const text = typeof plain === 'string' ? plain : typeof encoded === 'string' ? Buffer.from(encoded, 'base64url').toString() : null;
  return text === null ? null : JSON.parse(text);
};

/**
 * Each vendor's session starts and ends as its wire says, every accepted request counted (a request
 * the collector took in is never sent again): Braze `ss` / `se` by session id, Snowplow's
 * session_start / session_end self-describing events by the sessionId in their data, CleverTap's
 * `Session Concluded` by its session `s` (CleverTap has no start event).
 */
function vendorCounts(requests: readonly CollectedRequest[]): Record<'braze' | 'snowplow' | 'clevertap', VendorCounts> {
  const v = { braze: counts(), snowplow: counts(), clevertap: counts() };
  for (const r of requests) {
    if (r.vendor === 'braze') {
      for (const e of (r.body as { events: Array<{ name: string; session_id?: string }> }).events) {
        if (e.name === 'ss') bump(v.braze.starts, e.session_id!);
        else if (e.name === 'se') bump(v.braze.ends, e.session_id!);
      }
    } else if (r.vendor === 'snowplow') {
      for (const p of (r.body as { data: Array<Record<string, unknown>> }).data) {
        if (p.e !== 'ue') continue;
        const inner = snowplowJson(p.ue_pr, p.ue_px)?.data;
        const id = inner?.data?.sessionId;
        if (!id) continue;
        if (inner.schema?.includes('/session_start/')) bump(v.snowplow.starts, id);
        else if (inner.schema?.includes('/session_end/')) bump(v.snowplow.ends, id);
      }
    } else {
      for (const item of (r.body as Array<{ type?: string; evtName?: string; s?: number }>).slice(1)) {
        if (!item.s) continue;
        v.clevertap.seen.add(String(item.s));
        if (item.type === 'event' && item.evtName === 'Session Concluded') bump(v.clevertap.ends, String(item.s));
      }
    }
  }
  return v;
}

/**
 * At all three vendors: exactly one start and one end per session the tabs started (Braze, Snowplow),
 * one \`Session Concluded\` per session and none for a CleverTap session never seen (CleverTap), so no
 * double end and no orphan. Waits for the kits' deliveries first (each page flushes).
 */
async function expectVendorsOncePerSession(pages: readonly Page[], clevertapOneIdPerSession = true): Promise<void> {
  const sessions = startsOf().map((s) => s.sessionId).sort();
  const ones = sessions.map((id) => [id, 1]);
  const done = (): boolean => {
    const v = vendorCounts(collector.collector.accepted());
    return v.braze.ends.size >= sessions.length && v.snowplow.ends.size >= sessions.length && [...v.clevertap.ends.values()].reduce((a, b) => a + b, 0) >= sessions.length;
  };
  for (let i = 0; i < 100 && !done(); i++) {
    await Promise.all(pages.map((p) => p.evaluate(() => window.hub.flush()).catch(() => undefined)));
    await sleep(200);
  }
  const v = vendorCounts(collector.collector.accepted());
  for (const vendor of ['braze', 'snowplow'] as const) {
    expect([...v[vendor].starts].sort(), `${vendor}: one start per session`).toEqual(ones);
    expect([...v[vendor].ends].sort(), `${vendor}: one end per session, no double end, no orphan`).toEqual(ones);
  }
  const concluded = [...v.clevertap.ends.values()].reduce((a, b) => a + b, 0);
  expect(concluded, 'clevertap: one Session Concluded per session').toBe(sessions.length);
  if (clevertapOneIdPerSession) expect([...v.clevertap.seen].filter((s) => !v.clevertap.ends.has(s)), 'clevertap: sessions never concluded').toEqual([]);
}

describe('the shared session in real Chromium tabs', () => {
  it.each([
    ['Web Locks', '', 4],
    ['compare-and-set (no Web Locks)', '?cas', 0],
    // Every page visible: each commits in its slot whenever the record names it, and takes the record in turn.
    ['Web Locks and soloCommits (the default)', '?solo', 4],
  ])('4 tabs × 250 interleaved increments end with exactly 1000, with %s', async (_name, query, slotLocks) => {
    const pages = [];
    for (let i = 0; i < 4; i++) pages.push(await openTab(query));
    // The path taken: with Web Locks each tab holds its slot's lock; by compare-and-set none does.
    const held = await pages[0]!.evaluate(async () => (await navigator.locks.query()).held?.filter((l) => l.name?.startsWith('sessionhub:slot:')).length);
    expect(held).toBe(slotLocks);
    await Promise.all(
      pages.map((page, i) =>
        page.evaluate(async (seed) => {
          let x = seed;
          for (let n = 0; n < 250; n++) {
            window.hub.incrementSessionAttribute('n');
            x = (x * 1103515245 + 12345) % 2147483648;
            if (x % 4 === 0) await new Promise((done) => setTimeout(done, x % 5));
          }
        }, i + 1),
      ),
    );
    await settled(pages);
    await expectSameAnswers(pages);
    await pages[0]!.evaluate(() => window.hub.endSession());
    await waitFor(() => endsOf().length > 0, 'the session end');
    expect(endsOf().map((e) => e.attributes)).toEqual([{ n: 1000 }]);
    expectEachSessionOnce(true);
  }, 60_000);

  it.each([
    ['soloCommits false', ''],
    // Every page visible: the page that ends the session and each page that logs take the record in turn.
    ['soloCommits, the default', '?solo'],
  ])('50 cycles of "end in one tab, then an event in every tab": one start and one end per session, no orphan, %s', async (_name, query) => {
    const pages = [];
    for (let i = 0; i < 4; i++) pages.push(await openTab(query));
    await settled(pages);
    for (let cycle = 0; cycle < 50; cycle++) {
      const ender = pages[cycle % pages.length]!;
      await ender.evaluate(() => {
        window.hub.endSession();
        return window.hub.flush();
      });
      await Promise.all(pages.map((p) => p.evaluate((name) => void window.hub.logEvent(name), `cycle-${cycle}`)));
    }
    await settled(pages);
    await pages[0]!.evaluate(() => window.hub.endSession());
    // Exactly 51, by the contract, however the commits interleave: every end finds a live session (the
    // ender's own event of the cycle before is committed ahead of its end) and no call of the test
    // ends one otherwise. An event of a cycle committed after the next cycle's end (they are not
    // awaited) starts the next session earlier, it adds none. Waited for until the counts stay put, so
    // a start or end arriving late (a session emitted by two tabs) is counted, not missed.
    await waitForQuiet(() => [startsOf().length, endsOf().length, eventsOf().length], (n) => n[1]! >= 51 && n[2]! >= 200, '51 session ends and 200 events');
    // Numbered 1 to 51 once each: two tabs that both emitted a start (seen under load: session 12
    // started three times, by three tabs, two never ended) show here as one number twice.
    expect(startsOf().map((s) => s.sessionIndex).sort((a, b) => a - b), 'session numbers').toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
    expect(eventsOf()).toHaveLength(200);
    expectEachSessionOnce(true);
    // CleverTap: one Session Concluded per session, but not one id per session. Events of a cycle are
    // not awaited, so a tab's event may commit after the next cycle's end and start the session after
    // it, leaving a session (under a second long) whose items went out from one tab only; the session
    // after it, started in the same second, then gets two ids from tabs whose ledgers differ
    // (docs/kits/clevertap.md, "Tabs agree, unless sessions start within a second"). Seen once in CI:
    // 13 of 51 sessions, commits slowed by a test running beside it.
    await expectVendorsOncePerSession(pages, false);
  }, 90_000);

  it('soloCommits: a tab alone commits in its own slot; tabs opened later take the session from there: 3 tabs, 450 increments, exactly 450', async () => {
    const increments = (page: Page, count: number, seed: number) =>
      page.evaluate(
        async ([count, seed]) => {
          let x = seed!;
          for (let n = 0; n < count!; n++) {
            window.hub.incrementSessionAttribute('n');
            x = (x * 1103515245 + 12345) % 2147483648;
            if (x % 3 === 0) await new Promise((done) => setTimeout(done, x % 7));
          }
        },
        [count, seed],
      );
    const first = await openTab('?solo');
    await increments(first, 50, 1);
    await settled([first]);
    // Alone: the shared record names the tab, and holds the session as it was when the tab became alone.
    const shared = await first.evaluate(() => JSON.parse(localStorage.getItem('sessionhub:shared')!) as { lone?: string; state: { session: { attributes: { n?: number } } } });
    expect(shared.lone).toMatch(/^0:[\da-f]{12}$/);
    expect(shared.state.session.attributes.n ?? 0).toBeLessThan(50);
    // A second tab opens while the first is idle: it has the session from the first tab's slot only.
    const others = [await openTab('?solo')];
    expect(await others[0]!.evaluate(() => window.hub.getSessionAttributes())).toEqual({ n: 50 });
    // A third opens while both commit (real localStorage propagation, real locks).
    const going = [increments(first, 150, 2), increments(others[0]!, 125, 3)];
    others.push(await openTab('?solo'));
    await Promise.all([...going, increments(others[1]!, 125, 4)]);
    const pages = [first, ...others];
    await settled(pages);
    await pages[1]!.evaluate(() => window.hub.endSession());
    await waitFor(() => endsOf().length > 0, 'the session end');
    expect(endsOf().map((e) => e.attributes)).toEqual([{ n: 450 }]);
    expectEachSessionOnce(true);
    await expectVendorsOncePerSession(pages);
  }, 60_000);

  it('soloCommits beside another tab: the tab in use commits in its own slot, one write per call, and the other tab follows it', async () => {
    const a = await openTab('?solo');
    const b = await openTab('?solo');
    // Pages of one context are all visible: each may commit in its slot once the record names it.
    expect(await Promise.all([a, b].map((p) => p.evaluate(() => document.visibilityState)))).toEqual(['visible', 'visible']);
    /** Writes of the other tab that `page` heard of (storage events), by key, the segments of a slot as one. */
    const heard = (page: Page) => page.evaluate(() => window.heard);
    const listen = (page: Page) =>
      page.evaluate(() => {
        window.heard = {};
        addEventListener('storage', (e) => {
          const key = (e.key ?? 'clear').replace(/:seg:\d+$/, ':seg');
          window.heard[key] = (window.heard[key] ?? 0) + 1;
        });
      });
    await listen(b);
    await a.evaluate(() => window.hub.incrementSessionAttribute('n'));
    await settled([a, b]);
    // Its first commit after the other tab's writes the shared record, naming it.
    expect((await heard(b))['sessionhub:shared']).toBeGreaterThanOrEqual(1);
    await b.evaluate(() => (window.heard = {}));
    for (let i = 0; i < 20; i++) {
      await a.evaluate(async (name) => {
        window.hub.logEvent(name);
        window.hub.incrementSessionAttribute('n');
        await window.hub.flush();
      }, `e${i}`);
    }
    const writes = await heard(b);
    expect(writes['sessionhub:shared'] ?? 0, 'writes of the shared record').toBe(0);
    expect(writes['sessionhub:tab0:seg'], 'writes of the tab slot').toBeGreaterThanOrEqual(20);
    // The other tab follows it without a write of its own: its synchronous answers are the session's.
    await expect.poll(() => b.evaluate(() => window.hub.getSession()?.eventIndex)).toBe(20);
    expect(await b.evaluate(() => window.hub.getSessionAttributes())).toEqual({ n: 21 });
    // The other tab's call takes the record (naming it), the first tab's next one takes it back; then in its slot again.
    expect(await b.evaluate(() => window.hub.incrementSessionAttribute('n'))).toBe(22);
    await settled([b]);
    await listen(a);
    expect(await a.evaluate(() => window.hub.incrementSessionAttribute('n'))).toBe(23);
    await settled([a]);
    await b.evaluate(() => (window.heard = {}));
    for (let i = 0; i < 5; i++) await a.evaluate(() => (window.hub.incrementSessionAttribute('n'), window.hub.flush()));
    expect((await heard(b))['sessionhub:shared'] ?? 0).toBe(0);
    // Those writes are patches of the first tab's record of before the other tab's call: followed all the same.
    await expect.poll(() => b.evaluate(() => window.hub.getSessionAttributes())).toEqual({ n: 28 });
    await b.evaluate(() => window.hub.endSession());
    await waitFor(() => endsOf().length > 0, 'the session end');
    expect(endsOf().map((e) => e.attributes)).toEqual([{ n: 28 }]);
    expect(eventsOf().map((e) => e.name)).toEqual(Array.from({ length: 20 }, (_, i) => `e${i}`));
    expectEachSessionOnce(true);
    await expectVendorsOncePerSession([a, b]);
  }, 60_000);

  it.each([
    ['soloCommits false', '?v1'],
    ['soloCommits, the default', '?v1&solo'],
  ])('tabs whose generateId makes UUID v1 ids (one node field per device) still have page ids of their own: 2 tabs × 100 increments, exactly 200, %s', async (_name, query) => {
    const pages = [await openTab(query), await openTab(query)];
    await Promise.all(
      pages.map((page) =>
        page.evaluate(async () => {
          for (let n = 0; n < 100; n++) {
            window.hub.incrementSessionAttribute('n');
            if (n % 10 === 0) await new Promise((done) => setTimeout(done, 3));
          }
        }),
      ),
    );
    await settled(pages);
    // Each page's commits carry its own id (`<page id>:<n>`): two pages, two ids.
    const writers = await pages[0]!.evaluate(() => (JSON.parse(localStorage.getItem('sessionhub:shared')!) as { writers: string[] }).writers);
    expect(new Set(writers.map((w) => w.slice(0, w.lastIndexOf(':')))).size).toBe(2);
    await pages[1]!.evaluate(() => window.hub.endSession());
    await waitFor(() => endsOf().length > 0, 'the session end');
    expect(endsOf().map((e) => e.attributes)).toEqual([{ n: 200 }]);
    expectEachSessionOnce(true);
  }, 60_000);

  // Chromium's back/forward cache (on, as in Chrome): a page that navigates away goes into the cache,
  // mid-commit or not, frozen, and comes back on "back", restored as it was (or, if Chromium evicted
  // it, loaded afresh: what it left at pagehide is committed by the tabs that stayed). A page leaves
  // no Web Lock held or requested behind it: before, Chromium kept a page frozen holding the state
  // lock, and every tab's commits waited for good (this test hung in 12 of 12 runs with Web Locks).
  // With Web Locks, an event a page logged just before it left was sometimes neither counted nor
  // delivered (5 of 100 runs over seeds 100–199; none by compare-and-set): another tab asking about a
  // lock the page still held as it went evicted it mid-task, before its pagehide
  // (browser-chromium-bfcache-locks.test.ts). A page with calls not committed now leaves at
  // beforeunload, holding no lock: 0 of the same 100, none with an event twice (docs/browser.md, "At
  // `beforeunload`"). Both paths check each event exactly once.
  it.each([
    ['Web Locks', ''],
    ['compare-and-set (no Web Locks)', '?cas'],
    ['Web Locks and soloCommits (the default: a visible page commits in its slot)', '?solo'],
  ])('3 tabs going away into the back/forward cache and back, with %s: each session once, each event once', async (_name, query) => {
    await browser.close();
    browser = await launchChromium({ backForwardCache: true });
    await browser.context.addInitScript(() => {
      const w = window as unknown as { restored: number };
      w.restored = 0;
      addEventListener('pageshow', (event) => void (event.persisted && w.restored++));
    });
    const random = seededRandom(query ? 31 : 30);
    const pages: Page[] = [];
    for (let i = 0; i < 3; i++) pages.push(await openTab(query));
    const away = new Set<Page>();
    const logged: string[] = [];
    let restored = 0;
    const back = async (page: Page): Promise<void> => {
      away.delete(page);
      await page.goBack({ waitUntil: 'commit' });
      // Restored as it was, or loaded afresh if Chromium evicted it.
      await page.waitForFunction(() => window.ready !== undefined);
      await page.evaluate(() => window.ready);
      restored += await page.evaluate(() => (window as unknown as { restored: number }).restored);
    };
    for (let step = 0; step < 40; step++) {
      const page = pages[Math.floor(random() * pages.length)]!;
      const action = random();
      if (away.has(page)) await back(page);
      else if (action < 0.6) {
        const name = `s${step}`;
        logged.push(name);
        // Logged, then at once (mid-commit) or a little later, maybe gone.
        await page.evaluate((name) => void window.hub.logEvent(name), name);
      } else {
        away.add(page);
        await page.goto('about:blank');
      }
      await sleep(Math.floor(random() * 60));
    }
    for (const page of [...away]) await back(page);
    await settled(pages);
    // Pages back from the cache heard no write while away: they answer as the others do (each commits its return, reading the record).
    logged.push(...(await expectSameAnswers(pages)));
    await pages[0]!.evaluate(() => window.hub.endSession());
    await settled(pages);
    await waitFor(() => eventsOf().length >= logged.length && endsOf().length >= startsOf().length, 'every event and session end');
    await sleep(300);
    expect(eventsOf().map((e) => e.name).sort(), 'each event once').toEqual([...logged].sort());
    expectEachSessionOnce(true);
    // The path ran: pages came back from the cache (18 to 31 of this run's returns, measured).
    expect(restored).toBeGreaterThan(0);
  }, 60_000);

  // The common life of a site: one tab going from page to page and back. The page left holds no Web
  // Lock the next page asks about while it goes (it gives its slot up at beforeunload with a commit
  // under way, at pagehide without), so Chromium keeps it in its back/forward cache every time: a
  // page not restored for a reason of the page (an unload listener, a lock held, a connection open,
  // any reason not known to be the browser's own) fails. Under load CI twice saw it loaded afresh
  // instead; for a reason of the browser's own (BROWSER_NOT_RESTORED_REASONS) the page, loaded afresh, must go on
  // with the same session, its pending event delivered once (checked at the end), and the step is
  // tried again until the page is restored, twice in a run at most.
  it.each([
    ['Web Locks', ''],
    ['compare-and-set (no Web Locks)', '?cas'],
    ['Web Locks and soloCommits (the default)', '?solo'],
  ])('one tab going to another page of the site and back, with %s: restored from the cache every time, an event pending or not; each event once', async (_name, query) => {
    await browser.close();
    browser = await launchChromium({ backForwardCache: true });
    const page = await openTab(query);
    const logged: string[] = [];
    const missed: string[] = [];
    for (let i = 0; i < 6; i++) {
      for (let attempt = 1; ; attempt++) {
        const session = await page.evaluate(() => window.hub.getSession()?.id);
        // A mark in the page's memory: still there when back only if the page was restored, not loaded afresh.
        await page.evaluate((i) => void ((window as unknown as { mark: number }).mark = i), i);
        if (i % 2) {
          const name = attempt == 1 ? `n${i}` : `n${i}-again${attempt}`;
          logged.push(name);
          await page.evaluate((name) => void window.hub.logEvent(name), name);
        }
        await page.goto(origin + '/next' + query);
        await page.evaluate(() => window.ready);
        await page.goBack({ waitUntil: 'commit' });
        await page.waitForFunction(() => window.ready !== undefined);
        // Loaded afresh instead: Chromium says why it did not restore the page (notRestoredReasons, Chrome 123+).
        const [mark, reasons] = await page.evaluate(() => {
          const entry = performance.getEntriesByType('navigation')[0] as unknown as { notRestoredReasons?: { reasons?: { reason: string }[] } | null };
          return [(window as unknown as { mark?: number }).mark, (entry?.notRestoredReasons?.reasons ?? []).map((r) => r.reason)] as const;
        });
        if (mark === i) break;
        const why = `not restored after navigation ${i}, attempt ${attempt}, because: ${JSON.stringify(reasons)}`;
        // Not `weblocks-contention`: it came at the navigation right after an event with soloCommits in 1
        // of 2 .ci/runs of round twenty-eight (and `masked` in the other), from a lock the page asked for
        // after beforeunload, granted once it was frozen in the cache; a page that left asks for none now
        // (browser-chromium-bfcache-navigation.test.ts; docs/browser.md).
        expect(reasons.length > 0 && reasons.every((r) => BROWSER_NOT_RESTORED_REASONS.has(r)), `a reason of the page, or none given: ${why}`).toBe(true);
        // Twice in a run at most: a page that blocks the cache every time, even one Chromium reports as
        // `masked`, fails here (an unload listener does, measured), and so does one that blocks it often.
        expect(missed.length, `${why}; misses before it: ${JSON.stringify(missed)}`).toBeLessThan(2);
        missed.push(why);
        // Loaded afresh within the timeout (resumeOnRelaunch): the same session goes on.
        await page.evaluate(() => window.ready);
        expect(await page.evaluate(() => window.hub.getSession()?.id), `the session after a fresh load: ${why}`).toBe(session);
      }
    }
    if (missed.length) console.warn(`back/forward cache (${_name}): ${missed.join('; ')}`);
    await settled([page]);
    await page.evaluate(() => window.hub.endSession());
    await settled([page]);
    await waitFor(() => eventsOf().length >= logged.length && endsOf().length >= startsOf().length, 'every event and session end');
    await sleep(300);
    expect(eventsOf().map((e) => e.name).sort()).toEqual([...logged].sort());
    expectEachSessionOnce(true);
    expect(startsOf(), 'one session all along').toHaveLength(1);
  }, 60_000);

  // A navigation that never happens (a 204 answer, as for a download) after the page made its commit
  // durable at beforeunload and gave its place up: it is back at its next call, or on its own 5 s later.
  it.each([
    ['soloCommits false', ''],
    ['soloCommits, the default', '?solo'],
  ])('a page whose navigation does not happen after beforeunload (a 204) goes on: each event once, %s', async (_name, query) => {
    const [a, b] = [await openTab(query), await openTab(query)];
    await a.route('**/no-content', (route) => route.fulfill({ status: 204 }));
    const stay = async (name: string): Promise<void> => {
      await a.evaluate((name) => {
        window.hub.logEvent(name);
        location.href = '/no-content';
      }, name);
      // The navigation's beforeunload came, and the 204 left the page where it was: it holds no slot lock now, B holds its own.
      await sleep(300);
      expect(await a.evaluate(() => location.pathname)).toBe('/');
      expect(await slotLocks()).toBe(1);
    };
    const slotLocks = (): Promise<number> => a.evaluate(async () => ((await navigator.locks.query()).held ?? []).filter((l) => l.name?.startsWith('sessionhub:slot:')).length);
    await stay('left');
    await a.evaluate(() => window.hub.logEvent('after, at once'));
    await stay('left again');
    // Away until its next call or 5 s, it answers with its own calls on the record it left.
    expect((await a.evaluate(() => window.hub.getSession()))!.eventIndex).toBe(3);
    await sleep(5_500);
    // Back on its own, it answers with the session as the other tab committed it meanwhile, its own
    // last event included (it heard of no write while it was away).
    const [sessionA, sessionB] = await Promise.all([a, b].map((p) => p.evaluate(() => window.hub.getSession())));
    expect(sessionA).toEqual(sessionB);
    expect(sessionA!.eventIndex).toBe(3);
    await a.evaluate(() => window.hub.logEvent('after, 5 s later'));
    await settled([a, b]);
    await b.evaluate(() => window.hub.endSession());
    await settled([a, b]);
    await waitFor(() => eventsOf().length >= 4 && endsOf().length >= startsOf().length, 'every event and session end');
    await sleep(300);
    expect(eventsOf().map((e) => e.name).sort()).toEqual(['after, 5 s later', 'after, at once', 'left', 'left again']);
    expectEachSessionOnce(true);
    // Back in its place: it holds its slot's Web Lock again.
    expect(await slotLocks()).toBe(2);
  }, 60_000);

  it.each([
    ['soloCommits false', ''],
    ['soloCommits, the default', '?solo'],
  ])('random events, reloads and closes across 5 tabs end no session twice, %s', async (_name, query) => {
    const openTab = (): Promise<Page> => openReadyPage(browser.context, origin + '/' + query);
    const random = seededRandom(20);
    const pages: Page[] = [];
    for (let i = 0; i < 5; i++) pages.push(await openTab());
    for (let step = 0; step < 30; step++) {
      const i = Math.floor(random() * pages.length);
      const page = pages[i]!;
      const action = random();
      if (action < 0.5) {
        await Promise.all(pages.map((p, j) => p.evaluate((name) => void window.hub.logEvent(name), `s${step}-t${j}`)));
      } else if (action < 0.7) {
        await page.evaluate(() => window.hub.endSession());
      } else if (action < 0.85) {
        await page.reload();
        await page.evaluate(() => window.ready);
      } else {
        // Closed once its requests were answered. A page closed with a request under way has that
        // batch sent again by the tab that takes its slot (delivery is at-least-once: a page-hide
        // request's answer never reaches a closed page, and removing its items before the answer
        // would lose them whenever that request failed; docs/delivery.md, "At-least-once and
        // duplicates"), which this test, about the shared session, would count as a session twice.
        await page.evaluate(() => window.hub.flush());
        await page.close({ runBeforeUnload: true });
        pages[i] = await openTab();
      }
    }
    await settled(pages);
    await expectSameAnswers(pages);
    await pages[0]!.evaluate(() => window.hub.endSession());
    await settled(pages);
    await sleep(500);
    expectEachSessionOnce(true);
    // Not checked here: that every CleverTap \`s\` is concluded. With reloads and closes, a tab whose
    // kit ledger already used the second a session started in gives that session another \`s\` (the
    // kit's nextSessionId takes its own last + 1), so one session can reach CleverTap under two ids
    // (measured: 1 of this run's sessions). That is the CleverTap kit's per-tab ledger, not the
    // shared session, whose ends are checked above: one Session Concluded per session.
    await expectVendorsOncePerSession(pages, false);
  }, 60_000);
});
