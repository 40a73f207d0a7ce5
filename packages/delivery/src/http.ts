/** One HTTP request to a vendor collector, built by the kit from a batch at send time. */
export interface HttpRequest {
  /** Absolute URL, query string included. */
  readonly url: string;
  readonly method: 'POST' | 'GET';
  readonly headers?: Readonly<Record<string, string>>;
  /** The body as sent (JSON text for every vendor); absent for GET. */
  readonly body?: string;
}

/** What the outbox needs to know of a vendor's answer. */
export interface HttpResponse {
  readonly status: number;
  /** The `Retry-After` header as received (seconds or an HTTP date), if any. */
  readonly retryAfter?: string | null;
  /** The answer's body as text, when the outbox asked for it ({@link TransportOptions.readBody}). */
  readonly body?: string;
}

/** Options the outbox passes with each request. */
export interface TransportOptions {
  /** Aborted when the request times out; a transport should stop and reject then. */
  readonly signal?: AbortSignal;
  /** A page-hide flush: the request must outlive the page (fetch `keepalive` or `sendBeacon`). */
  readonly keepalive?: boolean;
  /** The outbox reads the answer's body (its `refusal` option is set): resolve with it as `body`. */
  readonly readBody?: boolean;
}

/**
 * Sends one request. Resolves with the vendor's status (any status, 4xx and 5xx included); rejects
 * only when no answer came (network error, abort). The default is {@link fetchTransport}.
 */
export type Transport = (request: HttpRequest, options: TransportOptions) => Promise<HttpResponse>;
