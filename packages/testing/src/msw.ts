/**
 * @sessionhub/testing/msw — the vendor collectors as msw request handlers, for tests in Node (see
 * `@sessionhub/testing/node`) or in a browser's service worker. Needs `msw` (an optional peer
 * dependency: install it yourself); the rest of `@sessionhub/testing` works without it.
 * @packageDocumentation
 */
export { vendorCollector } from './msw-collector';
export type { VendorCollector, VendorCollectorOptions } from './msw-collector';
