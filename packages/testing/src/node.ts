/**
 * @sessionhub/testing/node — the vendor collectors mounted with msw's Node interceptor.
 * @packageDocumentation
 */
import { setupServer, type SetupServer } from 'msw/node';
import { vendorCollector, type VendorCollector, type VendorCollectorOptions } from './msw-collector';

/** The vendor collectors, answering `fetch` in this Node process. */
export interface MockedCollector extends VendorCollector {
  readonly server: SetupServer;
  /** Stops intercepting. */
  close(): void;
}

/**
 * The vendor collectors answering this process's HTTP requests (msw's Node interceptor), listening
 * at once; requests to any other address fail the test (`onUnhandledRequest: 'error'`).
 *
 * @example
 * const collector = mockedCollector({ origins: { braze: 'https://sdk.iad-01.braze.com' } });
 * afterAll(() => collector.close());
 */
export function mockedCollector(options: VendorCollectorOptions = {}): MockedCollector {
  const collector = vendorCollector(options);
  const server = setupServer(...collector.handlers);
  server.listen({ onUnhandledRequest: 'error' });
  return Object.assign(collector, { server, close: () => server.close() });
}
