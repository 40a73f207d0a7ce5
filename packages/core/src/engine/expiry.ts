import type { EngineConfig, EngineState, SessionState } from './state';

/** The idle timeout that applies in this lifecycle state, ms; null when the session cannot idle out. */
export function idleTimeoutMs(inForeground: boolean | null, config: EngineConfig): number | null {
  // Without lifecycle information the app is treated as in the background (contract, "Expiry").
  return inForeground === true ? config.foregroundTimeoutMs : config.sessionTimeoutMs;
}

/** Whether session `s` is expired at `t` (`t − lastActivity ≥ timeout`, or past maxSessionDuration). */
export function isExpired(s: SessionState, t: number, inForeground: boolean | null, config: EngineConfig): boolean {
  const idle = idleTimeoutMs(inForeground, config);
  if (idle !== null && t - s.lastActivity >= idle) return true;
  return config.maxSessionDurationMs !== null && t - s.startTime >= config.maxSessionDurationMs;
}

/**
 * The instant at which the live session expires if nothing else happens, or null when it cannot
 * (no session, or a foreground session with no foreground timeout and no maximum duration).
 * Timers only use this to wake the engine earlier; the decision is always made from timestamps.
 */
export function expiryInstant(state: EngineState): number | null {
  const s = state.session;
  if (s === null) return null;
  const idle = idleTimeoutMs(state.inForeground, state.config);
  let at = idle === null ? null : s.lastActivity + idle;
  const max = state.config.maxSessionDurationMs;
  if (max !== null) at = at === null ? s.startTime + max : Math.min(at, s.startTime + max);
  return at;
}
