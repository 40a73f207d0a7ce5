/**
 * The two sides of the conformance test, each in a page of real Chromium under Playwright's fake
 * clock: Braze's own Web SDK (the pinned `@braze/web-sdk` from node_modules, its ES modules bundled
 * into one script with esbuild) and SessionHub with this kit (bundled from source). Every
 * request either side makes is answered locally (page.route): nothing reaches the network.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { BrowserContext, Page, Route } from 'playwright-core';
import type { Step } from './scenarios';

const require = createRequire(import.meta.url);
/** The installed SDK package (its version is the devDependency's, checked by the test). */
export const SDK_DIR = dirname(require.resolve('@braze/web-sdk/package.json'));
export const SDK_VERSION: string = JSON.parse(readFileSync(join(SDK_DIR, 'package.json'), 'utf8')).version;

export const API_KEY = '3c6b1f0e-8a0d-4a36-9f0c-2f4e1d7b9a51';
export const BASE_URL = 'sdk.iad-01.braze.com';
/** Where both sides send: Braze's SDK data endpoint for {@link BASE_URL}. */
export const DATA_URL = `https://${BASE_URL}/api/v3/data/`;
/** 2026-01-01T12:00:00.000Z, where the fake clocks start (the first scenario; each next one an hour later). */
export const T0 = 1_767_268_800_000;

/** One request as the page sent it: header names lowercased, the body parsed. */
export interface Captured {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: Record<string, unknown>;
}

/** How the local Braze endpoint answers: the SDK's success (`{}`), or an error body. */
export type Answer = { readonly status: number; readonly body: string };
const OK: Answer = { status: 200, body: '{}' };

/** Headers Chromium itself adds to every request; neither side chooses them. */
const BROWSER_HEADERS = new Set(['accept', 'accept-language', 'referer', 'origin', 'user-agent', 'sec-ch-ua', 'sec-ch-ua-mobile', 'sec-ch-ua-platform', 'content-length']);

/** One script for the page: `entry`'s imports bundled from node_modules and the workspace's sources. */
async function bundle(entry: string): Promise<string> {
  const result = await build({
    stdin: { contents: entry, resolveDir: dirname(fileURLToPath(import.meta.url)) },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    conditions: ['@sessionhub/source', 'module'],
    // As an app's development build: warnings in full (a production build prints their SH codes).
    define: { 'process.env.NODE_ENV': '"development"' },
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** Braze's Web SDK as installed (the package's own ES modules, bundled into one script). */
const sdkBundle = bundle(`import * as braze from '@braze/web-sdk'; window.braze = braze;`);
/** SessionHub's browser hub and this kit, from their sources. */
const kitBundle = bundle(`import { createBrowserHub } from '@sessionhub/core/browser';
  import { brazeKit } from '@sessionhub/kit-braze';
  window.SessionHubTest = { createBrowserHub, brazeKit };`);

/** A side under test: its page, what it sent, and the scenario steps it can run. */
export interface Side {
  readonly page: Page;
  /** The page's origin (each side a new one). */
  readonly origin: string;
  readonly requests: Captured[];
  /** Console lines (warnings and errors) of the page. */
  readonly console: string[];
  /** How the next requests are answered. */
  answer: Answer;
  /** Answers held back until {@link settle}, so that the page reads them at a known instant of its clock. */
  readonly held: (() => Promise<void>)[];
}

/**
 * Installed before the page's scripts: counts the page's requests still without an answer (fetch and
 * XMLHttpRequest), so the test knows when the page has read every answer. What is sent is untouched.
 */
function countRequests(): void {
  const w = window as unknown as { pendingRequests: number };
  w.pendingRequests = 0;
  const fetch = window.fetch;
  window.fetch = function (...args: Parameters<typeof fetch>) {
    w.pendingRequests++;
    return fetch.apply(this, args).finally(() => w.pendingRequests--);
  };
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (body) {
    w.pendingRequests++;
    this.addEventListener('loadend', () => w.pendingRequests--);
    return send.call(this, body);
  };
}

/**
 * Waits for the page's `window.hub.start()` (begun with `window.hubStarted` set when it resolves):
 * the tabs' shared record lets other tabs' writes land (50 ms timers) before it commits, so on the
 * page's paused clock time has to run for the launch to finish.
 */
export async function untilStarted(side: Side): Promise<void> {
  for (let i = 0; i < 100 && !(await side.page.evaluate(() => window.hubStarted)); i++) await side.page.clock.runFor(50);
  if (!(await side.page.evaluate(() => window.hubStarted))) throw new Error('the page hub did not start within 5 s of its clock');
}

/**
 * Answers every request the page has made, and returns once the page has read the answers, finished
 * the flushes a step began (`window.flushing`) and delivered the calls steps made (`window.calls`):
 * a condition, not a wait of some length, so a slow machine only takes longer. Fails if the page is
 * still busy after {@link SETTLE_LIMIT_MS}.
 */
export async function settle(side: Side): Promise<void> {
  const deadline = Date.now() + SETTLE_LIMIT_MS;
  for (;;) {
    const pending = await side.page.evaluate(
      () => (window as unknown as { pendingRequests: number }).pendingRequests + (window.flushing ?? 0) + (window.calls ? window.calls.made - window.calls.delivered : 0),
    );
    if (!pending) return;
    if (Date.now() > deadline) throw new Error(`the page still has ${pending} requests or flushes under way after ${SETTLE_LIMIT_MS} ms`);
    await Promise.all(side.held.splice(0).map((fulfill) => fulfill()));
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** How long settle() lets a page stay busy (real time) before failing: far above what any step takes. */
const SETTLE_LIMIT_MS = 30_000;

let origins = 0;
const clocks = new WeakSet<BrowserContext>();

/**
 * Opens a page of a new origin (so nothing stored by an earlier scenario is seen) with its clock
 * paused at `startAt`. Playwright's clock belongs to the browser context: each side has its own
 * browser, and its scenarios run one after the other, each starting later than the one before.
 */
/** The two page kinds every origin serves: `/sdk` with Braze's Web SDK, `/kit` with SessionHub and the kit. */
export type PageKind = 'sdk' | 'kit';
const SCRIPTS = { sdk: { js: sdkBundle, global: 'braze' }, kit: { js: kitBundle, global: 'SessionHubTest' } } as const;

async function openSide(context: BrowserContext, startAt: number, kind: PageKind): Promise<Side> {
  const origin = `https://page-${++origins}.test`;
  const page = await context.newPage();
  const side: Side = { page, origin, requests: [], console: [], answer: OK, held: [] };
  page.on('console', (m) => {
    if (m.type() == 'warning' || m.type() == 'error') side.console.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => side.console.push(`pageerror: ${e.message}`));
  await page.route('**/*', async (route: Route) => {
    const request = route.request();
    const url = request.url();
    if (url.startsWith(origin + '/')) {
      const path = new URL(url).pathname.slice(1);
      if (path == 'sdk' || path == 'kit') return route.fulfill({ status: 200, contentType: 'text/html', body: `<!doctype html><script src="/${path}.js"></script>` });
      const script = SCRIPTS[path.replace(/\.js$/, '') as PageKind];
      return script ? route.fulfill({ status: 200, contentType: 'text/javascript', body: await script.js }) : route.fulfill({ status: 404, body: '' });
    }
    if (request.method() == 'OPTIONS') {
      return route.fulfill({ status: 204, headers: { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*', 'access-control-allow-methods': 'POST' } });
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(await request.allHeaders())) if (!BROWSER_HEADERS.has(name)) headers[name] = value;
    const text = request.postData();
    side.requests.push({ url, method: request.method(), headers, body: text ? JSON.parse(text) : {} });
    const { status, body } = side.answer;
    side.held.push(() => route.fulfill({ status, contentType: 'application/json', headers: { 'access-control-allow-origin': '*' }, body }));
  });
  if (!clocks.has(context)) {
    clocks.add(context);
    await context.addInitScript(countRequests);
    await page.clock.install({ time: T0 - 60_000 });
  }
  // Time moves only when a step says so (page.clock.runFor), on both sides alike.
  await page.clock.pauseAt(startAt);
  await load(side, kind);
  return side;
}

/** Loads `/sdk` or `/kit` of the side's origin in its page (what the origin stored stays). */
export async function load(side: Side, kind: PageKind): Promise<void> {
  await side.page.goto(`${side.origin}/${kind}`);
  await side.page.waitForFunction((name) => name in window, SCRIPTS[kind].global);
}

/** A page with Braze's Web SDK loaded (not initialized). */
export const openSdk = (context: BrowserContext, startAt: number): Promise<Side> => openSide(context, startAt, 'sdk');

/** A page with SessionHub and this kit loaded (no hub yet). */
export const openKit = (context: BrowserContext, startAt: number): Promise<Side> => openSide(context, startAt, 'kit');

export type { Step };
