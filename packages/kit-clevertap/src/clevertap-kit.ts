/**
 * The CleverTap kit's wiring: keeps the session ids (persisted), turns records into upload items with
 * the pure mapping, and hands them to the shared outbox, which batches, persists and retries them.
 */
import { checkKitOptions, coalescedWriter, type Kit, type KitContext, type SessionTimeouts } from '@sessionhub/core';
import { createOutbox, type Outbox } from '@sessionhub/delivery';
import { cleverTapGuid } from './device-guid';
import { NOTHING_LEFT } from './event-properties';
import { checkCleverTapOptions, CleverTapKitConfigError, type CleverTapKitOptions } from './options';
import { CLEVERTAP_SESSION_NEUTRAL_EVENTS } from './session-neutral-events';
import { CONCLUDED, decodeLedger, emptyLedger, ID, sessionEntry } from './session-ledger';
import { eventItem, profileItem, sessionConcludedItem, type CleverTapUploadItem, type SessionPosition } from './upload-items';
import { MAX_ITEMS_PER_REQUEST, uploadRequestBuilder } from './upload-request';

/** A CleverTap kit (see {@link clevertapKit}). */
export interface CleverTapKit extends Kit {
  readonly name: string;
  readonly sessionNeutralEvents: readonly string[];
}

/** The session ids' key in the kit's storage namespace (the outbox uses `outbox:*`). */
const LEDGER_KEY = 'session-ids';

/** The canonical rule, which CleverTap receives, next to its own (Android `SESSION_LENGTH_MINS = 20`, iOS `CLTAP_SESSION_LENGTH_MINS`). */
const describeTimeouts = (t: SessionTimeouts): string =>
  `timeouts (s): session ${t.sessionTimeout}, foreground ${t.foregroundTimeout ?? 'none'}, longest ${t.maxSessionDuration ?? 'none'}; not CleverTap's 20 min`;

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
  const endpoint = checkKitOptions(() => checkCleverTapOptions(options), CleverTapKitConfigError);
  // The checks refuse null, so defaults apply exactly where `??` would.
  const { name = 'clevertap', delivery = {}, sessionAttributePrefix = 'sh_' } = options;
  let context: KitContext | undefined;
  let outbox: Outbox<CleverTapUploadItem> | undefined;
  let ledger = emptyLedger();
  let live: SessionPosition | null = null;
  const warnedKeys = new Set<string>();
  const save = (): Promise<void> | undefined => context?.storage.set(LEDGER_KEY, JSON.stringify(ledger));
  // One write per burst of changes, and never an older ledger landing last.
  const persist = coalescedWriter(save);
  const debug = (message: string): void => context?.logger.debug(message);
  const notSent = (what: string, why: string): void => context?.logger.warn(`${what} not sent to CleverTap: ${why}`);

  /**
   * The ledger entry of a canonical session. One the kit did not see start in this run (resumed after
   * a relaunch, or ended by a force-quit recovery) comes from the persisted ledger, or, if its entry
   * never reached storage, gets the same id again from the same rule (see session-ledger.ts).
   */
  const entryOf = (id: string, startTime: number, previousDuration: number | null = null) => {
    persist.schedule();
    return sessionEntry(ledger, id, startTime, previousDuration);
  };

  // The app may be suspended or the page gone next: start the write now (synchronous storages such as
  // localStorage finish at once) even while an earlier one is under way, and once more after it. What
  // does not fit the keepalive budget stays stored for the next visit.
  const pageHide = (): void => {
    void save();
    void persist.flush();
    outbox?.flushOnPageHide();
  };

  /** One warning per property key (at most 64 keys), not per event. */
  const onDropped = (key: string, why: string): void => {
    if (warnedKeys.has(key) || warnedKeys.size >= 64) return;
    warnedKeys.add(key);
    notSent(`property "${key}"`, why);
  };

  /** Makes a session the live one. */
  const open = (id: string, sessionIndex: number, startTime: number, previousDuration?: number | null): SessionPosition =>
    (live = { entry: entryOf(id, startTime, previousDuration), sessionIndex, index: 0 });

  return {
    name,
    sessionNeutralEvents: options.sessionNeutralEvents ?? CLEVERTAP_SESSION_NEUTRAL_EVENTS,

    async init(ctx) {
      context = ctx;
      debug(describeTimeouts(ctx.timeouts));
      const text = await ctx.storage.get(LEDGER_KEY);
      const stored = text && decodeLedger(text);
      if (stored) ledger = stored;
      else if (text !== null) ctx.logger.warn('stored session ids unreadable: numbering afresh');
      outbox = createOutbox<CleverTapUploadItem>({
        // The kit's storage, logger and clock (the outbox reads only the options it knows), then the
        // user's delivery settings.
        ...ctx,
        ...delivery,
        maxBatchItems: delivery.maxBatchItems ?? MAX_ITEMS_PER_REQUEST,
        name,
        buildRequest: uploadRequestBuilder(endpoint, options, cleverTapGuid(ctx.deviceId)),
      });
      await outbox.load();
    },

    onSessionStart(record) {
      open(record.sessionId, record.sessionIndex, record.startTime, record.previousSessionDuration);
    },

    onEvent(record) {
      const { sessionId } = record;
      let session: SessionPosition | null = null;
      if (sessionId !== null) {
        // An event of a live session has its start time.
        session = live?.entry[ID] === sessionId ? live : open(sessionId, record.sessionIndex, record.sessionStartTime!);
        session.index = record.eventIndex;
      }
      const item = eventItem(record, session && session.entry, onDropped);
      if (item) outbox?.enqueue(item);
      else notSent(`event "${record.name}"`, NOTHING_LEFT);
    },

    onSessionEnd(record) {
      const { sessionId } = record;
      const entry = entryOf(sessionId, record.startTime);
      // Concluded already: the end came again after a relaunch (the hub's state write was lost after ours).
      if (!entry[CONCLUDED]) {
        outbox?.enqueue(sessionConcludedItem(record, entry, sessionAttributePrefix, onDropped));
        entry[CONCLUDED] = 1;
      }
      // The end of a session comes before the start of the next: no session is live now.
      live = null;
    },

    onUserChange(record) {
      const item = profileItem(record, live);
      if (item) outbox?.enqueue(item);
      // A log-out (null) sends nothing: CleverTap has no log-out call.
      else if (record.userId) notSent(`user id "${record.userId}"`, `nothing left once CleverTap removes ' " \\`);
    },

    onBackground() {
      // Before the hub persists its state after this callback, so a kill right after cannot keep a
      // session's end in the hub but lose its Session Concluded; what fits goes with requests that
      // outlive the page, the rest with flush().
      pageHide();
      void outbox?.flush();
    },

    // Browsers: the page may be gone next.
    onPageHide: pageHide,

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
    getHealth: () => outbox?.health(),
  };
}
