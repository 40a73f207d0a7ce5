/**
 * Values a host app can pass by mistake that are hard to even look at: Proxies whose every trap
 * throws, revoked Proxies, getters that throw, cycles, BigInt, Symbols, functions, huge strings —
 * alone, or inside an otherwise ordinary object.
 */
import fc from 'fast-check';

const trapThrows = (): never => {
  throw new Error('a Proxy trap threw');
};

/** A Proxy every trap of which throws (its handler is itself such a Proxy: any trap name throws). */
export const throwingProxy = (): object => new Proxy({}, new Proxy({}, { get: () => trapThrows }));

/** A function Proxy whose traps all throw (typeof says "function"). */
export const throwingFunctionProxy = (): object => new Proxy(() => undefined, new Proxy({}, { get: () => trapThrows }));

export function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

export const throwingGetter = (key = 'x'): object =>
  Object.defineProperty({}, key, {
    enumerable: true,
    get: () => {
      throw new Error(`getter "${key}" threw`);
    },
  });

export function cycle(): object {
  const a: Record<string, unknown> = { n: 1 };
  a.self = a;
  return a;
}

/** 10 MB (made once: building it per run would dominate the test). */
export const HUGE_STRING = 'x'.repeat(10 * 1024 * 1024);

/**
 * Recipes rather than the values themselves: fast-check looks into every value it generates (for a
 * clone method), which a throwing or revoked Proxy does not survive. `build` makes the value.
 */
export type Recipe =
  | { readonly kind: 'throwingProxy' | 'throwingFunctionProxy' | 'revokedProxy' | 'cycle' | 'function' | 'huge' }
  | { readonly kind: 'throwingGetter'; readonly key: string }
  | { readonly kind: 'symbol'; readonly description: string }
  | { readonly kind: 'plain'; readonly value: unknown }
  | { readonly kind: 'object'; readonly entries: ReadonlyArray<readonly [string, Recipe]> }
  | { readonly kind: 'array'; readonly items: readonly Recipe[] };

export function build(recipe: Recipe): unknown {
  switch (recipe.kind) {
    case 'throwingProxy':
      return throwingProxy();
    case 'throwingFunctionProxy':
      return throwingFunctionProxy();
    case 'revokedProxy':
      return revokedProxy();
    case 'cycle':
      return cycle();
    case 'function':
      return () => 'a function';
    case 'huge':
      return HUGE_STRING;
    case 'throwingGetter':
      return throwingGetter(recipe.key);
    case 'symbol':
      return Symbol(recipe.description);
    case 'plain':
      return recipe.value;
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, r] of recipe.entries) Object.defineProperty(out, k, { value: build(r), enumerable: true, writable: true, configurable: true });
      return out;
    }
    case 'array':
      return recipe.items.map(build);
  }
}

/** A recipe of one hostile value. */
export const hostileRecipe: fc.Arbitrary<Recipe> = fc.oneof(
  fc.constantFrom<Recipe>(
    { kind: 'throwingProxy' },
    { kind: 'throwingFunctionProxy' },
    { kind: 'revokedProxy' },
    { kind: 'cycle' },
    { kind: 'function' },
    { kind: 'huge' },
  ),
  fc.string({ minLength: 1, maxLength: 8 }).map((key): Recipe => ({ kind: 'throwingGetter', key })),
  fc.string({ maxLength: 8 }).map((description): Recipe => ({ kind: 'symbol', description })),
  fc.oneof(fc.bigInt(), fc.constantFrom(NaN, Infinity, -0)).map((value): Recipe => ({ kind: 'plain', value })),
);

/** A recipe of anything, hostile values included, also nested one level inside an object or array. */
export const anyRecipe: fc.Arbitrary<Recipe> = fc.oneof(
  { weight: 2, arbitrary: fc.anything({ withNullPrototype: true, withObjectString: true, withBigInt: true, maxDepth: 2 }).map((value): Recipe => ({ kind: 'plain', value })) },
  { weight: 3, arbitrary: hostileRecipe },
  { weight: 1, arbitrary: fc.array(fc.tuple(fc.string({ maxLength: 8 }), hostileRecipe), { maxLength: 3 }).map((entries): Recipe => ({ kind: 'object', entries })) },
  { weight: 1, arbitrary: fc.array(hostileRecipe, { maxLength: 3 }).map((items): Recipe => ({ kind: 'array', items })) },
);
