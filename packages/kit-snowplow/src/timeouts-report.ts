import type { SessionTimeouts } from '@sessionhub/core';

/** Session timeouts of the Snowplow mobile trackers (Android `TrackerDefaults`, iOS), seconds. */
export const SNOWPLOW_NATIVE_TIMEOUTS = Object.freeze({ foregroundTimeout: 1800, backgroundTimeout: 1800 });

const seconds = (s: number | null, none: string): string => (s === null ? none : `${s} s`);

/**
 * The line the kit logs (debug) at init and on every timeout change: the canonical timeouts next to
 * Snowplow's native defaults, so whoever compares dashboards knows why the session counts differ.
 */
export function timeoutsReport(t: SessionTimeouts): string {
  return (
    `sessions are SessionHub's: background timeout ${t.sessionTimeout} s, ` +
    `foreground timeout ${seconds(t.foregroundTimeout, 'none (a foreground session never idles out)')}, ` +
    `max duration ${seconds(t.maxSessionDuration, 'none')}. ` +
    `Snowplow's native trackers default to ${SNOWPLOW_NATIVE_TIMEOUTS.foregroundTimeout} s in the foreground and ` +
    `${SNOWPLOW_NATIVE_TIMEOUTS.backgroundTimeout} s in the background; this kit sends the canonical session in client_session ` +
    '(same id and index as every other kit), so Snowplow counts these sessions, not native ones.'
  );
}
