import type { Transport } from './http';
import { message } from './messages';

/**
 * The default transport: `fetch` (Node 20, browsers, React Native), with `keepalive` for page-hide
 * flushes. Where `fetch` is missing but `navigator.sendBeacon` exists, a page-hide POST goes by
 * beacon, sent without a content type so that no CORS preflight (which a beacon cannot make) is
 * needed. A beacon has no answer, so the promise then rejects and the items stay queued: they are
 * resent later (at-least-once, never lost).
 */
export const fetchTransport: Transport = async ({ url, method, headers, body }, { signal, keepalive, readBody }) => {
  if (typeof fetch != 'function') {
    const { navigator } = globalThis as { navigator?: { sendBeacon?(url: string, data: Blob): boolean } };
    const sent = keepalive && method == 'POST' && navigator?.sendBeacon?.(url, new Blob([body ?? '']));
    throw new Error(sent ? message(205) : message(206));
  }
  const response = await fetch(url, { method, headers, body, keepalive, signal });
  // Unless it is asked for, the answer's body is not needed: release the connection at once.
  const text = readBody ? await response.text() : void response.body?.cancel().catch(() => undefined);
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: text };
};
