/**
 * Small fakes of the browser for the cross-tab tests (no jsdom): one origin with a localStorage
 * backend shared by its tabs, Web Locks, and per tab a document and window that fire the Page
 * Lifecycle events. With `lagMs`, each tab reads its own copy of localStorage, which other tabs'
 * writes reach only after that lag — as Chromium's per-process caches. The lag applies on every
 * path: with Web Locks too, a tab granted the lock right after another released it still reads its
 * own stale copy (the lock is granted at once, the write arrives `lagMs` later), as in Chromium.
 */
import { browserLifecycle, type BrowserHubOptions, type LockManagerLike, type StorageEventSource, type WebStorageLike } from '@sessionhub/core/browser';

type StorageListener = (event: { type?: string; key?: string | null; newValue?: string | null }) => void;

/** A page: its view of localStorage, its Web Locks client, document, window and lifecycle actions. */
export interface FakeTab {
  readonly id: number;
  readonly storage: WebStorageLike;
  readonly events: StorageEventSource;
  readonly locks: LockManagerLike;
  readonly document: EventTarget & { visibilityState: string };
  readonly window: EventTarget;
  /** The tab becomes hidden (`visibilitychange`). */
  hide(): void;
  /** The tab becomes visible again. */
  show(): void;
  /**
   * A navigation starts (`beforeunload`): what follows is the test's to say — `close()` or
   * `toBackForwardCache()` (which fire it too), `crash()` for a page evicted before its `pagehide`,
   * or nothing (a download, a cancelled navigation: the page stays).
   */
  beforeUnload(): void;
  /**
   * The user closes the tab or navigates away for good: beforeunload, hidden, pagehide, then the page
   * is gone. `beforeUnload: false`: no beforeunload (as Safari on iOS, which seldom fires it).
   */
  close(options?: LeaveOptions): void;
  /** The tab's process dies: no event at all, its locks are released by the browser. */
  crash(): void;
  /** Navigated away into the back/forward cache (beforeunload, then pagehide persisted); `beforeUnload` as for `close`. */
  toBackForwardCache(options?: LeaveOptions): void;
  /** Back from the cache (pageshow persisted), visible. */
  fromBackForwardCache(): void;
  /** The browser freezes the tab (the `freeze` event). */
  freeze(): void;
  /** The frozen tab resumes (the `resume` event). */
  resume(): void;
}

/** How a page leaves: `beforeUnload: false` fires no beforeunload first. */
export interface LeaveOptions {
  readonly beforeUnload?: boolean;
}

/** One origin with shared localStorage, storage events and Web Locks, where tabs open. */
export interface FakeOrigin {
  /** localStorage as the browser process holds it. */
  readonly backend: Map<string, string>;
  readonly locks: FakeLockManager;
  /** Opens a tab of this origin, visible unless `hidden`. */
  openTab(options?: { hidden?: boolean }): FakeTab;
}

/** A fake browser origin for tab tests without a browser; `lagMs` delays the storage events other tabs see. */
export function fakeOrigin(options: { lagMs?: number } = {}): FakeOrigin {
  const lagMs = options.lagMs ?? 0;
  const backend = new Map<string, string>();
  const locks = new FakeLockManager();
  const tabs: Array<{ id: number; cache: Map<string, string>; listeners: Set<StorageListener>; leaving: Set<StorageListener>; alive: boolean }> = [];
  let nextId = 0;

  const propagate = (from: number, key: string): void => {
    for (const tab of tabs) {
      if (tab.id === from || !tab.alive) continue;
      setTimeout(() => {
        if (!tab.alive) return;
        // Caches converge on what the browser process holds now, not on the write that triggered this.
        const value = backend.get(key) ?? null;
        if (lagMs > 0) {
          if (value === null) tab.cache.delete(key);
          else tab.cache.set(key, value);
        }
        for (const l of [...tab.listeners]) l({ type: 'storage', key, newValue: value });
      }, lagMs);
    }
  };

  return {
    backend,
    locks,
    openTab({ hidden = false } = {}) {
      const id = nextId++;
      const cache = lagMs > 0 ? new Map(backend) : backend;
      const entry = { id, cache, listeners: new Set<StorageListener>(), leaving: new Set<StorageListener>(), alive: true };
      tabs.push(entry);
      const storage: WebStorageLike = {
        getItem: (key) => cache.get(key) ?? null,
        setItem(key, value) {
          if (!entry.alive) return; // a dead page writes nothing
          cache.set(key, String(value));
          backend.set(key, String(value));
          propagate(id, key);
        },
        removeItem(key) {
          if (!entry.alive) return;
          cache.delete(key);
          backend.delete(key);
          propagate(id, key);
        },
        key: (index) => [...cache.keys()][index] ?? null,
        get length() {
          return cache.size;
        },
      };
      // The page's window as the tab session sees it: other tabs' storage events, and beforeunload.
      const events: StorageEventSource = {
        addEventListener: (type, listener) => void (type == 'storage' ? entry.listeners : entry.leaving).add(listener),
        removeEventListener: (type, listener) => void (type == 'storage' ? entry.listeners : entry.leaving).delete(listener),
      };
      const beforeUnload = (): void => {
        if (entry.alive) for (const l of [...entry.leaving]) l({ type: 'beforeunload' });
      };
      const document = Object.assign(new EventTarget(), { visibilityState: hidden ? 'hidden' : 'visible' });
      const window = new EventTarget();
      const client = locks.client(`tab-${id}`);
      const fire = (target: EventTarget, type: string, extra: Record<string, unknown> = {}): void => {
        if (entry.alive) target.dispatchEvent(Object.assign(new Event(type), extra));
      };
      const setVisible = (visible: boolean): void => {
        const state = visible ? 'visible' : 'hidden';
        if (document.visibilityState === state) return;
        document.visibilityState = state;
        fire(document, 'visibilitychange');
      };
      const kill = (): void => {
        entry.alive = false;
        entry.listeners.clear();
        entry.leaving.clear();
        locks.kill(`tab-${id}`);
      };
      return {
        id,
        storage,
        events,
        locks: client,
        document,
        window,
        beforeUnload,
        hide: () => setVisible(false),
        show: () => setVisible(true),
        close({ beforeUnload: first = true } = {}) {
          if (first) beforeUnload();
          setVisible(false);
          fire(window, 'pagehide', { persisted: false });
          kill();
        },
        crash: kill,
        toBackForwardCache({ beforeUnload: first = true } = {}) {
          if (first) beforeUnload();
          setVisible(false);
          fire(window, 'pagehide', { persisted: true });
        },
        fromBackForwardCache() {
          fire(window, 'pageshow', { persisted: true });
          setVisible(true);
        },
        freeze: () => fire(document, 'freeze'),
        resume: () => fire(document, 'resume'),
      };
    },
  };
}

interface Waiter {
  readonly client: string;
  readonly grant: () => void;
}

/** Exclusive Web Locks for one origin: queued requests, `ifAvailable`, `signal`, `steal`, `query`, and a crashed tab's locks released. */
export class FakeLockManager {
  private readonly held = new Map<string, { client: string; token: object; stolen(): void }>();
  private readonly waiting = new Map<string, Waiter[]>();
  private readonly dead = new Set<string>();

  /** Names of the locks held now. */
  heldNames(): string[] {
    return [...this.held.keys()];
  }

  client(clientId: string): LockManagerLike {
    const request = (name: string, a: unknown, b?: unknown): Promise<unknown> => {
      const options = (typeof a === 'function' ? {} : a) as { ifAvailable?: boolean; signal?: AbortSignal; steal?: boolean };
      const callback = (typeof a === 'function' ? a : b) as (lock: unknown) => unknown;
      return new Promise((resolve, reject) => {
        if (this.dead.has(clientId)) return; // a dead page's requests never answer
        const { signal } = options;
        const abort = (): void => reject(new DOMException('The request was aborted.', 'AbortError'));
        if (signal?.aborted) return abort();
        const grant = (): void => {
          const token = {};
          // A steal takes the lock from its holder, whose request rejects (as in browsers).
          this.held.get(name)?.stolen();
          this.held.set(name, { client: clientId, token, stolen: () => (this.held.delete(name), reject(new DOMException('The lock was stolen.', 'AbortError'))) });
          Promise.resolve()
            .then(() => callback({ name, mode: 'exclusive' }))
            .then(
              (value) => {
                this.release(name, token);
                resolve(value);
              },
              (error: unknown) => {
                this.release(name, token);
                reject(error);
              },
            );
        };
        if (!this.held.has(name) || options.steal) grant();
        else if (options.ifAvailable) Promise.resolve().then(() => callback(null)).then(resolve, reject);
        else {
          // An aborted request leaves the queue (a granted one is unaffected, as in browsers). The
          // listener goes with the grant: a page's signal lives as long as the page, its requests many.
          const onAbort = (): void => {
            const queue = this.waiting.get(name) ?? [];
            if (!queue.includes(waiter)) return;
            this.waiting.set(name, queue.filter((w) => w !== waiter));
            abort();
          };
          const waiter = { client: clientId, grant: () => (signal?.removeEventListener('abort', onAbort), grant()) };
          this.waiting.set(name, [...(this.waiting.get(name) ?? []), waiter]);
          signal?.addEventListener('abort', onAbort, { once: true });
        }
      });
    };
    return {
      request: request as LockManagerLike['request'],
      query: async () => ({ held: [...this.held].map(([name, h]) => ({ name, mode: 'exclusive', clientId: h.client })), pending: [] }),
    };
  }

  /** The page died: the browser releases its locks and forgets its requests. */
  kill(clientId: string): void {
    this.dead.add(clientId);
    for (const [name, queue] of this.waiting) this.waiting.set(name, queue.filter((w) => w.client !== clientId));
    for (const [name, h] of [...this.held]) if (h.client === clientId) this.release(name, h.token);
  }

  private release(name: string, token: object): void {
    if (this.held.get(name)?.token !== token) return;
    this.held.delete(name);
    const queue = this.waiting.get(name) ?? [];
    const next = queue.shift();
    if (next) next.grant();
  }
}

/** The `createBrowserHub` options that put a hub in this tab: its localStorage, Web Locks, storage events and page lifecycle. */
export function tabHubOptions(tab: FakeTab): Pick<BrowserHubOptions, 'storage' | 'locks' | 'storageEvents' | 'lifecycle'> {
  return {
    storage: tab.storage,
    locks: tab.locks,
    storageEvents: tab.events,
    lifecycle: browserLifecycle({ document: tab.document as never, window: tab.window as never }),
  };
}
