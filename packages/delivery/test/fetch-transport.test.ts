import { fetchTransport } from '@sessionhub/delivery';
import { vendorCollector } from '@sessionhub/testing/msw';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TP2 } from './harness';

const collector = vendorCollector();
let keepaliveSeen: boolean[] = [];
const server = setupServer(
  http.post('https://keepalive.test/probe', ({ request }) => {
    keepaliveSeen.push(request.keepalive);
    return HttpResponse.json({});
  }),
  ...collector.handlers,
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  collector.reset();
  keepaliveSeen = [];
  vi.unstubAllGlobals();
});
afterAll(() => server.close());

const request = { url: TP2, method: 'POST' as const, headers: { 'Content-Type': 'application/json' }, body: '{"data":[{"eid":"a"}]}' };

describe('fetchTransport', () => {
  it('sends method, headers and body as given and answers the status', async () => {
    await expect(fetchTransport(request, {})).resolves.toEqual({ status: 200, retryAfter: null });
    expect(collector.requests[0]).toMatchObject({ method: 'POST', headers: { 'content-type': 'application/json' }, body: { data: [{ eid: 'a' }] } });
  });

  it('answers error statuses with their Retry-After instead of rejecting', async () => {
    collector.failNext({ type: 'status', status: 503, retryAfter: 7 });
    await expect(fetchTransport(request, {})).resolves.toEqual({ status: 503, retryAfter: '7' });
  });

  it('rejects on a network error', async () => {
    collector.failNext({ type: 'network-error' });
    await expect(fetchTransport(request, {})).rejects.toThrow();
  });

  it('rejects when its signal aborts', async () => {
    collector.failNext({ type: 'timeout' });
    const abort = new AbortController();
    const pending = fetchTransport(request, { signal: abort.signal });
    await collector.until((r) => r.length === 1);
    abort.abort();
    await expect(pending).rejects.toThrow();
  });

  it('reads the answer body only when asked (readBody)', async () => {
    const probe = { ...request, url: 'https://keepalive.test/probe' };
    expect(await fetchTransport(probe, { readBody: true })).toEqual({ status: 200, retryAfter: null, body: '{}' });
    expect((await fetchTransport(probe, {})).body).toBeUndefined();
  });

  it('asks fetch for keepalive on a page-hide flush', async () => {
    const probe = { ...request, url: 'https://keepalive.test/probe' };
    await fetchTransport(probe, { keepalive: true });
    await fetchTransport(probe, {});
    expect(keepaliveSeen).toEqual([true, false]);
  });

  it('without fetch, hands a page-hide POST to sendBeacon (no content type: no preflight) and rejects (no answer to confirm)', async () => {
    const sendBeacon = vi.fn(() => true);
    vi.stubGlobal('fetch', undefined);
    vi.stubGlobal('navigator', { sendBeacon });
    await expect(fetchTransport(request, { keepalive: true })).rejects.toThrow('sendBeacon');
    expect(sendBeacon).toHaveBeenCalledTimes(1);
    const [url, blob] = sendBeacon.mock.calls[0] as unknown as [string, Blob];
    expect(url).toBe(TP2);
    expect(blob.type).toBe('');
    expect(await blob.text()).toBe(request.body);
    await expect(fetchTransport(request, {})).rejects.toThrow('no fetch');
  });
});
