import type { SessionTimeouts } from '@sessionhub/core';

const seconds = (s: number | null): string => (s === null ? 'none' : s + ' s');

/**
 * The line the kit logs (debug) at init and on every timeout change: the canonical timeouts next to
 * Snowplow's native defaults (Android `TrackerDefaults`, iOS: 1800 s in the foreground and the
 * background), so whoever compares dashboards knows why the session counts differ.
 */
export const timeoutsReport = (t: SessionTimeouts): string =>
  `session timeouts: background ${t.sessionTimeout} s, foreground ${seconds(t.foregroundTimeout)}, max ${seconds(t.maxSessionDuration)} ` +
  "(Snowplow's native trackers: 1800 s both)";
