/** The vendors SessionHub ships kits for. */
export type VendorName = 'braze' | 'snowplow' | 'clevertap';

/** One collector endpoint, on the vendor's real path. */
export interface VendorRoute {
  readonly vendor: VendorName;
  readonly method: 'GET' | 'POST';
  readonly path: string;
}

/**
 * Braze Web SDK: `POST <baseUrl>/api/v3/data/`; Snowplow trackers: `POST /com.snowplowanalytics.snowplow/tp2`
 * and `GET /i`; CleverTap mobile SDKs: `POST /a1` (see the kit pages in docs/kits).
 */
export const VENDOR_ROUTES: readonly VendorRoute[] = [
  { vendor: 'braze', method: 'POST', path: '/api/v3/data/' },
  { vendor: 'snowplow', method: 'POST', path: '/com.snowplowanalytics.snowplow/tp2' },
  { vendor: 'snowplow', method: 'GET', path: '/i' },
  { vendor: 'clevertap', method: 'POST', path: '/a1' },
];

/** The route a request is for, or undefined. */
export function routeOf(method: string, path: string): VendorRoute | undefined {
  return VENDOR_ROUTES.find((route) => route.method === method.toUpperCase() && route.path === path);
}
