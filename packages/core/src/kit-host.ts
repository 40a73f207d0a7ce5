import { runBeforeSend, type BeforeSend } from './before-send';
import { message } from './messages';
import { errorMessage } from './describe-value';
import { SessionHubConfigError } from './errors';
import { isStringArray } from './call-arguments';
import { OUTPUT_CALLBACK, type DeliveryHealth, type Kit, type KitCallback, type KitContext, type KitHealth } from './kit';
import type { Logger } from './logger';
import type { EventRecord } from './records';

interface Entry {
  readonly kit: Kit;
  /** The kit's name and session-neutral events, read once when it was added. */
  readonly name: string;
  readonly neutral: readonly string[];
  /** A late kit: the session it got the start of (null: none yet). Undefined for a kit started at launch. */
  started: string | null | undefined;
  kitStatus: KitHealth['status'];
  callCount: number;
  errorCount: number;
  lastFailure: string | null;
  /** Callbacks made while `init` is pending, replayed in order once it resolves. */
  buffer: Array<[KitCallback, unknown]> | null;
  ready?: Promise<void>;
  /**
   * `ready`, or the end of the first wait for it (see `waitInit`), whichever comes first: the one
   * wait every caller shares.
   */
  waited?: Promise<unknown>;
  /** Settles once what an earlier run still owed the kit is read into `buffer`. */
  loaded?: Promise<void>;
  /** Stages `buffer` under the kit's {@link OWED} key in this burst's commit. */
  owe?: () => void;
  /** Removes the kit's {@link OWED} key. */
  disown?: () => void;
  /** Cleared while its init ran: nothing stored before is replayed, and `clear` runs once init settles. */
  clearing?: boolean;
}

/**
 * The key (under the kit's prefix) where its buffered callbacks wait while `init` runs: staged in
 * the commit of the state that produced them, before it (write-ahead), so a kill before the kit is
 * ready loses none; removed in the commit of the kit's own writes for them.
 */
const OWED = '~';
/**
 * Calls stored that way, at most: a kit whose init hangs must not make every commit rewrite a
 * buffer that keeps growing. The first ones are kept: a launch's session end and start come first.
 */
const MAX_OWED = 100;

/**
 * Settles when `promise` does, or after `ms`, whichever comes first. The timer is not unref'd: while
 * `await hub.start()` waits on it, it is all that keeps a short Node script alive (an unref'd one lets
 * the process exit in the middle of the await, with code 13).
 */
function within(promise: Promise<unknown> | undefined, ms: number): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const cap = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([promise, cap]).finally(() => clearTimeout(timer));
}

/**
 * A kit's `init`, waited for `ms` at most, counted from the first wait, once for all: a `hub.flush()`
 * or `shutdown()` made while the launch waits shares the launch's wait rather than adding its own.
 */
const waitInit = (entry: Entry, ms: number): Promise<unknown> | undefined =>
  // Only once init has begun: a flush() before start() must not leave the launch a wait already over.
  (entry.waited ??= entry.ready && within(entry.ready, ms));


/**
 * Runs the kits: each callback in its own try/catch (a throwing kit is counted and logged, and
 * nothing else notices), callbacks buffered until a kit's `init` resolves, health per kit.
 *
 * @param beforeSend the hub's hook, run once per event before the kits' own.
 * @param onFailure told of each failure (after it is logged with its error): the hub's `kit-failure` warning.
 */
export function kitHost(logger: Logger, beforeSend?: BeforeSend, onFailure?: (message: string) => void) {
  const hosted: Entry[] = [];

  const runOne = async (entry: Entry, method: 'flush' | 'shutdown' | 'clear'): Promise<void> => {
    try {
      await entry.kit[method]?.();
    } catch (error) {
      fail(entry, method, error);
    }
  };

  const invoke = (entry: Entry, callback: KitCallback, record: unknown): void => {
    try {
      // Read inside the try: a kit's getter (or Proxy) that throws is that kit's failure alone.
      const fn = entry.kit[callback] as ((r: unknown) => unknown) | undefined;
      if (typeof fn !== 'function') return;
      entry.callCount++;
      const hook = entry.kit.beforeSend;
      if (callback == 'onEvent' && typeof hook === 'function') {
        try {
          record = runBeforeSend(hook.bind(entry.kit), record as EventRecord);
        } catch (error) {
          return fail(entry, 'beforeSend', error);
        }
        if (record === null) return;
      }
      const r = fn.call(entry.kit, record);
      // A callback returning a promise may still fail later; count that too.
      if (r && typeof (r as Promise<unknown>).then === 'function') {
        (r as Promise<unknown>).then(undefined, (error: unknown) => fail(entry, callback, error));
      }
    } catch (error) {
      fail(entry, callback, error);
    }
  };

  const fail = (entry: Entry, where: string, error: unknown): void => {
    entry.errorCount++;
    entry.lastFailure = `${where}: ${errorMessage(error)}`;
    logger.error(message(26, entry.name, where), error);
    onFailure?.(`${message(26, entry.name, where)} ${errorMessage(error)}`);
  };

  return {
    /**
     * Validates and adds a kit (setup mistakes throw) and returns its name and session-neutral events.
     * It is initialized by `initialize`. A `late` kit (registered after launch) never gets the
     * end of a session whose start it did not get.
     */
    add(kit: Kit, late?: boolean): { name: string; neutral: readonly string[] } {
      let name: unknown;
      let neutral: unknown;
      try {
        // Read once: a kit that is a Proxy or has getters is a setup mistake, never a plain TypeError.
        if (typeof kit === 'object' && kit !== null) ({ name, sessionNeutralEvents: neutral } = kit);
        if (neutral !== undefined) neutral = isStringArray(neutral) ? [...neutral] : null;
      } catch (error) {
        throw new SessionHubConfigError('kit', message(21, errorMessage(error)));
      }
      if (typeof name !== 'string' || !name) {
        throw new SessionHubConfigError('kit', message(22));
      }
      if (!/^[\w.-]{1,64}$/.test(name)) {
        throw new SessionHubConfigError('kit', message(23, name.slice(0, 64)));
      }
      if (hosted.some((e) => e.name == name)) {
        throw new SessionHubConfigError('kit', message(24, name));
      }
      if (neutral === null) throw new SessionHubConfigError('kit', message(25, name));
      const entry: Entry = { kit, name, neutral: (neutral as string[] | undefined) ?? [], started: late ? null : undefined, kitStatus: 'initializing', callCount: 0, errorCount: 0, lastFailure: null, buffer: [] };
      hosted.push(entry);
      return entry;
    },

    names(): string[] {
      return hosted.map((e) => e.name);
    },

    /** Starts `init` of the named kit with the context the factory makes; callbacks buffer meanwhile. */
    initialize(name: string, makeContext: (reportError: (error: unknown) => void) => KitContext): void {
      const entry = hosted.find((e) => e.name == name);
      if (!entry) return;
      const context = makeContext((error) => fail(entry, 'reportError', error));
      const store = context.storage;
      // What an earlier run's kit never took comes first: those calls were made before.
      entry.disown = () => store.remove(OWED);
      entry.loaded = store.get(OWED).then((text) => {
        try {
          // Only the callbacks the hub dispatches: a stored name never reaches init, clear or shutdown.
          // None once the kit was cleared (a deletion, an opt-out): they are what it deleted.
          if (entry.clearing) entry.disown!();
          else entry.buffer!.unshift(...(JSON.parse(text!) as Array<[KitCallback, unknown]>).filter(([callback]) => Object.values(OUTPUT_CALLBACK).includes(callback)));
        } catch {
          // None (null), or unreadable.
        }
        // Only now: the buffer staged replaces the record just read.
        entry.owe = () =>
          store.setLater?.(OWED, () => {
            try {
              return JSON.stringify(entry.buffer);
            } catch {
              // An attribute JSON cannot hold (a cycle): kept in memory only, as before.
            }
          });
        if (entry.buffer?.length) entry.owe();
      });
      entry.ready = (async () => {
        try {
          await entry.kit.init?.(context);
        } catch (error) {
          entry.kitStatus = 'failed';
          fail(entry, 'init', error);
        }
        // Read while init ran: its calls come first.
        await entry.loaded;
        // Before the calls made since the clear: they are not part of what it deletes.
        if (entry.clearing && entry.kitStatus != 'failed') await runOne(entry, 'clear');
        entry.clearing = false;
        const buffered = entry.buffer!;
        entry.buffer = null;
        // A failed kit gets nothing: what it was owed is dropped.
        if (entry.kitStatus != 'failed') {
          entry.kitStatus = 'ready';
          for (const [callback, record] of buffered) invoke(entry, callback, record);
        }
        // After the writes the kit staged for them, in their commit: a kill keeps both or neither.
        if (buffered.length) void store.remove(OWED);
      })();
    },

    /**
     * Resolves when every kit's `init` has settled, or after `maxWaitMs`, whichever comes first: a
     * kit whose init hangs must not hang the app's launch.
     */
    async whenReady(maxWaitMs: number): Promise<unknown> {
      // Uncapped: until a kit's stored record is read, its buffer cannot be staged (see OWED).
      await Promise.all(hosted.map((e) => e.loaded));
      return Promise.all(hosted.map((e) => waitInit(e, maxWaitMs)));
    },

    /** Whether the named kit is still to be cleared (see runAll): its outbox must send nothing meanwhile. */
    clearing(name: string): boolean {
      return !!hosted.find((e) => e.name == name)?.clearing;
    },

    /** Event names that some kit declares session-neutral. */
    sessionNeutralEvents(): string[] {
      return hosted.flatMap((e) => e.neutral);
    },

    /**
     * Delivers one record to every kit in registration order, or with `only`, to that kit alone (a
     * late-registered kit catching up with the live session). Buffered while a kit's init is pending.
     */
    dispatch(callback: KitCallback, record: unknown, only?: string): void {
      if (callback == 'onEvent' && beforeSend) {
        try {
          record = runBeforeSend(beforeSend, record as EventRecord);
        } catch (error) {
          // Dropped rather than sent unchanged: a hook that strips personal data must not leak it by failing.
          for (const entry of hosted) if (only === undefined || entry.name == only) fail(entry, 'hub beforeSend', error);
          return;
        }
        if (record === null) return;
      }
      for (const entry of hosted) {
        if (only !== undefined && entry.name != only) continue;
        if (entry.started !== undefined) {
          const id = (record as { sessionId: string }).sessionId;
          // A start it caught up with already: registered by a listener while that start was still
          // queued for delivery (hub.on('userChange'), 'sessionEnd').
          if (callback == 'onSessionStart') {
            if (entry.started === id) continue;
            entry.started = id;
          } else if (callback == 'onSessionEnd' && entry.started !== id) continue;
        }
        if (entry.buffer) entry.buffer.push([callback, record]) > MAX_OWED || entry.owe?.();
        else if (entry.kitStatus == 'ready') invoke(entry, callback, record);
      }
    },

    /**
     * Runs an optional async method (flush, shutdown, clear) on every ready kit; never rejects. A kit
     * still initialising is cleared at once of what it is owed, and by its own `clear` once its init
     * settles: a deletion waits neither for an init that may hang, nor lets what it deletes be replayed.
     * A flush or a shutdown waits for a kit's init `maxWaitMs` at most (a kit that hangs must not hang
     * the app's `await hub.flush()`); a kit ready later flushes on its own schedule. With `maxWaitMs`,
     * the method itself is waited for that long at most too: a kit whose `flush` or `clear` never
     * settles holds up no other kit, nor what the hub does next (a deletion's removal of the state).
     */
    async runAll(method: 'flush' | 'shutdown' | 'clear', maxWaitMs?: number): Promise<void> {
      await Promise.all(
        hosted.map(async (entry) => {
          if (method == 'clear' && entry.buffer) {
            entry.buffer.length = 0;
            entry.clearing = true;
            entry.disown?.();
            return;
          }
          // (A clear never waits: see above.)
          await (entry.buffer ? waitInit(entry, maxWaitMs!) : entry.ready);
          if (entry.kitStatus == 'ready') await (maxWaitMs ? within(runOne(entry, method), maxWaitMs) : runOne(entry, method));
        }),
      );
    },

    /**
     * The page is going away: synchronously, every ready kit sends what it can with requests that outlive
     * the page (`onPageHide`), or starts a plain `flush()` when it has no such hook.
     */
    pageHide(): void {
      for (const entry of hosted) {
        if (entry.kitStatus != 'ready') continue;
        const kit = entry.kit;
        try {
          if (typeof kit.onPageHide === 'function') kit.onPageHide();
          else if (typeof kit.flush === 'function') Promise.resolve(kit.flush()).then(undefined, (error: unknown) => fail(entry, 'flush', error));
        } catch (error) {
          fail(entry, 'onPageHide', error);
        }
      }
    },

    /** Items the kits' outboxes still hold (sent or not), as their health reports them. */
    queuedItems(): number {
      let n = 0;
      for (const e of hosted) {
        if (e.kitStatus != 'ready') continue;
        try {
          const queued = e.kit.getHealth?.()?.queued;
          if (typeof queued === 'number' && queued > 0) n += queued;
        } catch (error) {
          fail(e, 'getHealth', error);
        }
      }
      return n;
    },

    health(): Record<string, KitHealth> {
      const out: Record<string, KitHealth> = {};
      for (const e of hosted) {
        let delivery: DeliveryHealth | undefined;
        try {
          if (e.kitStatus != 'failed') delivery = e.kit.getHealth?.();
        } catch (error) {
          fail(e, 'getHealth', error);
        }
        out[e.name] = { status: e.kitStatus, calls: e.callCount, errors: e.errorCount, lastError: e.lastFailure, ...(delivery && { delivery }) };
      }
      return out;
    },
  };
}

/** The kit host of a hub (see {@link kitHost}). */
export type KitHost = ReturnType<typeof kitHost>;
