/**
 * Headless Chromium for browser tests: the system's Chromium (Debian's /usr/bin/chromium, or
 * `SESSIONHUB_CHROMIUM`) driven by playwright-core — never a browser Playwright downloads — with a
 * fresh user-data-dir per browser and no background traffic. Node only; playwright-core is an
 * optional peer dependency of this package.
 */
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** The Chromium the tests drive: `SESSIONHUB_CHROMIUM` when set, else Debian's `/usr/bin/chromium`. */
export const CHROMIUM_PATH = process.env.SESSIONHUB_CHROMIUM || '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A browser with a fresh profile; `close()` also deletes the profile. */
export interface TestBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * `notRestoredReasons` that are the browser's own, not the page's (Chromium's names): the page waited
 * too long to be put into the back/forward cache or was in it too long, the cache was full or trimmed
 * for memory, or the reason is not disclosed (`masked`: Chromium reports its internal reasons so; a
 * miss for `masked` also came once on a quiet machine). A page blocking the cache itself is mostly
 * named (weblocks-contention, lock, fetch, websocket, …), but not always: this Chromium reports a
 * page's unload listener as `masked` (measured), so tests tolerate a miss for these only rarely.
 */
export const BROWSER_NOT_RESTORED_REASONS: ReadonlySet<string> = new Set(['timeout', 'cache-limit', 'memory-pressure', 'masked']);

/** Throws, saying how to install it, when there is no Chromium at {@link CHROMIUM_PATH}. */
export function ensureChromium(): void {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
  } catch {
    throw new Error(
      `No Chromium at ${CHROMIUM_PATH}. Install Debian's (apt-get install chromium; in this repository ` +
        '`node scripts/ensure-chromium.mjs` does it), or set SESSIONHUB_CHROMIUM to a Chromium binary.',
    );
  }
}

/**
 * Launches headless Chromium with a fresh profile. With `backForwardCache`, pages a tab navigates
 * away from may enter the back/forward cache, as in Chrome (Playwright turns it off by default);
 * go back with `page.goBack({ waitUntil: 'commit' })`, since a page restored from the cache fires no `load`.
 */
export async function launchChromium(options: { backForwardCache?: boolean } = {}): Promise<TestBrowser> {
  ensureChromium();
  const profile = mkdtempSync(join(tmpdir(), 'sessionhub-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ARGS,
    viewport: { width: 1180, height: 860 },
    ignoreDefaultArgs: options.backForwardCache ? ['--disable-back-forward-cache'] : undefined,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A loopback server for one test page: see {@link servePage}. */
export interface PageServer {
  /** `http://127.0.0.1:<port>`: the page's origin. */
  readonly origin: string;
  close(): Promise<void>;
}

/** Options of {@link servePage}. */
export interface PageServerOptions {
  /** The page's `<title>`. */
  readonly title: string;
  /** The page's script, served as `/app.js` and loaded as a module. */
  readonly script: string;
  /** Every POST (path, body); answers with the status it returns (default 200), CORS-enabled. */
  readonly onPost?: (path: string, body: string) => number | void;
}

/**
 * Serves a test page on 127.0.0.1: every GET but `/app.js` is an HTML page that loads the script,
 * so a page gets a real origin (its own localStorage, cookies, Web Locks) that tabs share. The
 * script may be loaded by a sandboxed frame of the page too (served with CORS).
 */
export async function servePage(options: PageServerOptions): Promise<PageServer> {
  const server = createServer((req, res) => {
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        res.writeHead(options.onPost?.(req.url ?? '/', body) ?? 200, { 'access-control-allow-origin': '*' });
        res.end();
      });
      return;
    }
    if (req.url === '/app.js') {
      // (CORS: a sandboxed frame of the page has an opaque origin, and loads the module cross-origin.)
      res.writeHead(200, { 'content-type': 'text/javascript', 'access-control-allow-origin': '*' });
      res.end(options.script);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><title>${options.title}</title><script type="module" src="/app.js"></script>`);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** Opens `url` in a new tab and waits until its script has set `window.ready` and that promise settled. */
export async function openReadyPage(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => (globalThis as { ready?: unknown }).ready !== undefined);
  await page.evaluate(() => (globalThis as { ready?: unknown }).ready);
  return page;
}

/**
 * Fills the page origin's real localStorage quota (~5 M UTF-16 characters in Chromium) with the app's
 * own keys (`app:junk:<i>`), all but `leave` characters, and returns how many characters it wrote.
 */
export function fillLocalStorage(page: Page, leave = 0): Promise<number> {
  return page.evaluate((room) => {
    const storage = (globalThis as unknown as { localStorage: Pick<Storage, 'setItem' | 'removeItem'> }).localStorage;
    if (room) storage.setItem('app:room', 'x'.repeat(room));
    let chars = 0;
    for (let i = 0, size = 1 << 20; size >= 16; i++) {
      try {
        storage.setItem(`app:junk:${i}`, 'x'.repeat(size));
        chars += size;
      } catch {
        size >>= 1;
      }
    }
    if (room) storage.removeItem('app:room');
    return chars;
  }, leave);
}
