import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64url, portableBase64url } from '../src/base64url';

// Any UTF-16 string, lone surrogates included (what a JS string may hold, and JSON.stringify passes through).
const anyString = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 200 });
const mixed = fc.oneof(anyString, fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ maxLength: 200 }));

describe('base64url', () => {
  it('the portable encoder equals Node\'s base64url of the UTF-8 bytes (lone surrogates as U+FFFD)', () => {
    fc.assert(
      fc.property(mixed, (s) => {
        const expected = Buffer.from(s, 'utf8').toString('base64url');
        expect(portableBase64url(s)).toBe(expected);
        expect(base64url(s)).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('is unpadded, URL-safe, and decodes back (tracker-core base64urlencode)', () => {
    for (const s of ['', 'a', 'ab', 'abc', '{"a":"ü€😀"}', '\u00ff\u00fe>>>???']) {
      const out = portableBase64url(s);
      expect(out).toMatch(/^[A-Za-z0-9_-]*$/);
      expect(Buffer.from(out, 'base64url').toString('utf8')).toBe(s);
    }
    // Long input crosses the chunking boundary.
    const long = 'x€😀'.repeat(5000);
    expect(portableBase64url(long)).toBe(Buffer.from(long).toString('base64url'));
  });
});
