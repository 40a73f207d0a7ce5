/**
 * Runs CleverTap's real web SDK (the pinned `clevertap-web-sdk` devDependency) in Chromium with
 * Playwright's fake clock, answers its JSONP requests locally (no network) as CleverTap's servers
 * answer them (`$WZRK_WR.s(guid, session, resume, requestNumber)`), and decodes each request's `d`
 * (LZ-string base64, the SDK's `compressToBase64`). The SDK logs every payload before compressing it
 * (`dobj:`): each decoded payload is checked against that log, so the decoding is the SDK's own.
 * The same origin can then load SessionHub with the kit (a site moving off the SDK), whose `/a1`
 * uploads are captured too.
 *
 * Two things make the SDK's session cookie real here:
 * - Chromium's cookie jar expires cookies by the real clock, not the page's: the SDK writes
 *   `WZRK_S_<accountId>` with `expires` = its clock + 20 minutes, so a page clock set in the past
 *   (more than 20 minutes before the real time) makes Chromium drop the cookie as it is written.
 *   The page clock starts at the real time (and only moves forward from there).
 * - The SDK stamps the cookie's `t` when it reads its server's answer: answers are held until the
 *   clock stops ({@link Site.settle}), so the page reads them at a known instant, not somewhere
 *   within a jump of the fake clock.
 */
import { launchChromium } from '@sessionhub/testing/chromium';
import { build } from 'esbuild';
import LZString from 'lz-string';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { BrowserContext, Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const SDK = readFileSync(require.resolve('clevertap-web-sdk/clevertap.js'), 'utf8');
export const SDK_VERSION = (JSON.parse(readFileSync(require.resolve('clevertap-web-sdk/package.json'), 'utf8')) as { version: string }).version;

/** SessionHub's browser hub and the kit, from their sources. */
const KIT = build({
  stdin: {
    contents: `import { createBrowserHub } from '@sessionhub/core/browser'; import { clevertapKit } from '../../src/index';
      window.SessionHubTest = { createBrowserHub, clevertapKit };`,
    resolveDir: new URL('.', import.meta.url).pathname,
    loader: 'ts',
  },
  bundle: true,
  write: false,
  format: 'iife',
  platform: 'browser',
  target: 'es2020',
  conditions: ['@sessionhub/source', 'module'],
  logLevel: 'silent',
}).then((r) => r.outputFiles[0]!.text);

/** One request the SDK sent, decoded. */
export interface WebSdkRequest {
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly payload: Record<string, unknown>;
  /** The guid the (local) server answered with. */
  readonly answeredGuid: string;
  /** The session id the (local) server answered with. */
  readonly answeredSession: number;
}

/** One `/a1` upload of the kit: its query and its body, `[meta, ...items]`. */
export interface KitUpload {
  readonly query: Readonly<Record<string, string>>;
  readonly body: [Record<string, unknown>, ...Record<string, unknown>[]];
}

/** A step of a scenario, in the SDK's API. */
export type WebStep =
  | { readonly t: 'event'; readonly name: string; readonly data?: Record<string, string | number | boolean> }
  | { readonly t: 'login'; readonly identity: string }
  | { readonly t: 'logout' }
  | { readonly t: 'wait'; readonly ms: number };

/** An origin in Chromium whose pages run the SDK or the kit; what they sent. */
export interface Site {
  readonly page: Page;
  readonly origin: string;
  /** The SDK's requests, decoded (checked against its log by {@link Site.checkDecoding}). */
  readonly requests: (WebSdkRequest & { payload: { _text?: string } })[];
  readonly uploads: KitUpload[];
  /** Moves the page clock `ms` forward, answering requests as they come. */
  advance(ms: number): Promise<void>;
  /** Answers every request the page has made, and returns once the page has read the answers. */
  settle(): Promise<void>;
  /** Loads a page of the site with the SDK set up as CleverTap documents it. */
  loadSdk(): Promise<void>;
  /** Plays steps in the SDK's API (each followed by 3 s). */
  play(steps: readonly WebStep[]): Promise<void>;
  /**
   * Loads a page of the site with SessionHub and the kit instead, and starts its hub (`window.hub`);
   * with the hub option `beforeSend` when the page defines `window.beforeSend` (an init script).
   */
  loadKit(): Promise<void>;
  /** Runs the page's `hub.flush()` to its end, answering its uploads. */
  flush(): Promise<void>;
  /** Throws unless every decoded payload is one the SDK logged before compressing it. */
  checkDecoding(): void;
}

/**
 * Installed before every page's scripts: counts the requests to CleverTap still without an answer
 * (the SDK's JSONP scripts, the kit's fetches), so the test knows when the page has read every answer.
 */
function countRequests(): void {
  const w = window as unknown as { ctPending: number };
  w.ctPending = 0;
  new MutationObserver((changes) => {
    for (const c of changes) for (const n of c.addedNodes) if (n instanceof HTMLScriptElement && n.src.includes('clevertap-prod.com/')) w.ctPending++;
  }).observe(document, { childList: true, subtree: true });
  const fetch = window.fetch;
  window.fetch = function (...args: Parameters<typeof fetch>) {
    w.ctPending++;
    return fetch.apply(this, args).finally(() => w.ctPending--);
  };
}

const clocks = new WeakSet<BrowserContext>();

/** The page's warnings and errors (console and uncaught), as they come: a kit's warnings name what it left out. */
export function pageWarnings(page: Page): string[] {
  const warnings: string[] = [];
  page.on('console', (m) => void (m.type() == 'warning' || m.type() == 'error' ? warnings.push(m.text()) : undefined));
  page.on('pageerror', (e) => warnings.push(`pageerror: ${e.message}`));
  return warnings;
}

/**
 * Opens `origin` (a new one per scenario: nothing stored by another is seen) in a new page of
 * `context`, its clock paused at `start` (epoch ms, not before the real time: see above; each site
 * of a context later than the one before).
 */
export async function openSite(context: BrowserContext, origin: string, accountId: string, start: number): Promise<Site> {
  const page = await context.newPage();
  const requests: Site['requests'] = [];
  const uploads: KitUpload[] = [];
  const held: (() => Promise<void>)[] = [];
  const logged = new Set<string>();
  const byIdentity = new Map<string, string>();
  let guids = 0;
  const lastSeen = new Map<string, [session: number, at: number]>();
  page.on('console', (m) => {
    const text = m.text();
    const at = text.indexOf('dobj:');
    if (at >= 0) logged.add(text.slice(at + 5));
  });
  await page.route(`${origin}/**`, async (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path == '/ct.js') return route.fulfill({ contentType: 'text/javascript', body: SDK });
    if (path == '/kit.js') return route.fulfill({ contentType: 'text/javascript', body: await KIT });
    return route.fulfill({ contentType: 'text/html', body: `<!doctype html><html><head>${path == '/kit.html' ? '<script src="/kit.js"></script>' : ''}</head><body>shop</body></html>` });
  });
  await page.route('https://*.clevertap-prod.com/**', async (route) => {
    const request = route.request();
    const url = new URL(request.url());
    const query = Object.fromEntries(url.searchParams);
    const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*', 'access-control-allow-methods': 'POST' };
    if (request.method() == 'OPTIONS') return route.fulfill({ status: 204, headers: cors });
    if (url.pathname == '/a1') {
      uploads.push({ query, body: JSON.parse(request.postData() ?? '[]') as KitUpload['body'] });
      held.push(() => route.fulfill({ status: 200, contentType: 'application/json', headers: cors, body: '{}' }));
      return;
    }
    const d = query.d;
    const text = d ? LZString.decompressFromBase64(d) : '{}';
    const payload = JSON.parse(text) as Record<string, unknown>;
    // CleverTap's answer: the guid of the request, or for a sign-in switching profiles (isOUL) the
    // identity's guid; the session of the request, or a new one (its second) when it has none.
    const identity = (payload.profile as { Identity?: string } | undefined)?.Identity;
    let guid = (payload.isOUL ? undefined : ((payload.g as string | undefined) ?? query.gc)) ?? (identity && byIdentity.get(identity));
    guid ||= `g${++guids}`;
    if (identity) byIdentity.set(identity, guid);
    // Sessions as CleverTap's servers keep them when the request carries none: per device id, a new
    // one after 20 minutes without a request or when a sign-in resets the profile (`rc`).
    const now = Number(query.r ?? start);
    const last = lastSeen.get(guid);
    let session = typeof payload.s === 'number' ? payload.s : last && now - last[1] <= 20 * 60_000 && !payload.rc ? last[0] : Math.floor(now / 1000);
    if (last && session <= last[0] && session !== last[0]) session = last[0] + 1;
    lastSeen.set(guid, [session, now]);
    requests.push({ path: url.pathname, query, payload: { ...payload, _text: text }, answeredGuid: guid, answeredSession: session });
    const answer = `$WZRK_WR.s(${JSON.stringify(guid)}, ${session}, ${payload.isOUL ? 'true' : 'false'}, ${Number(query.rn ?? 0)})`;
    held.push(() => route.fulfill({ contentType: 'text/javascript', body: `try { ${answer} } finally { ctPending-- }` }));
  });
  if (!clocks.has(context)) {
    clocks.add(context);
    await context.addInitScript(countRequests);
    await page.clock.install({ time: start - 1000 });
  }
  // Time moves only when the test says so.
  await page.clock.pauseAt(start);

  const site: Site = {
    page,
    origin,
    requests,
    uploads,
    async settle() {
      for (let i = 0; ; i++) {
        const pending = await page.evaluate(() => (window as unknown as { ctPending: number }).ctPending);
        if (!pending && !held.length) return;
        if (i > 2000) throw new Error(`${pending} requests to CleverTap never answered`);
        await Promise.all(held.splice(0).map((fulfill) => fulfill()));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    },
    async advance(ms) {
      // In steps of at most 5 s: an answer is read within 5 s of its request, as from a real server.
      for (let left = ms; left > 0; left -= 5000) {
        await page.clock.runFor(Math.min(left, 5000));
        await site.settle();
      }
    },
    async loadSdk() {
      await page.goto(`${origin}/index.html`);
      // The SDK's debug log (it prints every payload as `dobj:`), then its documented setup.
      await page.evaluate((id) => {
        sessionStorage.setItem('WZRK_D', '');
        (window as unknown as { clevertap: unknown }).clevertap = { account: [{ id }], region: 'eu1', event: [], profile: [], onUserLogin: [], notifications: [], privacy: [] };
      }, accountId);
      await page.addScriptTag({ url: `${origin}/ct.js` });
      await site.settle();
      await site.advance(3000);
    },
    async play(steps) {
      type CT = { event: { push(n: string, d?: object): void }; onUserLogin: { push(p: object): void }; logout(): void };
      for (const step of steps) {
        if (step.t === 'wait') await site.advance(step.ms);
        else {
          await page.evaluate((s) => {
            const ct = (window as unknown as { clevertap: CT }).clevertap;
            if (s.t === 'event') ct.event.push(s.name, s.data ?? {});
            else if (s.t === 'login') ct.onUserLogin.push({ Site: { Identity: s.identity } });
            else if (s.t === 'logout') ct.logout();
          }, step as Exclude<WebStep, { t: 'wait' }>);
          await site.settle();
          await site.advance(3000);
        }
      }
    },
    async loadKit() {
      await page.goto(`${origin}/kit.html`);
      await page.evaluate((accountId) => {
        const w = window as unknown as { SessionHubTest: any; hub: any; hubStarted: boolean; beforeSend?: unknown };
        const { createBrowserHub, clevertapKit } = w.SessionHubTest;
        const hook = w.beforeSend ? { beforeSend: w.beforeSend } : {};
        w.hub = createBrowserHub({ sessionTimeout: 20 * 60, kits: [clevertapKit({ accountId, token: 'abc-def' })], ...hook });
        w.hubStarted = false;
        void w.hub.start().then(() => (w.hubStarted = true));
      }, accountId);
      // The launch waits on Web Locks (the browser's, in real time) and, beside other tabs, on 50 ms
      // timers of the page clock. So each step first gives the browser real time to answer, and only
      // then moves the page clock: the kit decides on the SDK's session at a known page time (within
      // the 0.1 s a test leaves before the next whole second), however loaded the machine. (Moving
      // the clock at once, a machine busy with other work had the kit decide 0.9 s later.)
      const started = async (): Promise<boolean> => {
        // (Polled from here: the page's own timers and animation frames run on its paused clock.)
        for (let wait = 0; wait < 10; wait++) {
          if (await page.evaluate(() => (window as unknown as { hubStarted: boolean }).hubStarted)) return true;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        return false;
      };
      for (let i = 0; i < 100 && !(await started()); i++) await site.advance(50);
      if (!(await started())) throw new Error('the hub did not start within 5 s');
    },
    async flush() {
      type W = { hub: { flush(): Promise<void> }; flushed: boolean };
      await page.evaluate(() => {
        const w = window as unknown as W;
        w.flushed = false;
        void w.hub.flush().then(() => (w.flushed = true));
      });
      for (let i = 0; i < 100 && !(await page.evaluate(() => (window as unknown as W).flushed)); i++) await site.advance(50);
      if (!(await page.evaluate(() => (window as unknown as W).flushed))) throw new Error('hub.flush() did not end within 5 s');
    },
    checkDecoding() {
      for (const r of requests) {
        const text = r.payload._text;
        if (text === undefined) continue;
        if (!logged.has(text)) throw new Error(`a decoded payload the SDK never logged: ${text.slice(0, 200)}`);
        delete r.payload._text;
      }
    },
  };
  return site;
}

export interface WebSdkRun {
  readonly requests: WebSdkRequest[];
  /** What `inPage` returned, run in the page once the steps are done. */
  readonly inPage: unknown;
  /** What the SDK left in localStorage and cookies at the end. */
  readonly storage: Record<string, string>;
  readonly cookies: string;
}

/** The real time, in whole seconds: where a page clock may start (see above). */
export const realNow = (): number => Math.ceil(Date.now() / 1000) * 1000;

/** Loads a page with the SDK, plays `steps` and returns the decoded requests. */
export async function runWebSdk(accountId: string, steps: readonly WebStep[], inPage = ''): Promise<WebSdkRun> {
  const browser = await launchChromium();
  try {
    const site = await openSite(browser.context, 'https://www.shop.test', accountId, realNow());
    await site.loadSdk();
    await site.play(steps);
    const result: unknown = inPage ? await site.page.evaluate(inPage) : undefined;
    const storage = await site.page.evaluate(() => Object.fromEntries(Object.entries(localStorage)));
    const cookies = await site.page.evaluate(() => document.cookie);
    site.checkDecoding();
    return { requests: site.requests, inPage: result, storage, cookies };
  } finally {
    await browser.close();
  }
}
