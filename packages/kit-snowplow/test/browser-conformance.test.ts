/**
 * Conformance with Snowplow's browser tracker, in real Chromium: the same scenario is played by
 * `@snowplow/browser-tracker` (the pinned devDependency) and by the kit under `createBrowserHub`, on
 * one fake clock (Playwright's `page.clock`), each in its own origin, their requests captured with
 * `page.route` and answered locally. Both streams are validated against the Iglu schemas, then
 * compared field by field: the tracker-protocol fields and the `client_session` entity, with ids
 * replaced by their order of appearance (E1, S1, U1 …) and times by their offset from the start.
 * Every difference must be listed in docs/kits/snowplow.md ("Differences from the browser
 * tracker"), and every listed difference must still occur.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page, Request, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type TestBrowser } from '@sessionhub/testing/chromium';
import { clientSession, decodeTrackerRequest, type DecodedEvent } from './iglu-validator';
import { asHttp, bundle } from './pages';

const DOCS = fileURLToPath(new URL('../../../docs/kits/snowplow.md', import.meta.url));
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const SONG = 'iglu:com.acme/song_played/jsonschema/1-0-0';
const TIMEOUT_S = 1800;
/** Fake time a page load is given (its real time must be shorter). */
const LOAD_MS = 10_000;

/** The scenario: steps of calls, each step named (the docs' table names steps). */
type Call =
  | { readonly do: 'se'; readonly name: string; readonly category: string; readonly label?: string; readonly value?: number }
  | { readonly do: 'ue'; readonly data: Readonly<Record<string, unknown>> }
  | { readonly do: 'newSession' }
  | { readonly do: 'setUser'; readonly id: string }
  | { readonly do: 'wait'; readonly ms: number }
  | { readonly do: 'reload' };

const SCENARIO: readonly (readonly [step: string, calls: readonly Call[]])[] = [
  ['events', [
    { do: 'wait', ms: 1000 },
    { do: 'se', name: 'play', category: 'media', label: 'intro', value: 2.5 },
    { do: 'wait', ms: 1000 },
    { do: 'ue', data: { genre: 'jazz', seconds: 42 } },
  ]],
  ['gap past the timeout', [{ do: 'wait', ms: (TIMEOUT_S + 60) * 1000 }, { do: 'se', name: 'play', category: 'media' }]],
  ['new session', [{ do: 'wait', ms: 1000 }, { do: 'newSession' }, { do: 'ue', data: { genre: 'pop', seconds: 7 } }]],
  ['relaunch', [{ do: 'wait', ms: 1000 }, { do: 'reload' }, { do: 'wait', ms: 1000 }, { do: 'se', name: 'play', category: 'media', value: 3 }]],
  ['user change', [
    { do: 'setUser', id: 'user-1' },
    { do: 'se', name: 'play', category: 'media' },
    { do: 'wait', ms: 1000 },
    { do: 'setUser', id: 'user-2' },
    { do: 'ue', data: { genre: 'rock', seconds: 1 } },
  ]],
];

/**
 * The tracker's session state in localStorage, where its expiry follows the page's (fake) clock;
 * cookies expire by the browser's real clock.
 */
const IN_LOCAL_STORAGE = "stateStorageStrategy: 'localStorage',";
/**
 * The tracker's default state storage (cookies and localStorage); its cookies are Secure by
 * default, which a locally answered page cannot keep (a real site is served over https).
 */
const IN_COOKIES = 'cookieSecure: false,';

/** What each page exposes: one function per call, run in the page. */
interface Driver {
  ready(): Promise<void>;
  se(name: string, category: string, label?: string, value?: number): void;
  ue(data: Record<string, unknown>): void;
  newSession(): void;
  setUser(id: string): void;
  flush(): Promise<void>;
  /** The kit's page only: hub.reset(), and the hub's device id. */
  reset?(): Promise<void>;
  deviceId?(): string | null;
}
declare global {
  interface Window {
    driver: Driver;
  }
}

const trackerPage = (storage: string) => `
import { newTracker, trackStructEvent, trackSelfDescribingEvent, newSession, setUserId, flushBuffer } from '@snowplow/browser-tracker';
newTracker('sp', location.origin, {
  appId: 'app',
  contexts: { session: true },
  ${storage}
});
window.driver = {
  ready: async () => {},
  se: (action, category, label, value) => trackStructEvent({ category, action, label, value }),
  ue: (data) => trackSelfDescribingEvent({ event: { schema: '${SONG}', data } }),
  newSession: () => newSession(),
  setUser: (id) => setUserId(id),
  flush: async () => flushBuffer(),
};
`;

const KIT_PAGE = `
import { createBrowserHub } from '@sessionhub/core/browser';
import { snowplowKit } from '../src/index';
const hub = createBrowserHub({
  kits: [snowplowKit({ collectorUrl: location.origin, appId: 'app', namespace: 'sp', events: { song_played: '${SONG}' } })],
});
const started = hub.start();
window.driver = {
  ready: () => started,
  se: (name, category, label, value) => hub.logEvent(name, { category, label, value }),
  ue: (data) => hub.logEvent('song_played', data),
  newSession: () => hub.startNewSession(),
  setUser: (id) => hub.setUser(id),
  flush: () => hub.flush(),
  reset: () => hub.reset(),
  deviceId: () => hub.getDeviceId(),
};
`;

interface Captured {
  readonly step: string;
  readonly request: Request;
}

/** Plays the scenario in a fresh page of `origin` running `script`; returns the collector's requests, each with the step it was sent in. */
async function play(browser: TestBrowser, origin: string, script: string): Promise<{ step: string; events: DecodedEvent[] }[]> {
  const page: Page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  let step = '';
  const captured: Captured[] = [];
  await page.route(`${origin}/**`, async (route) => {
    const request = route.request();
    const path = new URL(request.url()).pathname;
    if (path === '/com.snowplowanalytics.snowplow/tp2') {
      captured.push({ step, request });
      return route.fulfill({ status: 200, body: '' });
    }
    if (path === '/app.js') return route.fulfill({ status: 200, contentType: 'text/javascript', body: script });
    return route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><meta charset="utf-8"><title>t</title><script src="/app.js"></script>' });
  });
  // Loading needs time to flow (the hub starts with timers); then it moves only when the scenario
  // says so, the same in both runs: a load takes less than LOAD_MS of real time.
  let now = T0;
  const load = async (reload: boolean) => {
    await page.clock.resume();
    await (reload ? page.reload() : page.goto(origin + '/'));
    await page.evaluate(() => window.driver.ready());
    await page.clock.pauseAt((now += LOAD_MS));
  };
  await page.clock.install({ time: T0 });
  await load(false);
  const settle = async () => {
    // (Not awaited in the page: a paused clock holds the hub's commit timers until runFor.)
    await page.evaluate(() => void window.driver.flush());
    for (let i = 0; i < 5; i++) await page.clock.runFor(20);
    now += 100;
    // Requests are answered by the route handler in this process: let them land.
    await page.waitForTimeout(50);
  };
  for (const [name, calls] of SCENARIO) {
    step = name;
    for (const call of calls) {
      if (call.do === 'wait') await page.clock.runFor(call.ms), (now += call.ms);
      else if (call.do === 'reload') {
        await settle();
        await load(true);
      } else {
        await page.evaluate((c) => {
          const d = window.driver;
          if (c.do === 'se') d.se(c.name, c.category, c.label, c.value);
          else if (c.do === 'ue') d.ue(c.data as Record<string, unknown>);
          else if (c.do === 'newSession') d.newSession();
          else if (c.do === 'setUser') d.setUser(c.id);
        }, call);
      }
    }
    await settle();
  }
  await page.close();
  expect(errors).toEqual([]);
  return captured.map(({ step: s, request }) => ({
    step: s,
    events: decodeTrackerRequest(asHttp(request)),
  }));
}

/** The kit's session start and end events, which the tracker has no counterpart of. */
const isSessionEvent = (item: Readonly<Record<string, string>>): boolean => item.se_ca === 'sessionhub' && /^session_(start|end)$/.test(item.se_ac ?? '');

/** One event as compared: field → value, ids and times normalized. */
type Flat = Record<string, string>;

/** Flattens a stream: protocol fields, the event, the entities' schemas and client_session's fields; ids by order of appearance, times from T0, the origin as ORIGIN. */
function normalize(stream: { step: string; events: DecodedEvent[] }[], origin: string): { step: string; flat: Flat }[] {
  const ids = new Map<string, string>();
  const counters: Record<string, number> = {};
  const id = (kind: string, value: unknown): string => {
    if (value == null || value === '') return String(value);
    const known = ids.get(String(value));
    if (known) return known;
    const name = kind + (counters[kind] = (counters[kind] ?? 0) + 1);
    ids.set(String(value), name);
    return name;
  };
  const out: { step: string; flat: Flat }[] = [];
  const seen = new Set<string>();
  for (const { step, events } of stream) {
    for (const ev of events) {
      // A resent event (a request timed out on the fake clock while its answer was on the way) is the same event: the pipeline deduplicates it by eid.
      if (seen.has(ev.item.eid!)) continue;
      seen.add(ev.item.eid!);
      const flat: Flat = {};
      for (const [key, value] of Object.entries(ev.item)) {
        if (key === 'co' || key === 'cx' || key === 'ue_pr' || key === 'ue_px') continue;
        flat[key] =
          // (Events only the kit sends are numbered apart, so the compared ones keep the tracker's numbers.)
          key === 'eid' ? id(isSessionEvent(ev.item) ? 'K' : 'E', value) :
          key === 'sid' ? id('S', value) :
          key === 'duid' ? id('U', value) :
          key === 'dtm' ? 'T0+' + (Number(value) - T0) :
          key === 'stm' ? 'sent' :
          key === 'url' || key === 'refr' ? value.replace(origin, 'ORIGIN') :
          value;
      }
      flat.co = ev.entities.map((e) => e.schema.replace('iglu:com.snowplowanalytics.snowplow/', '')).join(' ');
      if (ev.event) flat.ue = JSON.stringify(ev.event);
      const cs = clientSession(ev);
      if (cs) {
        for (const [key, value] of Object.entries(cs)) {
          flat['client_session.' + key] =
            key === 'userId' ? id('U', value) :
            key === 'sessionId' || key === 'previousSessionId' ? id('S', value) :
            key === 'firstEventId' ? id('E', value) :
            key === 'firstEventTimestamp' && typeof value === 'string' ? 'T0+' + (Date.parse(value) - T0) :
            JSON.stringify(value);
        }
      }
      out.push({ step, flat });
    }
  }
  return out;
}

let browser: TestBrowser;
let tracker: { step: string; flat: Flat }[];
let kit: { step: string; flat: Flat }[];
/** The kit's session events, apart from the compared ones. */
let sessionEvents: { step: string; flat: Flat }[];
let adoption: { tracker: DecodedEvent[]; kit: DecodedEvent[]; reset: ResetRun };


/** Waits (real time) until `done()`, at most 5 s. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  if (!done()) throw new Error('the collector got nothing');
}

/**
 * A site moving off the tracker: a page of the origin runs the tracker with its defaults (its state
 * in the `_sp_id` cookie) and tracks an event; the next page runs the kit, which adopts that user.
 */
async function moveOff(cookieTrackerScript: string, kitScript: string): Promise<{ tracker: DecodedEvent[]; kit: DecodedEvent[]; reset: ResetRun }> {
  const origin = 'http://moving.test';
  const page = await browser.context.newPage();
  // (The clock is the browser context's: let it flow again.)
  await page.clock.resume();
  const sent: Request[] = [];
  const answer = async (route: Route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/com.snowplowanalytics.snowplow/tp2') return sent.push(route.request()), route.fulfill({ status: 200, body: '' });
    if (path.endsWith('.js')) return route.fulfill({ contentType: 'text/javascript', body: path === '/tracker.js' ? cookieTrackerScript : kitScript });
    return route.fulfill({ contentType: 'text/html', body: `<!doctype html><script src="${path.replace('.html', '.js')}"></script>` });
  };
  await page.route(`${origin}/**`, answer);
  const decoded = () => sent.splice(0).flatMap((r) => decodeTrackerRequest(asHttp(r)));
  await page.goto(origin + '/tracker.html');
  await page.evaluate(() => window.driver.se('play', 'media'));
  await until(() => sent.length === 1);
  const trackerEvents = decoded();
  await page.goto(origin + '/kit.html');
  await page.evaluate(async () => {
    await window.driver.ready();
    window.driver.se('play', 'media');
    await window.driver.flush();
  });
  await until(() => sent.length > 0);
  const kitEvents = decoded();
  // hub.reset(): the adopted user must not come back, in this page, after a reload, nor in another tab.
  const device = await page.evaluate(async () => {
    await window.driver.reset!();
    window.driver.se('after_reset', 'media');
    await window.driver.flush();
    return window.driver.deviceId!();
  });
  const cookie = await page.evaluate(() => document.cookie);
  await page.reload();
  const other = await browser.context.newPage();
  await other.route(`${origin}/**`, answer);
  for (const p of [page, other]) {
    if (p === other) await p.goto(origin + '/kit.html');
    await p.evaluate(async () => {
      await window.driver.ready();
      window.driver.se('after_reset', 'media');
      await window.driver.flush();
    });
  }
  await until(() => decodedCount(sent) >= 3);
  await other.close();
  await page.close();
  return { tracker: trackerEvents, kit: kitEvents, reset: { device: device!, cookie, events: decoded().filter((e) => e.item.se_ac === 'after_reset') } };
}

/** What the kit sent after hub.reset() in the moving page, then after a reload, then in a second tab. */
interface ResetRun {
  readonly device: string;
  /** document.cookie right after the reset. */
  readonly cookie: string;
  readonly events: DecodedEvent[];
}

const decodedCount = (sent: Request[]): number => sent.flatMap((r) => decodeTrackerRequest(asHttp(r))).filter((e) => e.item.se_ac === 'after_reset').length;

beforeAll(async () => {
  const [trackerScript, cookieTrackerScript, kitScript] = await Promise.all([bundle(trackerPage(IN_LOCAL_STORAGE)), bundle(trackerPage(IN_COOKIES)), bundle(KIT_PAGE)]);
  browser = await launchChromium();
  tracker = normalize(await play(browser, 'http://tracker.test', trackerScript), 'http://tracker.test');
  const kitEvents = normalize(await play(browser, 'http://kit.test', kitScript), 'http://kit.test');
  sessionEvents = kitEvents.filter((e) => isSessionEvent(e.flat));
  kit = kitEvents.filter((e) => !isSessionEvent(e.flat));
  adoption = await moveOff(cookieTrackerScript, kitScript);
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/** A documented difference: in which step (or every one) which fields differ. */
interface Listed {
  readonly step: string;
  readonly fields: readonly string[];
}

/** The rows of the docs' table "Differences from the browser tracker": step, then the fields in backticks. */
function listedDifferences(): Listed[] {
  const text = readFileSync(DOCS, 'utf8');
  const start = text.indexOf('### Differences from the browser tracker');
  expect(start, 'docs/kits/snowplow.md has a "Differences from the browser tracker" section').toBeGreaterThan(0);
  const lines = text.slice(start).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const after = lines.findIndex((l, i) => i > first && !l.startsWith('|'));
  return lines.slice(first + 2, after).map((row) => {
    const [step, fields] = row.split('|').slice(1, 3).map((c) => c.trim());
    return { step: step!, fields: [...fields!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!) };
  });
}

const EVERY = 'every event';
/** Rows of this step name events only the kit sends (by `se_ac`, category `sessionhub`); the others are compared. */
const KIT_ONLY = 'every session';

describe('the kit against @snowplow/browser-tracker in Chromium', () => {
  it('sends the events only it sends, as listed: its session events, one start per session, one end per ended one', () => {
    const kitOnly = listedDifferences().filter((r) => r.step === KIT_ONLY).flatMap((r) => r.fields);
    expect(kitOnly).toEqual(['session_start', 'session_end']);
    const starts = sessionEvents.filter((e) => e.flat.se_ac === 'session_start');
    const ends = sessionEvents.filter((e) => e.flat.se_ac === 'session_end');
    expect(starts.map((e) => e.flat['client_session.sessionId'])).toEqual(['S1', 'S2', 'S3', 'S4']);
    expect(ends.map((e) => e.flat['client_session.sessionId'])).toEqual(['S1', 'S2', 'S3']);
    expect(sessionEvents.every((e) => kitOnly.includes(e.flat.se_ac!))).toBe(true);
  });

  it('plays the same events, in the same steps', () => {
    expect(kit.map((e) => e.step)).toEqual(tracker.map((e) => e.step));
    expect(tracker.map((e) => e.flat.e)).toEqual(['se', 'ue', 'se', 'ue', 'se', 'se', 'ue']);
    expect(kit.map((e) => e.flat.e)).toEqual(tracker.map((e) => e.flat.e));
  });

  it('sends the same tracker-protocol fields and client_session, but for the differences the docs list; each listed one occurs', () => {
    const listed = listedDifferences();
    const steps = new Set(SCENARIO.map(([step]) => step));
    for (const row of listed) expect(row.step === EVERY || row.step === KIT_ONLY || steps.has(row.step), `docs list a step "${row.step}" the scenario does not have`).toBe(true);
    const found = new Set<string>();
    const unlisted: string[] = [];
    kit.forEach(({ step, flat }, i) => {
      const theirs = tracker[i]!.flat;
      for (const field of new Set([...Object.keys(flat), ...Object.keys(theirs)])) {
        if (flat[field] === theirs[field]) continue;
        const row = listed.find((r) => (r.step === EVERY || r.step === step) && r.fields.includes(field));
        if (row) found.add(row.step + ':' + field);
        else unlisted.push(`${step}, event ${i + 1}: ${field}: tracker ${theirs[field] ?? '(none)'}, kit ${flat[field] ?? '(none)'}`);
      }
    });
    expect(unlisted, 'differences not listed in docs/kits/snowplow.md').toEqual([]);
    const stale = listed.filter((r) => r.step !== KIT_ONLY).flatMap((r) => r.fields.filter((f) => !found.has(r.step + ':' + f)).map((f) => `${r.step}: ${f}`));
    expect(stale, 'differences listed in docs/kits/snowplow.md that no longer occur').toEqual([]);
  });

  it('the kit\'s sessions are the browser tracker\'s where the docs list no difference: same ids in sid and client_session, same index in vid', () => {
    for (const { flat } of [...kit, ...sessionEvents]) {
      expect(flat.sid).toBe(flat['client_session.sessionId']);
      expect(flat.vid).toBe(flat['client_session.sessionIndex']);
      expect(flat.duid).toBe(flat['client_session.userId']);
    }
    expect(new Set(kit.map((e) => e.flat.sid))).toEqual(new Set(['S1', 'S2', 'S3', 'S4']));
  });
});

describe('moving off the browser tracker, in Chromium', () => {
  it('the kit adopts the user of the tracker\'s _sp_id cookie: its domain user id, and its visits counted on in the session index', () => {
    const [before] = adoption.tracker;
    const after = adoption.kit.find((e) => e.item.e === 'se')!;
    expect(before!.item.duid).toMatch(/^[\da-f-]{36}$/);
    expect(after.item.duid).toBe(before!.item.duid);
    expect(clientSession(after)?.userId).toBe(before!.item.duid);
    expect(Number(after.item.vid)).toBe(Number(before!.item.vid) + 1);
    expect(clientSession(after)?.sessionIndex).toBe(Number(after.item.vid));
    expect(after.item.sid).not.toBe(before!.item.sid); // a new session, SessionHub's
  });

  it('after hub.reset() the adopted user is gone for good: its cookie is expired, and the page, a reload and another tab send the new device id', () => {
    const adopted = adoption.tracker[0]!.item.duid;
    const { device, cookie, events } = adoption.reset;
    expect(cookie).not.toMatch(/_sp_id\./);
    expect(events).toHaveLength(3);
    for (const e of events) {
      expect(e.item.duid).toBe(device);
      expect(e.item.duid).not.toBe(adopted);
      expect(clientSession(e)?.userId).toBe(device);
      expect(e.item.vid).toBe('1'); // numbering restarts: no visits carried over
    }
  });
});
