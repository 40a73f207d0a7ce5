import type { AppState, LifecycleAdapter, TransitionInfo } from '../lifecycle/lifecycle-adapter';

/** The part of `document` the adapter uses. */
export interface PageDocument {
  readonly visibilityState: string;
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
}

/** The part of `window` the adapter uses. */
export interface PageWindow {
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
}

/** Options of {@link browserLifecycle}; both default to the page's globals. */
export interface BrowserLifecycleOptions {
  readonly document?: PageDocument;
  readonly window?: PageWindow;
}

const HIDDEN: TransitionInfo = Object.freeze({ pageHidden: true });
const FINAL: TransitionInfo = Object.freeze({ pageHidden: true, final: true });
const RESTORED: TransitionInfo = Object.freeze({ restored: true });

/**
 * The page lifecycle as the hub's foreground and background, following the Page Lifecycle API:
 * - `visibilitychange`: hidden → background, visible → foreground;
 * - `pagehide` (unload, or entering the back/forward cache) and `freeze` (a hidden tab the browser
 *   suspends): background, marked final — nothing asynchronous runs after them, so the hub commits
 *   and the kits send (keepalive / beacon) synchronously;
 * - `pageshow` from the back/forward cache and `resume`: the page is back (restored), foreground if visible.
 * It never listens to `unload` or `beforeunload`, which would keep pages out of the back/forward cache.
 */
export function browserLifecycle(options: BrowserLifecycleOptions = {}): LifecycleAdapter {
  const doc = options.document ?? (globalThis as { document?: PageDocument }).document;
  const win = options.window ?? (globalThis as unknown as { window?: PageWindow }).window;
  const stateNow = (): AppState => (doc?.visibilityState === 'hidden' ? 'background' : 'foreground');
  return {
    current: () => (doc ? stateNow() : undefined),
    subscribe(listener) {
      if (!doc || !win) return () => undefined;
      const onVisibility = (): void => {
        if (doc.visibilityState === 'hidden') listener('background', HIDDEN);
        else listener('foreground');
      };
      const onFinal = (): void => listener('background', FINAL);
      const onPageShow = (event: Event): void => {
        // The first pageshow of a load is not a return: only a page restored from the cache is.
        if ((event as PageTransitionEvent).persisted) listener(stateNow(), RESTORED);
      };
      const onResume = (): void => listener(stateNow(), RESTORED);
      doc.addEventListener('visibilitychange', onVisibility);
      doc.addEventListener('freeze', onFinal);
      doc.addEventListener('resume', onResume);
      win.addEventListener('pagehide', onFinal);
      win.addEventListener('pageshow', onPageShow);
      return () => {
        doc.removeEventListener('visibilitychange', onVisibility);
        doc.removeEventListener('freeze', onFinal);
        doc.removeEventListener('resume', onResume);
        win.removeEventListener('pagehide', onFinal);
        win.removeEventListener('pageshow', onPageShow);
      };
    },
  };
}
