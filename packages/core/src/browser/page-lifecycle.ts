import type { AppState, LifecycleAdapter } from '../lifecycle/lifecycle-adapter';

/** The part of `document` the adapter uses. */
export interface PageDocument {
  readonly visibilityState: string;
  /** As the DOM method. */
  addEventListener(type: string, listener: (event: Event) => void): void;
  /** As the DOM method. */
  removeEventListener(type: string, listener: (event: Event) => void): void;
}

/** The part of `window` the adapter uses. */
export interface PageWindow {
  /** As the DOM method. */
  addEventListener(type: string, listener: (event: Event) => void): void;
  /** As the DOM method. */
  removeEventListener(type: string, listener: (event: Event) => void): void;
}

/** Options of {@link browserLifecycle}; both default to the page's globals. */
export interface BrowserLifecycleOptions {
  readonly document?: PageDocument;
  readonly window?: PageWindow;
}

/**
 * The page lifecycle as the hub's foreground and background, following the Page Lifecycle API:
 * - `visibilitychange`: hidden → background, visible → foreground;
 * - `pagehide` (unload, or entering the back/forward cache) and `freeze` (a hidden tab the browser
 *   suspends): background, marked final — nothing asynchronous runs after them, so the hub commits
 *   and the kits send (keepalive / beacon) synchronously;
 * - `pageshow` from the back/forward cache and `resume`: the page is back (restored), foreground if visible.
 * It never listens to `unload` or `beforeunload`, which would keep pages out of the back/forward cache
 * (the tab session listens to `beforeunload` only while a commit of it is under way: tab-session.ts).
 */
export function browserLifecycle(options: BrowserLifecycleOptions = {}): LifecycleAdapter {
  const doc = options.document ?? (globalThis as { document?: PageDocument }).document;
  const win = options.window ?? (globalThis as unknown as { window?: PageWindow }).window;
  const stateNow = (): AppState => (doc?.visibilityState === 'hidden' ? 'background' : 'foreground');
  return {
    current: () => (doc ? stateNow() : undefined),
    subscribe(listener) {
      if (!doc || !win) return () => undefined;
      const onFinal = (): void => listener('background', { pageHidden: true, final: true });
      const onResume = (): void => listener(stateNow(), { restored: true });
      const listeners: Array<[PageWindow, string, (event: Event) => void]> = [
        [doc, 'visibilitychange', () => (stateNow() === 'background' ? listener('background', { pageHidden: true }) : listener('foreground'))],
        [doc, 'freeze', onFinal],
        [doc, 'resume', onResume],
        [win, 'pagehide', onFinal],
        // The first pageshow of a load is not a return: only a page restored from the cache is.
        [win, 'pageshow', (event) => (event as PageTransitionEvent).persisted && onResume()],
      ];
      for (const [target, type, handler] of listeners) target.addEventListener(type, handler);
      return () => {
        for (const [target, type, handler] of listeners) target.removeEventListener(type, handler);
      };
    },
  };
}
