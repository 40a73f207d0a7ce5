import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCollectorServer, type CollectedRequest, type CollectorServer } from '@sessionhub/testing/server';

let server: CollectorServer;
beforeAll(async () => {
  server = await startCollectorServer();
});
afterEach(() => server.collector.reset());
afterAll(() => server.close());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(server.url + path, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
const control = async (path: string, body?: unknown) => (await post(`/__collector/${path}`, body ?? {})).json() as Promise<unknown>;
const received = async (query = ''): Promise<CollectedRequest[]> => (await fetch(`${server.url}/__collector/requests${query}`)).json() as Promise<CollectedRequest[]>;

describe('startCollectorServer', () => {
  it('listens on loopback only', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.port).toBeGreaterThan(0);
  });

  it('records vendor requests and serves them as JSON, optionally for one vendor', async () => {
    const res = await post('/api/v3/data/', { events: [{ name: 'ss' }] }, { 'X-Braze-Api-Key': 'key' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    await fetch(`${server.url}/i?e=se&eid=abc`);
    await post('/a1?z=ACC', [{ type: 'meta' }]);
    const all = await received();
    expect(all.map((r) => [r.vendor, r.method, r.path])).toEqual([
      ['braze', 'POST', '/api/v3/data/'],
      ['snowplow', 'GET', '/i'],
      ['clevertap', 'POST', '/a1'],
    ]);
    expect(all[0]).toMatchObject({ body: { events: [{ name: 'ss' }] }, accepted: true, status: 200 });
    expect(all[0]!.headers['x-braze-api-key']).toBe('key');
    expect(all[1]!.query).toEqual({ e: 'se', eid: 'abc' });
    expect(all[2]!.url).toBe(`${server.url}/a1?z=ACC`);
    expect((await received('?vendor=clevertap')).map((r) => r.vendor)).toEqual(['clevertap']);
  });

  it('answers CORS preflights, allowing the vendors’ headers', async () => {
    const res = await fetch(`${server.url}/api/v3/data/`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://127.0.0.1:5173', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-braze-api-key,x-braze-req-attempt' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type,x-braze-api-key,x-braze-req-attempt');
    expect(await received()).toEqual([]);
  });

  it('injects scripted faults through the control API', async () => {
    expect(await control('fail-next', { fault: { type: 'status', status: 503, retryAfter: 5 }, vendor: 'snowplow' })).toEqual({ ok: true });
    await control('fail-next', { fault: { type: 'network-error' }, times: 1, vendor: 'braze' });
    const answer = await post('/com.snowplowanalytics.snowplow/tp2', { data: [] });
    expect([answer.status, answer.headers.get('retry-after'), answer.headers.get('access-control-expose-headers')]).toEqual([503, '5', 'retry-after']);
    await expect(post('/api/v3/data/', {})).rejects.toThrow();
    expect((await post('/api/v3/data/', {})).status).toBe(200);
    expect((await received()).map((r) => [r.vendor, r.status, r.fault])).toEqual([
      ['snowplow', 503, 'status 503 (Retry-After: 5)'],
      ['braze', null, 'network error'],
      ['braze', 200, null],
    ]);
  });

  it('sets random faults and resets them', async () => {
    await control('faults', { failureRate: 1, mix: [{ type: 'status', status: 500 }] });
    expect((await post('/a1', [])).status).toBe(500);
    await control('reset');
    expect(await received()).toEqual([]);
    expect((await post('/a1', [])).status).toBe(200);
  });

  it('holds a timed-out request until the client gives up', async () => {
    await control('fail-next', { fault: { type: 'timeout' } });
    const abort = new AbortController();
    let settled = false;
    const hung = fetch(`${server.url}/a1`, { method: 'POST', body: '[]', signal: abort.signal }).finally(() => (settled = true));
    await server.collector.until((r) => r.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(false);
    abort.abort();
    await expect(hung).rejects.toThrow();
    expect(server.collector.requests[0]).toMatchObject({ status: null, accepted: false, fault: 'timeout' });
    // The server is free again.
    expect((await post('/a1', [])).status).toBe(200);
  });

  it('refuses unknown paths and bad control bodies with a clear error', async () => {
    const unknown = await post('/nope', {});
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'no collector at POST /nope' });
    const bad = await fetch(`${server.url}/__collector/fail-next`, { method: 'POST', body: '{}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('body needs a fault');
    expect((await fetch(`${server.url}/__collector/faults`, { method: 'POST', body: '{"failureRate":2}' })).status).toBe(400);
  });

  it('closes even with a request hanging', async () => {
    const other = await startCollectorServer();
    other.collector.failNext({ type: 'timeout' });
    const hung = fetch(`${other.url}/a1`, { method: 'POST', body: '[]' }).catch(() => 'dropped');
    await other.collector.until((r) => r.length === 1);
    await other.close();
    expect(await hung).toBe('dropped');
  });
});
