import { readOption } from '../call-arguments';
import { message } from '../messages';
import type { HubOptions } from '../config';
import { describe, errorMessage } from '../describe-value';
import { optOutKey } from '../consent';
import { SessionHubConfigError } from '../errors';
import { SessionHub } from '../hub';
import type { SharedSessionHost } from '../shared-session';
import type { LifecycleAdapter } from '../lifecycle/lifecycle-adapter';
import { browserLifecycle } from './page-lifecycle';
import { tabSession, type LockManagerLike, type StorageEventSource } from './tab-session';
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
  /**
   * Where other tabs' `storage` events arrive, and the page's `beforeunload` (heard only while a
   * commit of the tab is under way); default `window`.
   */
  readonly storageEvents?: StorageEventSource | null;
  /**
   * A page that is the origin's only open page commits the session in its own storage slot, in the
   * same localStorage write as its kits' outbox records: one write per commit instead of two, about
   * half the bytes (docs/browser.md). Default true. Every build of SessionHub that has this option
   * reads such commits, whatever its own setting; a page of an earlier build does not, and opened
   * beside a page that committed this way it would go on from the session as it was when that page
   * became alone. Set false while pages of such a build may still load (cached pages included).
   */
  readonly soloCommits?: boolean;
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
  if (typeof options !== 'object' || options === null) throw new SessionHubConfigError('options', message(17));
  let copy: BrowserHubOptions;
  try {
    copy = { ...options };
  } catch (error) {
    throw new SessionHubConfigError('options', message(18, errorMessage(error)));
  }
  const { storage, lifecycle, locks, storageEvents, soloCommits = true, ...rest } = copy;
  if (typeof soloCommits !== 'boolean') throw new SessionHubConfigError('soloCommits', `option "soloCommits" ${message(7, describe(soloCommits))}`);
  const pageApis = [
    ['storage', storage, ['getItem', 'setItem', 'removeItem', 'key'], 'localStorage'],
    ['locks', locks, ['request', 'query'], 'navigator.locks'],
    ['storageEvents', storageEvents, ['addEventListener'], 'window'],
  ] as const;
  for (const [name, value, methods, like] of pageApis) {
    if (value != null && methods.some((method) => typeof readOption(value as unknown as Record<string, unknown>, method, null) !== 'function')) {
      throw new SessionHubConfigError(name, message(19, name, like, methods.join(', ')));
    }
  }
  // Invalid ones are refused by the hub below, before anything of this page runs.
  const namespace = rest.namespace ?? 'sessionhub';
  const page = globalThis as unknown as StorageEventSource & { localStorage?: WebStorageLike; navigator?: { locks?: LockManagerLike } };
  /** The hub, once made (options it refuses throw first). */
  let made: SharedSessionHost | undefined;
  const store = pageStorage(
    () => (storage === undefined ? page.localStorage : storage),
    `${namespace}:`,
    // Memory chosen with `storage: null` needs no warning. A warning of the hub (\`hub.on('warning')\`),
    // a microtask later: a failure found as the hub is made reaches the listeners the app adds next.
    (problem) => storage !== null && Promise.resolve().then(() => made?.alert('storage-failure', message(20, problem))),
  );
  const events = storageEvents === undefined ? (typeof page.addEventListener === 'function' ? page : null) : storageEvents;
  const session = tabSession(store, namespace, locks === undefined ? (page.navigator?.locks ?? null) : locks, events, soloCommits);
  const hubOptions: Record<string, unknown> = { ...rest, storage: store, ...(lifecycle === null ? {} : { lifecycle: lifecycle ?? browserLifecycle() }) };
  for (const [key, value] of Object.entries(BROWSER_DEFAULTS)) {
    // A default applies where the option is missing or undefined, or null where null means nothing (foregroundTimeout: null is "none").
    const given = hubOptions[key];
    if (given === undefined || (given === null && key !== 'foregroundTimeout')) hubOptions[key] = value;
  }
  const hub = new SessionHub(hubOptions, session);
  made = hub as unknown as SharedSessionHost;
  // Another tab opted out (or back in): this one follows at once.
  const key = optOutKey(namespace);
  events?.addEventListener('storage', (event) => {
    if (event.key === key && (event.newValue === '1' || event.newValue === '0') && hub.isOptedOut() !== (event.newValue === '1')) {
      void hub.setOptOut(event.newValue === '1');
    }
  });
  return hub;
}
