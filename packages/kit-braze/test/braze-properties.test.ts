import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BRAZE_NAME_LIMITS, brazeEventNameProblem, brazeProperties } from '@sessionhub/kit-braze';

const validKey = fc.string({ minLength: 1, maxLength: 30 }).filter((k) => !k.startsWith('$'));
const invalidKey = fc.oneof(
  fc.constant(''),
  fc.string({ maxLength: 20 }).map((k) => `$${k}`),
  fc.string({ minLength: BRAZE_NAME_LIMITS.maxPropertyKeyLength + 1, maxLength: 300 }).filter((k) => !k.startsWith('$')),
);
const validValue = fc.oneof(
  fc.string(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.date({ noInvalidDate: true }),
);
const invalidValue = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
  fc.bigInt(),
  fc.constant(new Date(Number.NaN)),
  fc.constant(() => 1),
  fc.constant(Symbol('s')),
);

describe('Braze property rules', () => {
  it('keeps exactly the valid pairs, converts Dates to ISO strings, and warns once naming every dropped key', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.oneof(
            fc.tuple(validKey, validValue, fc.constant(true)),
            fc.tuple(invalidKey, validValue, fc.constant(false)),
            fc.tuple(validKey, invalidValue, fc.constant(false)),
          ),
          { selector: ([k]) => k, maxLength: 12 },
        ),
        (entries) => {
          const attributes: Record<string, unknown> = {};
          for (const [k, v] of entries) Object.defineProperty(attributes, k, { value: v, enumerable: true, writable: true, configurable: true });
          const warnings: string[] = [];
          const out = brazeProperties(attributes, 'event "x"', (m) => warnings.push(m));
          const kept = entries.filter(([, , ok]) => ok);
          const dropped = entries.filter(([, , ok]) => !ok);
          expect(Object.keys(out).sort()).toEqual(kept.map(([k]) => k).sort());
          for (const [k, v] of kept) expect(out[k]).toEqual(v instanceof Date ? v.toISOString() : v);
          expect(warnings).toHaveLength(dropped.length > 0 ? 1 : 0);
          for (const [k] of dropped) expect(warnings[0]).toContain(`"${k.length > 40 ? k.slice(0, 40) : k}`);
          // What is kept survives JSON as it is (no NaN turning into null, no Date turning into {}).
          expect(JSON.parse(JSON.stringify(out))).toEqual({ ...out });
        },
      ),
    );
  });

  it('treats __proto__ as an ordinary key and does not alias the caller\'s object', () => {
    const attributes = JSON.parse('{"__proto__": "p", "constructor": 1, "a": "x"}') as Record<string, unknown>;
    const out = brazeProperties(attributes, 'ctx', () => {
      throw new Error('no warning expected');
    });
    expect(JSON.parse(JSON.stringify(out))).toEqual(attributes);
    expect(Object.getPrototypeOf(out)).toBeNull();
    attributes.a = 'changed';
    expect(out.a).toBe('x');
  });

  it('names the context and the reason in the single warning', () => {
    const warnings: string[] = [];
    brazeProperties({ $price: 3, items: [1, 2], ok: 'yes', n: Number.NaN }, 'event "checkout"', (m) => warnings.push(m));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^event "checkout": dropped 3 properties Braze does not accept: /);
    expect(warnings[0]).toContain('"$price" (key starts with "$")');
    expect(warnings[0]).toContain('"items" (value is an array');
    expect(warnings[0]).toContain('"n" (value NaN is not a finite number)');
  });

  it('refuses event names Braze refuses: empty, longer than 255, or starting with $', () => {
    expect(brazeEventNameProblem('song_played')).toBeNull();
    expect(brazeEventNameProblem('a'.repeat(255))).toBeNull();
    expect(brazeEventNameProblem('')).toMatch(/1–255/);
    expect(brazeEventNameProblem('a'.repeat(256))).toMatch(/1–255/);
    expect(brazeEventNameProblem('$purchase')).toMatch(/\$/);
  });
});
