import { SessionHubConfigError, silentLogger, type DeliveryHealth } from '@sessionhub/core';
import { backoffDelay } from './backoff';
import { batchLength } from './batch';
import { LIMITS, settingProblem, type Limit } from './delivery-options';
import { fetchTransport } from './fetch-transport';
import type { HttpRequest, HttpResponse } from './http';
import type { DropReason, Outbox, OutboxOptions } from './outbox-options';
import { outboxStore } from './outbox-store';
import { parseRetryAfter } from './retry-after';
import { verdictOf } from './response-verdict';
import { globalTimers } from './timers';
import { utf8Length } from './utf8-length';

/** A queued item in memory. */
interface Entry<T> {
  readonly seq: number;
  /** Enqueued at (epoch ms); pulled back to "now" if the clock later reads earlier, so no wait is ever stretched. */
  at: number;
  readonly item: T;
  readonly size: number;
  /** Failed attempts so far (this run). */
  attempts: number;
  /** In a request now; batches, drops and page-hide flushes leave it alone. */
  flying: boolean;
}

/**
 * Creates a kit's outbox. Throws a {@link SessionHubConfigError} for invalid options (a setup mistake);
 * at runtime nothing it does throws.
 *
 * @example
 * const outbox = createOutbox<SnowplowEvent>({
 *   name: 'snowplow', storage: context.storage, logger: context.logger, clock: context.clock,
 *   buildRequest: (events, sentAt) => ({ url, method: 'POST', headers, body: JSON.stringify(envelope(events, sentAt)) }),
 * });
 * await outbox.load();
 * outbox.enqueue(event);
 */
export function createOutbox<T>(options: OutboxOptions<T>): Outbox<T> {
  const { name, storage, buildRequest, sizeOf } = options;
  const check = (option: string, problem: string | false | undefined): void => {
    if (problem) throw new SessionHubConfigError(`outbox.${option}`, `outbox ${name}: ${problem}`);
  };
  check('name', !(typeof name == 'string' && name) && 'name must be a non-empty string');
  check('storage', typeof storage?.set != 'function' && "storage must be the kit's context.storage");
  check('buildRequest', typeof buildRequest != 'function' && 'buildRequest must be a function');
  for (const option of ['transport', 'random', 'timers', ...LIMITS.map(([option]) => option)]) {
    check(option, settingProblem(option, options[option as keyof OutboxOptions<T>]));
  }
  const limit = {} as Record<Limit, number>;
  for (const [option, fallback] of LIMITS) limit[option] = options[option] ?? fallback;

  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? Date.now;
  const transport = options.transport ?? fetchTransport;
  const random = options.random ?? Math.random;
  const timers = options.timers ?? globalTimers;
  const warn = (message: string): void => logger.warn(`outbox ${name}: ${message}`);
  const store = outboxStore<T>(storage, warn);

  let entries: Entry<T>[] = [];
  /** Items enqueued before loading finished; they get sequence numbers after the stored ones. */
  let early: [T, string, number][] = [];
  let tail = 0;
  let loading: Promise<void> | undefined;
  let ready = false;
  let closed = false;
  /** The pump's request is under way (one at a time, so order within the kit is kept). */
  let busy = false;
  /** Consecutive failed attempts, for the backoff. */
  let failures = 0;
  /** No pump request before this instant (backoff or Retry-After) … */
  let notBefore = 0;
  /** … of which this part was asked for by the vendor (Retry-After), which flush() honours too. */
  let vendorNotBefore = 0;
  /** When notBefore was set, to notice a clock that moved backwards. */
  let waitSetAt = 0;
  /** Items with a lower seq are due now (flush() was called after they were queued). */
  let forceBelow = 0;
  let keepaliveBytes = 0;
  let previousSentAt: number | null = null;
  let timer: unknown;
  let timerAt = Infinity;
  let kicked = false;
  let idleWaiters: (() => void)[] = [];
  let delivered = 0;
  let retried = 0;
  const dropped: Record<string, number> = {};
  let lastError: string | null = null;
  let overflowed = 0;

  const count = (reason: DropReason, n: number): number => (dropped[reason] = (dropped[reason] ?? 0) + n);
  const saveRange = (): void =>
    store.setRange(entries[0]?.seq ?? tail, tail, vendorNotBefore > clock() ? [waitSetAt, vendorNotBefore] : undefined);
  const firstIdle = (): number => entries.findIndex((entry) => !entry.flying);

  const remove = (batch: Entry<T>[]): void => {
    for (const entry of batch) store.remove(entry.seq);
    const gone = new Set(batch);
    entries = entries.filter((entry) => !gone.has(entry));
    saveRange();
  };

  const drop = (batch: Entry<T>[], reason: DropReason, why: string): void => {
    if (batch.length) {
      count(reason, batch.length);
      warn(`dropped ${batch.length} item(s) (${reason}): ${why}`);
      remove(batch);
    }
  };

  /** Bytes of an item in a request: sizeOf, or (also when sizeOf throws) the UTF-8 length of its JSON. */
  const measure = (item: T, json: string): number => {
    try {
      if (sizeOf) return sizeOf(item);
    } catch {
      // measured as JSON below
    }
    return utf8Length(json);
  };

  const add = (item: T, json: string, at: number): void => {
    const size = measure(item, json);
    if (entries.length >= limit.maxQueueItems) {
      // Oldest first, but never an item in flight (its answer is still to come); if all are, the new one goes.
      const oldest = firstIdle();
      count('overflow', 1);
      overflowed++;
      kick();
      if (oldest < 0) return;
      store.remove(entries[oldest]!.seq);
      entries.splice(oldest, 1);
    }
    const seq = tail++;
    entries.push({ seq, at, item, size, attempts: 0, flying: false });
    store.put(seq, at, json);
    saveRange();
    kick();
  };

  /** Runs the pump once after the current synchronous burst (one pass for many enqueues). */
  const kick = (): void => {
    if (kicked) return;
    kicked = true;
    void Promise.resolve().then(() => {
      kicked = false;
      if (overflowed) warn(`queue full: dropped ${overflowed} oldest item(s) (overflow)`);
      overflowed = 0;
      pump();
    });
  };

  const stopTimer = (): void => {
    if (timerAt < Infinity) timers.clearTimeout(timer);
    timerAt = Infinity;
  };

  const wakeAt = (at: number, now: number): void => {
    if (at >= timerAt) return;
    stopTimer();
    timerAt = at;
    // Capped: larger delays overflow to "now" in browsers and Node.
    timer = timers.setTimeout(() => ((timerAt = Infinity), pump()), Math.min(Math.max(at - now, 0), 2 ** 31 - 1));
  };

  const settleIdle = (): void => {
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  /** Decides from timestamps whether to send now; timers only call it again. */
  const pump = (): void => {
    if (busy) return;
    if (!ready || closed) return settleIdle();
    const now = clock();
    if (now < waitSetAt) {
      // The clock moved backwards: count the time since as zero rather than waiting the jump out.
      notBefore = now + (notBefore - waitSetAt);
      vendorNotBefore = Math.min(vendorNotBefore, notBefore);
      waitSetAt = now;
    }
    const start = firstIdle();
    const first = entries[start];
    if (!first) return settleIdle();
    if (first.at > now) first.at = now;
    let old = start;
    while (entries[old] && !entries[old]!.flying && now - entries[old]!.at >= limit.maxAgeMs) old++;
    if (old > start) {
      drop(entries.slice(start, old), 'expired', `older than ${limit.maxAgeMs} ms`);
      return pump();
    }
    const n = batchLength(entries, start, limit.maxBatchItems, limit.maxBatchBytes);
    // Due now when flushed, or when the batch is full (more waiting behind it); else when its oldest item has waited the interval.
    const full = first.seq < forceBelow || start + n < entries.length || n >= limit.maxBatchItems;
    const dueAt = Math.max(notBefore, full ? now : first.at + limit.flushIntervalMs);
    if (now < dueAt) {
      // Also wake when the oldest item expires, so it is dropped (and counted) on time.
      wakeAt(Math.min(dueAt, first.at + limit.maxAgeMs), now);
      return settleIdle();
    }
    void send(entries.slice(start, start + n));
  };

  /** Builds the request for a batch at send time; a throwing buildRequest drops the batch. */
  const build = (batch: Entry<T>[], keepalive: boolean): HttpRequest | undefined => {
    const sentAt = clock();
    try {
      const request = buildRequest(
        batch.map((entry) => entry.item),
        sentAt,
        { attempt: batch[0]!.attempts + 1, previousSentAt, keepalive },
      );
      previousSentAt = sentAt;
      return request;
    } catch (error) {
      drop(batch, 'build-failed', `buildRequest threw: ${describe(error)}`);
    }
  };

  /** The pump's send: persisted first, then one request, then the verdict. */
  const send = async (batch: Entry<T>[]): Promise<void> => {
    busy = true;
    for (const entry of batch) entry.flying = true;
    await store.settled();
    const request = build(batch, false);
    if (request) await deliver(batch, request, false);
    busy = false;
    pump();
  };

  /** Sends a request (aborted after requestTimeoutMs) and applies the answer to its batch. Never rejects. */
  const deliver = async (batch: Entry<T>[], request: HttpRequest, keepalive: boolean): Promise<void> => {
    let response: HttpResponse | undefined;
    let problem: string;
    const abort = new AbortController();
    let timeout: unknown;
    try {
      response = await Promise.race([
        new Promise<HttpResponse>((resolve) => resolve(transport(request, { signal: abort.signal, keepalive }))),
        new Promise<never>((_, reject) => {
          timeout = timers.setTimeout(() => {
            abort.abort();
            reject(new Error(`no answer in ${limit.requestTimeoutMs} ms`));
          }, limit.requestTimeoutMs);
        }),
      ]);
      problem = `HTTP ${response.status}`;
    } catch (error) {
      problem = describe(error);
    }
    timers.clearTimeout(timeout);
    for (const entry of batch) entry.flying = false;
    const verdict = response ? verdictOf(response.status) : 'retry';
    if (verdict === 'delivered') {
      delivered += batch.length;
      failures = 0;
      return remove(batch);
    }
    lastError = problem;
    if (verdict === 'rejected') {
      failures = 0;
      return drop(batch, 'rejected', problem);
    }
    const now = clock();
    failures++;
    retried += batch.length;
    for (const entry of batch) entry.attempts++;
    const status = response?.status;
    const vendorWait = status === 429 || status === 503 ? parseRetryAfter(response!.retryAfter, now) : null;
    notBefore = Math.max(notBefore, now + (vendorWait ?? backoffDelay(failures, random, limit.retryBaseMs, limit.retryMaxMs)));
    waitSetAt = now;
    if (vendorWait !== null) {
      vendorNotBefore = notBefore;
      saveRange(); // a relaunch waits it out too
    }
    drop(
      batch.filter((entry) => entry.attempts >= limit.maxAttempts),
      'attempts',
      `${problem} after ${limit.maxAttempts} attempts`,
    );
  };

  const load = (): Promise<void> =>
    (loading ??= store
      .load()
      .then(
        ({ items, tail: next, wait }) => {
          // Left by an earlier run (a closed page, a killed app): due at once, not a flush interval later …
          tail = forceBelow = next;
          if (wait) {
            // … unless the vendor asked for a pause that is not over (a clock since moved back never stretches it).
            const now = clock();
            notBefore = vendorNotBefore = Math.min(wait[1], now + wait[1] - wait[0]);
            waitSetAt = now;
          }
          entries = items.map(({ seq, at, item }) => ({ seq, at, item, size: measure(item, JSON.stringify(item)), attempts: 0, flying: false }));
          drop(entries.slice(0, Math.max(0, entries.length - limit.maxQueueItems)), 'overflow', 'over maxQueueItems');
        },
        (error: unknown) => warn(`load failed: ${describe(error)}`),
      )
      .then(() => {
        ready = true;
        for (const [item, json, at] of early) add(item, json, at);
        early = [];
        saveRange();
        kick();
      }));

  const flush = (): Promise<void> =>
    closed
      ? Promise.resolve()
      : load().then(
          () =>
            new Promise<void>((resolve) => {
              forceBelow = tail;
              // An explicit flush skips our own backoff (a last chance before the app is suspended), not the vendor's Retry-After.
              notBefore = vendorNotBefore;
              idleWaiters.push(resolve);
              pump();
            }),
        );

  return {
    load,
    enqueue(item) {
      let json: string | undefined;
      try {
        json = JSON.stringify(item);
      } catch {
        // reported below, like undefined or a function
      }
      if (json === undefined) {
        count('invalid', 1);
        warn('dropped 1 item(s) (invalid): not JSON-serializable');
        return false;
      }
      const at = clock();
      if (ready) add(item, json, at);
      else {
        early.push([item, json, at]);
        void load();
      }
      return true;
    },
    flush,
    flushOnPageHide() {
      if (!ready || closed) return;
      // Synchronous storages (localStorage) finish these writes before the page goes.
      store.writeNow();
      let budget = limit.keepaliveMaxBytes - keepaliveBytes;
      for (;;) {
        const start = firstIdle();
        let n = start < 0 ? 0 : batchLength(entries, start, limit.maxBatchItems, Math.min(limit.maxBatchBytes, budget));
        let request: HttpRequest | undefined;
        let bytes = 0;
        // The request's own envelope may push it over the budget: halve the batch until it fits.
        for (; n; n >>= 1) {
          request = build(entries.slice(start, start + n), true);
          bytes = request ? utf8Length(request.body ?? '') : 0;
          if (!request || bytes <= budget) break;
        }
        if (!request || !n) return;
        const batch = entries.slice(start, start + n);
        budget -= bytes;
        keepaliveBytes += bytes;
        for (const entry of batch) entry.flying = true;
        void deliver(batch, request, true).then(() => {
          keepaliveBytes -= bytes;
          pump();
        });
      }
    },
    async shutdown() {
      if (closed) return;
      await flush();
      closed = true;
      stopTimer();
      await store.settled();
    },
    health: (): DeliveryHealth => ({
      queued: entries.length + early.length,
      inFlight: entries.reduce((n, entry) => n + (entry.flying ? 1 : 0), 0),
      delivered,
      retried,
      dropped: { ...dropped },
      lastError,
    }),
  };
}

/** `Name: message` for errors (Error.prototype.toString), the value as text otherwise. */
const describe = String;
