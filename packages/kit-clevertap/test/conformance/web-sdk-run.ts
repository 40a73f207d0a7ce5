/**
 * Runs CleverTap's real web SDK (the pinned `clevertap-web-sdk` devDependency) in Chromium with
 * Playwright's fake clock, answers its JSONP requests locally (no network) as CleverTap's servers
 * answer them (`$WZRK_WR.s(guid, session, resume, requestNumber)`), and decodes each request's `d`
 * (LZ-string base64, the SDK's `compressToBase64`). The SDK logs every payload before compressing it
 * (`dobj:`): each decoded payload is checked against that log, so the decoding is the SDK's own.
 */
import { launchChromium } from '@sessionhub/testing/chromium';
import LZString from 'lz-string';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const SDK = readFileSync(require.resolve('clevertap-web-sdk/clevertap.js'), 'utf8');
export const SDK_VERSION = (JSON.parse(readFileSync(require.resolve('clevertap-web-sdk/package.json'), 'utf8')) as { version: string }).version;

const SITE = 'https://www.shop.test';

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

/** A step of a scenario, in the SDK's API. */
export type WebStep =
  | { readonly t: 'event'; readonly name: string; readonly data?: Record<string, string | number | boolean> }
  | { readonly t: 'login'; readonly identity: string }
  | { readonly t: 'logout' }
  | { readonly t: 'wait'; readonly ms: number };

export interface WebSdkRun {
  readonly requests: WebSdkRequest[];
  /** What `inPage` returned, run in the page once the steps are done. */
  readonly inPage: unknown;
  /** What the SDK left in localStorage and cookies at the end. */
  readonly storage: Record<string, string>;
  readonly cookies: string;
}

/**
 * Loads a page with the SDK at `start` (epoch ms), plays `steps` (each followed by 3 s, so requests
 * and answers settle), and returns the decoded requests.
 */
export async function runWebSdk(accountId: string, start: number, steps: readonly WebStep[], inPage = ''): Promise<WebSdkRun> {
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    await page.clock.install({ time: start });
    const requests: WebSdkRequest[] = [];
    const logged = new Set<string>();
    const byIdentity = new Map<string, string>();
    let guids = 0;
    const lastSeen = new Map<string, [session: number, at: number]>();
    page.on('console', (m) => {
      const text = m.text();
      const at = text.indexOf('dobj:');
      if (at >= 0) logged.add(text.slice(at + 5));
    });
    await page.route(`${SITE}/**`, (route) =>
      route.request().url().endsWith('/ct.js')
        ? route.fulfill({ contentType: 'text/javascript', body: SDK })
        : route.fulfill({ contentType: 'text/html', body: '<!doctype html><html><head></head><body>shop</body></html>' }),
    );
    await page.route('https://*.clevertap-prod.com/**', async (route) => {
      const url = new URL(route.request().url());
      const query = Object.fromEntries(url.searchParams);
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
      await route.fulfill({ contentType: 'text/javascript', body: `$WZRK_WR.s(${JSON.stringify(guid)}, ${session}, ${payload.isOUL ? 'true' : 'false'}, ${Number(query.rn ?? 0)});` });
    });
    await page.goto(`${SITE}/index.html`);
    // The SDK's debug log (it prints every payload as `dobj:`), then its documented setup.
    await page.evaluate((id) => {
      sessionStorage.setItem('WZRK_D', '');
      (window as unknown as { clevertap: unknown }).clevertap = { account: [{ id }], region: 'eu1', event: [], profile: [], onUserLogin: [], notifications: [], privacy: [] };
    }, accountId);
    await page.addScriptTag({ url: `${SITE}/ct.js` });
    await page.clock.runFor(3_000);
    type CT = { event: { push(n: string, d?: object): void }; onUserLogin: { push(p: object): void }; logout(): void };
    for (const step of steps) {
      if (step.t === 'wait') await page.clock.runFor(step.ms);
      else {
        await page.evaluate((s) => {
          const ct = (window as unknown as { clevertap: CT }).clevertap;
          if (s.t === 'event') ct.event.push(s.name, s.data ?? {});
          else if (s.t === 'login') ct.onUserLogin.push({ Site: { Identity: s.identity } });
          else if (s.t === 'logout') ct.logout();
        }, step as Exclude<WebStep, { t: 'wait' }>);
        await page.clock.runFor(3_000);
      }
    }
    const result: unknown = inPage ? await page.evaluate(inPage) : undefined;
    const storage = await page.evaluate(() => Object.fromEntries(Object.entries(localStorage)));
    const cookies = await page.evaluate(() => document.cookie);
    // Decoded with the SDK's own compression: every payload is one the SDK logged before compressing.
    for (const r of requests) {
      const text = r.payload._text as string;
      if (!logged.has(text)) throw new Error(`a decoded payload the SDK never logged: ${text.slice(0, 200)}`);
      delete r.payload._text;
    }
    return { requests, inPage: result, storage, cookies };
  } finally {
    await browser.close();
  }
}
