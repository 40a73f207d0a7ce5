import type { HttpRequest } from './http';

/** Names whose values are credentials: Braze `api_key`, CleverTap `tk` and `X-CleverTap-Token`, and the usual suspects. */
const SECRET = 'token|api.?key|passcode|secret|password|authorization';
const SECRET_NAME = new RegExp(`^tk$|${SECRET}`, 'i');
const SECRET_QUERY = new RegExp(`([?&](?:tk|[^=&]*(?:${SECRET})[^=&]*)=)[^&]*`, 'gi');

const redact = (key: string, value: unknown): unknown => (SECRET_NAME.test(key) && typeof value == 'string' ? '[redacted]' : value);

/**
 * One debug line's worth of a request as sent, with every credential replaced by `[redacted]`: in
 * the URL's query, the headers, and the JSON body at any depth. Only built at log level 'debug'.
 */
export function traceRequest({ url, method, headers, body }: HttpRequest): string {
  let shown = body;
  try {
    shown = JSON.stringify(JSON.parse(body!), redact);
  } catch {
    // Not JSON (or no body): no field to find a credential in.
  }
  return [method, url.replace(SECRET_QUERY, '$1[redacted]'), headers && JSON.stringify(headers, redact), shown].filter((part) => part != null).join(' ');
}
