import type { Transport } from './http';

/**
 * The default transport: `fetch` (Node 20, browsers, React Native), with `keepalive` for page-hide
 * flushes. Where `fetch` is missing but `navigator.sendBeacon` exists, a page-hide POST goes by
 * beacon, sent without a content type so that no CORS preflight (which a beacon cannot make) is
 * needed. A beacon has no answer, so the promise then rejects and the items stay queued: they are
 * resent later (at-least-once, never lost).
 */
export const fetchTransport: Transport = async (request, { signal, keepalive }) => {
  if (typeof fetch != 'function') {
    const { navigator } = globalThis as { navigator?: { sendBeacon?(url: string, data: Blob): boolean } };
    const sent = keepalive && request.method == 'POST' && navigator?.sendBeacon?.(request.url, new Blob([request.body ?? '']));
    throw new Error(sent ? 'sent by sendBeacon (no answer)' : 'no fetch; pass a transport');
  }
  // The request's method, headers and body are fetch's own option names.
  const response = await fetch(request.url, { ...request, keepalive, signal });
  // The answer's body is not needed; release the connection at once.
  response.body?.cancel().catch(() => undefined);
  return { status: response.status, retryAfter: response.headers.get('retry-after') };
};
