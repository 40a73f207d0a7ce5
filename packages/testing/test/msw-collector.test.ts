import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { vendorCollector } from '@sessionhub/testing';

const collector = vendorCollector();
const server = setupServer(...collector.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  collector.reset();
  vi.useRealTimers();
});
afterAll(() => server.close());

describe('vendorCollector (msw)', () => {
  it('records a Braze POST on its real path, decoded', async () => {
    const res = await fetch('https://sdk.iad-01.braze.com/api/v3/data/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Braze-Api-Key': 'k' },
      body: JSON.stringify({ events: [{ name: 'ss' }] }),
    });
    expect(res.status).toBe(200);
    expect(collector.requests).toHaveLength(1);
    const [r] = collector.requests;
    expect(r).toMatchObject({ seq: 1, vendor: 'braze', method: 'POST', path: '/api/v3/data/', body: { events: [{ name: 'ss' }] }, status: 200, accepted: true, fault: null });
    expect(r!.headers['x-braze-api-key']).toBe('k');
  });

  it('aborting a timed-out request rejects the fetch', async () => {
    collector.failNext({ type: 'timeout' });
    const abort = new AbortController();
    const p = fetch('https://c.example/i?e=pv&eid=1', { signal: abort.signal });
    setTimeout(() => abort.abort(), 20);
    await expect(p).rejects.toThrow();
    expect(collector.requests[0]).toMatchObject({ vendor: 'snowplow', method: 'GET', query: { e: 'pv', eid: '1' }, status: null, accepted: false });
  });
});
