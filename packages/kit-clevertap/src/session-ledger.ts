/**
 * The CleverTap session ids (`s`) a device has issued: pure data and pure functions, persisted by the kit.
 *
 * CleverTap's session id is the session's start in epoch seconds (Android `SessionManager.createSession`,
 * iOS "Unix timestamp of session start"). Two canonical sessions can start in the same second (a user
 * change, `startNewSession`), and a clock can move back, so the id is made strictly increasing per
 * device: `s = max(floor(startTime / 1000), last + 1)`.
 *
 * The rule is deterministic given `last`, and `last` is persisted together with the sessions in one
 * value. So if the app dies before the entry of a session was written, the next run, which loads
 * the `last` from before that session, recomputes the very same `s` for it (force-quit recovery, or a
 * session resumed after a relaunch) from its start time.
 */

/** What the kit remembers of one canonical session. */
export interface LedgerEntry {
  /** The CleverTap session id. */
  readonly s: number;
  /** The previous session's length in whole seconds (`lsl`), as the start record told it. */
  readonly lsl: number;
  /** Its `Session Concluded` was queued. */
  readonly concluded: boolean;
}

/** Issued ids: the last one and those of the latest sessions. */
export interface SessionLedger {
  /** The last `s` issued on this device; 0 before any. */
  readonly last: number;
  /** The latest canonical sessions (id -> entry), oldest first, at most {@link MAX_SESSIONS}. */
  readonly sessions: ReadonlyMap<string, LedgerEntry>;
}

/**
 * Sessions remembered. Normally one is open; concluded ones are kept a little while, so an end
 * delivered again (the hub's state write was lost after the kit's) keeps its id and is not sent twice.
 */
export const MAX_SESSIONS = 8;

export const EMPTY_LEDGER: SessionLedger = { last: 0, sessions: new Map() };

/** The CleverTap session id for a session starting at `startTime` (epoch ms), after `last`. */
export const nextSessionId = (last: number, startTime: number): number => Math.max(Math.floor(startTime / 1000), last + 1);

/**
 * Issues the id of a canonical session (or returns the one it already has).
 * `previousSessionDuration` is the start record's (ms, or null when unknown): `lsl` in whole seconds.
 */
export function openSession(
  ledger: SessionLedger,
  sessionId: string,
  startTime: number,
  previousSessionDuration: number | null,
): { ledger: SessionLedger; entry: LedgerEntry } {
  const known = ledger.sessions.get(sessionId);
  if (known) return { ledger, entry: known };
  const ms = previousSessionDuration ?? 0;
  const entry: LedgerEntry = { s: nextSessionId(ledger.last, startTime), lsl: ms > 0 ? Math.round(ms / 1000) : 0, concluded: false };
  // Map order is insertion order: the oldest go first.
  const sessions = new Map([...ledger.sessions].slice(1 - MAX_SESSIONS)).set(sessionId, entry);
  return { ledger: { last: entry.s, sessions }, entry };
}

/** Marks a session concluded (its `Session Concluded` was queued). */
export function concludeSession(ledger: SessionLedger, sessionId: string): SessionLedger {
  const entry = ledger.sessions.get(sessionId);
  return !entry || entry.concluded ? ledger : { last: ledger.last, sessions: new Map(ledger.sessions).set(sessionId, { ...entry, concluded: true }) };
}

/** The ledger as stored: `{"v":1,"last":…,"sessions":[[id,s,lsl,concluded 0|1],…]}`. */
export function encodeLedger(ledger: SessionLedger): string {
  const sessions: Array<[string, number, number, 0 | 1]> = [];
  for (const [id, e] of ledger.sessions) sessions.push([id, e.s, e.lsl, e.concluded ? 1 : 0]);
  return JSON.stringify({ v: 1, last: ledger.last, sessions });
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Reads a stored ledger; a problem (string) when it is not one. */
export function decodeLedger(text: string): SessionLedger | string {
  try {
    const { v, last, sessions } = JSON.parse(text) as { v: unknown; last: unknown; sessions: [unknown, unknown, unknown, unknown][] };
    if (
      v === 1 &&
      isCount(last) &&
      sessions.length <= MAX_SESSIONS &&
      sessions.every(([id, s, lsl, concluded]) => typeof id == 'string' && isCount(s) && s <= last && isCount(lsl) && (concluded === 0 || concluded === 1))
    ) {
      return { last, sessions: new Map(sessions.map(([id, s, lsl, concluded]) => [id as string, { s: s as number, lsl: lsl as number, concluded: concluded === 1 }])) };
    }
  } catch {
    // not JSON, or not shaped as a ledger: said below
  }
  return 'the stored CleverTap session ids are unreadable';
}
