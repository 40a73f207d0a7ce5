import { http, HttpResponse, type HttpHandler } from 'msw';
import { createCollector, type Collector } from './collector';
import type { FaultSettings } from './fault';
import { VENDOR_ROUTES, type VendorName } from './vendor-routes';

/** Options of {@link vendorCollector}: random faults, plus where the vendors live. */
export interface VendorCollectorOptions extends FaultSettings {
  /** Origin per vendor (e.g. `https://sdk.iad-01.braze.com`); default: any origin. */
  readonly origins?: Partial<Record<VendorName, string>>;
}

/** A collector with msw handlers for the vendors' real paths. */
export interface VendorCollector extends Collector {
  /** Pass to `setupServer(...)` (Node) or `setupWorker(...)` (browser). */
  readonly handlers: HttpHandler[];
}

/** Statuses whose responses must not carry a body (the Fetch standard). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * msw stand-ins for the Braze, Snowplow and CleverTap collectors: they record every request and answer
 * it, or inject faults (see {@link Collector}).
 *
 * @example
 * const collector = vendorCollector({ failureRate: 0.3, seed: 7 });
 * const server = setupServer(...collector.handlers);
 * server.listen({ onUnhandledRequest: 'error' });
 */
export function vendorCollector(options: VendorCollectorOptions = {}): VendorCollector {
  const collector = createCollector(options);
  const handlers = VENDOR_ROUTES.map((route) =>
    http[route.method === 'GET' ? 'get' : 'post'](`${options.origins?.[route.vendor] ?? '*'}${route.path}`, async ({ request }) => {
      const incoming = { method: request.method, url: request.url, headers: Object.fromEntries(request.headers), body: await request.text() };
      const answer = await collector.handle(incoming, request.signal);
      if (!answer) return undefined;
      if (answer.kind === 'network-error') return HttpResponse.error();
      return new HttpResponse(NULL_BODY.has(answer.status) ? null : answer.body, { status: answer.status, headers: answer.headers });
    }),
  );
  return Object.assign(collector, { handlers });
}
