import type { LogRecord, Platform } from '../log/log-record';
import { close, countEvent, finished, live, open, userChange, vendorModel, type Draft, type VendorModel } from './model';

/** CleverTap's session timeout on web and mobile, ms (20 minutes of inactivity). */
export const CLEVERTAP_TIMEOUT_MS = 1_200_000;

/** System events CleverTap documents as not counted toward a session. */
export const CLEVERTAP_SESSIONLESS_EVENTS: readonly string[] = Object.freeze([
  'App Installed',
  'App Uninstalled',
  'UTM Visited',
  'Identity Set',
  'Identity Reset',
  'Identity Error',
  'Push Impressions',
  'Notification Sent',
]);

/**
 * CleverTap (web and mobile alike): a session is created lazily by the first event (an app launch
 * raises `App Launched`, a page load a page view), and ends after 20 minutes without activity (the
 * last event, or the app going to the background). Its length is "the time period from the first
 * event up to the last event". `onUserLogin` with another identity ends the session; a login from
 * an anonymous profile keeps it; there is no logout.
 */
export function clevertapModel(platform: Platform, timeoutMs = CLEVERTAP_TIMEOUT_MS): VendorModel {
  return vendorModel({
    id: `clevertap-${platform}`,
    vendor: 'clevertap',
    platform,
    timeoutMs,
    summary: `${timeoutMs / 60_000} min of inactivity, sessions made by events only; length first → last event; a new identity starts a new session`,
    apply(d: Draft, line: LogRecord): void {
      const t = d.clock;
      if (live(d) && t - d.last > timeoutMs) close(d, d.lastEvent, d.lastEvent - d.firstEvent);
      const user = userChange(d, line);
      if (user !== undefined && user !== null) {
        if (d.user !== null && live(d)) close(d, d.lastEvent, d.lastEvent - d.firstEvent);
        d.user = user;
      }
      const isEvent = line.type === 'launch' || (line.type === 'event' && !CLEVERTAP_SESSIONLESS_EVENTS.includes(line.name!));
      if (isEvent) {
        if (!live(d)) open(d, t);
        countEvent(d, t);
        d.last = t;
      } else if (line.type === 'background') {
        d.inForeground = false;
        if (live(d)) d.last = t;
      } else if (line.type === 'foreground') d.inForeground = true;
    },
    finish: (s) => finished(s, s.lastEvent, s.lastEvent - s.firstEvent),
  });
}
