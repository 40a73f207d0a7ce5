/**
 * What CleverTap's web SDK left in a browser, read once when the kit first starts there, so a site
 * moving off the SDK keeps its visitors' profiles and does not count their current session twice.
 * The SDK keeps (web SDK 2.5.2): `localStorage.WZRK_G` the device guid, `WZRK_X` the guids of the
 * identities signed in (`{ cache: [[identity, guid], …] }`), both URL-encoded JSON; the cookie
 * `WZRK_S_<accountId>` the session `{ s: id, t: last response (epoch s), p: pages }`, live for 20 minutes.
 */
import { MAX_IDENTITIES, type SessionLedger } from './session-ledger';

/** The SDK's session, when still live: its id and the pages it counted (0 or more). */
export type WebSdkSession = readonly [s: number, pages: number];

const isText = (v: unknown): v is string => typeof v == 'string' && v != '';

/**
 * Takes over the SDK's guid and identities into `ledger` (nothing when the SDK did not run here, or
 * outside a browser), and returns its session when it is still live at `now` (epoch ms), so the
 * kit's first session carries on with its id. Never throws.
 */
export function webSdkState(ledger: SessionLedger, accountId: string, now: number): WebSdkSession | undefined {
  try {
    const read = (key: string): unknown => JSON.parse(decodeURIComponent(localStorage.getItem(key) ?? 'null'));
    const g = read('WZRK_G');
    if (!isText(g)) return;
    ledger.g = g;
    const cache = (read('WZRK_X') as { cache?: unknown[][] } | null)?.cache;
    if (Array.isArray(cache)) ledger.ids = cache.filter(([i, guid]) => isText(i) && isText(guid)).slice(-MAX_IDENTITIES) as [string, string][];
    const cookie = document.cookie.match(`(?:^|; )WZRK_S_${accountId}=([^;]*)`);
    // The SDK writes the cookie with single quotes for double ones.
    const { s, t, p } = (cookie ? JSON.parse(decodeURIComponent(cookie[1]!).replace(/'/g, '"')) : {}) as { s: number; t: number; p: number };
    // Live as the SDK's reader decides (clevertap.js `getSessionCookieObject`): its 20 minutes plus
    // 60 s for requests in flight, in whole seconds of its clock (floor(now) - t <= 1260).
    if (Number.isSafeInteger(s) && s > 0 && now / 1000 - t < 1261) {
      ledger.last = Math.max(ledger.last, s);
      // No `p` when the SDK's session began with a profile switch (it clears the cookie, its server's
      // answer sets `s` and `t` only): no page counted yet, its next page is 1.
      return [s, Number.isSafeInteger(p) && p > 0 ? p : 0];
    }
  } catch {
    // not a browser, storage blocked, or not what the SDK writes: start afresh
  }
}
