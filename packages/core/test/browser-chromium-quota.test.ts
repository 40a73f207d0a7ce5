/**
 * A full localStorage in real Chromium (Debian's, via launchChromium), with its real quota (~5 M
 * characters per origin): the app's own data fills it but for a little room, the vendors' collectors
 * are down, and three sessions of events with the three real kits queue far more than fits. The hub
 * makes room by dropping the oldest plain events, never a session's start or end, and stays on
 * localStorage; after a reload, with the collectors back, each vendor gets every session's start and
 * end once, and its newest events, each once: the ones dropped were the oldest.
 */
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SessionHub } from '@sessionhub/core';
import { fillLocalStorage, launchChromium, openReadyPage, servePage, type PageServer } from '@sessionhub/testing/chromium';
import { startCollectorServer, type CollectorServer } from '@sessionhub/testing/server';
import { bundleForBrowser } from '../../../scripts/workspace-sources';
import { wires } from './session-wires';

declare global {
  interface Window {
    hub: SessionHub;
    ready: Promise<void>;
  }
}

const packagesDir = fileURLToPath(new URL('../../', import.meta.url));

const pageScript = (collector: string): string => `
  import { createBrowserHub } from '@sessionhub/core/browser';
  import { brazeKit } from '@sessionhub/kit-braze';
  import { snowplowKit } from '@sessionhub/kit-snowplow';
  import { clevertapKit } from '@sessionhub/kit-clevertap';
  const hub = createBrowserHub({
    kits: [
      brazeKit({ apiKey: 'quota-api-key', baseUrl: '${collector}' }),
      snowplowKit({
        collectorUrl: '${collector}', appId: 'quota', platform: 'web', encodeBase64: false,
        catchAllSchema: 'iglu:dev.sessionhub.test/app_event/jsonschema/1-0-0',
        sessionEvents: { start: 'iglu:dev.sessionhub.test/session_start/jsonschema/1-0-0', end: 'iglu:dev.sessionhub.test/session_end/jsonschema/1-0-0' },
      }),
      clevertapKit({ accountId: 'TEST-123-4567', token: 'quota-token', endpoint: '${collector}', sessionConcluded: true }),
    ],
    sessionTimeout: 600,
    foregroundTimeout: 600,
  });
  window.hub = hub;
  window.ready = hub.start();
`;

/** Characters left free for SessionHub once the app has filled the origin's quota. */
const ROOM = 60_000;
const SESSIONS = 3;
const EVENTS = 40;
const BURST = 5;

let server: PageServer;
let collector: CollectorServer;

beforeAll(async () => {
  collector = await startCollectorServer();
  server = await servePage({ title: 'quota', script: await bundleForBrowser(pageScript(collector.url), packagesDir) });
});
afterAll(async () => {
  await server?.close();
  await collector?.close();
});

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

it('a full localStorage: the oldest plain events make room, every session starts and ends once at every vendor', async () => {
  const browser = await launchChromium();
  try {
    // The collectors are down from the start.
    collector.collector.failNext({ type: 'status', status: 503 }, { times: 1_000_000 });
    const page: Page = await browser.context.newPage();
    // Timers wait for the test (no retries while the collectors are down), so what a full storage drops is plain to see.
    await page.clock.install();
    await page.clock.pauseAt(Date.now() + 1000);
    await page.goto(server.origin);
    await page.waitForFunction(() => window.ready !== undefined);
    await page.evaluate(() => window.ready);
    const warnings: string[] = [];
    page.on('console', (m) => void (m.type() === 'warning' && warnings.push(m.text())));

    // The app fills the origin's real quota, all but ROOM characters.
    const filled = await fillLocalStorage(page, ROOM);
    expect(filled).toBeGreaterThan(4_000_000);

    const logged: string[] = [];
    const sessions: string[] = [];
    for (let s = 0; s < SESSIONS; s++) {
      const names = Array.from({ length: EVENTS }, (_, i) => `ev-${String(s * EVENTS + i).padStart(3, '0')}`);
      logged.push(...names);
      // Bursts of a few events, as an app logs them; the last one ends the session.
      for (let b = 0; b < EVENTS; b += BURST) {
        const id = await page.evaluate(
          ([names, end]) => {
            for (const name of names) window.hub.logEvent(name, { pad: 'x'.repeat(200) });
            const id = window.hub.getSession()!.id;
            if (end) window.hub.endSession();
            return id;
          },
          [names.slice(b, b + BURST), b + BURST >= EVENTS] as const,
        );
        if (b == 0) sessions.push(id);
        // Its commits done, and Braze's request at the session's start answered.
        await sleep(50);
      }
    }
    const health = await page.evaluate(() => window.hub.getKitHealth());
    const dropped = Object.fromEntries(Object.entries(health).map(([kit, h]) => [kit, h.delivery?.dropped.quota ?? 0]));
    expect(warnings.filter((w) => /SH107|storage is full: dropped the \d+ oldest/.test(w)).length).toBeGreaterThan(0);
    // Room was made every time: nothing fell back to memory.
    expect(warnings.filter((w) => /SH020|keeping the session and the outboxes in memory/.test(w))).toEqual([]);
    expect(Object.keys(await page.evaluate(() => ({ ...localStorage }))).filter((k) => k.startsWith('sessionhub:tab0:seg:')).length).toBeGreaterThan(0);

    // A reload reads what localStorage kept; the collectors are back.
    await page.reload();
    await page.evaluate(() => window.ready);
    await sleep(200);
    collector.collector.reset();
    await page.clock.resume();
    // The reload started a session (the last one had ended): it ends too.
    sessions.push(
      await page.evaluate(() => {
        const id = window.hub.getSession()!.id;
        window.hub.endSession();
        return id;
      }),
    );
    const done = (): boolean => {
      const w = wires(collector.collector.accepted());
      return (['braze', 'snowplow'] as const).every((v) => w[v].ends.size === sessions.length) && w.clevertap.ends.size === sessions.length;
    };
    for (let i = 0; i < 50 && !done(); i++) {
      await page.evaluate(() => window.hub.flush());
      await sleep(100);
    }
    const w = wires(collector.collector.accepted());
    const once = sessions.map((id) => [id, 1]).sort();
    for (const vendor of ['braze', 'snowplow'] as const) {
      expect([...w[vendor].starts].sort(), `${vendor}: each session's start once`).toEqual(once);
      expect([...w[vendor].ends].sort(), `${vendor}: each session's end once`).toEqual(once);
    }
    expect([...w.clevertap.ends.values()], 'clevertap: each session concluded once').toEqual(Array(sessions.length).fill(1));
    for (const [vendor, name] of [['braze', 'braze'], ['snowplow', 'snowplow'], ['clevertap', 'clevertap']] as const) {
      const events = w[vendor].events;
      // The newest events, each once, in order: the ones that went were the oldest, as many as health says.
      expect(events, vendor).toEqual(logged.slice(logged.length - events.length));
      expect(logged.length - events.length, `${vendor}: dropped`).toBe(dropped[name]);
      expect(dropped[name], `${vendor}: dropped`).toBeGreaterThan(EVENTS / 2);
    }
  } finally {
    await browser.close();
  }
}, 60_000);
