import type {
  DeliveryHealth,
  EventRecord,
  Kit,
  KitContext,
  LifecycleRecord,
  SessionEndRecord,
  SessionStartRecord,
  SessionTimeouts,
} from '@sessionhub/core';
import { createOutbox, type Outbox } from '@sessionhub/delivery';
import { v4 as uuidv4 } from 'uuid';
import { resolveSnowplowOptions, type ResolvedSnowplowOptions, type SnowplowKitOptions } from './options';
import { PayloadMapper, type MappingProblem } from './payload-mapper';
import { decodeViews, encodeViews, viewAfterEvent, viewOf, viewOfStart, withView, type SessionView } from './session-view';
import { timeoutsReport } from './timeouts-report';
import { ENVELOPE_BYTES, payloadSize, trackerRequest } from './tracker-request';
import type { TrackerPayload } from './tracker-payload';

/** Storage key (in the kit's namespace) of the recent sessions' views. */
const VIEWS_KEY = 'session-views';
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
 * The Snowplow kit: wiring only. Records go through the pure {@link PayloadMapper} to the outbox;
 * the kit never decides sessions, it forwards the hub's.
 */
class SnowplowKit implements Kit {
  readonly name: string;
  private context: KitContext | null = null;
  private mapper: PayloadMapper | null = null;
  private outbox: Outbox<TrackerPayload> | null = null;
  /** Recent sessions' views, most recent last (bounded, see session-view.ts). */
  private views: readonly SessionView[] = [];
  /** The view events update: the live session's, kept at hand so the event path does not search. */
  private current: SessionView | null = null;

  constructor(private readonly options: ResolvedSnowplowOptions) {
    this.name = options.name;
  }

  async init(context: KitContext): Promise<void> {
    const o = this.options;
    const { logger } = context;
    this.context = context;
    this.mapper = new PayloadMapper(o, {
      newId: uuidv4,
      report: (problem: MappingProblem) => {
        logger.warn(problem.message, ...(problem.error === undefined ? [] : [problem.error]));
        if (problem.code === 'entities-for-failed' && problem.error !== undefined) context.reportError(problem.error);
      },
    });
    const delivery = { ...SNOWPLOW_DELIVERY_DEFAULTS, ...o.delivery };
    this.outbox = createOutbox<TrackerPayload>({
      ...delivery,
      name: o.name,
      storage: context.storage,
      logger,
      clock: context.clock,
      // The limit is on the whole POST body; the outbox counts the items only.
      maxBatchBytes: Math.max(1, delivery.maxBatchBytes - ENVELOPE_BYTES),
      sizeOf: payloadSize,
      buildRequest: (items, sentAt) => this.request(items, sentAt),
    });
    const [stored] = await Promise.all([context.storage.get(VIEWS_KEY), this.outbox.load()]);
    this.views = decodeViews(stored);
    this.current = this.views[this.views.length - 1] ?? null;
    logger.debug(timeoutsReport(context.timeouts));
    if (!SESSION_USER_ID.test(context.deviceId.toLowerCase())) {
      logger.warn(
        `the hub's device id ${JSON.stringify(context.deviceId)} is not a UUID: client_session.userId will fail Iglu validation ` +
          'in the Snowplow pipeline (use the default generateId of createHub, or one that returns UUIDs)',
      );
    }
  }

  onSessionStart(record: SessionStartRecord): void {
    this.guard('onSessionStart', () => {
      this.remember(viewOfStart(record));
      const item = this.mapper!.sessionStart(record);
      if (item) this.outbox!.enqueue(item);
    });
  }

  onEvent(record: EventRecord): void {
    try {
      const current = this.current !== null && this.current.sessionId === record.sessionId ? this.current : viewOf(this.views, record.sessionId);
      const next = viewAfterEvent(current, record);
      if (next !== current && next !== null) this.remember(next);
      this.outbox!.enqueue(this.mapper!.event(record));
    } catch (error) {
      this.failed('onEvent', error);
    }
  }

  onSessionEnd(record: SessionEndRecord): void {
    this.guard('onSessionEnd', () => {
      // The view stays (bounded): a launch after a force-quit may still have to end this session.
      const item = this.mapper!.sessionEnd(record, viewOf(this.views, record.sessionId));
      if (item) this.outbox!.enqueue(item);
    });
  }

  onForeground(record: LifecycleRecord): void {
    this.guard('onForeground', () => {
      if (this.options.lifecycleEvents) this.outbox!.enqueue(this.mapper!.foreground(record, viewOf(this.views, record.sessionId)));
    });
  }

  onBackground(record: LifecycleRecord): void {
    this.guard('onBackground', () => {
      if (this.options.lifecycleEvents) this.outbox!.enqueue(this.mapper!.background(record, viewOf(this.views, record.sessionId)));
      // The app may be suspended any moment now: send what is queued while it still can.
      void this.outbox!.flush();
    });
  }

  onConfigChange(timeouts: SessionTimeouts): void {
    this.context?.logger.debug(timeoutsReport(timeouts));
  }

  async flush(): Promise<void> {
    await this.outbox?.flush();
  }

  async shutdown(): Promise<void> {
    await this.outbox?.shutdown();
  }

  getHealth(): DeliveryHealth {
    return this.outbox?.health() ?? EMPTY_HEALTH;
  }

  // ---------------------------------------------------------------- wiring helpers

  private request(items: readonly TrackerPayload[], sentAt: number) {
    let valid = items;
    const all: readonly unknown[] = items;
    if (!all.every(isPayload)) {
      valid = all.filter(isPayload);
      this.context?.logger.warn(`skipped ${items.length - valid.length} unreadable stored event(s)`);
      if (valid.length === 0) throw new Error('no readable event in the batch');
    }
    return trackerRequest(this.options.endpoint, valid, sentAt);
  }

  /** Records a session's view and persists the views at once (a session start or a first event: rare). */
  private remember(view: SessionView): void {
    this.views = withView(this.views, view);
    this.current = view;
    void this.context!.storage.set(VIEWS_KEY, encodeViews(this.views));
  }

  private guard(where: string, body: () => void): void {
    try {
      body();
    } catch (error) {
      this.failed(where, error);
    }
  }

  private failed(where: string, error: unknown): void {
    // Never break the host app: one warning, counted in the kit's health.
    this.context?.logger.warn(`${where} failed; the record was not sent:`, error);
    this.context?.reportError(error);
  }
}

/**
 * Creates the Snowplow kit: the canonical session as Snowplow's `client_session`, events as
 * self-describing or structured events, foreground/background as `application_foreground` /
 * `application_background`, POSTed in `payload_data` batches to `{collectorUrl}/com.snowplowanalytics.snowplow/tp2`.
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
  return new SnowplowKit(resolveSnowplowOptions(options));
}
