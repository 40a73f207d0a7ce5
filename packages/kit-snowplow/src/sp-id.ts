import type { KitContext } from '@sessionhub/core';

/**
 * A site moving off Snowplow's browser tracker keeps its users: the domain user id and visit count
 * of the tracker's `_sp_id.<hash>` cookie (`duid.createTs.visitCount.…`), adopted at the kit's first
 * start in the page and kept in its storage (key `sp_id`, as `duid.visits deviceId`), so they stay
 * when the cookie expires. Null when the page had no valid cookie, and for good once the hub was
 * reset: a value kept for another device id, or {@link DECLINED}, adopts nothing (the cookie is
 * not read again either), so a reset never brings the old user back.
 */
export async function adoptSpId(storage: KitContext['storage'], cookie: string | undefined, deviceId: string): Promise<{ userId: string; visits: number } | null> {
  const [kept, forDevice] = (await storage.get('sp_id'))?.split(' ') ?? [];
  if (forDevice && forDevice != deviceId) return null;
  const value = kept || cookie?.replace(/^([^.]*)\.[^.]*(\.[^.]*).*/, '$1$2');
  const m = value && /^([\da-f]{8}-(?:[\da-f]{4}-){3}[\da-f]{12})\.(\d{1,9})$/i.exec(value);
  if (!m) return null;
  if (!kept) await storage.set('sp_id', value + ' ' + deviceId);
  return { userId: m[1]!, visits: +m[2]! };
}

/** What `sp_id` holds after `hub.reset()`: nothing adopted, ever, on this device (a value no cookie has). */
export const DECLINED = '-';
