import { DEFAULT_FAULT_MIX, describeFault, type Fault, type FaultSettings } from './fault';
import { seededRandom } from './seeded-random';
import { routeOf, type VendorName } from './vendor-routes';

/** A request as a collector received it, decoded. */
export interface CollectedRequest {
  /** 1 for the first request since the last reset, +1 each. */
  readonly seq: number;
  readonly vendor: VendorName;
  readonly method: string;
  /** The full URL, query string included. */
  readonly url: string;
  readonly path: string;
  /** Query parameters (the last value of a repeated one). */
  readonly query: Readonly<Record<string, string>>;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as received ('' for none). */
  readonly rawBody: string;
  /** The body parsed as JSON, or null when empty or not JSON. */
  readonly body: unknown;
  /** Epoch ms (`Date.now()`). */
  readonly receivedAt: number;
  /** The status answered, or null when the connection dropped or no answer came. */
  readonly status: number | null;
  /** True when the vendor took the request in: a 2xx answer, or a timeout after processing. */
  readonly accepted: boolean;
  /** The injected fault, described, or null for a normal answer. */
  readonly fault: string | null;
}

/** A request handed to a collector by an adapter (msw or the HTTP server). */
export interface IncomingRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What the adapter should do: answer, or drop the connection. */
export type CollectorAnswer =
  | { readonly kind: 'response'; readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: string }
  | { readonly kind: 'network-error' };

/** Options of a scripted fault. */
export interface FailNextOptions {
  /** How many requests get the fault. Default 1. */
  readonly times?: number;
  /** Only requests to this vendor. Default: any. */
  readonly vendor?: VendorName;
}

/**
 * Stands in for the vendors' collectors: records every request, decoded, and answers it — 200 by
 * default, or with an injected fault. Generic on purpose: kits own what the payloads mean.
 */
export interface Collector {
  /** Every request received since the last reset, in arrival order. */
  readonly requests: readonly CollectedRequest[];
  /** Requests the vendor took in (2xx, or processed before a timeout), optionally for one vendor. */
  accepted(vendor?: VendorName): CollectedRequest[];
  /** Requests received, optionally for one vendor. */
  received(vendor?: VendorName): CollectedRequest[];
  /** Scripts a fault for the next request(s); scripted faults go before random ones, first scripted first. */
  failNext(fault: Fault, options?: FailNextOptions): void;
  /** Random faults from now on (replaces earlier settings; the random source restarts from the seed). */
  setFaults(settings: FaultSettings): void;
  /** Forgets requests, scripted faults and fault settings. */
  reset(): void;
  /** Resolves once `predicate(requests)` holds (checked now and after every request). */
  until(predicate: (requests: readonly CollectedRequest[]) => boolean): Promise<void>;
  /**
   * Records a request and works out the answer (waiting out delays and timeouts). Undefined when the
   * request is not for a vendor route. `signal` aborts a pending timeout (the client gave up).
   */
  handle(request: IncomingRequest, signal?: AbortSignal): Promise<CollectorAnswer> | undefined;
}

/** CORS headers on every answer: browser pages on another origin post to the collectors and read `Retry-After`. */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'retry-after',
};

/** A timeout without `ms` drops the connection after this long if the client has not given up first. */
const DEFAULT_TIMEOUT_MS = 60_000;

/** Creates the collector core shared by the msw handlers and the HTTP server. */
export function createCollector(settings: FaultSettings = {}): Collector {
  let requests: CollectedRequest[] = [];
  let scripted: { fault: Fault; times: number; vendor?: VendorName }[] = [];
  let faults: FaultSettings = {};
  let random = seededRandom(1);
  let waiters: { predicate: (r: readonly CollectedRequest[]) => boolean; resolve: () => void }[] = [];

  const setFaults = (next: FaultSettings): void => {
    const rate = next.failureRate ?? 0;
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`failureRate must be within 0..1 (got ${rate})`);
    if (next.mix && next.mix.length === 0) throw new RangeError('mix must hold at least one fault');
    faults = next;
    random = seededRandom(next.seed ?? 1);
  };
  setFaults(settings);

  const pickFault = (vendor: VendorName): Fault | undefined => {
    const script = scripted.find((s) => !s.vendor || s.vendor === vendor);
    if (script) {
      if (--script.times <= 0) scripted = scripted.filter((s) => s !== script);
      return script.fault;
    }
    const rate = faults.failureRate ?? 0;
    if (rate > 0 && random() < rate) {
      const mix = faults.mix ?? DEFAULT_FAULT_MIX;
      return mix[Math.floor(random() * mix.length)];
    }
    return undefined;
  };

  const notify = (): void => {
    waiters = waiters.filter((w) => {
      if (!w.predicate(requests)) return true;
      w.resolve();
      return false;
    });
  };

  return {
    get requests() {
      return requests;
    },
    accepted: (vendor) => requests.filter((r) => r.accepted && (!vendor || r.vendor === vendor)),
    received: (vendor) => requests.filter((r) => !vendor || r.vendor === vendor),
    failNext(fault, { times = 1, vendor } = {}) {
      if (!(times >= 1)) throw new RangeError(`times must be ≥ 1 (got ${times})`);
      scripted.push({ fault, times, vendor });
    },
    setFaults,
    reset() {
      requests = [];
      scripted = [];
      setFaults({});
    },
    until(predicate) {
      if (predicate(requests)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
    handle(incoming, signal) {
      const url = new URL(incoming.url);
      const route = routeOf(incoming.method, url.pathname);
      if (!route) return undefined;
      const fault = pickFault(route.vendor);
      const outcome = finalOutcome(fault);
      requests.push({
        seq: requests.length + 1,
        vendor: route.vendor,
        method: incoming.method.toUpperCase(),
        url: incoming.url,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: Object.fromEntries(Object.entries(incoming.headers).map(([k, v]) => [k.toLowerCase(), v])),
        rawBody: incoming.body,
        body: decodeJson(incoming.body),
        receivedAt: Date.now(),
        status: outcome.type === 'status' ? outcome.status : null,
        accepted: outcome.type === 'status' ? outcome.status >= 200 && outcome.status < 300 : outcome.type === 'timeout' && outcome.processed === true,
        fault: fault ? describeFault(fault) : null,
      });
      notify();
      return answer(fault, faults.delayMs ?? 0, signal);
    },
  };
}

/** The fault that decides the outcome once delays are unwrapped (undefined: a normal 200). */
type Outcome = Exclude<Fault, { type: 'delay' }>;
const finalOutcome = (fault: Fault | undefined): Outcome => {
  while (fault?.type === 'delay') fault = fault.then;
  return fault ?? { type: 'status', status: 200 };
};

async function answer(fault: Fault | undefined, delayMs: number, signal: AbortSignal | undefined): Promise<CollectorAnswer> {
  if (delayMs > 0) await wait(delayMs, signal);
  while (fault?.type === 'delay') {
    await wait(fault.ms, signal);
    fault = fault.then;
  }
  const outcome = fault ?? { type: 'status', status: 200 };
  switch (outcome.type) {
    case 'network-error':
      return { kind: 'network-error' };
    case 'timeout':
      await wait(outcome.ms ?? DEFAULT_TIMEOUT_MS, signal);
      return { kind: 'network-error' };
    case 'status': {
      const headers: Record<string, string> = { ...CORS_HEADERS, 'content-type': 'application/json' };
      if (outcome.retryAfter !== undefined) headers['retry-after'] = String(outcome.retryAfter);
      return { kind: 'response', status: outcome.status, headers, body: outcome.body ?? '{}' };
    }
  }
}

/** Waits `ms` (global timers, so fake timers drive it), or less if `signal` aborts. */
function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done);
  });
}

function decodeJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
