import type { SessionTimeouts } from '@sessionhub/core';

/**
 * Session timeouts of Braze's own SDKs, in seconds (`shared/reference/braze-clevertap.md` §1): mobile
 * (Android `com_braze_session_timeout`, Swift `sessionTimeout`) 10 s; Web `sessionTimeoutInSeconds`
 * 1800 s, clamped to at least 10 s by Web SDK 6.7.1+ (the docs still say 1 s).
 */
export const BRAZE_SESSION_TIMEOUTS = Object.freeze({ mobile: 10, web: 1800, webMinimum: 10 });

/** Which of Braze's own SDKs a user also runs (or configured in the dashboard), for the comparison. */
export type BrazePlatform = 'web' | 'mobile';

/** What the user declared about their own Braze SDK setup. */
export interface BrazeSessionSettings {
  /** The session timeout (s) their Braze SDK or dashboard uses; absent: the platform's default. */
  readonly sessionTimeout?: number;
  readonly platform?: BrazePlatform;
}

/** The comparison of SessionHub's timeouts with Braze's. */
export interface TimeoutAlignment {
  /** One line for a debug log: the canonical timeouts next to Braze's defaults. */
  readonly summary: string;
  /** Why Braze's own SDK would count different sessions, or null (aligned, or nothing declared). */
  readonly mismatch: string | null;
}

const seconds = (s: number | null): string => (s === null ? 'none' : `${s} s`);

/**
 * Compares the canonical timeouts with the Braze SDK settings the user declared. The kit's `ss`/`se`
 * are the canonical sessions whatever Braze is set to; the comparison matters when Braze's own SDK (or
 * mParticle's Braze kit) also runs in the app, because that SDK would then open sessions by its own
 * clock. Pure: same input, same text.
 */
export function timeoutAlignment(timeouts: SessionTimeouts, braze: BrazeSessionSettings): TimeoutAlignment {
  const canonical = timeouts.sessionTimeout;
  const declared = braze.sessionTimeout;
  const platform = braze.platform;
  let summary =
    `canonical session timeout ${canonical} s (foreground timeout ${seconds(timeouts.foregroundTimeout)}, ` +
    `max session duration ${seconds(timeouts.maxSessionDuration)}); Braze's own SDK defaults: mobile ` +
    `${BRAZE_SESSION_TIMEOUTS.mobile} s, web ${BRAZE_SESSION_TIMEOUTS.web} s (web minimum ${BRAZE_SESSION_TIMEOUTS.webMinimum} s)`;
  if (declared === undefined && platform === undefined) {
    return { summary: `${summary}; no Braze SDK setting declared (brazeSessionTimeout / brazePlatform), so none is compared`, mismatch: null };
  }
  const configured = declared ?? BRAZE_SESSION_TIMEOUTS[platform as BrazePlatform];
  // Braze's Web SDK raises anything below its minimum; mobile SDKs take 1 s and up.
  const effective = platform === 'web' ? Math.max(configured, BRAZE_SESSION_TIMEOUTS.webMinimum) : configured;
  const source = declared === undefined ? `Braze's ${platform} default` : `your Braze session timeout${platform ? ` (${platform})` : ''}`;
  summary += `; ${source}: ${configured} s${effective !== configured ? ` (applied as ${effective} s, the web minimum)` : ''}`;
  if (effective === canonical) return { summary, mismatch: null };
  const fix =
    platform === 'web' && canonical < BRAZE_SESSION_TIMEOUTS.webMinimum
      ? `Braze's Web SDK cannot go below ${BRAZE_SESSION_TIMEOUTS.webMinimum} s: raise SessionHub's sessionTimeout to at least ${BRAZE_SESSION_TIMEOUTS.webMinimum} s`
      : `set ${platform === 'web' ? 'sessionTimeoutInSeconds' : 'the Braze session timeout'} to ${canonical} s (and brazeSessionTimeout with it)`;
  return {
    summary,
    mismatch:
      `${source} is ${effective} s but SessionHub's session timeout is ${canonical} s: if Braze's own SDK ` +
      `(or mParticle's Braze kit) also runs in this app, it counts different sessions from the ones this kit sends; ${fix}`,
  };
}
