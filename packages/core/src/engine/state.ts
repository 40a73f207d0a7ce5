import type { AttributeValue, SessionStartTrigger } from '../records';

/** Session rules configuration as the engine uses it: durations in ms. */
export interface EngineConfig {
  readonly sessionTimeoutMs: number;
  /** null: a foreground session never idles out. */
  readonly foregroundTimeoutMs: number | null;
  readonly maxSessionDurationMs: number | null;
  readonly resumeOnRelaunch: boolean;
  readonly newSessionOnUserChange: boolean;
  /** An anonymous user signing in ends the session and starts a new one (Braze's `changeUser`). */
  readonly newSessionOnLogin: boolean;
  /** Event names that never start or extend a session. */
  readonly excludedEvents: readonly string[];
}

/** The live session as the engine keeps (and the hub persists) it. */
export interface SessionState {
  readonly id: string;
  readonly index: number;
  readonly previousSessionId: string | null;
  readonly trigger: SessionStartTrigger;
  readonly startTime: number;
  readonly lastActivity: number;
  readonly eventIndex: number;
  readonly foregroundIndex: number;
  readonly backgroundIndex: number;
  /** Foreground time accumulated up to the last background transition, ms. */
  readonly foregroundTime: number;
  /** When the current foreground stretch began (epoch ms), or null while not in the foreground. */
  readonly foregroundSince: number | null;
  readonly firstEventId: string | null;
  readonly firstEventTime: number | null;
  readonly lastEventTime: number | null;
  /** Keys keep their first spelling; null-prototype so `__proto__` is an ordinary key. */
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly userId: string | null;
  /** When the user id last changed while the session went on (epoch ms), or null. */
  readonly userChangeTime: number | null;
  /** The session's first change of user to an id while it went on: when (epoch ms), and the id; or null. */
  readonly signIn: readonly [time: number, userId: string] | null;
  readonly previousSessionStartTime: number | null;
  readonly previousSessionDuration: number | null;
}

/** The previous (ended) session, kept for `lsl` / `psl` / `pss`. */
export interface PreviousSession {
  readonly id: string;
  readonly startTime: number;
  readonly duration: number;
}

/** Everything the engine knows. Plain JSON (after attribute objects are serialized), versioned. */
export interface EngineState {
  readonly version: 1;
  readonly deviceId: string;
  readonly userId: string | null;
  readonly lastSessionIndex: number;
  /** true / false once lifecycle is known; null before any lifecycle information. */
  readonly inForeground: boolean | null;
  /** The latest time the engine has seen, to detect a clock that moved backwards. */
  readonly clock: number;
  readonly session: SessionState | null;
  readonly previous: PreviousSession | null;
  readonly config: EngineConfig;
}

/** Defaults of the contract (`canonical-session.md`, "Configuration"). */
export const DEFAULT_ENGINE_CONFIG: EngineConfig = {
  sessionTimeoutMs: 60_000,
  foregroundTimeoutMs: null,
  maxSessionDurationMs: null,
  resumeOnRelaunch: false,
  newSessionOnUserChange: true,
  newSessionOnLogin: false,
  excludedEvents: [],
};

/** A fresh device: no session yet. */
export function initialState(deviceId: string, config: EngineConfig = DEFAULT_ENGINE_CONFIG, now = 0): EngineState {
  return {
    version: 1,
    deviceId,
    userId: null,
    lastSessionIndex: 0,
    inForeground: null,
    clock: now,
    session: null,
    previous: null,
    config,
  };
}
