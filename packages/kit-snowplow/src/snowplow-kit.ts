import type { DeliveryHealth, Kit, KitContext } from '@sessionhub/core';
import { createOutbox, type Outbox } from '@sessionhub/delivery';
import { v4 as uuidv4 } from 'uuid';
import { resolveSnowplowOptions, type SnowplowKitOptions } from './options';
import { createPayloadMapper, type PayloadMapper } from './payload-mapper';
import { timeoutsReport } from './timeouts-report';
import { ENVELOPE_BYTES, payloadSize, trackerRequest } from './tracker-request';
import type { TrackerPayload } from './tracker-payload';

/** `client_session.userId` must match this (lowercase UUID or 16 hex digits). */
const SESSION_USER_ID = /^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$|^[0-9a-f]{16}$/;

/** Delivery defaults fitting Snowplow: the mobile trackers' POST limit (40 000 bytes), emit range (25 events), event store size (1000) and age (30 days). */
export const SNOWPLOW_DELIVERY_DEFAULTS = Object.freeze({
  maxBatchItems: 25,
  maxBatchBytes: 40_000,
  maxQueueItems: 1000,
  maxAgeMs: 30 * 24 * 60 * 60 * 1000,
});

const EMPTY_HEALTH: DeliveryHealth = Object.freeze({ queued: 0, inFlight: 0, delivered: 0, retried: 0, dropped: Object.freeze({}), lastError: null });

/** A queued item as it may come back from storage: trust nothing. */
const isPayload = (item: unknown): item is TrackerPayload =>
  typeof item === 'object' && item !== null && typeof (item as TrackerPayload).json === 'string' && (item as TrackerPayload).json.charCodeAt(0) === 123;

/**
 * Creates the Snowplow kit: the canonical session as Snowplow's `client_session`, events as
 * self-describing or structured events, foreground/background as `application_foreground` /
 * `application_background`, POSTed in `payload_data` batches to `{collectorUrl}/com.snowplowanalytics.snowplow/tp2`.
 *
 * The kit is wiring only: records go through the pure mapping ({@link createPayloadMapper}) to the
 * shared outbox. It never decides sessions and keeps no session state: every record carries what
 * `client_session` says about its session.
 *
 * Invalid options throw {@link SnowplowKitConfigError} saying what to fix.
 *
 * @example
 * const hub = createHub({
 *   kits: [snowplowKit({ collectorUrl: 'https://collector.example.com', appId: 'my-app',
 *     events: { song_played: 'iglu:com.example/song_played/jsonschema/1-0-0' } })],
 * });
 */
export function snowplowKit(options: SnowplowKitOptions): Kit {
  const o = resolveSnowplowOptions(options);
  let context: KitContext | null = null;
  let mapper: PayloadMapper | null = null;
  let outbox: Outbox<TrackerPayload> | null = null;

  // Never break the host app: a failure is one warning, counted in the kit's health.
  const guard =
    <R>(where: string, body: (record: R) => void) =>
    (record: R): void => {
      try {
        body(record);
      } catch (error) {
        context?.logger.warn(`${where} failed; the record was not sent:`, error);
        context?.reportError(error);
      }
    };

  const enqueue = (item: TrackerPayload | null): void => {
    if (item) outbox!.enqueue(item);
  };

  return {
    name: o.name,

    async init(ctx) {
      const { logger } = ctx;
      context = ctx;
      mapper = createPayloadMapper(o, {
        newId: uuidv4,
        report(problem) {
          logger.warn(problem.message, ...(problem.error === undefined ? [] : [problem.error]));
          if (problem.code === 'entities-for-failed' && problem.error !== undefined) ctx.reportError(problem.error);
        },
      });
      const delivery = { ...SNOWPLOW_DELIVERY_DEFAULTS, ...o.delivery };
      outbox = createOutbox<TrackerPayload>({
        ...delivery,
        name: o.name,
        storage: ctx.storage,
        logger,
        clock: ctx.clock,
        // The limit is on the whole POST body; the outbox counts the items only.
        maxBatchBytes: Math.max(1, delivery.maxBatchBytes - ENVELOPE_BYTES),
        sizeOf: payloadSize,
        buildRequest(items, sentAt) {
          let valid = items;
          const all: readonly unknown[] = items;
          if (!all.every(isPayload)) {
            valid = all.filter(isPayload);
            logger.warn(`skipped ${items.length - valid.length} unreadable stored event(s)`);
            if (valid.length === 0) throw new Error('no readable event in the batch');
          }
          return trackerRequest(o.endpoint, valid, sentAt);
        },
      });
      await outbox.load();
      logger.debug(timeoutsReport(ctx.timeouts));
      if (!SESSION_USER_ID.test(ctx.deviceId.toLowerCase())) {
        logger.warn(
          `the device id ${JSON.stringify(ctx.deviceId)} is not a UUID: client_session.userId will fail Iglu validation ` +
            'in the pipeline (use createHub without generateId, or one that returns UUIDs)',
        );
      }
    },

    onSessionStart: guard('onSessionStart', (record) => enqueue(mapper!.sessionStart(record))),

    onEvent: guard('onEvent', (record) => void outbox!.enqueue(mapper!.event(record))),

    onSessionEnd: guard('onSessionEnd', (record) => enqueue(mapper!.sessionEnd(record))),

    onForeground: guard('onForeground', (record) => {
      if (o.lifecycleEvents) enqueue(mapper!.foreground(record));
    }),

    onBackground: guard('onBackground', (record) => {
      if (o.lifecycleEvents) enqueue(mapper!.background(record));
      // The app may be suspended, or the page unloaded, any moment now. The page-hide flush writes
      // the queue to storage at once (before the hub persists its state after this callback) and
      // sends what fits with requests that outlive the page; flush() sends the rest.
      outbox!.flushOnPageHide();
      void outbox!.flush();
    }),

    onPageHide() {
      // Browsers: the page is being hidden, frozen or unloaded and may be gone next. Writes the queue
      // now and sends what fits the keepalive budget with requests that outlive the page; the rest
      // stays stored for the next visit.
      outbox?.flushOnPageHide();
    },

    onConfigChange(timeouts) {
      context?.logger.debug(timeoutsReport(timeouts));
    },

    async flush() {
      await outbox?.flush();
    },

    async shutdown() {
      await outbox?.shutdown();
    },

    getHealth: () => outbox?.health() ?? EMPTY_HEALTH,
  };
}
