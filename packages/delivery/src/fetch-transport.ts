import type { HttpResponse, Transport } from './http';

/**
 * The default transport: `fetch` (Node 20, browsers, React Native), with `keepalive` for page-hide
 * flushes. Where `fetch` is missing but `navigator.sendBeacon` exists, a page-hide POST goes by
 * beacon; a beacon has no answer, so the promise then rejects and the items stay queued (they are
 * resent later: at-least-once, never lost).
 */
export const fetchTransport: Transport = async ({ url, method, headers, body }, { signal, keepalive }): Promise<HttpResponse> => {
  if (typeof fetch !== 'function') {
    const nav = (globalThis as { navigator?: { sendBeacon?: (url: string, data: Blob) => boolean } }).navigator;
    if (keepalive && method === 'POST' && nav?.sendBeacon) {
      const type = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
      nav.sendBeacon(url, new Blob([body ?? ''], type ? { type } : {}));
      throw new Error('sent by sendBeacon, which gives no answer');
    }
    throw new Error('no fetch in this environment; pass a transport');
  }
  const response = await fetch(url, { method, headers, body, keepalive, signal });
  // The answer's body is not needed; release the connection at once.
  response.body?.cancel().catch(() => undefined);
  return { status: response.status, retryAfter: response.headers.get('retry-after') };
};
