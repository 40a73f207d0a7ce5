import type { DeliveryHealth, Kit, KitContext, SessionTimeouts } from '@sessionhub/core';
import { createOutbox, type Outbox } from '@sessionhub/delivery';
import { resolveBrazeKitOptions, type BrazeKitOptions } from './braze-kit-options';
import { customEvent, sessionAttributesEvent, sessionEndEvent, sessionStartEvent, userAttributes } from './braze-mapping';
import type { BrazeOutboxItem } from './braze-outbox-item';
import { BRAZE_BATCH_LIMITS, buildBrazeRequest, type BrazeRequestSettings } from './braze-request';
import { timeoutAlignment } from './braze-timeouts';

const NO_DELIVERY: DeliveryHealth = Object.freeze({ queued: 0, inFlight: 0, delivered: 0, retried: 0, dropped: Object.freeze({}), lastError: null });

/**
 * A kit that sends the canonical session to Braze's SDK data API: `ss` at each session start, `ce`
 * for each event, `se` at each session end, `attributes: [{ user_id }]` when the user changes, all
 * through a durable outbox (`@sessionhub/delivery`). Invalid options throw
 * {@link BrazeKitConfigError} naming the option.
 *
 * @example
 * const hub = createHub({
 *   sessionTimeout: 60,
 *   kits: [brazeKit({ apiKey: 'YOUR-APP-API-KEY', baseUrl: 'sdk.iad-01.braze.com' })],
 * });
 */
export function brazeKit(options: BrazeKitOptions): Kit {
  const o = resolveBrazeKitOptions(options);
  const settings: BrazeRequestSettings = {
    url: o.url,
    apiKey: o.apiKey,
    sdkVersion: o.sdkVersion,
    ...(o.sdkFlavor !== undefined ? { sdkFlavor: o.sdkFlavor } : {}),
    ...(o.appVersion !== undefined ? { appVersion: o.appVersion } : {}),
  };
  const braze = { sessionTimeout: o.brazeSessionTimeout, platform: o.brazePlatform };
  let context: KitContext | null = null;
  let outbox: Outbox<BrazeOutboxItem> | null = null;
  let lastMismatch: string | null = null;
  // One closure for every mapping warning, so the event path allocates none.
  const warn = (message: string): void => context?.logger.warn(message);

  const enqueue = (item: BrazeOutboxItem): void => {
    outbox?.enqueue(item);
  };

  const reportTimeouts = (timeouts: SessionTimeouts, when: string): void => {
    if (!context) return;
    const alignment = timeoutAlignment(timeouts, braze);
    context.logger.debug(`${when}: ${alignment.summary}`);
    if (alignment.mismatch !== null && alignment.mismatch !== lastMismatch) context.logger.warn(alignment.mismatch);
    else if (alignment.mismatch === null && lastMismatch !== null) context.logger.info(`${when}: session timeouts now agree with your Braze setting`);
    lastMismatch = alignment.mismatch;
  };

  return {
    name: o.name,

    async init(ctx) {
      context = ctx;
      const box = createOutbox<BrazeOutboxItem>({
        name: o.name,
        storage: ctx.storage,
        logger: ctx.logger,
        clock: ctx.clock,
        ...(o.transport ? { transport: o.transport } : {}),
        // Read the device id at send time: items a previous run left unsent belong to this device too.
        buildRequest: (items, sentAt, info) => buildBrazeRequest(items, sentAt, info, ctx.deviceId, settings),
        maxBatchItems: BRAZE_BATCH_LIMITS.maxItems,
        maxBatchBytes: BRAZE_BATCH_LIMITS.maxBytes,
        flushIntervalMs: o.flushIntervalMs,
      });
      outbox = box;
      reportTimeouts(ctx.timeouts, 'init');
      await box.load();
    },

    onSessionStart(record) {
      enqueue({ id: `ss:${record.sessionId}`, event: sessionStartEvent(record) });
    },

    onEvent(record) {
      const event = customEvent(record, warn);
      if (event !== null) enqueue({ id: record.eventId, event });
    },

    onSessionEnd(record) {
      if (o.sessionAttributes === 'custom-event') {
        const event = sessionAttributesEvent(record, o.sessionAttributesEventName, warn);
        if (event !== null) enqueue({ id: `sa:${record.sessionId}`, event });
      }
      enqueue({ id: `se:${record.sessionId}`, event: sessionEndEvent(record) });
    },

    onUserChange(record) {
      const attributes = userAttributes(record);
      if (attributes !== null) enqueue({ id: `user:${record.timestamp}:${attributes.user_id}`, attributes });
    },

    onBackground() {
      if (!outbox) return;
      // The app may be suspended, or the page unloaded, next. The page-hide flush writes the queue to
      // storage now, before the hub persists its state after this callback (so a kill right after
      // cannot keep a session's end in the hub state but lose its se), and sends what fits with
      // requests that outlive the page; flush() sends the rest.
      outbox.flushOnPageHide();
      void outbox.flush();
    },

    onPageHide() {
      // Browsers: the page may be gone next. Writes the queue now and sends what fits in the
      // keepalive budget with requests that outlive the page; the rest goes on the next visit.
      outbox?.flushOnPageHide();
    },

    onConfigChange(timeouts) {
      reportTimeouts(timeouts, 'config change');
    },

    async flush() {
      await outbox?.flush();
    },

    async shutdown() {
      await outbox?.shutdown();
    },

    getHealth() {
      return outbox ? outbox.health() : NO_DELIVERY;
    },
  };
}
