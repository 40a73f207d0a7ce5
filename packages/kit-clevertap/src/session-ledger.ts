/**
 * The CleverTap session ids (`s`) a device has issued: plain data, persisted by the kit.
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
  /** The canonical session id. */
  readonly id: string;
  /** The CleverTap session id. */
  readonly s: number;
  /** The previous session's length in whole seconds (`lsl`), as the start record told it. */
  readonly lsl: number;
  /** Its `Session Concluded` was queued. */
  concluded: boolean;
}

/** Issued ids: the last one and those of the latest sessions. The kit changes it in place. */
export interface SessionLedger {
  /** The last `s` issued on this device; 0 before any. */
  last: number;
  /** The latest canonical sessions, oldest first, at most {@link MAX_SESSIONS}. */
  readonly sessions: LedgerEntry[];
}

/**
 * Sessions remembered. Normally one is open; concluded ones are kept a little while, so an end
 * delivered again (the hub's state write was lost after the kit's) keeps its id and is not sent twice.
 */
export const MAX_SESSIONS = 8;

/** The ledger of a device that has issued no id yet. */
export const emptyLedger = (): SessionLedger => ({ last: 0, sessions: [] });

/** The CleverTap session id for a session starting at `startTime` (epoch ms), after `last`. */
export const nextSessionId = (last: number, startTime: number): number => Math.max(Math.floor(startTime / 1000), last + 1);

/**
 * The entry of a canonical session: the one it has, or one issued now and added to `ledger`.
 * `previousSessionDuration` is the start record's (ms, or null when unknown): `lsl` in whole seconds.
 */
export function sessionEntry(ledger: SessionLedger, id: string, startTime: number, previousSessionDuration: number | null): LedgerEntry {
  let entry = ledger.sessions.find((e) => e.id == id);
  if (!entry) {
    const ms = previousSessionDuration ?? 0;
    entry = { id, s: (ledger.last = nextSessionId(ledger.last, startTime)), lsl: ms > 0 ? Math.round(ms / 1000) : 0, concluded: false };
    // The oldest goes first.
    if (ledger.sessions.push(entry) > MAX_SESSIONS) ledger.sessions.shift();
  }
  return entry;
}

/** The ledger as stored: `{"v":1,"last":…,"sessions":[[id,s,lsl,concluded 0|1],…]}`. */
export const encodeLedger = ({ last, sessions }: SessionLedger): string =>
  JSON.stringify({ v: 1, last, sessions: sessions.map((e) => [e.id, e.s, e.lsl, e.concluded ? 1 : 0]) });

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Reads a stored ledger; null when it is not one. */
export function decodeLedger(text: string): SessionLedger | null {
  try {
    const { v, last, sessions } = JSON.parse(text) as { v: unknown; last: unknown; sessions: [unknown, unknown, unknown, unknown][] };
    if (
      v === 1 &&
      isCount(last) &&
      sessions.length <= MAX_SESSIONS &&
      sessions.every(([id, s, lsl, concluded]) => typeof id == 'string' && isCount(s) && s <= last && isCount(lsl) && (concluded === 0 || concluded === 1))
    ) {
      return { last, sessions: sessions.map(([id, s, lsl, concluded]) => ({ id: id as string, s: s as number, lsl: lsl as number, concluded: concluded === 1 })) };
    }
  } catch {
    // not JSON, or not shaped as a ledger
  }
  return null;
}
