/**
 * A hub in a sandboxed frame (`<iframe sandbox="allow-scripts">`, an opaque origin) in real Chromium
 * (Debian's, via launchChromium): there `localStorage` throws a SecurityError and every Web Locks
 * call is refused, as for widgets embedded that way. The hub must still work, in memory.
 */
import { fileURLToPath } from 'node:url';
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openReadyPage, servePage, type PageServer, type TestBrowser } from '@sessionhub/testing/chromium';
import { bundleForBrowser } from '../../../scripts/workspace-sources';

const packagesDir = fileURLToPath(new URL('../../', import.meta.url));

// The page embeds itself in a sandboxed frame; the frame runs the hub with a kit that records its calls.
const PAGE_SCRIPT = `
  import { createBrowserHub } from '@sessionhub/core/browser';
  if (window === window.top) {
    const frame = document.createElement('iframe');
    frame.setAttribute('sandbox', 'allow-scripts');
    frame.src = '/frame';
    document.body.appendChild(frame);
    window.ready = Promise.resolve();
  } else {
    window.calls = [];
    window.warnings = [];
    window.logged = [];
    try {
      localStorage.length;
      window.storage = 'open';
    } catch (error) {
      window.storage = error.name;
    }
    // Counts the hub's Web Locks requests (the frame refuses every one).
    window.lockRequests = 0;
    const request = navigator.locks.request.bind(navigator.locks);
    navigator.locks.request = (...args) => (window.lockRequests++, request(...args));
    const kit = {
      name: 'recorder',
      onSessionStart: (r) => window.calls.push(['start', r.sessionId]),
      onEvent: (r) => window.calls.push(['event', r.name, r.eventIndex, r.sessionId]),
      onSessionEnd: (r) => window.calls.push(['end', r.sessionId, r.eventCount, r.attributes]),
    };
    const line = (level) => (...args) => window.logged.push(level + ': ' + args.map(String).join(' '));
    const hub = createBrowserHub({ kits: [kit], sessionTimeout: 600, logger: { debug() {}, info: line('info'), warn: line('warn'), error: line('error') } });
    hub.on('warning', (w) => window.warnings.push(w.code + ': ' + w.message));
    window.hub = hub;
    window.ready = hub.start();
  }
`;

let server: PageServer;
let browser: TestBrowser;

beforeAll(async () => {
  server = await servePage({ title: 'sandboxed', script: await bundleForBrowser(PAGE_SCRIPT, packagesDir) });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The page's sandboxed frame, once its hub has started. */
async function sandboxedFrame(page: Page): Promise<Frame> {
  for (let i = 0; i < 200; i++) {
    const frame = page.frames().find((f) => f !== page.mainFrame());
    if (frame && (await frame.evaluate(() => (globalThis as { ready?: unknown }).ready !== undefined).catch(() => false))) {
      await frame.evaluate(() => (globalThis as { ready?: unknown }).ready);
      return frame;
    }
    await new Promise((done) => setTimeout(done, 25));
  }
  throw new Error('the sandboxed frame did not start its hub');
}

describe('a hub in a sandboxed frame (real Chromium)', () => {
  it('works in memory: a session with its events and attributes reaches the kit, with the warnings the docs name', async () => {
    const page = await openReadyPage(browser.context, server.origin);
    const frame = await sandboxedFrame(page);
    const result = await frame.evaluate(async () => {
      const w = window as unknown as { hub: import('@sessionhub/core').SessionHub; calls: unknown[]; warnings: string[]; logged: string[]; storage: string; lockRequests: number };
      w.hub.logEvent('opened');
      w.hub.incrementSessionAttribute('views');
      w.hub.logEvent('clicked');
      await new Promise((done) => setTimeout(done, 300));
      w.hub.endSession();
      await new Promise((done) => setTimeout(done, 300));
      return { storage: w.storage, calls: w.calls, warnings: w.warnings, logged: w.logged, session: w.hub.getSession(), lockRequests: w.lockRequests };
    });
    // The frame really is sandboxed: its localStorage throws.
    expect(result.storage).toBe('SecurityError');
    const [start] = result.calls as Array<[string, string]>;
    expect(result.calls).toEqual([
      ['start', start![1]],
      ['event', 'opened', 1, start![1]],
      ['event', 'clicked', 2, start![1]],
      ['end', start![1], 2, { views: 1 }],
    ]);
    expect(result.session).toBeNull();
    // One warning, the one browser.md names ("When localStorage is unavailable"), logged and emitted
    // a microtask after the hub is made, so the listener the page added right after hears it:
    // nothing about Web Locks, which the frame refuses too but which a session kept in memory does not need.
    expect(result.logged).toEqual([
      expect.stringMatching(/^warn: \[sessionhub\] localStorage is unavailable \(SecurityError: .*\); keeping the session and the outboxes in memory/),
    ]);
    expect(result.warnings).toEqual([expect.stringMatching(/^storage-failure: localStorage is unavailable \(SecurityError: .*\); keeping the session/)]);
    // No Web Locks request at all: neither a slot's nor the state's.
    expect(result.lockRequests).toBe(0);
  });
});
