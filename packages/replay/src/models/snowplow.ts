import type { LogRecord } from '../log/log-record';
import { close, countEvent, finished, live, open, vendorModel, type Draft, type VendorModel } from './model';

/** Snowplow's trackers' default foreground and background session timeout, ms (1800 s). */
export const SNOWPLOW_TIMEOUT_MS = 1_800_000;

/**
 * Snowplow's mobile trackers (Android, iOS): sessions are checked on every tracked event — the
 * lifecycle events `application_foreground` / `application_background` included — and renewed when
 * more than the timeout (30 min in the foreground and in the background) passed since the last one.
 * Every app restart starts a new session (`continueSessionOnRestart` is false by default). Snowplow
 * sends no session end: the length is what a pipeline infers, first event to last event. User ids
 * do not touch sessions.
 */
export function snowplowMobileModel(timeoutMs = SNOWPLOW_TIMEOUT_MS): VendorModel {
  return vendorModel({
    id: 'snowplow-mobile',
    vendor: 'snowplow',
    platform: 'mobile',
    timeoutMs,
    summary: `${timeoutMs / 60_000} min in the foreground and background, a new session on every app restart; length first → last event`,
    apply(d: Draft, line: LogRecord): void {
      const t = d.clock;
      if (live(d) && (line.type === 'launch' || t - d.last > timeoutMs)) close(d, d.lastEvent, d.lastEvent - d.firstEvent);
      if (!live(d)) open(d, t);
      countEvent(d, t);
      d.last = t;
      if (line.type !== 'event') d.inForeground = line.type !== 'background';
    },
    finish: (s) => finished(s, s.lastEvent, s.lastEvent - s.firstEvent),
  });
}

/**
 * Snowplow's browser tracker: a session lives as long as its `_sp_ses` cookie, whose 30 min
 * lifetime every tracked event renews; a page load without it starts a new session. The tracker
 * does not track page visibility by default: foreground and background lines are not events to it.
 */
export function snowplowWebModel(timeoutMs = SNOWPLOW_TIMEOUT_MS): VendorModel {
  return vendorModel({
    id: 'snowplow-web',
    vendor: 'snowplow',
    platform: 'web',
    timeoutMs,
    summary: `${timeoutMs / 60_000} min session cookie renewed by every event; length first → last event`,
    apply(d: Draft, line: LogRecord): void {
      const t = d.clock;
      // A page load tracks a page view; visibility changes are not tracked.
      if (line.type === 'foreground' || line.type === 'background') return;
      if (live(d) && t - d.last >= timeoutMs) close(d, d.lastEvent, d.lastEvent - d.firstEvent);
      if (!live(d)) open(d, t);
      countEvent(d, t);
      d.last = t;
    },
    finish: (s) => finished(s, s.lastEvent, s.lastEvent - s.firstEvent),
  });
}
