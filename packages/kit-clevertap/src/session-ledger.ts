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

export const EMPTY_LEDGER: SessionLedger = Object.freeze({ last: 0, sessions: new Map<string, LedgerEntry>() });

/** The CleverTap session id for a session starting at `startTime` (epoch ms), after `last`. */
export function nextSessionId(last: number, startTime: number): number {
  return Math.max(Math.floor(startTime / 1000), last + 1);
}

/** The whole seconds of a length in ms, or 0 when unknown (`lsl`). */
export function wholeSeconds(ms: number | null): number {
  return ms === null || !(ms > 0) ? 0 : Math.round(ms / 1000);
}

/**
 * Issues the id of a canonical session (or returns the one it already has).
 * `previousSessionDuration` is the start record's (ms, or null when unknown).
 */
export function openSession(
  ledger: SessionLedger,
  sessionId: string,
  startTime: number,
  previousSessionDuration: number | null,
): { ledger: SessionLedger; entry: LedgerEntry } {
  const known = ledger.sessions.get(sessionId);
  if (known) return { ledger, entry: known };
  const entry: LedgerEntry = { s: nextSessionId(ledger.last, startTime), lsl: wholeSeconds(previousSessionDuration), concluded: false };
  const sessions = new Map(ledger.sessions);
  sessions.set(sessionId, entry);
  // Map iteration is insertion order, so the first keys are the oldest.
  for (const id of sessions.keys()) {
    if (sessions.size <= MAX_SESSIONS) break;
    sessions.delete(id);
  }
  return { ledger: { last: entry.s, sessions }, entry };
}

/** Marks a session concluded (its `Session Concluded` was queued). */
export function concludeSession(ledger: SessionLedger, sessionId: string): SessionLedger {
  const entry = ledger.sessions.get(sessionId);
  if (!entry || entry.concluded) return ledger;
  const sessions = new Map(ledger.sessions);
  sessions.set(sessionId, { s: entry.s, lsl: entry.lsl, concluded: true });
  return { last: ledger.last, sessions };
}

const FORMAT_VERSION = 1;

/** The ledger as stored: `{"v":1,"last":…,"sessions":[[id,s,lsl,concluded 0|1],…]}`. */
export function encodeLedger(ledger: SessionLedger): string {
  const sessions: Array<[string, number, number, 0 | 1]> = [];
  for (const [id, e] of ledger.sessions) sessions.push([id, e.s, e.lsl, e.concluded ? 1 : 0]);
  return JSON.stringify({ v: FORMAT_VERSION, last: ledger.last, sessions });
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Reads a stored ledger; a problem (string) when it is not one. */
export function decodeLedger(text: string): SessionLedger | string {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return 'the stored CleverTap session ids are not JSON';
  }
  const o = raw as { v?: unknown; last?: unknown; sessions?: unknown } | null;
  if (typeof o !== 'object' || o === null || o.v !== FORMAT_VERSION) return 'the stored CleverTap session ids have an unknown format';
  if (!isCount(o.last) || !Array.isArray(o.sessions) || o.sessions.length > MAX_SESSIONS) return 'the stored CleverTap session ids are malformed';
  const sessions = new Map<string, LedgerEntry>();
  for (const row of o.sessions as unknown[]) {
    if (!Array.isArray(row) || typeof row[0] !== 'string' || !isCount(row[1]) || !isCount(row[2]) || row[1] > o.last || (row[3] !== 0 && row[3] !== 1)) {
      return 'the stored CleverTap session ids are malformed';
    }
    sessions.set(row[0], { s: row[1], lsl: row[2], concluded: row[3] === 1 });
  }
  return { last: o.last, sessions };
}
