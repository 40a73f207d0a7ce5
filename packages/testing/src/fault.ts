/**
 * A fault a collector can inject into its answer to one request.
 * - `status`: answer with this status (and `Retry-After`, when given); the request is not taken in
 *   unless the status is 2xx.
 * - `network-error`: the connection drops without an answer.
 * - `timeout`: no answer until the client gives up (aborts) or `ms` pass (then the connection drops).
 *   With `processed: true` the vendor did take the request in and only the answer got lost, so a
 *   client's resend reaches the vendor twice (what event ids are for).
 * - `delay`: wait `ms`, then answer normally or apply `then`.
 */
export type Fault =
  | { readonly type: 'status'; readonly status: number; readonly retryAfter?: number | string; readonly body?: string }
  | { readonly type: 'network-error' }
  | { readonly type: 'timeout'; readonly ms?: number; readonly processed?: boolean }
  | { readonly type: 'delay'; readonly ms: number; readonly then?: Fault };

/** Random faults: each request fails with probability `failureRate`, drawing its fault from `mix`. */
export interface FaultSettings {
  /** Fraction of requests that fail, 0..1. Default 0. */
  readonly failureRate?: number;
  /** Seed of the deterministic random source deciding which requests fail. Default 1. */
  readonly seed?: number;
  /** The faults drawn from (uniformly). Default: 500, 503 with `Retry-After: 1`, a network error, a timeout. */
  readonly mix?: readonly Fault[];
  /** Every answer (faulty or not) waits this long first. Default 0. */
  readonly delayMs?: number;
}

/** The default mix of failures. */
export const DEFAULT_FAULT_MIX: readonly Fault[] = [
  { type: 'status', status: 500 },
  { type: 'status', status: 503, retryAfter: 1 },
  { type: 'network-error' },
  { type: 'timeout' },
];

/** A short label of a fault, for recorded requests and logs. */
export function describeFault(fault: Fault): string {
  switch (fault.type) {
    case 'status':
      return `status ${fault.status}${fault.retryAfter !== undefined ? ` (Retry-After: ${fault.retryAfter})` : ''}`;
    case 'network-error':
      return 'network error';
    case 'timeout':
      return fault.processed ? 'timeout after processing' : 'timeout';
    case 'delay':
      return `delay ${fault.ms} ms${fault.then ? ` then ${describeFault(fault.then)}` : ''}`;
  }
}
