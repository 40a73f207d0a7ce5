import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createOutbox } from '@sessionhub/delivery';
import { vendorCollector } from '@sessionhub/testing/msw';
import { buildRequest, item, itemsOf, recordingLogger, safeStorage, type TestItem } from './harness';

const collector = vendorCollector();
const server = setupServer(...collector.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  collector.reset();
  vi.useRealTimers();
});
afterAll(() => server.close());

describe('outbox under 30 % failing requests (msw collector)', () => {
  it('delivers 10,000 events, each once by event id, in order', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    // 500, 503 with Retry-After, network errors and timeouts (hanging until the outbox gives up).
    collector.setFaults({ failureRate: 0.3, seed: 42 });
    const logger = recordingLogger();
    const outbox = createOutbox<TestItem>({ name: 'snowplow', storage: safeStorage(), logger, buildRequest, maxQueueItems: 20_000, maxBatchItems: 50 });
    await outbox.load();

    const total = 10_000;
    for (let n = 0; n < total; n++) {
      outbox.enqueue(item(n));
      // Events arrive over time, in bursts: 25 every 100 ms.
      if (n % 25 === 24) await vi.advanceTimersByTimeAsync(100);
    }
    for (let rounds = 0; collector.accepted().length === 0 || outbox.health().queued > 0; rounds++) {
      if (rounds > 100_000) throw new Error(`stuck: ${JSON.stringify(outbox.health())}`);
      await vi.advanceTimersByTimeAsync(1000);
    }

    const delivered = collector.accepted().flatMap((r) => itemsOf(r.body));
    expect(delivered.map((i) => i.n)).toEqual(Array.from({ length: total }, (_, n) => n));
    expect(new Set(delivered.map((i) => i.eid)).size).toBe(total);
    // Faults of every kind really happened, and every failed item was resent with the same event id.
    const failed = collector.requests.filter((r) => !r.accepted);
    expect(failed.length / collector.requests.length).toBeGreaterThan(0.2);
    for (const kind of ['status 500', 'status 503 (Retry-After: 1)', 'network error', 'timeout']) expect(failed.some((r) => r.fault === kind)).toBe(true);
    const failedIds = new Set(failed.flatMap((r) => itemsOf(r.body).map((i) => i.eid)));
    expect([...failedIds].every((eid) => delivered.some((i) => i.eid === eid))).toBe(true);
    const h = outbox.health();
    expect(h).toMatchObject({ queued: 0, inFlight: 0, delivered: total, dropped: {} });
    expect(h.retried).toBe(failed.reduce((sum, r) => sum + itemsOf(r.body).length, 0));
    expect(logger.warnings).toEqual([]);
  });

  it('resends a batch whose answer was lost with the same event ids: duplicates collapse by id, nothing invented', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    // The vendor takes the request in, but the answer never arrives (the outbox times out).
    collector.setFaults({ failureRate: 0.3, seed: 7, mix: [{ type: 'timeout', processed: true }, { type: 'status', status: 500 }] });
    const outbox = createOutbox<TestItem>({ name: 'braze', storage: safeStorage(), buildRequest, maxBatchItems: 20, requestTimeoutMs: 10_000 });
    const total = 1000;
    for (let n = 0; n < total; n++) outbox.enqueue(item(n));
    for (let rounds = 0; outbox.health().queued > 0; rounds++) {
      if (rounds > 10_000) throw new Error('stuck');
      await vi.advanceTimersByTimeAsync(1000);
    }
    const taken = collector.accepted().flatMap((r) => itemsOf(r.body));
    const lostAnswers = collector.requests.filter((r) => r.fault === 'timeout after processing');
    expect(lostAnswers.length).toBeGreaterThan(0);
    // Each lost answer means its items reached the vendor twice …
    expect(taken.length).toBe(total + lostAnswers.reduce((sum, r) => sum + itemsOf(r.body).length, 0));
    // … as the very same events: same id, same content (only the send time differs).
    const byId = new Map<string, string>();
    for (const { stm, ...event } of taken) {
      const seen = byId.get(event.eid);
      if (seen !== undefined) expect(JSON.stringify(event)).toBe(seen);
      byId.set(event.eid, JSON.stringify(event));
      void stm;
    }
    expect([...byId.keys()].sort()).toEqual(Array.from({ length: total }, (_, n) => `e-${n}`).sort());
  });
});
