import type { HubOptions } from '../config';
import { SessionHubConfigError } from '../errors';
import { SessionHub } from '../hub';
import type { LifecycleAdapter } from '../lifecycle/lifecycle-adapter';
import { isLogger, prefixedLogger } from '../logger';
import { browserLifecycle } from './page-lifecycle';
import { TabSession, type LockManagerLike, type StorageEventSource, type TabTimers } from './tab-session';
import { pageStorage, type WebStorageLike } from './web-storage';

/**
 * Browser defaults (seconds). Web analytics count a visit as ended after 30 minutes without
 * activity — Braze Web (`sessionTimeoutInSeconds`, default 1800), Snowplow's JavaScript tracker
 * (`sessionCookieTimeout`, 1800), Google Analytics — whether the tab is visible or not: people read
 * a page for minutes without a click, and switch tabs and come back. So a page's session ends
 * after 30 minutes of inactivity in the foreground and in the background alike (mobile apps use
 * 60 s in the background, but an app in the background is not being looked at; a hidden tab is
 * one click away), and a reload within that time continues it.
 */
export const BROWSER_DEFAULTS = Object.freeze({
  sessionTimeout: 1800,
  foregroundTimeout: 1800,
  resumeOnRelaunch: true,
});

/** Options of {@link createBrowserHub}: those of `createHub`, with browser defaults, plus the page's APIs. */
export interface BrowserHubOptions extends Omit<HubOptions, 'storage' | 'lifecycle'> {
  /**
   * Where the session and the kits' outboxes persist. Default `window.localStorage`; when it is
   * unavailable or full, memory (with one warning): the page works, but its session is then
   * neither shared with other tabs nor kept across reloads. null: memory from the start.
   */
  readonly storage?: WebStorageLike | null;
  /** Default {@link browserLifecycle}(); null: none (call `hub.foreground()` / `background()` yourself). */
  readonly lifecycle?: LifecycleAdapter | null;
  /** Tabs coordinate with these Web Locks; default `navigator.locks`; null: a compare-and-set on the stored state. */
  readonly locks?: LockManagerLike | null;
  /** Where other tabs' `storage` events arrive; default `window`. */
  readonly storageEvents?: StorageEventSource | null;
}

/**
 * Creates a hub for web pages: localStorage persistence (memory when unavailable), the page
 * lifecycle, {@link BROWSER_DEFAULTS}, and one session shared by every tab of the origin —
 * activity in any tab keeps it alive, exactly one tab emits each session start and end, and a
 * hidden tab never ends a session a visible tab is using. Page hides are delivered with keepalive
 * requests. Invalid options throw {@link SessionHubConfigError}.
 *
 * @example
 * import { createBrowserHub } from '@sessionhub/core/browser';
 * const hub = createBrowserHub({ kits: [brazeKit({ apiKey, baseUrl })] });
 * await hub.start();
 * hub.logEvent('article_read', { id: 42 });
 */
export function createBrowserHub(options: BrowserHubOptions = {}): SessionHub {
  if (typeof options !== 'object' || options === null) throw new SessionHubConfigError('options', 'createBrowserHub(options) takes an object');
  const { storage, lifecycle, locks, storageEvents, ...rest } = options;
  if (storage !== undefined && storage !== null && !isWebStorage(storage)) {
    throw new SessionHubConfigError('storage', 'option "storage" must be a Web Storage (getItem, setItem, removeItem, key, length), or null for memory');
  }
  if (locks !== undefined && locks !== null && (typeof locks.request !== 'function' || typeof locks.query !== 'function')) {
    throw new SessionHubConfigError('locks', 'option "locks" must be a Web Locks LockManager (navigator.locks), or null');
  }
  if (storageEvents !== undefined && storageEvents !== null && typeof storageEvents.addEventListener !== 'function') {
    throw new SessionHubConfigError('storageEvents', 'option "storageEvents" must be an event target (window), or null');
  }
  const namespace = typeof rest.namespace === 'string' ? rest.namespace : 'sessionhub';
  const logger = prefixedLogger(isLogger(rest.logger) ? rest.logger : console, '[sessionhub]');
  const page = globalThis as unknown as {
    localStorage?: WebStorageLike;
    navigator?: { locks?: LockManagerLike };
    addEventListener?: StorageEventSource['addEventListener'];
  };
  const store = pageStorage(
    () => (storage === undefined ? page.localStorage : storage),
    `${namespace}:`,
    (problem) =>
      // Memory chosen with `storage: null` needs no warning.
      storage !== null &&
      logger.warn(
        `${problem}; keeping the session and the outboxes in memory: this page works, but its session is not shared with other tabs or kept across reloads`,
      ),
  );
  const hubOptions: HubOptions = {
    ...rest,
    // A default applies where the option is missing or undefined (null stays: "none").
    sessionTimeout: rest.sessionTimeout ?? BROWSER_DEFAULTS.sessionTimeout,
    foregroundTimeout: rest.foregroundTimeout === undefined ? BROWSER_DEFAULTS.foregroundTimeout : rest.foregroundTimeout,
    resumeOnRelaunch: rest.resumeOnRelaunch ?? BROWSER_DEFAULTS.resumeOnRelaunch,
    storage: store,
    ...(lifecycle === null ? {} : { lifecycle: lifecycle ?? browserLifecycle() }),
  };
  const timers: TabTimers = {
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
  const session = new TabSession({
    storage: store,
    namespace,
    locks: locks === undefined ? (page.navigator?.locks ?? null) : locks,
    events: storageEvents === undefined ? (typeof page.addEventListener === 'function' ? (page as StorageEventSource) : null) : storageEvents,
    timers,
  });
  return new SessionHub(hubOptions, session);
}

function isWebStorage(value: unknown): value is WebStorageLike {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return ['getItem', 'setItem', 'removeItem', 'key'].every((m) => typeof v[m] === 'function');
}
