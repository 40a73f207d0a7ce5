import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lenientJson } from '../src/lenient-json';
import { build, hostileRecipe, type Recipe } from './hostile-values';

/** What JSON keeps of a hostile value (undefined: dropped), built from its recipe like the value itself. */
function kept(recipe: Recipe): unknown {
  switch (recipe.kind) {
    case 'cycle':
      return { n: 1 }; // the object, without its way back into itself
    case 'throwingGetter':
      return {}; // the object, without the key whose getter throws
    case 'huge':
      return build(recipe);
    case 'plain':
      return typeof recipe.value === 'bigint' ? undefined : recipe.value;
    default:
      return undefined; // Proxies that throw, functions, symbols
  }
}

/**
 * JSON values with hostile ones put in (as object keys and array items, at any depth), and the
 * same JSON with each hostile value replaced by what JSON keeps of it.
 */
const withHostile: fc.Arbitrary<{ value: () => unknown; expected: unknown }> = fc.letrec<{ node: { value: () => unknown; expected: unknown } }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.jsonValue({ maxDepth: 1 }).map((json) => ({ value: () => json, expected: json })),
    hostileRecipe.map((recipe) => ({ value: () => build(recipe), expected: kept(recipe) })),
    fc.uniqueArray(fc.tuple(fc.string({ maxLength: 4 }), tie('node')), { maxLength: 4, selector: ([k]) => k }).map((entries) => ({
      value: () => Object.fromEntries(entries.map(([k, n]) => [k, n.value()])),
      expected: Object.fromEntries(entries.flatMap(([k, n]) => (n.expected === undefined ? [] : [[k, n.expected]]))),
    })),
    fc.array(tie('node'), { maxLength: 4 }).map((items) => ({ value: () => items.map((n) => n.value()), expected: items.map((n) => n.expected ?? null) })),
  ),
})).node;

describe('lenientJson (records carrying values the app gave)', () => {
  it('never throws: JSON of what JSON can hold, a BigInt, a cycle and whatever throws when looked at dropped as JSON drops undefined', () => {
    fc.assert(
      fc.property(withHostile, ({ value, expected }) => {
        const record = { v: 1, owed: [value()] };
        const text = lenientJson(record);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify({ v: 1, owed: [expected ?? null] })));
      }),
    );
  });

  it('is JSON.stringify itself wherever that does not throw', () => {
    fc.assert(
      fc.property(fc.object({ maxDepth: 3, withBoxedValues: true, withDate: true, withNullPrototype: true, withSparseArray: true }), (value) => {
        expect(lenientJson(value)).toBe(JSON.stringify(value));
      }),
    );
  });

  it('keeps an object shared by two places in both, and drops only the way back into a cycle; a toJSON that throws drops its value', () => {
    const shared = { n: 1n, ok: true };
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.again = [loop, { loop }];
    const bad = { toJSON: () => { throw new Error('toJSON'); } };
    expect(JSON.parse(lenientJson({ a: shared, b: [shared], loop, bad, list: [bad, new Date(0)] }))).toEqual({
      a: { ok: true },
      b: [{ ok: true }],
      loop: { name: 'loop', again: [null, {}] },
      list: [null, '1970-01-01T00:00:00.000Z'],
    });
  });
});
