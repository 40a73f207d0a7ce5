/**
 * The CleverTap kit's wiring: keeps the session ids (persisted), turns records into upload items with
 * the pure mapping, and hands them to the shared outbox, which batches, persists and retries them.
 */
import type {
  DeliveryHealth,
  EventRecord,
  Kit,
  KitContext,
  LifecycleRecord,
  SessionEndRecord,
  SessionStartRecord,
  SessionTimeouts,
  UserChangeRecord,
} from '@sessionhub/core';
import { createOutbox, type Outbox } from '@sessionhub/delivery';
import { cleverTapGuid } from './device-guid';
import type { DroppedPropertyReason } from './event-properties';
import { resolveCleverTapOptions, type CleverTapKitOptions, type ResolvedCleverTapOptions } from './options';
import { concludeSession, decodeLedger, EMPTY_LEDGER, encodeLedger, openSession, type LedgerEntry, type SessionLedger } from './session-ledger';
import { eventItem, profileItem, sessionConcludedItem, type CleverTapUploadItem, type SessionPosition } from './upload-items';
import { MAX_ITEMS_PER_REQUEST, uploadRequestBuilder } from './upload-request';

/** CleverTap's own inactivity timeout (Android `SESSION_LENGTH_MINS = 20`, iOS `CLTAP_SESSION_LENGTH_MINS`). */
export const CLEVERTAP_NATIVE_SESSION_TIMEOUT_SECONDS = 20 * 60;

/** Storage key of the session ids, inside the kit's namespace (the outbox uses `outbox:*`). */
export const LEDGER_KEY = 'session-ids';

/** Property keys warned about at most (one warning per key, not per event). */
const MAX_WARNED_KEYS = 64;

/** A CleverTap kit (see {@link clevertapKit}). */
export interface CleverTapKit extends Kit {
  readonly name: string;
  readonly sessionNeutralEvents: readonly string[];
}

/** The live session as the kit tracks it; `index` follows its events (`pg` of a profile upload). */
interface LiveSession {
  readonly id: string;
  readonly entry: LedgerEntry;
  readonly sessionIndex: number;
  index: number;
}

const NO_DELIVERY: DeliveryHealth = Object.freeze({ queued: 0, inFlight: 0, delivered: 0, retried: 0, dropped: Object.freeze({}), lastError: null });

function describeTimeouts(t: SessionTimeouts): string {
  const fg = t.foregroundTimeout === null ? 'never in the foreground' : `${t.foregroundTimeout} s in the foreground`;
  const cap = t.maxSessionDuration === null ? '' : `, at most ${t.maxSessionDuration} s long`;
  return (
    `canonical session timeout: ${t.sessionTimeout} s of inactivity in the background, ${fg}${cap}; ` +
    `CleverTap's native rule is ${CLEVERTAP_NATIVE_SESSION_TIMEOUT_SECONDS / 60} min of inactivity, ` +
    'but CleverTap receives the canonical sessions one to one'
  );
}

class CleverTapKitImpl implements CleverTapKit {
  readonly name: string;
  readonly sessionNeutralEvents: readonly string[];
  private readonly options: ResolvedCleverTapOptions;
  private context: KitContext | null = null;
  private outbox: Outbox<CleverTapUploadItem> | null = null;
  private ledger: SessionLedger = EMPTY_LEDGER;
  private live: LiveSession | null = null;
  private readonly warnedKeys = new Set<string>();
  private persistQueued = false;
  private writing: Promise<void> | null = null;
  private writeAgain = false;
  private readonly onDropped = (key: string, reason: DroppedPropertyReason): void => this.warnDropped(key, reason);

  constructor(options: ResolvedCleverTapOptions) {
    this.options = options;
    this.name = options.name;
    this.sessionNeutralEvents = options.sessionNeutralEvents;
  }

  async init(context: KitContext): Promise<void> {
    this.context = context;
    context.logger.debug(describeTimeouts(context.timeouts));
    const text = await context.storage.get(LEDGER_KEY);
    if (text !== null) {
      const decoded = decodeLedger(text);
      if (typeof decoded === 'string') context.logger.warn(`${decoded}; new sessions are numbered from their start time`);
      else this.ledger = decoded;
    }
    const o = this.options;
    this.outbox = createOutbox<CleverTapUploadItem>({
      // Tuning first: the kit's own fields below always win.
      ...o.delivery,
      name: o.name,
      storage: context.storage,
      logger: context.logger,
      clock: context.clock,
      buildRequest: uploadRequestBuilder({
        endpoint: o.endpoint,
        accountId: o.accountId,
        token: o.token,
        os: o.os,
        guid: cleverTapGuid(context.deviceId),
        appFields: o.appFields,
      }),
      maxBatchItems: MAX_ITEMS_PER_REQUEST,
    });
    await this.outbox.load();
  }

  onSessionStart(record: SessionStartRecord): void {
    const { ledger, entry } = openSession(this.ledger, record.sessionId, record.startTime, record.previousSessionDuration);
    this.setLedger(ledger);
    this.live = { id: record.sessionId, entry, sessionIndex: record.sessionIndex, index: 0 };
  }

  onEvent(record: EventRecord): void {
    const outbox = this.outbox;
    if (!outbox) return;
    let entry: LedgerEntry | null = null;
    if (record.sessionId !== null) {
      const live = this.liveSession(record.sessionId, record.sessionIndex, record.sessionStartTime ?? record.timestamp);
      live.index = record.eventIndex;
      entry = live.entry;
    }
    const item = eventItem(record, entry, this.onDropped);
    if (item === null) {
      this.context?.logger.warn(`event "${record.name}" was not sent: nothing is left of its name once CleverTap's forbidden characters (. : $ ' " \\) are removed`);
      return;
    }
    outbox.enqueue(item);
  }

  onSessionEnd(record: SessionEndRecord): void {
    const outbox = this.outbox;
    if (!outbox) return;
    const known = this.ledger.sessions.get(record.sessionId);
    if (known?.concluded) {
      // The end came again after a relaunch (the hub's state write was lost after ours): sent already.
      this.context?.logger.debug(`session ${record.sessionId} (CleverTap ${known.s}) was concluded already`);
    } else {
      const entry = this.liveSession(record.sessionId, record.sessionIndex, record.startTime).entry;
      outbox.enqueue(sessionConcludedItem(record, entry, this.options.sessionAttributePrefix, this.onDropped));
      this.setLedger(concludeSession(this.ledger, record.sessionId));
    }
    if (this.live?.id === record.sessionId) this.live = null;
  }

  onUserChange(record: UserChangeRecord): void {
    const outbox = this.outbox;
    if (!outbox) return;
    const live = this.live;
    const position: SessionPosition | null = live ? { entry: live.entry, sessionIndex: live.sessionIndex, index: live.index } : null;
    const item = profileItem(record, position);
    if (item !== null) outbox.enqueue(item);
    else if (record.userId === null) {
      this.context?.logger.debug('user logged out: CleverTap has no log-out call, so no profile is sent; the canonical session change starts a new CleverTap session');
    } else {
      this.context?.logger.warn(`user id ${JSON.stringify(record.userId)} was not sent as CleverTap Identity: nothing is left of it once ' " \\ are removed`);
    }
  }

  onBackground(_record: LifecycleRecord): void {
    const outbox = this.outbox;
    if (!outbox) return;
    // The app may be suspended or the page unloaded next. Write the session ids and the queue now,
    // before the hub persists its state after this callback (so a kill right after cannot keep a
    // session's end in the hub but lose its Session Concluded); send what fits with requests that
    // outlive the page, and the rest with flush().
    this.writeLedgerNow();
    outbox.flushOnPageHide();
    void outbox.flush();
  }

  /**
   * Browsers: the page may be gone next, and only what runs now is sure to happen. Writes the session
   * ids (synchronous storages such as localStorage finish at once), then sends the queue with requests
   * that outlive the page; what does not fit stays stored for the next visit.
   */
  onPageHide(): void {
    this.writeLedgerNow();
    this.outbox?.flushOnPageHide();
  }

  /** The canonical timeouts changed (`hub.setSessionTimeout`): CleverTap's sessions follow at once. */
  onConfigChange(timeouts: SessionTimeouts): void {
    this.context?.logger.debug(describeTimeouts(timeouts));
  }

  async flush(): Promise<void> {
    await this.persistNow();
    await this.outbox?.flush();
  }

  async shutdown(): Promise<void> {
    await this.persistNow();
    await this.outbox?.shutdown();
  }

  getHealth(): DeliveryHealth {
    return this.outbox ? this.outbox.health() : NO_DELIVERY;
  }

  // ------------------------------------------------------------------ sessions

  /**
   * The live session with this canonical id. A session the kit did not see start in this run (resumed
   * after a relaunch, or ended by a force-quit recovery) comes from the persisted ledger, or, if its
   * entry never reached storage, gets the same id again from the same rule (see session-ledger.ts).
   */
  private liveSession(sessionId: string, sessionIndex: number, startTime: number): LiveSession {
    const live = this.live;
    if (live !== null && live.id === sessionId) return live;
    const { ledger, entry } = openSession(this.ledger, sessionId, startTime, null);
    this.setLedger(ledger);
    const found: LiveSession = { id: sessionId, entry, sessionIndex, index: 0 };
    this.live = found;
    return found;
  }

  // ------------------------------------------------------------------ persistence

  private setLedger(ledger: SessionLedger): void {
    if (ledger === this.ledger) return;
    this.ledger = ledger;
    this.schedulePersist();
  }

  /** Coalesces the ledger writes of one synchronous burst into one. */
  private schedulePersist(): void {
    if (this.persistQueued) return;
    this.persistQueued = true;
    queueMicrotask(() => {
      this.persistQueued = false;
      void this.persistNow();
    });
  }

  /** Writes the latest ledger; one write loop, so an older ledger never lands last. */
  private persistNow(): Promise<void> {
    const storage = this.context?.storage;
    if (!storage) return Promise.resolve();
    if (this.writing) {
      this.writeAgain = true;
      return this.writing;
    }
    this.writing = (async () => {
      do {
        this.writeAgain = false;
        await storage.set(LEDGER_KEY, encodeLedger(this.ledger));
      } while (this.writeAgain);
      this.writing = null;
    })();
    return this.writing;
  }

  /** Starts the write of the latest ledger now, even while an earlier write is under way. */
  private writeLedgerNow(): void {
    const storage = this.context?.storage;
    if (!storage) return;
    // A write loop under way writes the ledger once more after its current write, so it lands last.
    if (this.writing) this.writeAgain = true;
    void storage.set(LEDGER_KEY, encodeLedger(this.ledger));
  }

  // ------------------------------------------------------------------ warnings

  private warnDropped(key: string, reason: DroppedPropertyReason): void {
    if (this.warnedKeys.has(key) || this.warnedKeys.size >= MAX_WARNED_KEYS) return;
    this.warnedKeys.add(key);
    const why =
      reason === 'empty-key'
        ? `nothing is left of the key once CleverTap's forbidden characters (. : $ ' " \\) are removed`
        : 'CleverTap event properties take strings, finite numbers, booleans and dates';
    this.context?.logger.warn(`property "${key}" was not sent to CleverTap: ${why} (warned once per key)`);
  }
}

/**
 * Creates the CleverTap kit. Invalid options throw {@link CleverTapKitConfigError} (a
 * `SessionHubConfigError`) saying what to fix.
 *
 * @example
 * const hub = createHub({
 *   sessionTimeout: 60,
 *   kits: [clevertapKit({ accountId: 'W9R-486-4W5Z', token: 'abc-def', region: 'eu1', os: 'Android' })],
 * });
 */
export function clevertapKit(options: CleverTapKitOptions): CleverTapKit {
  return new CleverTapKitImpl(resolveCleverTapOptions(options));
}
