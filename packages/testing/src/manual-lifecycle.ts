import type { AppState, LifecycleAdapter } from '@sessionhub/core';

/** A lifecycle adapter driven by the test: `foreground()` / `background()` notify the hub. */
export interface ManualLifecycle extends LifecycleAdapter {
  foreground(): void;
  background(): void;
  /** Listeners subscribed now. */
  readonly listeners: number;
}

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
