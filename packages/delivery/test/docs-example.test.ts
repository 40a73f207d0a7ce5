// The example of docs/delivery.md, compiled and run: the docs include the regions below verbatim (the
// docs checker compares them), and the test checks that the example does what the page says.
import { setupServer } from 'msw/node';
import { afterAll, expect, it, vi } from 'vitest';
import { vendorCollector } from '@sessionhub/testing/msw';

// The collector's endpoint, answered by the msw collector: the vendor is down for the first two requests.
const collector = vendorCollector({ origins: { snowplow: 'https://collector.example.com' } });
collector.failNext({ type: 'status', status: 503, retryAfter: 2 });
collector.failNext({ type: 'network-error' });
const server = setupServer(...collector.handlers);
server.listen({ onUnhandledRequest: 'error' });
vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
afterAll(() => {
  server.close();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

// #region kit
import type { Kit } from '@sessionhub/core';
import { createOutbox, type Outbox } from '@sessionhub/delivery';

/** What the collector receives per event; `eid` makes a resent event the same event. */
interface Hit {
  readonly eid: string;
  readonly e: string;
  readonly dtm: number;
}

/** A small kit for a collector that takes batches of hits as JSON. */
export function hitsKit(endpoint: string): Kit {
  // Set in init: a callback the hub makes before (getHealth) finds none.
  let outbox: Outbox<Hit> | undefined;
  return {
    name: 'hits',
    async init(context) {
      outbox = createOutbox<Hit>({
        name: 'hits',
        storage: context.storage,
        logger: context.logger,
        clock: context.clock,
        // Called at send time, and again for each retry: `stm` is the time of this very attempt.
        buildRequest: (hits, sentAt) => ({
          url: `${endpoint}/com.snowplowanalytics.snowplow/tp2`,
          method: 'POST',
          headers: { 'Content-Type': 'application/json; charset=utf-8' },
          body: JSON.stringify({ data: hits.map((hit) => ({ ...hit, stm: sentAt })) }),
        }),
        maxBatchItems: 25,
        maxBatchBytes: 40_000,
      });
      await outbox.load(); // what an earlier run left unsent goes first
    },
    onEvent: (event) => void outbox?.enqueue({ eid: event.eventId, e: event.name, dtm: event.timestamp }),
    onBackground: () => void outbox?.flush(),
    onPageHide: () => outbox?.flushOnPageHide(), // web: keepalive requests that outlive the page
    clear: () => outbox?.clear(), // opt-out, deletion: what is queued is dropped unsent
    flush: () => outbox?.flush(),
    shutdown: () => outbox?.shutdown(),
    getHealth: () => outbox?.health(),
  };
}
// #endregion kit

it('delivers through a vendor outage, and reports it in the kit health', async () => {
  // #region app
  const { createHub } = await import('@sessionhub/core');

  const hub = createHub({ kits: [hitsKit('https://collector.example.com')] });
  await hub.start();
  hub.logEvent('song_played');
  hub.logEvent('song_skipped');
  await hub.flush(); // the collector answers 503 with Retry-After: 2
  // … the outbox retries on its own: after 2 s (Retry-After), then with backoff …
  // #endregion app
  await vi.advanceTimersByTimeAsync(60_000);
  // #region health
  console.log(hub.getKitHealth().hits?.delivery);
  // { queued: 0, inFlight: 0, delivered: 2, retried: 4, dropped: {}, lastError: 'TypeError: Failed to fetch' }
  // #endregion health
  expect(log).toHaveBeenCalledWith({ queued: 0, inFlight: 0, delivered: 2, retried: 4, dropped: {}, lastError: 'TypeError: Failed to fetch' });
  const [first, second, third] = collector.requests;
  expect([first?.status, second?.status, third?.status]).toEqual([503, null, 200]);
  expect(third!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(2000);
  // The same two events each time, in order, with the same ids.
  const eids = collector.requests.map((r) => (r.body as { data: Hit[] }).data.map((h) => h.eid));
  expect(new Set(eids.map((ids) => ids.join())).size).toBe(1);
  expect(eids[0]).toHaveLength(2);
  expect(warn).not.toHaveBeenCalled();
  await hub.shutdown();
});

it("reports no health before the kit's init, rather than failing when the app reads it early", async () => {
  const { createHub } = await import('@sessionhub/core');
  const errors: unknown[] = [];
  const hub = createHub({ logger: { debug() {}, info() {}, warn() {}, error: (...args: unknown[]) => void errors.push(args) }, kits: [hitsKit('https://collector.example.com')] });
  expect(hub.getKitHealth().hits).toMatchObject({ status: 'initializing', errors: 0, lastError: null });
  expect(errors).toEqual([]);
});
