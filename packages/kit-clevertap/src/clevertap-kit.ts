/**
 * The CleverTap kit's wiring: keeps the session ids (persisted), turns records into upload items with
 * the pure mapping, and hands them to the shared outbox, which batches, persists and retries them.
 */
import { coalescedWriter, type Kit, type KitContext, type SessionTimeouts } from '@sessionhub/core';
import { createOutbox, type Outbox } from '@sessionhub/delivery';
import { cleverTapGuid } from './device-guid';
import type { DroppedPropertyReason } from './event-properties';
import { checkCleverTapOptions, type CleverTapKitOptions } from './options';
import { CLEVERTAP_SESSION_NEUTRAL_EVENTS } from './session-neutral-events';
import { concludeSession, decodeLedger, EMPTY_LEDGER, encodeLedger, openSession, type LedgerEntry } from './session-ledger';
import { eventItem, profileItem, sessionConcludedItem, type CleverTapUploadItem, type SessionPosition } from './upload-items';
import { MAX_ITEMS_PER_REQUEST, uploadRequestBuilder } from './upload-request';

/** A CleverTap kit (see {@link clevertapKit}). */
export interface CleverTapKit extends Kit {
  readonly name: string;
  readonly sessionNeutralEvents: readonly string[];
}

/** The live session as the kit tracks it; `index` follows its events (`pg` of a profile upload). */
interface LiveSession extends SessionPosition {
  readonly id: string;
  index: number;
}

/** What CleverTap's rules leave of a name or key made only of the characters it removes. */
const NOTHING_LEFT = "nothing is left once CleverTap removes . : $ ' \" \\";

/** The canonical rule next to CleverTap's own (Android `SESSION_LENGTH_MINS = 20`, iOS `CLTAP_SESSION_LENGTH_MINS`). */
const describeTimeouts = (t: SessionTimeouts): string =>
  `canonical timeouts in seconds: session ${t.sessionTimeout}, in the foreground ${t.foregroundTimeout ?? 'none'}, ` +
  `longest session ${t.maxSessionDuration ?? 'none'}; CleverTap's native rule (20 min) does not apply: it receives these sessions`;

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
  const endpoint = checkCleverTapOptions(options);
  const o = options;
  const name = o.name ?? 'clevertap';
  const delivery = o.delivery ?? {};
  let context: KitContext | undefined;
  let outbox: Outbox<CleverTapUploadItem> | undefined;
  let ledger = EMPTY_LEDGER;
  let live: LiveSession | null = null;
  const warnedKeys = new Set<string>();
  // The session ids, under the kit's storage namespace (the outbox uses `outbox:*`).
  const save = (): Promise<void> | undefined => context?.storage.set('session-ids', encodeLedger(ledger));
  // One write per burst of changes, and never an older ledger landing last.
  const persist = coalescedWriter(save);
  // The app may be suspended or the page gone next: start the write now (synchronous storages such as
  // localStorage finish at once) even while an earlier one is under way, and once more after it.
  const saveNow = (): void => {
    void save();
    void persist.flush();
  };
  const debug = (message: string): void => context?.logger.debug(message);
  const warn = (message: string): void => context?.logger.warn(message);

  const setLedger = (next: typeof ledger): void => {
    if (next !== ledger) {
      ledger = next;
      persist.schedule();
    }
  };

  /** Makes a session the live one, with its id from the ledger (issued now if new). */
  const open = (id: string, sessionIndex: number, startTime: number, previousDuration: number | null): LiveSession => {
    const opened = openSession(ledger, id, startTime, previousDuration);
    setLedger(opened.ledger);
    return (live = { id, entry: opened.entry, sessionIndex, index: 0 });
  };

  /**
   * The live session with this canonical id. A session the kit did not see start in this run (resumed
   * after a relaunch, or ended by a force-quit recovery) comes from the persisted ledger, or, if its
   * entry never reached storage, gets the same id again from the same rule (see session-ledger.ts).
   */
  const liveSession = (id: string, sessionIndex: number, startTime: number): LiveSession =>
    live?.id === id ? live : open(id, sessionIndex, startTime, null);

  /** One warning per property key (at most 64 keys), not per event. */
  const onDropped = (key: string, reason: DroppedPropertyReason): void => {
    if (warnedKeys.has(key) || warnedKeys.size >= 64) return;
    warnedKeys.add(key);
    warn(`property "${key}" not sent to CleverTap (warned once per key): ${reason == 'empty-key' ? NOTHING_LEFT : 'values must be strings, finite numbers, booleans or dates'}`);
  };

  return {
    name,
    sessionNeutralEvents: o.sessionNeutralEvents ?? CLEVERTAP_SESSION_NEUTRAL_EVENTS,

    async init(ctx) {
      context = ctx;
      debug(describeTimeouts(ctx.timeouts));
      const text = await ctx.storage.get('session-ids');
      const stored = text === null ? ledger : decodeLedger(text);
      if (typeof stored == 'string') warn(`${stored}; numbering sessions afresh`);
      else ledger = stored;
      outbox = createOutbox<CleverTapUploadItem>({
        ...delivery,
        maxBatchItems: delivery.maxBatchItems ?? MAX_ITEMS_PER_REQUEST,
        name,
        storage: ctx.storage,
        logger: ctx.logger,
        clock: ctx.clock,
        buildRequest: uploadRequestBuilder({
          endpoint,
          accountId: o.accountId,
          token: o.token,
          os: o.os ?? 'Web',
          guid: cleverTapGuid(ctx.deviceId),
          appFields: o.appFields ?? {},
        }),
      });
      await outbox.load();
    },

    onSessionStart(record) {
      open(record.sessionId, record.sessionIndex, record.startTime, record.previousSessionDuration);
    },

    onEvent(record) {
      let entry: LedgerEntry | null = null;
      if (record.sessionId !== null) {
        const session = liveSession(record.sessionId, record.sessionIndex, record.sessionStartTime ?? record.timestamp);
        session.index = record.eventIndex;
        entry = session.entry;
      }
      const item = eventItem(record, entry, onDropped);
      if (item) outbox?.enqueue(item);
      else warn(`event "${record.name}" not sent to CleverTap: ${NOTHING_LEFT}`);
    },

    onSessionEnd(record) {
      const { sessionId } = record;
      const known = ledger.sessions.get(sessionId);
      // The end came again after a relaunch (the hub's state write was lost after ours): sent already.
      if (known?.concluded) debug(`session ${sessionId} concluded already`);
      else {
        const { entry } = liveSession(sessionId, record.sessionIndex, record.startTime);
        outbox?.enqueue(sessionConcludedItem(record, entry, o.sessionAttributePrefix ?? 'sh_', onDropped));
        setLedger(concludeSession(ledger, sessionId));
      }
      if (live?.id === sessionId) live = null;
    },

    onUserChange(record) {
      const item = profileItem(record, live);
      if (item) outbox?.enqueue(item);
      // A log-out (null) sends nothing: CleverTap has no log-out call.
      else if (record.userId) warn(`user id "${record.userId}" not sent as CleverTap Identity: nothing is left once CleverTap removes ' " \\`);
    },

    onBackground() {
      // Before the hub persists its state after this callback, so a kill right after cannot keep a
      // session's end in the hub but lose its Session Concluded; what fits goes with requests that
      // outlive the page, the rest with flush().
      saveNow();
      outbox?.flushOnPageHide();
      void outbox?.flush();
    },

    // Browsers: the page may be gone next. What does not fit the keepalive budget stays stored for the next visit.
    onPageHide() {
      saveNow();
      outbox?.flushOnPageHide();
    },

    /** The canonical timeouts changed (`hub.setSessionTimeout`): CleverTap's sessions follow at once. */
    onConfigChange(timeouts) {
      debug(describeTimeouts(timeouts));
    },

    async flush() {
      await persist.flush();
      await outbox?.flush();
    },

    async shutdown() {
      await persist.flush();
      await outbox?.shutdown();
    },

    // Before init, an empty outbox's figures.
    getHealth: () => outbox?.health() ?? { queued: 0, inFlight: 0, delivered: 0, retried: 0, dropped: {}, lastError: null },
  };
}
