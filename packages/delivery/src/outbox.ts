import { logsDebug, SessionHubConfigError, silentLogger, type DeliveryHealth } from '@sessionhub/core';
import { backoffDelay } from './backoff';
import { batchLength } from './batch';
import { isFunction, ruleProblem, SETTING_RULES, type OptionRule } from './delivery-options';
import { fetchTransport } from './fetch-transport';
import { traceRequest } from './request-trace';
import type { HttpRequest, HttpResponse } from './http';
import type { DropReason, Outbox, OutboxOptions } from './outbox-options';
import { itemKey, ITEMS, outboxStore } from './outbox-store';
import { parseRetryAfter } from './retry-after';
import { verdictOf } from './response-verdict';
import { globalTimers } from './timers';
import { utf8Length } from './utf8-length';
import { errorText } from './error-text';
import { message } from './messages';

/** A queued item in memory. */
interface Entry<T> {
  readonly seq: number;
  /** Enqueued at (epoch ms); pulled back to "now" if the clock later reads earlier, so no wait is ever stretched. */
  at: number;
  readonly item: T;
  /** Bytes in a request; negative: minus an upper bound, until a batch needs them measured (see `batchLength`). */
  size: number;
  /** Failed attempts so far (this run). */
  attempts: number;
  /** In a request now; batches, drops and page-hide flushes leave it alone. */
  flying: boolean;
  /** `batchKey` of the item. */
  readonly key: unknown;
  /** Never dropped to make room in a full storage. */
  readonly keep?: boolean | undefined;
}

/**
 * The longest vendor wait (Retry-After) obeyed: 1 hour. Rate limits ask for seconds or minutes; a
 * longer wait (days, a date in year 9999) is a broken or hostile answer, and obeying it would let the
 * queue overflow and expire unsent. A wait over a minute is reported with its length.
 */
const MAX_VENDOR_WAIT_MS = 3_600_000;
const LONG_WAIT_MS = 60_000;

/**
 * The longest item an outbox queues, in characters of its JSON: the hub's commits come in records of
 * about this many (a burst past it is saved in parts, see `RECORD_CHARS` in packages/core), and one
 * call's outputs are never cut, so a longer item would make a longer record. Android's AsyncStorage
 * stores a value past 2 MB (1 MB on some devices) but cannot read it back: every later launch would
 * fail to read the queue and the hub's state. (Braze's kit refuses properties past 50 KB and
 * CleverTap's cuts values at 1,024 characters, as their SDKs do; Snowplow's tracker warns of an event
 * past its 40 KB `maxPostBytes` and sends it alone.)
 */
const MAX_ITEM_CHARS = 262_144;

/** How often a pump held by a failing storage looks again. */
const STORAGE_RETRY_MS = 1000;

/**
 * In-flight bytes of the page-hide requests of every outbox of the page: the browser's keepalive
 * budget (64 KiB in Chromium, for `fetch` with `keepalive` and `sendBeacon` together) is the page's,
 * not each kit's, and a request past it fails.
 */
let keepaliveBytes = 0;

/** The options every outbox needs (the delivery settings, all optional, are checked by their own rules). */
const REQUIRED_RULES: readonly OptionRule[] = [
  ['name', (name) => typeof name == 'string' && name, (option) => message(209, option)],
  ['storage', (storage) => isFunction(storage?.set), (option) => message(210, option)],
  ['buildRequest', isFunction, 'be a function'],
  // (null is the default for these two, as for the hub's: a kit may hand over what it was given.)
  ['clock', (clock) => clock == null || isFunction(clock), 'be a function'],
  ['logger', (logger) => logger == null || isFunction(logger.warn), 'be a Logger'],
];

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
  const {
    name,
    storage,
    buildRequest,
    refusal,
    sizeOf,
    batchKey,
    encode = JSON.stringify as (item: T) => string | undefined,
    transport = fetchTransport,
    random = Math.random,
    timers = globalTimers,
    maxBatchItems = 100,
    maxBatchBytes = 40_000,
    flushIntervalMs = 10_000,
    maxAgeMs = 86_400_000,
    maxAttempts = Infinity,
    maxQueueItems = 1000,
    retryBaseMs = 1000,
    retryMaxMs = 300_000,
    requestTimeoutMs = 30_000,
    keepaliveMaxBytes = 65_536,
  } = options;
  // Not in the rules: null means "the default" here too (a kit may hand over what it was given).
  const logger = options.logger ?? silentLogger;
  // At log level 'debug' every request is logged as sent, credentials redacted.
  const tracing = logsDebug(logger);
  const clock = options.clock ?? Date.now;
  for (const rule of [...REQUIRED_RULES, ...SETTING_RULES]) {
    const problem = ruleProblem(rule, options[rule[0] as keyof OutboxOptions<T>]);
    if (problem) throw new SessionHubConfigError(`outbox.${rule[0]}`, `outbox ${name}: ${problem}`);
  }

  const warn = (message: string): void => logger.warn(`outbox ${name}: ${message}`);
  const store = outboxStore<T>(
    storage,
    warn,
    () => (ready ? { head: entries[0]?.seq ?? tail, tail, wait: vendorNotBefore > clock() ? [waitSetAt, vendorNotBefore] : undefined } : undefined),
    options.decode,
  );

  let entries: Entry<T>[] = [];
  let tail = 0;
  /** Items enqueued before loading finished; they get sequence numbers after the stored ones. */
  let early: [T, string, number, boolean?][] = [];
  let loading: Promise<void> | undefined;
  let ready = false;
  let closed = false;
  /** The pump's send under way (one at a time, so order within the kit is kept). */
  let sending: Promise<void> | undefined;
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
  let previousSentAt: number | null = null;
  let timer: unknown;
  /** The instant the pump's wake-up is set for (by `clock`), NaN when none is pending. */
  let timerAt = NaN;
  /** Sets the pump's one wake-up `ms` from now instead of the one pending (with `at` NaN: none). */
  const wake = (at: number, ms: number): void => {
    timers.clearTimeout(timer);
    timerAt = at;
    if (at == at)
      timer = timers.setTimeout(() => {
        timerAt = NaN;
        pump();
      }, ms);
  };
  let kicked = false;
  /** clear() calls begun so far, and those not yet done: a send that waited across one drops its batch. */
  let clears = 0;
  let clearing = 0;
  let delivered = 0;
  let retried = 0;
  const dropped: Record<string, number> = {};
  let lastError: string | null = null;

  /** Counts `n` items dropped for `reason` (in `health().dropped`), and warns with `why` when given. */
  const count = (n: number, reason: DropReason, why?: string): void => {
    dropped[reason] = (dropped[reason] ?? 0) + n;
    if (why !== undefined) warn(`dropped ${n} item(s) (${reason}): ${why}`);
  };
  /** The first item not in flight (the queue's length when there is none). */
  const firstIdle = (): number => {
    let i = 0;
    while (entries[i]?.flying) i++;
    return i;
  };

  /** `lazy`: delivered; the removals may wait for a commit (see `deliver`). */
  const remove = (batch: Entry<T>[], lazy?: boolean): void => {
    store.remove(batch, lazy);
    // (Batches are short: scanning one costs less than building a Set of it.)
    entries = entries.filter((entry) => !batch.includes(entry));
  };

  /** Drops a batch, counted; with `why`, also warns (see `count`). */
  const drop = (batch: Entry<T>[], reason: DropReason, why?: string): void => {
    if (batch.length) {
      count(batch.length, reason, why);
      remove(batch);
    }
  };

  /** An item's bytes in a request: `sizeOf`, or (without it, or when it throws) its JSON's UTF-8 bytes. */
  const measure = ({ item }: Entry<T>): number => {
    if (sizeOf) {
      try {
        return sizeOf(item);
      } catch {
        // measured as JSON
      }
    }
    try {
      // (undefined, which it never returns for an item it took, throws: 0)
      return utf8Length(encode(item)!);
    } catch {
      return 0;
    }
  };

  /**
   * `json`: the item's JSON text (at load, made again). Its bytes are measured only when a batch
   * could pass maxBatchBytes: until then 3 per UTF-16 unit of its JSON bound them (most batches stay
   * far below the limit, and measuring at enqueue was a scan of every item).
   */
  const entry = (seq: number, at: number, item: T, json?: string, keep?: boolean): Entry<T> => {
    let size = 0;
    let key: unknown;
    try {
      key = batchKey?.(item);
    } catch {
      // no key: batched with other keyless items
    }
    try {
      size = -3 * (json ?? encode(item))!.length;
    } catch {
      // (0: nothing to count)
    }
    return { seq, at, item, size, attempts: 0, flying: false, key, keep };
  };

  const add = (item: T, json: string, at: number, keep?: boolean): void => {
    const seq = tail++;
    entries.push(entry(seq, at, item, json, keep));
    // The bound first, so an item dropped at once is never written.
    kick();
    store.put(seq, at, json, keep);
  };

  // A full storage may drop the oldest idle items not marked to keep (see StorageAdapter.whenFull).
  storage.spare?.(
    // (A size not measured yet is minus 3 times the JSON's length.)
    () => entries.filter((e) => !e.flying && !e.keep).map((e) => [e.at, itemKey(e.seq), e, e.size < 0 ? e.size / -3 : e.size]),
    (gone) => {
      if (gone.length) count(gone.length, 'quota');
      remove(gone.map(([, , e]) => e as Entry<T>));
    },
    ITEMS,
  );

  /** After the current synchronous burst (one pass for many enqueues): bounds the queue, then runs the pump. */
  const kick = (): void => {
    if (!kicked) queueMicrotask(bound);
    kicked = true;
  };
  const bound = (): void => {
    kicked = false;
    // Oldest first, but never an item in flight (its answer is still to come).
    const excess = entries.length - maxQueueItems;
    if (excess > 0) drop(entries.filter((entry) => !entry.flying).slice(0, excess), 'overflow', message(214, maxQueueItems));
    pump();
  };

  /**
   * Idle items that have waited maxAgeMs go. The queue is in enqueue order, oldest first, so the scan
   * ends at the first idle item still young enough: a pass costs the items in flight, not the queue.
   */
  const expire = (now: number): void => {
    let expired: Entry<T>[] | undefined;
    for (const entry of entries) {
      if (entry.flying) continue;
      if (now - entry.at < maxAgeMs) break;
      (expired ??= []).push(entry);
    }
    if (expired) drop(expired, 'expired', message(218, maxAgeMs));
  };

  /** Decides from timestamps whether to send now; timers only call it again. */
  const pump = (): void => {
    // (Nothing goes while a clear() is under way: what it drops must never be sent.)
    if (sending || !ready || closed || clearing) return;
    const now = clock();
    if (now < waitSetAt) {
      // The clock moved backwards: count the time since as zero rather than waiting the jump out.
      notBefore = now + (notBefore - waitSetAt);
      vendorNotBefore = Math.min(vendorNotBefore, notBefore);
      waitSetAt = now;
    }
    expire(now);
    const start = firstIdle();
    const first = entries[start];
    if (!first) return;
    if (first.at > now) first.at = now;
    const n = batchLength(entries, start, maxBatchItems, maxBatchBytes, measure);
    // Due now when flushed, or when the batch is full (more waiting behind it); else when its oldest item has waited the interval.
    const full = first.seq < forceBelow || start + n < entries.length || n >= maxBatchItems;
    const dueAt = Math.max(notBefore, full ? now : first.at + flushIntervalMs);
    if (now < dueAt) {
      // Also wake when the oldest item expires, so it is dropped (and counted) on time. Capped: larger delays overflow to "now".
      // Set again only when the instant moved: most bursts leave it where it was (the oldest item's
      // flush interval or backoff). A timer of a new length costs Node a timer list of its own, and
      // a queue waiting out a backoff kept one per event.
      const at = Math.min(dueAt, first.at + maxAgeMs, now + 2 ** 31 - 1);
      if (at != timerAt) wake(at, at - now);
    } else sending = send(entries.slice(start, start + n));
  };

  /** When the request last built was (the previous request's, once it is sent). */
  let builtAt: number | null = null;
  /** Builds the request for a batch at send time; a throwing buildRequest drops the batch. */
  const build = (batch: Entry<T>[], keepalive: boolean): HttpRequest | undefined => {
    try {
      return buildRequest(
        batch.map((entry) => entry.item),
        (builtAt = clock()),
        { attempt: batch[0]!.attempts + 1, previousSentAt, keepalive },
      );
    } catch (error) {
      drop(batch, 'build-failed', message(215, errorText(error)));
    }
  };

  /** The pump's send: persisted first, then one request, then the verdict. */
  const send = async (batch: Entry<T>[]): Promise<void> => {
    for (const entry of batch) entry.flying = true;
    const cleared = clears;
    // The previous batch's removal first: a kill resends at most the batch in flight and the one before.
    store.writeNow(true);
    await store.settled();
    if (storage.degraded) {
      // Not saved (the storage is failing and retried): sending now could deliver a session's end
      // that a relaunch, reading the older saved state, would end again. Wait for the storage.
      for (const entry of batch) entry.flying = false;
      wake(-1, STORAGE_RETRY_MS);
    } else if (cleared == clears) {
      // (Else clear(), an opt-out or a deletion, began while the storage settled: the batch is dropped, never sent.)
      const request = build(batch, false);
      if (request) await deliver(batch, request, false);
    }
    sending = undefined;
    if (!storage.degraded) pump();
  };

  /** Sends a request (aborted after requestTimeoutMs) and applies the answer to its batch. Never rejects. */
  const deliver = async (batch: Entry<T>[], request: HttpRequest, keepalive: boolean): Promise<void> => {
    // (A page-hide batch built too large for the keepalive budget was never sent: only now is this one.)
    previousSentAt = builtAt;
    let status = 0;
    let retryAfter: string | null | undefined;
    let body: string | undefined;
    let problem: string;
    let timeout: unknown;
    try {
      ({ status, retryAfter, body } = await new Promise<HttpResponse>((resolve, reject) => {
        let abort: AbortController | undefined;
        const signal = (): AbortSignal | undefined => (typeof AbortController == 'function' ? (abort ??= new AbortController()).signal : undefined);
        timeout = timers.setTimeout(() => {
          // (Made now if the transport has not asked yet, so one that asks later sees it aborted.)
          signal();
          abort?.abort();
          reject(new Error(message(219, requestTimeoutMs)));
        }, requestTimeoutMs);
        if (tracing) logger.debug(`outbox ${name}: ${traceRequest(request)}`);
        // Promise.resolve: a plain-JavaScript transport may answer without a promise.
        Promise.resolve(
          transport(request, {
            // Made when the transport asks for it (fetch does; a transport that cannot stop a request
            // need not pay for one, as an AbortController is dear in Node). Bare JavaScript runtimes
            // (Hermes without React Native's polyfills) have none.
            get signal() {
              return signal();
            },
            keepalive,
            readBody: !!refusal,
          }),
        ).then(resolve, reject);
      }));
      problem = `HTTP ${status}`;
    } catch (error) {
      problem = errorText(error);
    }
    timers.clearTimeout(timeout);
    for (const entry of batch) entry.flying = false;
    // No answer (status 0) is retried.
    let verdict = verdictOf(status);
    if (verdict == 'delivered' && refusal) {
      let why: string | null = null;
      try {
        why = refusal(body ?? '');
      } catch {
        // A 2xx it cannot read stays a delivery: the vendor took the request.
      }
      if (why) {
        verdict = 'rejected';
        problem = `HTTP ${status}: ${why}`;
      }
    }
    failures = verdict == 'retry' ? failures + 1 : 0;
    if (verdict == 'delivered') {
      delivered += batch.length;
      // Committed with the next commit (an event's, usually), or once no flush of any kit is under
      // way (the kits' answers share one commit); before this outbox's next request in any case.
      return remove(batch, true);
    }
    const repeated = problem == lastError;
    lastError = problem;
    // A vendor refusing batch after batch for the same reason (a wrong key): one warning, every item counted.
    if (verdict == 'rejected') return drop(batch, 'rejected', repeated ? undefined : problem);
    const now = clock();
    retried += batch.length;
    for (const entry of batch) entry.attempts++;
    // A wait of 0 (a date past, `Retry-After: 0`) is none: the backoff applies, or the batch would be
    // resent at once, again and again, for as long as the vendor answers so.
    let vendorWait = (status == 429 || status == 503 ? parseRetryAfter(retryAfter, now) : null) || null;
    if (vendorWait !== null && vendorWait > LONG_WAIT_MS) {
      warn(message(204, status, Math.round(vendorWait / 1000), retryAfter!, Math.round(Math.min(vendorWait, MAX_VENDOR_WAIT_MS) / 1000)));
      vendorWait = Math.min(vendorWait, MAX_VENDOR_WAIT_MS);
    }
    notBefore = Math.max(notBefore, now + (vendorWait ?? backoffDelay(failures, random, retryBaseMs, retryMaxMs)));
    waitSetAt = now;
    if (vendorWait !== null) {
      vendorNotBefore = notBefore;
      store.saveIndex(); // a relaunch waits it out too
    }
    drop(
      batch.filter((entry) => entry.attempts >= maxAttempts),
      'attempts',
      message(216, problem, maxAttempts),
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
            notBefore = vendorNotBefore = Math.min(wait[1], now + wait[1] - wait[0], now + MAX_VENDOR_WAIT_MS);
            waitSetAt = now;
          }
          entries = items.map(({ seq, at, item, keep }) => entry(seq, at, item, undefined, keep));
        },
        (error: unknown) => warn(message(213, errorText(error))),
      )
      .then(() => {
        ready = true;
        for (const [item, json, at, keep] of early) add(item, json, at, keep);
        early = [];
        store.saveIndex();
        kick();
      }));

  const flush = async (): Promise<void> => {
    if (closed) return;
    const done = store.busy();
    await load();
    forceBelow = tail;
    // An explicit flush skips our own backoff (a last chance before the app is suspended), not the vendor's Retry-After.
    notBefore = vendorNotBefore;
    pump();
    // Batch after batch, until nothing is due (sent, or waiting after a failure) or an attempt failed
    // (a jittered backoff may be 0: the pump then goes on alone).
    for (const failed = retried; sending && retried == failed; ) await sending;
    done();
  };

  return {
    load,
    enqueue(item, keep) {
      let json: string | undefined;
      try {
        json = encode(item);
      } catch {
        // reported below, like undefined or a function
      }
      if (json === undefined) {
        count(1, 'invalid', message(217));
        return false;
      }
      if (json.length > MAX_ITEM_CHARS) {
        count(1, 'too-large', message(221, json.length, MAX_ITEM_CHARS));
        return false;
      }
      const at = clock();
      if (ready) add(item, json, at, keep);
      else {
        early.push([item, json, at, keep]);
        void load();
      }
      return true;
    },
    flush,
    flushOnPageHide() {
      if (!ready || closed || clearing) return;
      // What has waited maxAgeMs goes now: no timer may have run since (a frozen or throttled tab).
      expire(clock());
      // Synchronous storages (localStorage) finish these writes before the page goes.
      store.writeNow();
      // Never before a vendor's Retry-After, nor what the storage could not save (a relaunch from the
      // older saved state would send a session's end again): what is queued goes on a later visit.
      if (storage.degraded || vendorNotBefore > clock()) return;
      // Batch after batch while the budget lasts (n is 0 once nothing more fits).
      for (let n = 1; n; ) {
        const budget = keepaliveMaxBytes - keepaliveBytes;
        const start = firstIdle();
        // The request's own envelope may push it over the budget: halve the batch until it fits.
        for (n = batchLength(entries, start, maxBatchItems, Math.min(maxBatchBytes, budget), measure); n; n >>= 1) {
          const batch = entries.slice(start, start + n);
          const request = build(batch, true);
          if (!request) return;
          const bytes = utf8Length(request.body ?? '');
          if (bytes <= budget) {
            keepaliveBytes += bytes;
            for (const entry of batch) entry.flying = true;
            const done = store.busy();
            void deliver(batch, request, true).then(() => {
              done();
              keepaliveBytes -= bytes;
              pump();
            });
            break;
          }
        }
      }
    },
    async shutdown() {
      if (closed) return;
      await flush();
      closed = true;
      wake(NaN, 0);
      // Delivered items' removals that were waiting for a commit too.
      store.writeNow();
      await store.settled();
    },
    async clear() {
      clears++;
      clearing++;
      await load();
      early = [];
      remove(entries);
      clearing--;
      wake(NaN, 0);
      await store.settled();
    },
    health: (): DeliveryHealth => ({
      queued: entries.length + early.length,
      inFlight: entries.filter((entry) => entry.flying).length,
      delivered,
      retried,
      dropped: { ...dropped },
      lastError,
    }),
  };
}
