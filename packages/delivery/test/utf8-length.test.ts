import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8Length } from '../src/utf8-length';

describe('utf8Length', () => {
  it('equals the UTF-8 byte count of any well-formed string', () => {
    for (const unit of ['grapheme', 'binary'] as const) {
      fc.assert(
        fc.property(fc.string({ unit, maxLength: 200 }), (s) => {
          expect(utf8Length(s)).toBe(Buffer.byteLength(s, 'utf8'));
        }),
      );
    }
  });

  it('counts 1, 2, 3 and 4 byte characters', () => {
    expect([utf8Length('a'), utf8Length('é'), utf8Length('€'), utf8Length('😀')]).toEqual([1, 2, 3, 4]);
  });
});
