/** One request as a transport received it, recorded synchronously (before any answer). */
export interface RecordedRequest {
  readonly url: string;
  readonly body: string;
  readonly keepalive: boolean;
}

/** A delivery transport (see `@sessionhub/delivery`'s `Transport`) that records every request. */
export interface RecordingTransport {
  (request: { url: string; body?: string }, options: { keepalive?: boolean }): Promise<{ status: number }>;
  readonly requests: RecordedRequest[];
}

/**
 * A transport that answers every request with `status` at once and records it synchronously, so a
 * test can tell what a kit sent during a page hide, when nothing asynchronous may run any more.
 */
export function recordingTransport(status = 200): RecordingTransport {
  const requests: RecordedRequest[] = [];
  const transport = (request: { url: string; body?: string }, options: { keepalive?: boolean }) => {
    requests.push({ url: request.url, body: request.body ?? '', keepalive: options.keepalive === true });
    return Promise.resolve({ status });
  };
  return Object.assign(transport, { requests });
}
