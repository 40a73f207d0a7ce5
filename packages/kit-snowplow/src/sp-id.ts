import type { KitContext } from '@sessionhub/core';

/**
 * A site moving off Snowplow's browser tracker keeps its users: the domain user id and visit count
 * of the tracker's `_sp_id.<hash>` cookie (`duid.createTs.visitCount.…`), adopted at the kit's first
 * start in the page and kept in its storage (key `sp_id`), so they stay when the cookie expires.
 * Null when the page had no valid cookie.
 */
export async function adoptSpId(storage: KitContext['storage'], cookie: string | undefined): Promise<{ userId: string; visits: number } | null> {
  const stored = await storage.get('sp_id');
  const value = stored || cookie?.replace(/^([^.]*)\.[^.]*(\.[^.]*).*/, '$1$2');
  const m = value && /^([\da-f]{8}-(?:[\da-f]{4}-){3}[\da-f]{12})\.(\d{1,9})$/i.exec(value);
  if (!m) return null;
  if (!stored) await storage.set('sp_id', value!);
  return { userId: m[1]!, visits: +m[2]! };
}
