import { checkKitOptions, type Kit, type Logger } from '@sessionhub/core';
import { createOutbox, flatString, type Outbox } from '@sessionhub/delivery';
import { SnowplowKitConfigError } from './config-error';
import { resolveSnowplowOptions, type SnowplowKitOptions } from './options';
import { createPayloadMapper, type PayloadMapper, type PayloadMapperEnv } from './payload-mapper';
import { SNOWPLOW_DELIVERY_DEFAULTS } from './delivery-defaults';
import { message } from './messages';
import { timeoutsReport } from './timeouts-report';
import { ENVELOPE_BYTES, payloadSize, trackerRequest } from './tracker-request';
import type { TrackerPayload } from './tracker-payload';
import { adoptSpId, DECLINED } from './sp-id';
import { webPage } from './web-page';


/**
 * Creates the Snowplow kit: the canonical session as Snowplow's `client_session`, events as
 * self-describing or structured events, foreground/background as `application_foreground` /
 * `application_background`, POSTed in `payload_data` batches to `{collectorUrl}/com.snowplowanalytics.snowplow/tp2`.
 *
 * The kit is wiring only: records go through the pure mapping (`createPayloadMapper`) to the
 * shared outbox. It never decides sessions and keeps no session state: every record carries what
 * `client_session` says about its session. (A callback that throws is isolated by the hub.)
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
  const page = webPage();
  const o = checkKitOptions(() => resolveSnowplowOptions(options, !!page), SnowplowKitConfigError);
  let logger: Logger | undefined;
  let mapper: PayloadMapper;
  let outbox: Outbox<TrackerPayload> | undefined;
  /** Drops an adopted browser tracker's user for good (`declined`: hub.reset()) or until a cookie comes again (a deletion). */
  let forgetSpId: ((declined: boolean) => Promise<void>) | undefined;
  /**
   * `keep`: a session's start or end, never dropped to make room in a full storage. The payload is
   * text built piece by piece, which V8 keeps as a tree of its pieces (several times its size) for as
   * long as it is queued unless it is flattened: once, here.
   */
  const enqueue = (item: TrackerPayload | null, keep?: boolean): void => void (item && outbox!.enqueue(flatString(item), keep));
  const logTimeouts: Kit['onConfigChange'] = (timeouts) => logger?.debug(timeoutsReport(timeouts));
  let foregrounds = 0;
  let backgrounds = 0;
  let idsWarned = false;
  let eventIdChecked = false;
  /** Enrich and the schemas take UUIDs only (eid, client_session.sessionId and .userId): warns once when an id of the hub is not one. */
  const checkId = (id: string): void => {
    if (!idsWarned && !/^[\da-f]{8}-([\da-f]{4}-){3}[\da-f]{12}$/i.test(id)) {
      idsWarned = true;
      logger!.warn(message(524, JSON.stringify(id)));
    }
  };

  return {
    name: o.name,

    async init(context) {
      const log = (logger = context.logger);
      const map = (adopted: PayloadMapperEnv['adopted']) =>
        (mapper = createPayloadMapper(o, {
          newId: context.generateId,
          page: o.platform == 'web' ? page?.fields : undefined,
          adopted,
          report(message, error) {
            if (error === undefined) return log.warn(message);
            log.warn(message, error);
            context.reportError(error);
          },
        }));
      map(page && (await adoptSpId(context.storage, page.spId, context.deviceId)));
      forgetSpId = (declined) => {
        map(null);
        page?.forgetSpId();
        return declined ? context.storage.set('sp_id', DECLINED) : context.storage.remove('sp_id');
      };
      const delivery = { ...SNOWPLOW_DELIVERY_DEFAULTS, ...o.delivery };
      outbox = createOutbox<TrackerPayload>({
        // The kit's storage, logger and clock (the outbox reads only the options it knows), then the
        // delivery settings.
        ...context,
        ...delivery,
        name: o.name,
        // The limit is on the whole POST body; the outbox counts the items only.
        maxBatchBytes: Math.max(1, delivery.maxBatchBytes - ENVELOPE_BYTES),
        sizeOf: payloadSize,
        // An item is its JSON text already: stored as it is, never serialized again. (Version 0.1.0
        // stored it JSON-encoded once more, as a string: such items load as they are.)
        encode: (item) => item,
        decode: (value) => (typeof value == 'string' ? value : JSON.stringify(value)),
        buildRequest(items, sentAt) {
          // Items come back from storage: trust nothing (one bad item must not cost its batch; it
          // goes with the batch). A batch of nothing readable is dropped by the outbox, with a warning.
          const readable = items.filter((item) => /^\{/.test(item));
          if (!readable[0]) throw Error('no readable event');
          return trackerRequest(o.endpoint, readable, sentAt);
        },
      });
      await outbox.load();
      logTimeouts(context.timeouts);
      checkId(context.deviceId);
    },

    onSessionStart(record) {
      checkId(record.sessionId);
      enqueue(mapper.sessionStart(record), true);
    },

    onEvent(record) {
      // One generator makes the hub's ids: its first event id says enough.
      if (!eventIdChecked) {
        eventIdChecked = true;
        checkId(record.eventId);
      }
      enqueue(mapper.event(record));
    },

    onSessionEnd: (record) => enqueue(mapper.sessionEnd(record), true),

    // foregroundIndex / backgroundIndex as the trackers count them: in memory, from the app's start
    // (1 for the launch's foreground), not reset at a new session.
    onForeground: (record) => enqueue(o.lifecycleEvents ? mapper.foreground({ ...record, foregroundIndex: ++foregrounds }) : null),

    onBackground(record) {
      enqueue(o.lifecycleEvents ? mapper.background({ ...record, backgroundIndex: ++backgrounds }) : null);
      // The app may be suspended, or the page unloaded, any moment now. The page-hide flush writes
      // the queue to storage at once (before the hub persists its state after this callback) and
      // sends what fits with requests that outlive the page; flush() sends the rest.
      outbox!.flushOnPageHide();
      void outbox!.flush();
    },

    // Browsers: the page is being hidden, frozen or unloaded and may be gone next. Writes the queue now
    // and sends what fits the keepalive budget with requests that outlive the page; the rest stays stored.
    onPageHide: () => outbox?.flushOnPageHide(),

    onConfigChange: logTimeouts,

    flush: () => outbox?.flush(),

    shutdown: () => outbox?.shutdown(),

    // hub.reset(): records carry the new device id; a browser tracker's user adopted before is
    // dropped, its cookie expired, and never adopted again on this device.
    onReset: () => void forgetSpId?.(true),

    // Opt-out or deletion: the outbox, and an adopted browser tracker's user with its cookie.
    async clear() {
      await outbox?.clear();
      await forgetSpId?.(false);
    },

    getHealth: () => outbox?.health(),
  };
}
