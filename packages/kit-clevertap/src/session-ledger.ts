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
 *
 * In memory the ledger has the shape it is stored in, so storing it is `JSON.stringify`:
 * `{"v":1,"last":…,"sessions":[[id,s,lsl,concluded],…]}`.
 */

/**
 * What the kit remembers of one canonical session, read by position ({@link ID}, {@link S},
 * {@link LSL}, {@link CONCLUDED}): its canonical id; its CleverTap session id; the previous session's
 * length in whole seconds (`lsl`), as its start record told it; 1 once its `Session Concluded` was queued.
 */
export type LedgerEntry = [id: string, s: number, lsl: number, concluded: 0 | 1];

// The positions in a ledger entry (the bundler inlines them).
export const ID = 0;
export const S = 1;
export const LSL = 2;
export const CONCLUDED = 3;

/** Issued ids: the last one and those of the latest sessions. The kit changes it in place. */
export interface SessionLedger {
  /** The stored format's version. */
  readonly v: 1;
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
export const emptyLedger = (): SessionLedger => ({ v: 1, last: 0, sessions: [] });

/** The CleverTap session id for a session starting at `startTime` (epoch ms), after `last`. */
export const nextSessionId = (last: number, startTime: number): number => Math.max(Math.floor(startTime / 1000), last + 1);

/**
 * The entry of a canonical session: the one it has, or one issued now and added to `ledger`.
 * `previousSessionDuration` is the start record's (ms, or null when unknown): `lsl` in whole seconds.
 */
export function sessionEntry(ledger: SessionLedger, id: string, startTime: number, previousSessionDuration: number | null): LedgerEntry {
  let entry = ledger.sessions.find((e) => e[ID] == id);
  if (!entry) {
    const ms = previousSessionDuration ?? 0;
    entry = [id, (ledger.last = nextSessionId(ledger.last, startTime)), ms > 0 ? Math.round(ms / 1000) : 0, 0];
    // The oldest goes first.
    if (ledger.sessions.push(entry) > MAX_SESSIONS) ledger.sessions.shift();
  }
  return entry;
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Reads a stored ledger (as stored: fields it does not know are kept); null when it is not one. */
export function decodeLedger(text: string): SessionLedger | null {
  try {
    const ledger = JSON.parse(text) as SessionLedger;
    const { v, last, sessions } = ledger;
    if (
      v === 1 &&
      isCount(last) &&
      sessions.length <= MAX_SESSIONS &&
      sessions.every(([id, s, lsl, concluded]) => typeof id == 'string' && isCount(s) && s <= last && isCount(lsl) && (concluded === 0 || concluded === 1))
    ) {
      return ledger;
    }
  } catch {
    // not JSON, or not shaped as a ledger
  }
  return null;
}
