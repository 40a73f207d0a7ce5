import fc from 'fast-check';
import { describe as suite, expect, it } from 'vitest';
import { createHub, type Warning } from '@sessionhub/core';
import { describe } from '../src/describe-value';
import { anyRecipe, build } from './hostile-values';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

suite('describe (the values warnings name)', () => {
  it('never throws, stays short, writes a bigint as code does and puts "an" before a vowel', () => {
    fc.assert(
      fc.property(anyRecipe, (recipe) => {
        const value = build(recipe);
        const text = describe(value);
        expect(text.length).toBeLessThanOrEqual(40);
        if (typeof value === 'bigint') expect(text).toMatch(/^(-?\d+n|a long bigint)$/);
        const article = /^(an?) (\w)/.exec(text);
        if (article) expect(article[1]).toBe(/[aeiou]/.test(article[2]!) ? 'an' : 'a');
      }),
    );
    expect(describe(10n)).toBe('10n');
    expect(describe(-(10n ** 40n))).toBe('a long bigint');
    expect(describe(new Date())).toBe('an object');
    expect(describe(() => 1)).toBe('a function');
  });

  it('a BigInt given where a number is asked for is named as a BigInt, not as the number it is not', async () => {
    const hub = createHub({ logger: silent });
    const warnings: Warning[] = [];
    hub.on('warning', (w) => warnings.push(w));
    await hub.start();
    hub.setSessionTimeout(10n as never);
    hub.incrementSessionAttribute('n', 2n as never);
    hub.setUser({ id: 'u1' } as never);
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringContaining('(got 10n)'),
      expect.stringMatching(/got 2n$/),
      expect.stringMatching(/got an object$/),
    ]);
    await hub.shutdown();
  });
});
