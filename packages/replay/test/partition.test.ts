import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { partitionOf } from '../src/partition';

/** FNV-1a (32-bit) of bytes: the reference. */
function fnv1a(bytes: Iterable<number>): number {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193);
  return h >>> 0;
}

describe('partitionOf', () => {
  it('is FNV-1a of the device id\'s UTF-8 bytes, for any id (non-ASCII, astral, lone surrogates included)', () => {
    const id = fc.oneof(fc.string(), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.uuid());
    fc.assert(
      fc.property(id, fc.integer({ min: 1, max: 1 << 20 }), (deviceId, n) => {
        expect(partitionOf(deviceId, n)).toBe(fnv1a(Buffer.from(deviceId, 'utf8')) % n);
      }),
      { numRuns: 500 },
    );
    expect(partitionOf('é', 1 << 30)).toBe(fnv1a([0xc3, 0xa9]) % (1 << 30));
  });

  it('gives an ASCII id the partition it had when the id\'s UTF-16 code units were hashed', () => {
    const codeUnits = (s: string): number[] => Array.from({ length: s.length }, (_, i) => s.charCodeAt(i));
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii' }), fc.integer({ min: 1, max: 1 << 20 }), (deviceId, n) => {
        expect(partitionOf(deviceId, n)).toBe(fnv1a(codeUnits(deviceId)) % n);
      }),
      { numRuns: 300 },
    );
  });
});
