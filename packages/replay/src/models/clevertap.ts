import type { LogRecord, Platform } from '../log/log-record';
import { close, countEvent, finished, live, open, userChange, vendorModel, type Draft, type ModelState, type VendorModel } from './model';

/** CleverTap's session timeout on web and mobile, ms (20 minutes: `SESSION_LENGTH_MINS`, `SCOOKIE_EXP_TIME_IN_SECS`). */
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

/** An event CleverTap counts toward a session (its own system events are not). */
const counted = (line: LogRecord): boolean => line.type === 'event' && !CLEVERTAP_SESSIONLESS_EVENTS.includes(line.name!);

/** Ends the live session as CleverTap measures it: at its last event, first event → last event. */
const conclude = (d: Draft): void => close(d, d.lastEvent, d.lastEvent - d.firstEvent);

/**
 * CleverTap's Web SDK: a session lives as long as its `WZRK_S` cookie, 20 minutes renewed by each
 * event; it is created lazily by the first event (a page load raises a page view). Its length is
 * "the time period from the first event up to the last event". `onUserLogin` with another identity
 * ends the session (the next event opens one); a login from an anonymous profile keeps it; there is
 * no logout.
 */
function applyWeb(d: Draft, line: LogRecord, timeoutMs: number): void {
  const t = d.clock;
  if (live(d) && t - d.last > timeoutMs) conclude(d);
  const user = userChange(d, line);
  if (user !== undefined && user !== null) {
    if (d.user !== null && live(d)) conclude(d);
    d.user = user;
  }
  if (line.type === 'launch' || counted(line)) {
    if (!live(d)) open(d, t);
    countEvent(d, t);
    d.last = t;
  } else if (line.type === 'background') {
    d.inForeground = false;
    if (live(d)) d.last = t;
  } else if (line.type === 'foreground') d.inForeground = true;
}

/**
 * Opens a session at `t` whose first event is `App Launched`, ending the live one first (a new
 * process, a timeout noticed at a foreground, `onUserLogin` switching profiles).
 */
function relaunch(d: Draft, t: number): void {
  if (live(d)) {
    // The span runs to the last activity: the last event or the last background, whichever is later.
    if (d.lastEvent > d.last) d.last = d.lastEvent;
    conclude(d);
  }
  open(d, t);
  countEvent(d, t);
}

/**
 * CleverTap's Android and iOS SDKs. The session lives in memory and is checked only when the app
 * comes to the foreground: a return more than 20 minutes after the app went to the background
 * (Android `SessionManager.checkTimeoutSession`, iOS `CTSessionManager.updateSessionStateOnLaunch`)
 * starts a new session there, with `App Launched` as its first event. Events never check the
 * timeout, so in the foreground (and in the background until the next foreground) a session never
 * times out. A new process (`launch`) starts a new session, as does `onUserLogin` with another
 * identity on a device that has one (its `App Launched` is pushed at the login, in the background
 * too); a login from an anonymous device keeps the session; there is no logout. A foreground with
 * no session yet pushes `App Launched` and so opens one; an event with no session opens one lazily.
 *
 * `last` holds the instant the timeout counts from (Android's `appLastSeen`): the last background,
 * or the session's start if later. Events do not move it.
 */
function applyMobile(d: Draft, line: LogRecord, timeoutMs: number): void {
  const t = d.clock;
  const user = userChange(d, line);
  let launched = false;
  if (user !== undefined && user !== null) {
    // onUserLogin: on a device with an identified user, another identity switches the profile:
    // destroySession, then App Launched forced at once.
    if (d.user !== null) {
      d.user = user;
      relaunch(d, t);
      launched = true;
    } else d.user = user;
  }
  switch (line.type) {
    case 'launch':
      // A new process: no session in memory; App Launched at the first resume (unless a login
      // before it already pushed one).
      if (!launched) relaunch(d, t);
      d.inForeground = true;
      break;
    case 'foreground':
      if (!launched) {
        // Only a return from the background is checked (a foreground already in the foreground is
        // no resume); App Launched is pushed once per session, and at a process's first resume.
        if (!live(d) || (d.inForeground === false && t - d.last > timeoutMs)) relaunch(d, t);
        else if (d.inForeground === null) countEvent(d, t);
      }
      d.inForeground = true;
      break;
    case 'background':
      d.inForeground = false;
      if (live(d)) d.last = t;
      break;
    case 'event':
      if (!counted(line)) break;
      if (!live(d)) open(d, t);
      countEvent(d, t);
      break;
  }
}

/**
 * CleverTap, its session rules per platform (see `applyWeb` and `applyMobile`; sources in
 * `docs/compare.md`). Either way the length is "the time period from the first event up to the
 * last event", and its own system events ({@link CLEVERTAP_SESSIONLESS_EVENTS}) do not count.
 * - web: 20 minutes without an event (the `WZRK_S` cookie), checked at each event;
 * - mobile: 20 minutes in the background, checked only when the app comes back to the foreground;
 *   never in the foreground; a new session on every app start.
 */
export function clevertapModel(platform: Platform, timeoutMs = CLEVERTAP_TIMEOUT_MS): VendorModel {
  const minutes = timeoutMs / 60_000;
  const mobile = platform === 'mobile';
  return vendorModel({
    id: `clevertap-${platform}`,
    vendor: 'clevertap',
    platform,
    timeoutMs,
    summary: mobile
      ? `${minutes} min in the background, checked at the next foreground; never in the foreground; a new session on every app start; length first → last event; a new identity starts a new session`
      : `${minutes} min of inactivity, sessions made by events only; length first → last event; a new identity starts a new session`,
    apply: mobile ? (d, line) => applyMobile(d, line, timeoutMs) : (d, line) => applyWeb(d, line, timeoutMs),
    finish: mobile
      ? (s: ModelState) => finished(s.lastEvent > s.last ? { ...s, last: s.lastEvent } : s, s.lastEvent, s.lastEvent - s.firstEvent)
      : (s: ModelState) => finished(s, s.lastEvent, s.lastEvent - s.firstEvent),
  });
}
