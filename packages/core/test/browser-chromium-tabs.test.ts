/**
 * The shared session in real Chromium tabs (Debian's, via launchChromium): real localStorage with
 * its asynchronous propagation between renderers, real Web Locks, real page lifecycles. The pages
 * run an esbuild bundle of the sources with a recording kit that posts every session start, end and
 * event to a local server (with keepalive, so records of a page being unloaded arrive too).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { workspaceSources } from '../../../scripts/workspace-sources';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EventRecord, SessionEndRecord, SessionHub, SessionStartRecord } from '@sessionhub/core';
import { seededRandom } from '@sessionhub/testing';
import { launchChromium, type TestBrowser } from '@sessionhub/testing/chromium';

declare global {
  interface Window {
    hub: SessionHub;
    ready: Promise<void>;
  }
}

type Posted =
  | { type: 'start'; record: SessionStartRecord }
  | { type: 'end'; record: SessionEndRecord }
  | { type: 'event'; record: EventRecord };

const packagesDir = fileURLToPath(new URL('../../', import.meta.url));

const PAGE_SCRIPT = `
  import { createBrowserHub } from '@sessionhub/core/browser';
  const post = (type, record) =>
    fetch('/record', { method: 'POST', body: JSON.stringify({ type, record }), keepalive: true }).catch(() => undefined);
  const recorder = {
    name: 'recorder',
    onSessionStart: (r) => post('start', r),
    onSessionEnd: (r) => post('end', r),
    onEvent: (r) => post('event', r),
  };
  const hub = createBrowserHub({ kits: [recorder], sessionTimeout: 600, foregroundTimeout: 600 });
  window.hub = hub;
  window.ready = hub.start();
`;

let server: Server;
let origin: string;
let posted: Posted[] = [];
let browser: TestBrowser;

beforeAll(async () => {
  const bundle = await build({
    stdin: { contents: PAGE_SCRIPT, resolveDir: packagesDir, loader: 'js' },
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    target: 'es2020',
    plugins: [workspaceSources],
    logLevel: 'silent',
  });
  const js = bundle.outputFiles[0]!.text;
  server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/record') {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        posted.push(JSON.parse(body) as Posted);
        res.end();
      });
      return;
    }
    if (req.url === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(js);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>tabs</title><script type="module" src="/app.js"></script>');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((done) => server?.close(done));
});
beforeEach(async () => {
  posted = [];
  browser = await launchChromium();
});
afterEach(async () => {
  await browser?.close();
});

async function openTab(): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(origin);
  await page.waitForFunction(() => window.ready !== undefined);
  await page.evaluate(() => window.ready);
  return page;
}

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

describe('the shared session in real Chromium tabs', () => {
  it('4 tabs × 250 interleaved increments end with exactly 1000', async () => {
    const pages = [];
    for (let i = 0; i < 4; i++) pages.push(await openTab());
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
    await pages[0]!.evaluate(() => window.hub.endSession());
    await waitFor(() => endsOf().length > 0, 'the session end');
    expect(endsOf().map((e) => e.attributes)).toEqual([{ n: 1000 }]);
    expectEachSessionOnce(true);
  }, 60_000);

  it('50 cycles of "end in one tab, then an event in every tab": one start and one end per session, no orphan', async () => {
    const pages = [];
    for (let i = 0; i < 4; i++) pages.push(await openTab());
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
    await waitFor(() => endsOf().length === 51 && eventsOf().length === 200, '51 session ends and 200 events');
    expect(startsOf()).toHaveLength(51);
    expectEachSessionOnce(true);
  }, 90_000);

  it('random events, reloads and closes across 5 tabs end no session twice', async () => {
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
        await page.close({ runBeforeUnload: true });
        pages[i] = await openTab();
      }
    }
    await settled(pages);
    await pages[0]!.evaluate(() => window.hub.endSession());
    await settled(pages);
    await sleep(500);
    expectEachSessionOnce(true);
  }, 60_000);
});
