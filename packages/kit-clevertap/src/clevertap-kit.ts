/**
 * The CleverTap kit's wiring: keeps the session ids and device ids (persisted), turns records into
 * upload items with the pure mapping, and hands them to the shared outbox, which batches, persists and
 * retries them.
 */
import { checkKitOptions, type Kit, type KitContext, type SessionTimeouts } from '@sessionhub/core';
import { createOutbox, flatString, type Outbox } from '@sessionhub/delivery';
import { cleverTapGuid, signIn } from './device-guid';
import { chargedProperties } from './charged';
import { cleanName, eventProperties, NOTHING_LEFT, propertyValue } from './event-properties';
import { checkCleverTapOptions, CleverTapKitConfigError, type CleverTapKitOptions } from './options';
import { message } from './messages';
import { CLEVERTAP_SESSION_NEUTRAL_EVENTS } from './session-neutral-events';
import { AT, CONCLUDED, decodeLedger, emptyLedger, findEntry, PAGES, sessionEntry, type LedgerEntry } from './session-ledger';
import { CLEVERTAP_SYSTEM_EVENTS } from './system-events';
import { eventItem, profileItem, sessionConcludedItem, sessionFields, type CleverTapUploadItem, type Stamp } from './upload-items';
import { decodeQueued, encodeQueued, MAX_ITEMS_PER_REQUEST, uploadRequestBuilder, type QueuedItem } from './upload-request';
import { KIT_VERSION } from './version';
import { webSdkState, type WebSdkSession } from './web-sdk-state';
import { webSdkHandOver } from './web-sdk-handover';

/** A CleverTap kit (see {@link clevertapKit}). */
export interface CleverTapKit extends Kit {
  readonly name: string;
  readonly sessionNeutralEvents: readonly string[];
}

/** The ledger's key in the kit's storage namespace (the outbox uses `outbox:*`). */
const LEDGER_KEY = 'session-ids';

/** `lsl` of a session whose previous one lasted `ms` (null: none, or unknown): whole seconds, rounded. */
const lsl = (ms: number | null | undefined): number => (ms! > 0 ? Math.round(ms! / 1000) : 0);

/**
 * The session a record stamps an item in: its id (null: outside any), its index (absent or 0:
 * unknown), its start (epoch ms) and the previous session's length (ms), as far as the record tells.
 */
interface SessionOf {
  readonly sessionId: string | null;
  readonly sessionIndex?: number;
  readonly sessionStartTime?: number | null;
  readonly previousSessionDuration: number | null;
}

/** The live canonical session, as this run knows it. */
interface Live {
  /** The canonical session's id. */
  readonly session: string;
  /** The device's first session (unknown, false, until a record with its index comes). */
  first: boolean;
  /** The previous session's length, whole seconds (`lsl`). */
  readonly previousLength: number;
  /** Its ledger entry, once this run has sent something of it. */
  entry?: LedgerEntry;
  /** Started in this run (its start record came). */
  fresh?: 1;
  /** Its events this run was given, items or not. */
  events: number;
  /** Its start (epoch ms), once a record told it (null or absent before). */
  start?: number | null;
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
  const endpoint = checkKitOptions(() => checkCleverTapOptions(options), CleverTapKitConfigError);
  // The checks refuse null, so defaults apply exactly where `??` would.
  const { name = 'clevertap', delivery = {}, sessionAttributePrefix = 'sh_', os = 'Web', sessionConcluded } = options;
  // The header's app fields, also the data of `App Launched` (Android `DeviceInfo.getAppLaunchedFields`).
  // The app's fields, then OS and lib: `os` says what `af.OS` is, and `appFields` only adds.
  const af = { ...options.appFields, OS: os, lib: 'sessionhub-kit-clevertap/' + KIT_VERSION };
  let context: KitContext | undefined;
  let outbox: Outbox<QueuedItem> | undefined;
  let ledger = emptyLedger();
  let deviceGuid = '';
  let live: Live | null = null;
  /** The web SDK's session still live when the kit first started here: the first session carries on with it. */
  let carried: WebSdkSession | undefined;
  const warned = new Set<string>();
  /** Cleared (opt-out, deletion) with nothing new since: nothing to store, not even an empty ledger. */
  let cleared = false;
  /** This device's CleverTap id, made again from the hub's device id after a reset or a clear. */
  const guid = (): string => (deviceGuid ||= cleverTapGuid(context!.deviceId));
  /**
   * Forgets the device's ids and sessions (reset, clear): what is queued keeps the ids it was made
   * with. The web SDK's ids are never taken over again in this browser.
   */
  const forget = (): void => {
    ledger = emptyLedger();
    deviceGuid = '';
    live = null;
    carried = undefined;
    webSdkHandOver(options.accountId, '0');
  };
  /** The ledger as it is now, to store (undefined: nothing to store), of the hub's device id now (the kit hears of every change of it). */
  const ledgerText = (): string | undefined => (cleared ? undefined : ((ledger.d = context?.deviceId), JSON.stringify(ledger)));
  /**
   * The ledger changed: it is written in this burst's commit, made when the burst ends (so once per
   * burst, as it is then), with the outbox items it numbers and before the hub's state (write-ahead: a
   * kill cannot keep a state that sent a session's items and lose the session's id). A storage
   * without `setLater` (a context built by hand; the hub's always has it) gets it a microtask later,
   * as it is then, as the outbox stores its index there.
   */
  const persist = (): void => {
    const storage = context?.storage;
    if (storage?.setLater) storage.setLater(LEDGER_KEY, ledgerText);
    else
      queueMicrotask(() => {
        const text = ledgerText();
        if (text) void storage?.set(LEDGER_KEY, text);
      });
  };
  /** The canonical rule, which CleverTap receives, next to its own (Android `SESSION_LENGTH_MINS = 20`, iOS `CLTAP_SESSION_LENGTH_MINS`). */
  const logTimeouts = (t: SessionTimeouts): void =>
    context?.logger.debug(message(414, t.sessionTimeout, t.foregroundTimeout ?? 'none', t.maxSessionDuration ?? 'none'));
  /**
   * One warning per subject, not per call; at most 64 subjects (an app inventing keys must not grow
   * the set), then one warning saying so: a later problem is never left unsaid as if none came.
   */
  const notSent = (what: string, why: string): void => {
    if (warned.has(what) || warned.size > 64) return;
    warned.add(what);
    context?.logger.warn(warned.size > 64 ? message(422, 64) : message(419, what, why));
  };
  const onDropped = (key: string, why: string): void => notSent(`property "${key}"`, why);
  /**
   * `plain`: an app's event, which a full storage may drop; the rest (session openings and ends,
   * profiles) is kept. (Without `first`, the item is stored without it: see `encodeQueued`.)
   */
  const enqueue = (item: CleverTapUploadItem, first?: 1, plain?: boolean): void => {
    cleared = false;
    ledger.g ||= guid();
    const json = flatString(JSON.stringify(item));
    outbox?.enqueue([ledger.g, json, first], !plain);
  };
  /** What CleverTap's SDKs send when a session starts (mobile) or a page loads in one (web). */
  const opening = (stamp: Stamp, at: number, first?: 1): void =>
    enqueue(os == 'Web' ? { type: 'page', ...sessionFields(stamp, at) } : eventItem('App Launched', af, stamp, at), first);

  /**
   * The stamp of an item queued at `at` (epoch ms) in the canonical session `record` tells of (its
   * `sessionId`, null: outside any), from what the record says of it: this run may not have seen it
   * start (a reload in a session started by `startNewSession` or a user change). The session's first
   * item at CleverTap issues its `s` and is preceded by its opening item, as the SDKs create sessions
   * at their first item. (A kill that lost a session's entry before it was stored gets the same `s`
   * again for it, and its opening a second time.)
   */
  const stamp = (record: SessionOf, at: number): Stamp => {
    const { sessionId: id, sessionIndex } = record;
    if (id === null) return { first: false };
    if (live?.session !== id) live = { session: id, first: sessionIndex == 1, previousLength: lsl(record.previousSessionDuration), events: 0 };
    else if (sessionIndex) live.first = sessionIndex == 1;
    live.start ??= record.sessionStartTime;
    if (!live.entry) {
      persist();
      const entry = findEntry(ledger, id);
      if (entry) {
        // A page load (app start) in a session that sent items before.
        entry[PAGES]++;
        live.entry = entry;
        if (os == 'Web') opening(live, at);
      } else if (carried) {
        // The web SDK's session goes on: its id, one more page.
        ledger.sessions.push((live.entry = [id, carried[0], live.previousLength, 0, carried[1] + 1, at]));
        carried = undefined;
        opening(live, at);
      } else {
        // From the session's start, which every tab knows alike, so tabs sharing it agree on its id.
        live.entry = sessionEntry(ledger, id, live.start ?? at, live.previousLength, at);
        opening(live, at, 1);
      }
    }
    // The live session is its items' stamp: its entry, and whether it is the device's first.
    return live;
  };

  // The app may be suspended or the page gone next: what fits the keepalive budget goes now, the rest
  // stays stored for the next visit. (The ledger is staged with the burst that changed it, which the
  // hub commits before the page goes.)
  const pageHide = (): void => outbox?.flushOnPageHide();

  return {
    name,
    sessionNeutralEvents: options.sessionNeutralEvents ?? CLEVERTAP_SESSION_NEUTRAL_EVENTS,

    async init(ctx) {
      context = ctx;
      logTimeouts(ctx.timeouts);
      const text = await ctx.storage.get(LEDGER_KEY);
      const stored = text && decodeLedger(text);
      if (stored) ledger = stored;
      else if (text !== null) ctx.logger.warn(message(415));
      // Of another device id: this slot's page was closed when another tab reset the device, and its
      // kit was not told. Its ids and sessions are the old device's (what it queued keeps them).
      if (ledger.d && ledger.d != ctx.deviceId) forget();
      deviceGuid = cleverTapGuid(ctx.deviceId);
      // The kit's first start on this device: carry on from CleverTap's web SDK if it ran here,
      // unless a deletion, an opt-out or a reset made the device forget it.
      if (!ledger.g && webSdkHandOver(options.accountId) != '0') carried = webSdkState(ledger, options.accountId, ctx.clock());
      ledger.g ||= deviceGuid;
      outbox = createOutbox<QueuedItem>({
        // The kit's storage, logger and clock (the outbox reads only the options it knows), then the
        // user's delivery settings.
        ...ctx,
        ...delivery,
        maxBatchItems: delivery.maxBatchItems ?? MAX_ITEMS_PER_REQUEST,
        name,
        // One device id per request: the header carries it.
        batchKey: (queued) => queued[0],
        encode: encodeQueued,
        decode: decodeQueued as (value: unknown) => QueuedItem,
        buildRequest: uploadRequestBuilder({
          // (The account id and token as given: the builder reads only what it needs.)
          ...options,
          endpoint,
          os,
          af,
          firstRequest: (at) => ledger.f || (persist(), (ledger.f = Math.floor(at / 1000))),
        }),
      });
      await outbox.load();
    },

    onSessionStart(record) {
      const { sessionId, sessionIndex, trigger, startTime } = record;
      live = { session: sessionId, first: sessionIndex == 1, previousLength: lsl(record.previousSessionDuration), fresh: 1, start: startTime, events: 0 };
      // The app came up (a launch, a page load, a return to the foreground): the SDKs open their
      // session right then. Other sessions open with their first item, so empty ones take no id.
      if (trigger == 'launch' || trigger == 'foreground') stamp(record, startTime);
    },

    onEvent(record) {
      if (live?.session === record.sessionId) live.events++;
      const evtName = cleanName(record.name);
      if (!evtName) notSent(`event "${record.name}"`, NOTHING_LEFT);
      // As the SDKs refuse them (error 513).
      else if (CLEVERTAP_SYSTEM_EVENTS.includes(evtName)) notSent(`event "${evtName}"`, message(413));
      else {
        const at = record.timestamp;
        const evtData = (evtName == 'Charged' ? chargedProperties : eventProperties)(record.attributes, onDropped);
        enqueue(eventItem(evtName, evtData, stamp(record, at), at), undefined, true);
      }
    },

    onSessionEnd(record) {
      const { sessionId, trigger, startTime, signIn } = record;
      let entry = findEntry(ledger, sessionId);
      const opened = trigger == 'launch' || trigger == 'foreground';
      // A sign-in the kit took sent its profile in the session then: its first change of user to an id,
      // else the last change, which set the user it ends with (Infinity: none the kit took).
      const signedAt = (signIn && propertyValue(signIn[1]) && signIn[0]) || (propertyValue(record.userId) && record.userChangeTime) || Infinity;
      // Only a session CleverTap has items of, and once (the end may come again after a relaunch when
      // the hub's state write was lost after ours). Without an entry here, the record tells: an app
      // start opened it, a sign-in sent its profile in it, or it had events this run was not given
      // (another tab's, or an earlier run's): it gets its id again, from its first item's time. A tab
      // ends sessions other tabs sent items of.
      if (sessionConcluded && !entry?.[CONCLUDED] && (entry || opened || signedAt < Infinity || record.eventCount > (live?.session == sessionId && live.fresh ? live.events : 0))) {
        entry ??= sessionEntry(ledger, sessionId, startTime, lsl(record.previousSessionDuration), opened ? startTime : Math.min(record.firstEventTime ?? signedAt, signedAt));
        enqueue(sessionConcludedItem(record, entry[AT], { entry, first: record.sessionIndex == 1 }, sessionAttributePrefix, onDropped));
        entry[CONCLUDED] = 1;
        persist();
      }
      // The end of a session comes before the start of the next: no session is live now.
      live = null;
    },

    onUserChange(record) {
      const { userId, sessionId, timestamp } = record;
      // A log-out sends nothing and keeps the device id: CleverTap has no log-out call, and its SDKs
      // stay on the last profile until the next sign-in.
      if (userId === null) return;
      const identity = propertyValue(userId) as string;
      if (!identity) return notSent(`user id "${userId}"`, message(412));
      const before = ledger.g;
      const had = sessionId !== null && findEntry(ledger, sessionId);
      signIn(ledger, guid(), identity);
      persist();
      const at = stamp(record, timestamp);
      // Another profile in a session that had items: Android's profile switch sends `App Launched` for it.
      if (ledger.g != before && had && os != 'Web') opening(at, timestamp, 1);
      enqueue(profileItem(identity, at, timestamp));
    },

    onBackground() {
      // What fits goes with requests that outlive the page, the rest with flush(). (Its items and
      // ledger are staged already: the hub commits them before its state.)
      pageHide();
      void outbox?.flush();
    },

    // Browsers: the page may be gone next.
    onPageHide: pageHide,

    /** The canonical timeouts changed (`hub.setSessionTimeout`): CleverTap's sessions follow at once. */
    onConfigChange: logTimeouts,

    flush: () => outbox?.flush(),

    shutdown: () => outbox?.shutdown(),

    /** hub.reset(): a new CleverTap device id and session numbering, nothing tying them to the old ones. */
    onReset() {
      forget();
      persist();
    },

    /** Opt-out or deletion: the outbox and the ledger (session ids, device ids). */
    async clear() {
      forget();
      cleared = true;
      await context?.storage.remove(LEDGER_KEY);
      await outbox?.clear();
    },

    // Before init, none (the hub reports the kit as initializing).
    getHealth: () => outbox?.health(),
  };
}
