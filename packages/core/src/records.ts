/**
 * The records every kit receives. Their shapes are fixed by the session contract
 * (`canonical-session.md`, "What kits receive"); extra fields only ever get added.
 */

/** A session attribute value. */
export type AttributeValue = string | number | boolean | null;

/** Session attributes: keys as first spelled, values as last set. */
export type SessionAttributes = Readonly<Record<string, AttributeValue>>;

/** Why a session started. */
export type SessionStartTrigger = 'launch' | 'foreground' | 'event' | 'user-change' | 'manual' | 'clock-change';

/** Why a session ended. */
export type SessionEndReason = 'timeout' | 'recovered' | 'user-change' | 'manual' | 'clock-change';

/** Sent once when a session starts, before any of its events. */
export interface SessionStartRecord {
  readonly sessionId: string;
  /** 1 for the device's first session, +1 for each new one. */
  readonly sessionIndex: number;
  readonly previousSessionId: string | null;
  /** Epoch ms. */
  readonly startTime: number;
  readonly userId: string | null;
  readonly deviceId: string;
  readonly trigger: SessionStartTrigger;
  readonly isFirstSession: boolean;
  /** Start of the previous session (epoch ms), or null (mParticle `pss`). */
  readonly previousSessionStartTime: number | null;
  /** Length of the previous session in ms, or null (CleverTap `lsl`, mParticle `psl`). */
  readonly previousSessionDuration: number | null;
}

/** One logged event, stamped with the session it belongs to. */
export interface EventRecord {
  /** UUID v4. Snowplow sends it as `eid`, so a resent event is recognisable; Braze and CleverTap have no event id field. */
  readonly eventId: string;
  readonly name: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  /** Epoch ms. */
  readonly timestamp: number;
  /** The live session, or null for a session-neutral event logged while none is live. */
  readonly sessionId: string | null;
  /** 0 when sessionId is null. */
  readonly sessionIndex: number;
  /** 1 for the first event of a session; 0 when sessionId is null. */
  readonly eventIndex: number;
  /** Epoch ms; null when sessionId is null. */
  readonly sessionStartTime: number | null;
  readonly userId: string | null;
  readonly deviceId: string;
  /** True in the foreground, false in the background, null with no lifecycle information yet. */
  readonly inForeground: boolean | null;
  /** False for `affectsSession: false` and excluded events: they neither start nor extend a session. */
  readonly affectsSession: boolean;
  readonly previousSessionId: string | null;
  /**
   * Length of the previous session in ms, or null (the device's first session, or none live), as in
   * the session's start record: a kit that did not get that record (a relaunch into a live session)
   * still knows it (CleverTap `lsl`).
   */
  readonly previousSessionDuration: number | null;
  /** Id and time (epoch ms) of the session's first event (Snowplow `client_session`). */
  readonly firstEventId: string | null;
  readonly firstEventTime: number | null;
}

/** Sent once when a session ends, after all of its events. */
export interface SessionEndRecord {
  readonly sessionId: string;
  readonly sessionIndex: number;
  readonly previousSessionId: string | null;
  /** Length of the previous session in ms, or null (the device's first session), as in the session's start record (CleverTap `lsl`). */
  readonly previousSessionDuration: number | null;
  readonly startTime: number;
  /** Epoch ms: the last activity for timeouts and recoveries, the call time for manual and user-change ends. */
  readonly endTime: number;
  /** endTime − startTime, ms, never negative. */
  readonly duration: number;
  /** Time spent in the foreground, ms, 0 ≤ foregroundDuration ≤ duration. */
  readonly foregroundDuration: number;
  readonly eventCount: number;
  /** Last activity (epoch ms): the last session-affecting event, foreground, background or start. */
  readonly lastActivity: number;
  /** Id of the session's first event, or null without events (Snowplow `client_session.firstEventId`). */
  readonly firstEventId: string | null;
  /** Time of the session's first and last event (epoch ms), or null without events (CleverTap "Session Length"). */
  readonly firstEventTime: number | null;
  readonly lastEventTime: number | null;
  readonly attributes: SessionAttributes;
  readonly userId: string | null;
  readonly deviceId: string;
  readonly reason: SessionEndReason;
  /**
   * How the session started (its start record's `trigger`): with tabs, the tab that ends a session
   * is often not the one that started it, and a kit may need to know whether the start itself sent
   * something (an app start opening a vendor session).
   */
  readonly trigger: SessionStartTrigger;
  /**
   * When the user id last changed while the session went on (epoch ms): a sign-in, or another user or a
   * log-out that did not start a new session; null when it did not. With tabs, the tab that ends a
   * session may not be the one that was given the change, and a kit may have sent something for it
   * (CleverTap's profile item, in the session).
   */
  readonly userChangeTime: number | null;
  /**
   * The session's first change of user to an id while it went on (a sign-in, or another user that did
   * not start a new session): when (epoch ms) and the id; null when there was none. With later changes
   * (a log-out, another id), `userId` and `userChangeTime` no longer tell it, and a kit may have sent
   * something for it in the session (CleverTap's profile item) in another tab or run.
   */
  readonly signIn: readonly [time: number, userId: string] | null;
}

/** The app came to the foreground or went to the background. */
export interface LifecycleRecord {
  readonly timestamp: number;
  /** The live session after the transition, or null. */
  readonly sessionId: string | null;
  readonly sessionIndex: number;
  readonly foregroundIndex: number;
  readonly backgroundIndex: number;
  readonly userId: string | null;
  readonly deviceId: string;
  /** The session's context (null / 0 without a session), so a kit can describe it without keeping state. */
  readonly previousSessionId: string | null;
  readonly eventIndex: number;
  readonly firstEventId: string | null;
  readonly firstEventTime: number | null;
}

/** The user id changed. */
export interface UserChangeRecord {
  readonly timestamp: number;
  readonly previousUserId: string | null;
  readonly userId: string | null;
  readonly deviceId: string;
  /** The live session when the change happened (null when a user change ended it: the new one starts next). */
  readonly sessionId: string | null;
  /** When that session started (epoch ms; null without one), so a kit can name it after its start. */
  readonly sessionStartTime: number | null;
  /** Length of the session before that one in ms, or null (none, or no session), as in its start record (CleverTap `lsl`). */
  readonly previousSessionDuration: number | null;
}

/** A session attribute was set, incremented or removed. */
export interface SessionAttributeChangeRecord {
  readonly timestamp: number;
  readonly sessionId: string;
  readonly key: string;
  /** The new value; undefined when removed. */
  readonly value: AttributeValue | undefined;
  readonly attributes: SessionAttributes;
}

/** Session timing configuration in seconds, as `setSessionTimeout` takes it. */
export interface SessionTimeouts {
  readonly sessionTimeout: number;
  readonly foregroundTimeout: number | null;
  readonly maxSessionDuration: number | null;
}
