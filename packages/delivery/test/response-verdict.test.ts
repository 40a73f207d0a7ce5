import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verdictOf } from '../src/response-verdict';

describe('verdictOf', () => {
  it('2xx is delivered', () => {
    fc.assert(
      fc.property(fc.integer({ min: 200, max: 299 }), (s) => {
        expect(verdictOf(s)).toBe('delivered');
      }),
    );
  });

  it('a 4xx other than 408 and 429 is rejected for good', () => {
    fc.assert(
      fc.property(fc.integer({ min: 400, max: 499 }), (s) => {
        expect(verdictOf(s)).toBe(s === 408 || s === 429 ? 'retry' : 'rejected');
      }),
    );
  });

  it('everything else (5xx, 3xx, 1xx, 0) is retried', () => {
    fc.assert(
      fc.property(fc.integer({ min: 500, max: 599 }), (s) => {
        expect(verdictOf(s)).toBe('retry');
      }),
    );
    for (const s of [0, 100, 304, 399, 600]) expect(verdictOf(s)).toBe('retry');
  });
});
