import { describe, expect, it } from 'vitest';
import { memoryStorage, resilientStorage } from '@sessionhub/core';
import { adoptSpId, DECLINED } from '../src/sp-id';

const DUID = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
/** A browser tracker 4.x `_sp_id` value: duid.createTs.visitCount.nowTs.lastVisitTs.sessionId.previousSessionId.firstEventId.firstEventTs.eventIndex */
const COOKIE = `${DUID}.1767268800.12.1767270000.1767200000.7c9e6679-7425-40de-944b-e07fc1f90ae7..9b2d6e4c-1a3f-4c5d-8e7f-0a1b2c3d4e5f.1767270000123.4`;

const DEVICE = 'f0e1d2c3-b4a5-4968-8776-655443322110';
const storage = () => resilientStorage(memoryStorage(), () => undefined);

describe('adopting the browser tracker\'s _sp_id cookie', () => {
  it('takes its domain user id and visit count, and keeps them when the cookie is gone or changes', async () => {
    const s = storage();
    expect(await adoptSpId(s, COOKIE, DEVICE)).toEqual({ userId: DUID, visits: 12 });
    expect(await adoptSpId(s, undefined, DEVICE)).toEqual({ userId: DUID, visits: 12 });
    expect(await adoptSpId(s, COOKIE.replace('.12.', '.13.'), DEVICE)).toEqual({ userId: DUID, visits: 12 });
  });

  it('adopts nothing from no cookie or one it cannot read', async () => {
    for (const cookie of [undefined, '', 'garbage', `${DUID}`, `not-a-uuid.1.2.3`, `${DUID}.1.x.3`]) expect(await adoptSpId(storage(), cookie, DEVICE)).toBeNull();
  });

  it('after hub.reset() adopts nothing again: not a value kept for the device before, nor the cookie, nor after the reset (declined)', async () => {
    const s = storage();
    expect(await adoptSpId(s, COOKIE, DEVICE)).toEqual({ userId: DUID, visits: 12 });
    // A tab whose slot kept the old adoption starts after a reset gave the device a new id.
    expect(await adoptSpId(s, COOKIE, 'a0000000-0000-4000-8000-000000000001')).toBeNull();
    await s.set('sp_id', DECLINED);
    expect(await adoptSpId(s, COOKIE, DEVICE)).toBeNull();
    expect(await adoptSpId(s, COOKIE, 'a0000000-0000-4000-8000-000000000001')).toBeNull();
  });

  it('reads a value kept by the previous release (no device id) as this device\'s', async () => {
    const s = storage();
    await s.set('sp_id', `${DUID}.12`);
    expect(await adoptSpId(s, undefined, DEVICE)).toEqual({ userId: DUID, visits: 12 });
  });
});
