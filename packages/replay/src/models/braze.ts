import type { LogRecord } from '../log/log-record';
import { close, finished, live, open, userChange, vendorModel, type Draft, type VendorModel } from './model';

/** Braze's mobile SDKs' default session timeout (iOS and Android), ms. */
export const BRAZE_MOBILE_TIMEOUT_MS = 10_000;
/** Braze Web SDK's default `sessionTimeoutInSeconds`, ms. */
export const BRAZE_WEB_TIMEOUT_MS = 1_800_000;
/** The shortest session Braze Web SDK reports, ms (`DEFAULT_MINIMUM_SESSION_TIMEOUT_IN_MS`). */
export const BRAZE_WEB_MINIMUM_MS = 10_000;

/** Where Braze mobile counts its timeout from when the app comes back to the foreground. */
export type BrazeMobileClock = 'session-start' | 'background';

/**
 * Braze's iOS and Android SDKs. On a foreground (or a launch) the session ends when more than the
 * timeout has passed since `from`:
 * - `session-start` (the default): since the session *started* — what the Swift SDK does, as Braze's
 *   own braze-docs#10081 reports (the docs' "10 seconds in the background" is misleading there);
 * - `background`: since the app went to the background — what the docs describe, and Android's
 *   `closeSession()` then a 10 s wait does (an event logged after that wait also starts a new one).
 *
 * The session ends at its last activity. `changeUser` to another id ends it and starts a new one;
 * Braze has no logout, so a line logging the user out changes nothing.
 */
export function brazeMobileModel(from: BrazeMobileClock = 'session-start', timeoutMs = BRAZE_MOBILE_TIMEOUT_MS): VendorModel {
  const sinceBackground = from === 'background';
  return vendorModel({
    id: 'braze-mobile',
    vendor: 'braze',
    platform: 'mobile',
    timeoutMs,
    summary: `${timeoutMs / 1000} s, counted from the ${sinceBackground ? 'background' : "session's start"} at the next foreground; changeUser starts a new session`,
    apply(d: Draft, line: LogRecord): void {
      const t = d.clock;
      const user = userChange(d, line);
      if (user !== undefined && user !== null) {
        // changeUser(newId): the session ends now under the old user, the next one opens at once.
        if (live(d)) {
          close(d, t, t - d.start);
          d.user = user;
          open(d, t);
        } else d.user = user;
      }
      switch (line.type) {
        case 'launch':
        case 'foreground': {
          // A foreground while already in the foreground is no new openSession.
          const reopened = line.type === 'launch' || d.inForeground !== true;
          if (live(d) && reopened && t - (sinceBackground ? d.last : d.start) > timeoutMs) close(d, d.last, d.last - d.start);
          if (!live(d)) open(d, t);
          d.inForeground = true;
          d.last = t;
          break;
        }
        case 'background':
          d.inForeground = false;
          if (live(d)) d.last = t;
          break;
        case 'event':
          // Android seals a closed session once the timeout has passed in the background.
          if (live(d) && sinceBackground && d.inForeground === false && t - d.last > timeoutMs) close(d, d.last, d.last - d.start);
          if (!live(d)) open(d, t);
          d.last = t;
          break;
      }
    },
    finish: (s) => finished(s, s.last, s.last - s.start),
  });
}

/**
 * Braze Web SDK: a session lives while SDK calls come less than `sessionTimeoutInSeconds` (1800 s)
 * apart. Its end is noticed lazily, at the next call, and dated at the last call; a session shorter
 * than 10 s is reported as 10 s. `changeUser` to another id ends the session at that moment and
 * opens a new one. The SDK does not watch page visibility: foreground and background lines are no
 * SDK calls.
 */
export function brazeWebModel(timeoutMs = BRAZE_WEB_TIMEOUT_MS): VendorModel {
  const endAt = (s: { start: number; last: number }): number => Math.max(s.last, s.start + BRAZE_WEB_MINIMUM_MS);
  return vendorModel({
    id: 'braze-web',
    vendor: 'braze',
    platform: 'web',
    timeoutMs,
    summary: `${timeoutMs / 1000} s since the last SDK call, ended lazily at the last call, at least 10 s; changeUser starts a new session`,
    apply(d: Draft, line: LogRecord): void {
      const t = d.clock;
      const user = userChange(d, line);
      const call = line.type === 'event' || line.type === 'launch' || (user !== undefined && user !== null);
      if (!call) return;
      if (live(d) && t - d.last > timeoutMs) {
        const end = endAt(d);
        close(d, end, end - d.start);
      }
      if (user !== undefined && user !== null) {
        if (live(d)) close(d, t, t - d.start);
        d.user = user;
      }
      // launch: the page's openSession(); event: any logged call opens a session when there is none;
      // changeUser opens the new user's session at once.
      if (!live(d)) open(d, t);
      d.last = t;
    },
    finish: (s) => (live(s) ? finished(s, endAt(s), endAt(s) - s.start) : null),
  });
}
