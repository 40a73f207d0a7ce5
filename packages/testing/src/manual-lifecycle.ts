import type { AppState, LifecycleAdapter } from '@sessionhub/core';

/** A lifecycle adapter driven by the test: `foreground()` / `background()` notify the hub. */
export interface ManualLifecycle extends LifecycleAdapter {
  /** The app comes to the foreground: the hub is told at once. */
  foreground(): void;
  /** The app goes to the background: the hub is told at once. */
  background(): void;
  /** Listeners subscribed now. */
  readonly listeners: number;
}

/** A lifecycle adapter the test drives, starting in `initial`. */
export function manualLifecycle(initial: AppState = 'foreground'): ManualLifecycle {
  let state: AppState = initial;
  const listeners = new Set<(s: AppState) => void>();
  const set = (s: AppState): void => {
    state = s;
    for (const l of [...listeners]) l(s);
  };
  return {
    current: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    foreground: () => set('foreground'),
    background: () => set('background'),
    get listeners() {
      return listeners.size;
    },
  };
}
