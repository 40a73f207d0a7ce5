import type { Transport } from '@sessionhub/delivery';
import type { Collector } from '@sessionhub/testing';

/**
 * A transport straight into the shared collector core (what the msw handlers and the loopback server
 * wrap), for tests that check payloads rather than HTTP: decoded and recorded the same way, minus the
 * fetch round trip. `alive() === false` models a killed process: nothing leaves it any more.
 */
export function collectorTransport(collector: Collector, alive: () => boolean = () => true): Transport {
  return async (request) => {
    if (!alive()) throw new Error('the process was killed');
    const answer = await collector.handle({ method: request.method, url: request.url, headers: { ...request.headers }, body: request.body ?? '' });
    if (!answer) throw new Error(`no collector route for ${request.method} ${request.url}`);
    if (answer.kind === 'network-error') throw new Error('connection dropped');
    return { status: answer.status, retryAfter: answer.headers['retry-after'] ?? null };
  };
}
