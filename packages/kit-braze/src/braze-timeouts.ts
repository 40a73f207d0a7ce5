import type { SessionTimeouts } from '@sessionhub/core';
import { message } from './braze-messages';

/** Which of Braze's own SDKs a user also runs (or configured in the dashboard), for the comparison. */
export type BrazePlatform = 'web' | 'mobile';

/** What the user declared about their own Braze SDK setup, as the kit's options say it. */
export interface BrazeSessionSettings {
  /** The session timeout (s) their Braze SDK or dashboard uses; absent: the platform's default. */
  readonly brazeSessionTimeout?: number | undefined;
  readonly brazePlatform?: BrazePlatform | undefined;
}

/** The comparison of SessionHub's timeouts with Braze's. */
export interface TimeoutAlignment {
  /** One line for a debug log: the canonical timeout next to Braze's defaults (and the declared setting). */
  readonly summary: string;
  /** Why Braze's own SDK would count different sessions, or null (aligned, or nothing declared). */
  readonly mismatch: string | null;
}

// Session timeouts of Braze's own SDKs, in seconds (see docs/kits/braze.md, "Timeouts"): mobile
// (Android `com_braze_session_timeout`, Swift `sessionTimeout`) 10 s; Web `sessionTimeoutInSeconds`
// 1800 s, raised to at least 10 s by Web SDK 6.7.1+ (the docs still say 1 s).
const MOBILE = 10;
const WEB = 1800;
const WEB_MINIMUM = 10;

/**
 * Compares the canonical session timeout with the Braze SDK settings the user declared. The kit's
 * `ss`/`se` are the canonical sessions whatever Braze is set to; the comparison matters when Braze's
 * own SDK (or mParticle's Braze kit) also runs in the app, because that SDK would then open sessions
 * by its own clock. Pure: same input, same text.
 */
export function timeoutAlignment(timeouts: SessionTimeouts, braze: BrazeSessionSettings): TimeoutAlignment {
  const canonical = timeouts.sessionTimeout;
  const { brazeSessionTimeout: declared, brazePlatform: platform } = braze;
  let summary = message(320, canonical, MOBILE, WEB, WEB_MINIMUM);
  if (declared === undefined && !platform) return { summary, mismatch: null };
  const configured = declared ?? (platform == 'web' ? WEB : MOBILE);
  const effective = platform == 'web' ? Math.max(configured, WEB_MINIMUM) : configured;
  const yours = declared === undefined ? `Braze's ${platform} default` : `your Braze session timeout`;
  summary += `; ${yours}: ${effective} s${effective == configured ? '' : ` (${configured} s raised to the web minimum)`}`;
  return {
    summary,
    mismatch:
      effective == canonical
        ? null
        : platform == 'web' && canonical < WEB_MINIMUM
          ? message(321, yours, effective, canonical, WEB_MINIMUM)
          : message(322, yours, effective, canonical),
  };
}
