import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCollector, DEFAULT_FAULT_MIX, routeOf, VENDOR_ROUTES, type CollectorAnswer, type Fault } from '@sessionhub/testing';

const tp2 = { method: 'POST', url: 'https://c.test/com.snowplowanalytics.snowplow/tp2', headers: { 'Content-Type': 'application/json' }, body: '{"data":[]}' };
const kind = (a: CollectorAnswer): number | string => (a.kind === 'response' ? a.status : a.kind);

describe('createCollector', () => {
  it('knows the vendors’ real paths and nothing else', () => {
    expect(VENDOR_ROUTES.map((r) => `${r.vendor} ${r.method} ${r.path}`)).toEqual([
      'braze POST /api/v3/data/',
      'snowplow POST /com.snowplowanalytics.snowplow/tp2',
      'snowplow GET /i',
      'clevertap POST /a1',
    ]);
    expect(routeOf('post', '/a1')?.vendor).toBe('clevertap');
    expect(routeOf('GET', '/a1')).toBeUndefined();
    expect(routeOf('POST', '/api/v3/data')).toBeUndefined();
    const collector = createCollector();
    expect(collector.handle({ ...tp2, url: 'https://c.test/other' })).toBeUndefined();
    expect(collector.requests).toEqual([]);
  });

  it('fails about `failureRate` of requests, the same ones for the same seed, drawn from the default mix', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.double({ min: 0.1, max: 0.9, noNaN: true }), (seed, failureRate) => {
        const run = (): (string | null)[] => {
          // The fault is decided and recorded on arrival; timeouts are given ms 0 so nothing lingers.
          const collector = createCollector({ failureRate, seed, mix: DEFAULT_FAULT_MIX.map((f) => (f.type === 'timeout' ? { ...f, ms: 0 } : f)) });
          for (let i = 0; i < 1000; i++) void collector.handle(tp2);
          return collector.requests.map((r) => r.fault);
        };
        const faults = run();
        expect(run()).toEqual(faults);
        const rate = faults.filter((f) => f !== null).length / faults.length;
        expect(Math.abs(rate - failureRate)).toBeLessThan(0.07);
        expect(new Set(faults.filter((f) => f !== null))).toEqual(new Set(['status 500', 'status 503 (Retry-After: 1)', 'network error', 'timeout']));
      }),
      { numRuns: 15 },
    );
  });

  it('accepts a request when the answer is 2xx, or when it was processed before a timeout', async () => {
    const collector = createCollector();
    const faults: Fault[] = [
      { type: 'status', status: 202 },
      { type: 'status', status: 400 },
      { type: 'timeout', ms: 0, processed: true },
      { type: 'timeout', ms: 0 },
      { type: 'delay', ms: 0, then: { type: 'network-error' } },
      { type: 'delay', ms: 0 },
    ];
    for (const fault of faults) collector.failNext(fault);
    const answers: (number | string)[] = [];
    for (let i = 0; i < faults.length; i++) answers.push(kind(await collector.handle(tp2)!));
    expect(answers).toEqual([202, 400, 'network-error', 'network-error', 'network-error', 200]);
    expect(collector.requests.map((r) => [r.status, r.accepted])).toEqual([
      [202, true],
      [400, false],
      [null, true],
      [null, false],
      [null, false],
      [200, true],
    ]);
    expect(collector.accepted()).toHaveLength(3);
  });

  it('a timeout ends early when the client aborts', async () => {
    const collector = createCollector();
    collector.failNext({ type: 'timeout', ms: 3_600_000 });
    const abort = new AbortController();
    const pending = collector.handle(tp2, abort.signal)!;
    abort.abort();
    expect(kind(await pending)).toBe('network-error');
  });

  it('answers with CORS headers and Retry-After', async () => {
    const collector = createCollector();
    collector.failNext({ type: 'status', status: 429, retryAfter: 'Wed, 21 Oct 2026 07:28:00 GMT' });
    const answer = await collector.handle(tp2)!;
    expect(answer).toMatchObject({
      kind: 'response',
      status: 429,
      headers: { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'retry-after', 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT' },
    });
  });
});
