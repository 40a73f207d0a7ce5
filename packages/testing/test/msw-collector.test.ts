import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Fault } from '@sessionhub/testing';
import { vendorCollector } from '@sessionhub/testing/msw';

const collector = vendorCollector();
const server = setupServer(...collector.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  collector.reset();
  vi.useRealTimers();
});
afterAll(() => server.close());

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
const snowplow = (n = 0) => post('https://collector.test/com.snowplowanalytics.snowplow/tp2', { data: [{ eid: `e-${n}` }] });
/** The outcome a client saw: a status, or 'error' when fetch rejected. */
const outcome = (p: Promise<Response>) => p.then((r) => r.status, () => 'error' as const);

describe('vendorCollector (msw)', () => {
  it('records a Braze POST on its real path, decoded', async () => {
    const res = await post('https://sdk.iad-01.braze.com/api/v3/data/', { events: [{ name: 'ss' }] }, { 'X-Braze-Api-Key': 'k' });
    expect(res.status).toBe(200);
    expect(collector.requests).toHaveLength(1);
    const [r] = collector.requests;
    expect(r).toMatchObject({ seq: 1, vendor: 'braze', method: 'POST', path: '/api/v3/data/', body: { events: [{ name: 'ss' }] }, status: 200, accepted: true, fault: null });
    expect(r!.headers['x-braze-api-key']).toBe('k');
  });

  it('records Snowplow POST tp2 and GET /i, and CleverTap /a1 with its query', async () => {
    await snowplow(1);
    await fetch('https://collector.test/i?e=pv&eid=e-2&url=https%3A%2F%2Fa.b%2F');
    await post('https://in1.clevertap-prod.com/a1?os=Android&t=70000&z=ACC&ts=1767268800', [{ type: 'meta', g: 'device' }, { evtName: 'x' }]);
    expect(collector.requests.map((r) => [r.vendor, r.method, r.path])).toEqual([
      ['snowplow', 'POST', '/com.snowplowanalytics.snowplow/tp2'],
      ['snowplow', 'GET', '/i'],
      ['clevertap', 'POST', '/a1'],
    ]);
    expect(collector.requests[1]).toMatchObject({ query: { e: 'pv', eid: 'e-2', url: 'https://a.b/' }, body: null, rawBody: '' });
    expect(collector.requests[2]).toMatchObject({ query: { os: 'Android', z: 'ACC' }, body: [{ type: 'meta', g: 'device' }, { evtName: 'x' }] });
    expect(collector.received('snowplow')).toHaveLength(2);
    expect(collector.accepted('clevertap')).toHaveLength(1);
  });

  it('keeps a body that is not JSON raw, with body null', async () => {
    await fetch('https://collector.test/a1', { method: 'POST', body: 'not json' });
    expect(collector.requests[0]).toMatchObject({ rawBody: 'not json', body: null });
  });

  it('answers a scripted status with Retry-After, the given number of times, then 200', async () => {
    collector.failNext({ type: 'status', status: 503, retryAfter: 30 }, { times: 2 });
    const first = await snowplow();
    expect([first.status, first.headers.get('retry-after')]).toEqual([503, '30']);
    expect(await outcome(snowplow())).toBe(503);
    expect(await outcome(snowplow())).toBe(200);
    expect(collector.requests.map((r) => [r.status, r.accepted, r.fault])).toEqual([
      [503, false, 'status 503 (Retry-After: 30)'],
      [503, false, 'status 503 (Retry-After: 30)'],
      [200, true, null],
    ]);
  });

  it('scripts faults for one vendor only, first scripted first', async () => {
    collector.failNext({ type: 'status', status: 500 }, { vendor: 'braze' });
    collector.failNext({ type: 'network-error' });
    expect(await outcome(snowplow())).toBe('error');
    expect(await outcome(post('https://x.test/api/v3/data/', {}))).toBe(500);
    expect(await outcome(snowplow())).toBe(200);
  });

  it('answers 204 without a body', async () => {
    collector.failNext({ type: 'status', status: 204 });
    const res = await snowplow();
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(collector.requests[0]!.accepted).toBe(true);
  });

  it('delays answers (fake timers drive the delay)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    collector.failNext({ type: 'delay', ms: 5000, then: { type: 'status', status: 429 } });
    let status: number | string | undefined;
    void outcome(snowplow()).then((s) => (status = s));
    await vi.advanceTimersByTimeAsync(4999);
    expect(status).toBeUndefined();
    expect(collector.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(status).toBe(429);
  });

  it('delays every answer with delayMs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    collector.setFaults({ delayMs: 200 });
    let status: number | string | undefined;
    void outcome(snowplow()).then((s) => (status = s));
    await vi.advanceTimersByTimeAsync(199);
    expect(status).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(status).toBe(200);
  });

  it('a timeout hangs until the client gives up, then drops the connection', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    collector.failNext({ type: 'timeout', ms: 10_000 });
    let status: number | string | undefined;
    void outcome(snowplow()).then((s) => (status = s));
    await vi.advanceTimersByTimeAsync(9999);
    expect(status).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(status).toBe('error');
    expect(collector.requests[0]).toMatchObject({ status: null, accepted: false, fault: 'timeout' });
  });

  it('turns every kind of fault in a seeded mix into what a client sees', async () => {
    collector.setFaults({ failureRate: 0.5, seed: 3, mix: [{ type: 'status', status: 500 }, { type: 'network-error' }] });
    const outcomes: (number | string)[] = [];
    for (let i = 0; i < 40; i++) outcomes.push(await outcome(snowplow(i)));
    expect(new Set(outcomes)).toEqual(new Set([200, 500, 'error']));
    expect(outcomes.map((o) => (o === 'error' ? null : o))).toEqual(collector.requests.map((r) => r.status));
  });

  it('refuses invalid fault settings', () => {
    expect(() => collector.setFaults({ failureRate: 1.5 })).toThrow(RangeError);
    expect(() => collector.setFaults({ mix: [] })).toThrow(RangeError);
    expect(() => collector.failNext({ type: 'network-error' }, { times: 0 })).toThrow(RangeError);
  });

  it('until() resolves once the predicate holds; reset() forgets requests and faults', async () => {
    const two = collector.until((r) => r.length >= 2);
    let done = false;
    void two.then(() => (done = true));
    await snowplow();
    await Promise.resolve();
    expect(done).toBe(false);
    await snowplow();
    await two;
    collector.failNext({ type: 'network-error' });
    collector.setFaults({ failureRate: 1 });
    collector.reset();
    expect(collector.requests).toEqual([]);
    expect(await outcome(snowplow())).toBe(200);
    expect(collector.requests[0]!.seq).toBe(1);
  });

  it('can be bound to one origin per vendor', async () => {
    const scoped = vendorCollector({ origins: { braze: 'https://sdk.iad-01.braze.com' } });
    server.use(...scoped.handlers);
    await post('https://sdk.iad-01.braze.com/api/v3/data/', {});
    await post('https://elsewhere.test/api/v3/data/', {});
    expect(scoped.requests.map((r) => r.url)).toEqual(['https://sdk.iad-01.braze.com/api/v3/data/']);
    expect(collector.requests.map((r) => r.url)).toEqual(['https://elsewhere.test/api/v3/data/']);
    server.resetHandlers();
  });
});
