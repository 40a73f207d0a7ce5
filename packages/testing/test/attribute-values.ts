/**
 * Event attributes for the kits' differential tests against their vendors' real web SDKs: fast-check
 * arbitraries of attribute objects that hold what apps put in them and what trips encoders up
 * (emoji, lone surrogates, RTL and invisible characters, keys with `$`, `.`, quotes or spaces,
 * strings and keys around a vendor's length limits, `-0`, `NaN`, `Infinity`, huge and tiny floats,
 * Dates valid and invalid, `null`, `undefined`, nested objects and arrays up to past 50 levels,
 * empty ones, bigints, functions, symbols, Maps), and a codec that carries such objects (class
 * instances and boxed primitives too, as instances of a class of the page's and the page's own
 * boxes) into a Chromium page exactly (Playwright's own serialization would turn a lone surrogate
 * into U+FFFD).
 *
 * Not a test file: the kits' tests import it.
 */
import fc from 'fast-check';

/** Pieces keys and strings are made of: each one something an encoder or a vendor's rule treats apart. */
export const FRAGMENTS = [
  'a', 'Z', '0', '1', '-', '_', ' ', '  ', '$', '.', ':', "'", '"', '\\', '/', '\n', '\t', '\r', '\u0000', '\u001f', '\u007f',
  '\u00a0', '\u200b', '\u200f', '\u202e', '\u2028', '\ufeff', '\u3000', 'é', 'e\u0301', 'שלום', 'مرحبا', '日本',
  '😀', '👩‍👩‍👧', '\ud83d', '\ude00', '\udbff\udfff', '__proto__', 'constructor', '%', '&', '=', '+', '<', '>', '`',
] as const;

const text = (maxPieces: number): fc.Arbitrary<string> => fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: maxPieces }).map((p) => p.join(''));

/** A string of about `lengths` code units, of one repeated character (an emoji cut at an odd length leaves a lone surrogate). */
export const longText = (lengths: readonly number[]): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom(...lengths), fc.constantFrom('x', 'é', '😀', ' ', '"', '$', '.'), fc.constantFrom('', ' ', '😀'))
    .map(([n, c, end]) => (c.repeat(n).slice(0, n - end.length) + end).slice(0, n));

/** Numbers: fast-check's doubles (NaN, ±Infinity, -0 among them), integers, and known troublemakers. */
export const numbers: fc.Arbitrary<number> = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(-0, 0, 0.1 + 0.2, 1.5, -1.5, 1e21, 1e-7, -1e-7, 2 ** 53, 2 ** 53 + 2, Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -Infinity),
);

/** Dates: any valid instant, whole-second edges around the epoch (before it too), and an invalid one now and then. */
export const dates: fc.Arbitrary<Date> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -8.64e15, max: 8.64e15 }).map((ms) => new Date(ms)) },
  { weight: 4, arbitrary: fc.constantFrom(-1600, -1500, -1400, -1000, -999, -1, 0, 499, 500, 999, 1000, 1500, 1_556_706_030_456, 1_767_268_800_999).map((ms) => new Date(ms)) },
  { weight: 1, arbitrary: fc.constant(null).map(() => new Date(NaN)) },
);

/** What the limits of a vendor are, so that keys and strings come around them. */
export interface AttributeLimits {
  /** Lengths (code units) of long keys: around the vendor's key limit. */
  readonly keyLengths: readonly number[];
  /** Lengths of long string values: around the vendor's value limit. */
  readonly valueLengths: readonly number[];
  /** Whether values that are no JSON (bigint, function, symbol, Map, Set) come up, rarely. */
  readonly exotic?: boolean;
}

/** An attribute key. */
export const attributeKey = (limits: AttributeLimits): fc.Arbitrary<string> =>
  fc.oneof({ weight: 6, arbitrary: text(5) }, { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) }, { weight: 1, arbitrary: longText(limits.keyLengths) });

/** An attribute value that is not an object or an array: a string, number, boolean, Date, null, undefined (or, `exotic`, a bigint, function, symbol, Map or Set). */
export function attributeLeaf(limits: AttributeLimits): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 18, arbitrary: text(6) },
    { weight: 6, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
    { weight: 6, arbitrary: longText(limits.valueLengths) },
    { weight: 15, arbitrary: numbers },
    { weight: 6, arbitrary: fc.boolean() },
    { weight: 6, arbitrary: fc.constantFrom(null, undefined, '') },
    { weight: 9, arbitrary: dates },
    ...(limits.exotic
      ? [{ weight: 1, arbitrary: fc.oneof(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), fc.constantFrom<unknown>(() => 1, Symbol('s'), new Map([['a', 1]]), new Set([1]))) }]
      : []),
  );
}

/** An attribute value, nested or not. */
export function attributeValue(limits: AttributeLimits): fc.Arbitrary<unknown> {
  const key = attributeKey(limits);
  const leaf = attributeLeaf(limits);
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('value'), { maxLength: 4 }),
      entries(key, tie('value'), 4),
      fc.constantFrom<unknown>({}, []),
    ),
  }));
  // Now and then one nested 1 to 60 levels deep (vendors cut at 3, 50…), objects and arrays mixed.
  const deep = fc.tuple(fc.integer({ min: 1, max: 60 }), fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }), leaf).map(([n, arrays, end]) => {
    let v: unknown = end;
    for (let i = 0; i < n; i++) v = arrays[i] ? [v] : { ['l' + i]: v };
    return v;
  });
  return fc.oneof({ weight: 8, arbitrary: value }, { weight: 1, arbitrary: deep });
}

/** An object of `entries` defined as own keys (a `__proto__` key too), in the order drawn. */
function entries(key: fc.Arbitrary<string>, value: fc.Arbitrary<unknown>, maxKeys: number): fc.Arbitrary<Record<string, unknown>> {
  return fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: maxKeys }).map((pairs) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of pairs) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
    return o;
  });
}

/** An event's attributes: up to `maxKeys` keys, their values `value` (by default {@link attributeValue}: nested or not). */
export const attributeObject = (limits: AttributeLimits, maxKeys = 8, value = attributeValue(limits)): fc.Arbitrary<Record<string, unknown>> =>
  entries(attributeKey(limits), value, maxKeys);

/**
 * The seed of a sample: the one every property runs with (vitest.setup.ts: FC_SEED, or under CI the
 * commit's), else a fresh one; a failing test prints it, and FC_SEED=<seed> replays it.
 */
export const sampleSeed = (): number => fc.readConfigureGlobal().seed ?? (Date.now() ^ (Math.random() * 0x1_0000_0000)) | 0;

const TAG = '\u0000tag';

/** `value` as JSON text that {@link DECODE_IN_PAGE} turns back into the same value, in a page. */
export function encodeAttributes(value: unknown): string {
  const walk = (v: unknown): unknown => {
    if (typeof v == 'number') return Number.isNaN(v) ? { [TAG]: 'NaN' } : Object.is(v, -0) ? { [TAG]: '-0' } : Number.isFinite(v) ? v : { [TAG]: v > 0 ? 'Infinity' : '-Infinity' };
    if (v === undefined) return { [TAG]: 'undefined' };
    if (typeof v == 'bigint') return { [TAG]: 'bigint', v: String(v) };
    if (typeof v == 'function') return { [TAG]: 'function' };
    if (typeof v == 'symbol') return { [TAG]: 'symbol' };
    if (v instanceof Date) return { [TAG]: 'date', v: Number.isNaN(v.getTime()) ? null : v.getTime() };
    // A String, Number, Boolean, BigInt or Symbol object: its primitive, boxed again in the page.
    if (v instanceof String || v instanceof Number || v instanceof Boolean || v instanceof BigInt || v instanceof Symbol) return { [TAG]: 'boxed', v: walk(v.valueOf()) };
    if (v instanceof Map) return { [TAG]: 'map', v: [...v].map(([k, x]) => [walk(k), walk(x)]) };
    if (v instanceof Set) return { [TAG]: 'set', v: [...v].map(walk) };
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v == 'object') {
      const pairs = Object.keys(v).map((k) => [k, walk((v as Record<string, unknown>)[k])]);
      // An instance of a class (its own keys kept; in the page, of a class of its own) or an object.
      const proto: unknown = Object.getPrototypeOf(v);
      return { [TAG]: proto === Object.prototype || proto === null ? 'object' : 'instance', v: pairs };
    }
    return v;
  };
  return JSON.stringify(walk(value));
}

/**
 * Source of `window.decodeAttributes(text)` for a page (an init script): the inverse of
 * {@link encodeAttributes}, objects rebuilt with their keys as own properties, in order.
 */
export const DECODE_IN_PAGE = `window.decodeAttributes = (text) => {
  const TAG = ${JSON.stringify(TAG)};
  class Instance {}
  const walk = (v) => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v == 'object') {
      switch (v[TAG]) {
        case 'NaN': return NaN;
        case '-0': return -0;
        case 'Infinity': return Infinity;
        case '-Infinity': return -Infinity;
        case 'undefined': return undefined;
        case 'bigint': return BigInt(v.v);
        case 'function': return () => 1;
        case 'symbol': return Symbol('s');
        case 'date': return new Date(v.v === null ? NaN : v.v);
        case 'boxed': return Object(walk(v.v));
        case 'map': return new Map(v.v.map(([k, x]) => [walk(k), walk(x)]));
        case 'set': return new Set(v.v.map(walk));
        case 'instance':
        case 'object': {
          const o = v[TAG] == 'object' ? {} : new Instance();
          for (const [k, x] of v.v) Object.defineProperty(o, k, { value: walk(x), enumerable: true, writable: true, configurable: true });
          return o;
        }
      }
    }
    return v;
  };
  return walk(JSON.parse(text));
};`;
