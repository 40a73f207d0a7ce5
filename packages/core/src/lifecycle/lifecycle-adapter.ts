/** Foreground or background, as a lifecycle adapter reports it. */
export type AppState = 'foreground' | 'background';

/** What an adapter knows about a transition besides the state (browsers). */
export interface TransitionInfo {
  /**
   * A web page was hidden (`visibilitychange`): it may be discarded without another event, so kits
   * send with requests that outlive the page (`Kit.onPageHide`) once the hub has committed.
   */
  readonly pageHidden?: boolean;
  /**
   * The page is being unloaded, frozen or put in the back/forward cache (`pagehide`, `freeze`): no
   * asynchronous work may run after this, so the hub commits and flushes synchronously.
   */
  readonly final?: boolean;
  /** The page came back from the back/forward cache or from being frozen (`pageshow`, `resume`). */
  readonly restored?: boolean;
}

/** Connects the hub to a platform's app lifecycle. */
export interface LifecycleAdapter {
  /** The current state, if the platform knows it (used by `start()` when `inBackground` is not given). */
  current?(): AppState | undefined;
  /** Calls `listener` on each transition; returns a function that stops listening. */
  subscribe(listener: (state: AppState, info?: TransitionInfo) => void): () => void;
}
