import { brazeEvent } from './braze-mapping';
import type { BrazeSdkEvent, BrazeSessionEndEvent } from './braze-wire';

/** What Braze's Web SDK left in this browser for one app (its `ab.storage.*.<apiKey>` keys). */
export interface BrazeWebSdkState {
  /** Its device id: Braze's device for this browser. */
  readonly deviceId?: string;
  /** The user its last `changeUser` set. */
  readonly userId?: string;
  /** The session it left open (it ends sessions lazily): id, start and last activity, epoch ms. */
  readonly session?: { readonly id: string; readonly start: number; readonly lastActivity: number };
  /** Events it queued and never sent, as Braze event objects (fields it had not set are undefined). */
  readonly events: readonly BrazeSdkEvent[];
}

/** The page APIs read (absent outside browsers). */
interface PageStorage {
  readonly localStorage?: { getItem(key: string): string | null };
  readonly document?: { readonly cookie?: string };
}

/**
 * Reads what Braze's Web SDK stored for `apiKey` in this page's origin, as the SDK reads it:
 * `localStorage` (`{"v": …}`), else its cookie. Undefined outside browsers or when it left nothing.
 * Never throws.
 *
 * @example
 * // Moving off Braze's SDK: keep the signed-in user it knew.
 * const userId = readBrazeWebSdk('YOUR-API-KEY')?.userId;
 * if (userId) hub.setUser(userId);
 */
export function readBrazeWebSdk(apiKey: string, page: PageStorage = globalThis as PageStorage): BrazeWebSdkState | undefined {
  try {
    const get = (name: string): unknown => {
      const key = `ab.storage.${name}.${apiKey}`;
      let value: unknown;
      try {
        value = JSON.parse(page.localStorage!.getItem(key)!).v;
      } catch {}
      return value ?? decodeURIComponent(page.document?.cookie?.split('; ').find((c) => c.startsWith(key + '='))?.slice(key.length + 1) ?? '');
    };
    // [id, created, last used] of an identifier, or undefined.
    const id = (name: string): [string, number, number] | undefined => {
      // `g:<id>|e:<expiry>|c:<created>|l:<last used>` (the SDK's `models/identifier.js`).
      const m = /^g:([^|]*)\|e:[^|]*\|c:(\d+)\|l:(\d+)$/.exec(String(get(name)));
      return m ? [decodeURIComponent(m[1]!), +m[2]!, +m[3]!] : undefined;
    };
    const device = id('deviceId');
    const user = id('userId');
    const session = id('sessionId');
    const stored = get('events');
    const events = (Array.isArray(stored) ? stored : []).map(
      (e: { u?: string | null; t: string; ts: number; s?: string | null; d?: unknown }) =>
        ({ name: e.t, time: e.ts / 1000, data: e.d ?? {}, session_id: e.s ?? undefined, user_id: e.u ?? undefined }) as BrazeSdkEvent,
    );
    return device || user || session || events.length
      ? { deviceId: device?.[0], userId: user?.[0], session: session && { id: session[0], start: session[1], lastActivity: session[2] }, events }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Braze's Web SDK never ends a session shorter than this: its `se` is at least this long after the `ss`. */
const SDK_MINIMUM_SESSION_MS = 10_000;

/**
 * The `se` Braze's Web SDK would have sent for the session it left open: at its last activity
 * (stretched to the SDK's 10 s minimum), with `d` in seconds, for the user it knew.
 */
export function brazeWebSdkSessionEnd(state: BrazeWebSdkState): BrazeSdkEvent | undefined {
  const s = state.session;
  if (!s) return undefined;
  const end = Math.max(s.lastActivity, s.start + SDK_MINIMUM_SESSION_MS);
  return brazeEvent<BrazeSessionEndEvent>('se', end, { d: (end - s.start) / 1000 }, { sessionId: s.id, userId: state.userId });
}
