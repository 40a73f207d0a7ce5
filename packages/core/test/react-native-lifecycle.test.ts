import { describe, expect, it } from 'vitest';
import { createHub, reactNativeLifecycle, type ReactNativeAppState } from '@sessionhub/core';
import { manualClock, recordingKit } from '@sessionhub/testing';

/** A stand-in for React Native's AppState with both subscription styles. */
function fakeAppState(initial: string, legacy = false) {
  const listeners = new Set<(s: string) => void>();
  let current = initial;
  const appState: ReactNativeAppState & { set(s: string): void; readonly count: number } = {
    get currentState() {
      return current;
    },
    addEventListener(_type, listener) {
      listeners.add(listener);
      return legacy ? undefined : { remove: () => void listeners.delete(listener) };
    },
    removeEventListener: (_type, listener) => void listeners.delete(listener),
    set(s) {
      current = s;
      for (const l of [...listeners]) l(s);
    },
    get count() {
      return listeners.size;
    },
  };
  return appState;
}

describe('reactNativeLifecycle', () => {
  for (const legacy of [false, true]) {
    it(`maps active/background, ignores inactive, and unsubscribes (${legacy ? 'removeEventListener' : 'subscription.remove'})`, async () => {
      const appState = fakeAppState('background', legacy);
      const kit = recordingKit();
      const clock = manualClock();
      const hub = createHub({ lifecycle: reactNativeLifecycle(appState), kits: [kit], clock: clock.now, logger: console });
      await hub.start(); // AppState says background: a silent push starts no session
      expect(kit.starts()).toHaveLength(0);
      appState.set('active');
      expect(kit.starts()).toHaveLength(1);
      appState.set('inactive'); // control centre: not a background
      expect(kit.calls.filter((c) => c.type === 'onBackground')).toHaveLength(0);
      appState.set('background');
      expect(kit.calls.filter((c) => c.type === 'onBackground')).toHaveLength(1);
      await hub.shutdown();
      expect(appState.count).toBe(0);
    });
  }
});
