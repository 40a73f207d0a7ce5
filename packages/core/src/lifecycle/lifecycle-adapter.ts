/** Foreground or background, as a lifecycle adapter reports it. */
export type AppState = 'foreground' | 'background';

/** Connects the hub to a platform's app lifecycle. */
export interface LifecycleAdapter {
  /** The current state, if the platform knows it (used by `start()` when `inBackground` is not given). */
  current?(): AppState | undefined;
  /** Calls `listener` on each transition; returns a function that stops listening. */
  subscribe(listener: (state: AppState) => void): () => void;
}
