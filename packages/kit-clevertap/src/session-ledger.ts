/**
 * What the kit keeps per device: the CleverTap session ids (`s`) it has issued, the device id (`g`)
 * it sends under and the guids of the identities signed in on the device. Plain data, persisted by
 * the kit in one value: `{"v":2,"last":…,"g":…,"ids":[[identity,guid],…],"f":…,"sessions":[[id,s,lsl,concluded,pages,at],…],"d":…}`.
 *
 * CleverTap's session id is the session's start in epoch seconds (Android `SessionManager.createSession`:
 * `getNow()`, iOS "Unix timestamp of session start"), issued when the session's first item is queued,
 * as the SDKs create sessions: a canonical session with nothing to send takes no id. Two sessions with
 * items can start in the same second, and a clock can move back, so the id is made strictly
 * increasing per device: `s = max(floor(startTime / 1000), last + 1)`: ahead of the clock only by the
 * sessions with items that started within the same second, never by sessions that sent nothing.
 *
 * The rule is deterministic given `last`, and `last` is persisted together with the sessions. So if
 * the app dies before the entry of a session was written, the next run, which loads the `last` from
 * before that session, recomputes the very same `s` for it from its start; and tabs sharing a
 * session compute the same id for it.
 */

/**
 * What the kit remembers of one canonical session, read by position ({@link ID}, {@link S},
 * {@link LSL}, {@link CONCLUDED}, {@link PAGES}, {@link AT}): its canonical id; its CleverTap session
 * id; the previous session's length in whole seconds (`lsl`); 1 once its `Session Concluded` was
 * queued; the page loads (app starts) that sent something in it (`pg`, from 1); when its first item
 * was queued (epoch ms: CleverTap's Session Length starts there).
 */
export type LedgerEntry = [id: string, s: number, lsl: number, concluded: 0 | 1, pages: number, at: number];

// The positions in a ledger entry (the bundler inlines them).
export const ID = 0;
export const S = 1;
export const LSL = 2;
export const CONCLUDED = 3;
export const PAGES = 4;
export const AT = 5;

/** The kit's stored state. The kit changes it in place. */
export interface SessionLedger {
  /** The stored format's version. */
  readonly v: 2;
  /** The last `s` issued on this device; 0 before any. */
  last: number;
  /** The CleverTap device id items are sent under now; '' until the kit starts. */
  g: string;
  /** Identities signed in on this device and their guids, the latest last, at most {@link MAX_IDENTITIES}. */
  ids: [identity: string, guid: string][];
  /** When the device's first request was built (epoch s, the header's `f_ts`); 0 before. */
  f: number;
  /** The latest canonical sessions, oldest first, at most {@link MAX_SESSIONS}. */
  readonly sessions: LedgerEntry[];
  /**
   * The hub's device id the ledger is of (absent in ledgers of earlier versions). A page that loads a
   * ledger of another device id (a reset in another tab while no page of this slot was open to hear
   * it) starts a new one: the device is a new one at CleverTap, as in the tab that reset it. (Not
   * checked when read: any other value is another device id.)
   */
  d?: string;
}

/**
 * Sessions remembered. Normally one is open; concluded ones are kept a little while, so an end
 * delivered again (the hub's state write was lost after the kit's) keeps its id and is not sent twice.
 */
export const MAX_SESSIONS = 8;

/** Identities remembered (CleverTap's Android SDK caches the guids of the identities it has seen). */
export const MAX_IDENTITIES = 16;

/** The ledger of a device that has issued nothing yet. */
export const emptyLedger = (): SessionLedger => ({ v: 2, last: 0, g: '', ids: [], f: 0, sessions: [] });

/** The CleverTap session id for a session starting at `startTime` (epoch ms), after `last`. */
export const nextSessionId = (last: number, startTime: number): number => Math.max(Math.floor(startTime / 1000), last + 1);

/** The entry of a canonical session, or undefined when the kit has sent nothing of it. */
export const findEntry = (ledger: SessionLedger, id: string): LedgerEntry | undefined => ledger.sessions.find((e) => e[ID] == id);

/**
 * The entry of a canonical session: the one it has, or one issued now and added to `ledger` for a
 * session that started at `startTime` and whose first item is queued at `at` (epoch ms). `lsl` is the
 * previous session's length in whole seconds.
 */
export function sessionEntry(ledger: SessionLedger, id: string, startTime: number, lsl: number, at = startTime): LedgerEntry {
  let entry = findEntry(ledger, id);
  if (!entry) {
    entry = [id, (ledger.last = nextSessionId(ledger.last, startTime)), lsl, 0, 1, at];
    // The oldest goes first.
    if (ledger.sessions.push(entry) > MAX_SESSIONS) ledger.sessions.shift();
  }
  return entry;
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isText = (v: unknown): v is string => typeof v == 'string';

/**
 * Reads a stored ledger (as stored: fields it does not know are kept; a version-1 ledger gains the
 * version-2 fields); null when it is not one.
 */
export function decodeLedger(text: string): SessionLedger | null {
  try {
    const ledger = JSON.parse(text) as Omit<SessionLedger, 'v'> & { v: number };
    if (ledger.v === 1) {
      Object.assign(ledger, { v: 2, g: '', ids: [], f: 0 });
      for (const entry of ledger.sessions) entry.push(1, entry[S] * 1000);
    }
    const { v, last, g, ids, f, sessions } = ledger;
    if (
      v === 2 &&
      isCount(last) &&
      isText(g) &&
      isCount(f) &&
      ids.length <= MAX_IDENTITIES &&
      ids.every(([identity, guid]) => isText(identity) && isText(guid)) &&
      sessions.length <= MAX_SESSIONS &&
      sessions.every(([id, s, lsl, concluded, pages, at]) => isText(id) && isCount(s) && s <= last && isCount(lsl) && (concluded === 0 || concluded === 1) && pages > 0 && isCount(pages) && isCount(at))
    ) {
      return ledger as SessionLedger;
    }
  } catch {
    // not JSON, or not shaped as a ledger
  }
  return null;
}
