import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyPatch, decodeWrites, encodeWrite, patchOf } from '../src/storage/record-codec';
import { patchFor } from '../src/storage/segment-log';

/** A state-like JSON text whose numbers move on, field by field, as the hub's state does from event to event. */
const stateLike = fc
  .tuple(fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { minLength: 4, maxLength: 24 }), fc.array(fc.nat({ max: 23 }), { maxLength: 6 }), fc.integer({ min: 1, max: 99_999 }))
  .map(([fields, moved, step]) => {
    const before = JSON.stringify(Object.fromEntries(fields.map((v, i) => [`f${i}`, 1_764_900_000_000 + v])));
    const after = JSON.stringify(Object.fromEntries(fields.map((v, i) => [`f${i}`, 1_764_900_000_000 + v + (moved.includes(i) ? step : 0)])));
    return [before, after] as const;
  });

describe('record codec: values written as patches of the value before', () => {
  it('a patch applied to the old value gives the new one, for any two texts it is made for', () => {
    fc.assert(
      fc.property(fc.oneof(stateLike, fc.tuple(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }))), ([old, value]) => {
        const patch = patchOf(old, value);
        if (patch !== undefined) expect(applyPatch(old, patch)).toBe(value);
      }),
    );
  });

  it('takes the patch a write carries only when it was made from the value stored before', () => {
    const old = '{"clock":1764900000000,"n":7}';
    const value = '{"clock":1764900001000,"n":8}';
    // (Not what a comparison finds: taken as the writer knew it.)
    expect(patchFor(['s', value, old, '1.c.1000'], old)).toBe('1.c.1000');
    expect(patchFor(['s', value, old, undefined], old)).toBeUndefined();
    // Made from another value (a commit that failed, another writer): compared field by field.
    expect(patchFor(['s', value, value, '1.c.1000'], old)).toBe(patchOf(old, value));
    expect(patchFor(['s', value], old)).toBe(patchOf(old, value));
    expect(patchFor(['s', value, old, '1.c.1000'], undefined)).toBeUndefined();
    expect(patchFor(['s', null, old, '1.c.1000'], old)).toBeUndefined();
  });

  it("a state's next value costs the fields that changed, not the whole text", () => {
    const old = '{"version":1,"deviceId":"5b0c5d2e-1a44-4c38-9c1f-0a6c7c1e2f10","clock":1764900000000,"session":{"lastActivity":1764900000000,"eventIndex":7}}';
    const next = old.replace(/1764900000000/g, '1764900001000').replace('"eventIndex":7', '"eventIndex":8');
    const text = encodeWrite('state', next, patchOf(old, next));
    expect(text).toBe('~state 25\n2.h.1000,3.z.1000,4.d.8}}');
    expect(decodeWrites(text, 0, text.length, () => old)).toEqual([['state', next, true]]);
  });

  it('writes a value whole when it has no value before, its fields do not line up, or a patch saves little', () => {
    expect(encodeWrite('k', 'a,b,c')).toBe('+k 5\na,b,c');
    expect(encodeWrite('k', 'a,b,c', patchOf('a,b', 'a,b,c'))).toBe('+k 5\na,b,c');
    expect(encodeWrite('k', 'a,b,d', patchOf('a,b,c', 'a,b,d'))).toBe('+k 5\na,b,d');
  });

  it('a patch applies to the value before its record; one with nothing to apply to (a record read alone) is left out', () => {
    const text = `${encodeWrite('s', 'whole')}${encodeWrite('t', '{"a":1000001,"b":2000000}', patchOf('{"a":1000000,"b":2000000}', '{"a":1000001,"b":2000000}'))}`;
    // (The third element: whether the value was stored as a patch.)
    expect(decodeWrites(text, 0, text.length)).toEqual([['s', 'whole', false]]);
    expect(decodeWrites(text, 0, text.length, (k) => (k === 't' ? '{"a":1000000,"b":2000000}' : null))).toEqual([
      ['s', 'whole', false],
      ['t', '{"a":1000001,"b":2000000}', true],
    ]);
  });
});
