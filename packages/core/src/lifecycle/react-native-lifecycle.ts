import type { AppState, LifecycleAdapter } from './lifecycle-adapter';

/** What newer React Native's `AppState.addEventListener` answers. */
export interface AppStateSubscription {
  /** Removes the listener. */
  remove(): void;
}

/** The part of React Native's `AppState` the adapter uses. */
export interface ReactNativeAppState {
  readonly currentState?: string | null;
  /** As `AppState.addEventListener('change', …)`; newer React Native answers a subscription to `remove()`. */
  addEventListener(type: 'change', listener: (state: string) => void): AppStateSubscription | undefined | void;
  /** Older React Native: how a listener is removed. */
  removeEventListener?(type: 'change', listener: (state: string) => void): void;
}

/**
 * Lifecycle from React Native's `AppState`: `active` is the foreground, `background` the background.
 * iOS's transient `inactive` (control centre, app switcher) is ignored, so a glance at notifications
 * does not count as leaving the app.
 */
export function reactNativeLifecycle(appState: ReactNativeAppState): LifecycleAdapter {
  const map = (s: string | null | undefined): AppState | undefined =>
    s === 'active' ? 'foreground' : s === 'background' ? 'background' : undefined;
  return {
    current: () => map(appState.currentState),
    subscribe(listener) {
      const onChange = (s: string): void => {
        const state = map(s);
        if (state) listener(state);
      };
      const subscription = appState.addEventListener('change', onChange);
      return () => {
        if (subscription && typeof subscription.remove === 'function') subscription.remove();
        else appState.removeEventListener?.('change', onChange);
      };
    },
  };
}
