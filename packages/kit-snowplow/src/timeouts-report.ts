import type { SessionTimeouts } from '@sessionhub/core';

/** Session timeouts of the Snowplow mobile trackers (Android `TrackerDefaults`, iOS), seconds. */
export const SNOWPLOW_NATIVE_TIMEOUTS = Object.freeze({ foregroundTimeout: 1800, backgroundTimeout: 1800 });

const seconds = (s: number | null): string => (s === null ? 'none' : s + ' s');

/**
 * The line the kit logs (debug) at init and on every timeout change: the canonical timeouts next to
 * Snowplow's native defaults, so whoever compares dashboards knows why the session counts differ.
 */
export const timeoutsReport = (t: SessionTimeouts): string =>
  `session timeouts: background ${t.sessionTimeout} s, foreground ${seconds(t.foregroundTimeout)}, max ${seconds(t.maxSessionDuration)}; ` +
  `Snowplow's native trackers default to ${SNOWPLOW_NATIVE_TIMEOUTS.foregroundTimeout} s foreground and ${SNOWPLOW_NATIVE_TIMEOUTS.backgroundTimeout} s background`;
