import type { SessionTimeouts } from '@sessionhub/core';
import { message } from './messages';

const seconds = (s: number | null): string => (s === null ? 'none' : s + ' s');

/**
 * The line the kit logs (debug) at init and on every timeout change: the canonical timeouts next to
 * Snowplow's native defaults (Android `TrackerDefaults`, iOS: 1800 s in the foreground and the
 * background), so whoever compares dashboards knows why the session counts differ.
 */
export const timeoutsReport = (t: SessionTimeouts): string =>
  message(525, t.sessionTimeout, seconds(t.foregroundTimeout), seconds(t.maxSessionDuration));
