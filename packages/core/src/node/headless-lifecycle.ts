import type { LifecycleAdapter } from '../lifecycle/lifecycle-adapter';

/**
 * The lifecycle of a process with no screen (a server, a CLI, a worker): it is never "in the
 * foreground", so `hub.start()` starts no session by itself, the first session-affecting event does,
 * and the session timeout measures the inactivity between events. An interactive CLI may still call
 * `hub.foreground()` / `hub.background()` itself.
 */
export const headlessLifecycle: LifecycleAdapter = Object.freeze({
  current: () => 'background' as const,
  subscribe: () => () => {},
});
