import { describe, expect, it } from 'vitest';
import { memoryStorage, resilientStorage } from '@sessionhub/core';
import { adoptSpId } from '../src/sp-id';

const DUID = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
/** A browser tracker 4.x `_sp_id` value: duid.createTs.visitCount.nowTs.lastVisitTs.sessionId.previousSessionId.firstEventId.firstEventTs.eventIndex */
const COOKIE = `${DUID}.1767268800.12.1767270000.1767200000.7c9e6679-7425-40de-944b-e07fc1f90ae7..9b2d6e4c-1a3f-4c5d-8e7f-0a1b2c3d4e5f.1767270000123.4`;

const storage = () => resilientStorage(memoryStorage(), () => undefined);

describe('adopting the browser tracker\'s _sp_id cookie', () => {
  it('takes its domain user id and visit count, and keeps them when the cookie is gone or changes', async () => {
    const s = storage();
    expect(await adoptSpId(s, COOKIE)).toEqual({ userId: DUID, visits: 12 });
    expect(await adoptSpId(s, undefined)).toEqual({ userId: DUID, visits: 12 });
    expect(await adoptSpId(s, COOKIE.replace('.12.', '.13.'))).toEqual({ userId: DUID, visits: 12 });
  });

  it('adopts nothing from no cookie or one it cannot read', async () => {
    for (const cookie of [undefined, '', 'garbage', `${DUID}`, `not-a-uuid.1.2.3`, `${DUID}.1.x.3`]) expect(await adoptSpId(storage(), cookie)).toBeNull();
  });
});
