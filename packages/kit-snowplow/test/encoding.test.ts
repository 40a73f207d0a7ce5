import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64url, platformBtoa, portableEncode } from '../src/base64url';

// Any UTF-16 string, lone surrogates included (what a JS string may hold, and JSON.stringify passes through).
const anyString = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 200 });
const mixed = fc.oneof(anyString, fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ maxLength: 200 }));

/** A `btoa` polyfill seen in React Native apps that encodes its input's UTF-8 rather than its bytes. */
const utf8Btoa = (s: string): string => Buffer.from(s).toString('base64');

describe('base64url', () => {
  it('equals Node\'s base64url of the UTF-8 bytes (lone surrogates as U+FFFD) with Buffer, a platform btoa, or neither', () => {
    fc.assert(
      fc.property(mixed, (s) => {
        const expected = Buffer.from(s, 'utf8').toString('base64url');
        expect(base64url(s)).toBe(expected);
        expect(base64url(s, btoa)).toBe(expected);
        expect(base64url(s, portableEncode)).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('is unpadded, URL-safe, and decodes back (tracker-core base64urlencode)', () => {
    for (const s of ['', 'a', 'ab', 'abc', '{"a":"ü€😀"}', '\u00ff\u00fe>>>???', '\u00fb\u00ff\u00bf?>']) {
      for (const out of [base64url(s, btoa), base64url(s, portableEncode)]) {
        expect(out).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(Buffer.from(out, 'base64url').toString('utf8')).toBe(s);
      }
    }
    // Long input: the portable loop and btoa over ~35 KB.
    const long = 'x€😀'.repeat(5000);
    expect(base64url(long, portableEncode)).toBe(Buffer.from(long).toString('base64url'));
    expect(base64url(long, btoa)).toBe(Buffer.from(long).toString('base64url'));
  });

  it('takes the platform btoa only if it encodes bytes as bytes', () => {
    expect(platformBtoa(btoa)).toBe(btoa);
    // A polyfill that encodes UTF-8 would send every non-ASCII character garbled: not taken.
    expect(platformBtoa(utf8Btoa)).toBeUndefined();
    expect(base64url('é', utf8Btoa)).not.toBe(base64url('é'));
    for (const bad of [undefined, null, 42, 'btoa', {}, () => undefined, () => { throw new Error('no'); }]) expect(platformBtoa(bad)).toBeUndefined();
  });
});
