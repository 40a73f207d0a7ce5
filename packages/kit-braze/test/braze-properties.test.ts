import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { brazeProperties } from '@sessionhub/kit-braze';
import { brazeDateString, isBrazeName } from '../src/braze-properties';

const validKeyText = (k: string): boolean => !/[\x00-\x1F"]/.test(k);
const validKey = fc.string({ minLength: 1, maxLength: 30, unit: 'binary' }).filter(validKeyText);
const invalidKey = fc.oneof(
  fc.constant(''),
  fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom('"', '\n', '\u0000', '\u001f'), fc.string({ maxLength: 10 })).map(([a, c, b]) => `k${a}${c}${b}`),
  fc.string({ minLength: 256, maxLength: 300 }).filter(validKeyText), // Braze keys: at most 255 characters
);
const validValue = fc.oneof(
  fc.string(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
  fc.date({ noInvalidDate: true }),
  fc.constant({ a: [1, 'b', null, { c: true }] }),
  fc.array(fc.oneof(fc.integer(), fc.string()), { maxLength: 3 }),
);
/** Values there is nothing to send for: left out silently, as Braze's Web SDK does. */
const emptyValue = fc.constantFrom(null, undefined);
const invalidValue = fc.oneof(
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  fc.bigInt(),
  fc.bigInt().map((n) => ({ nested: n })),
  fc.constant(new Date(Number.NaN)),
  fc.constant(() => 1),
  fc.constant(Symbol('s')),
);

describe('Braze property rules', () => {
  it('keeps exactly the valid pairs, sends Dates as the Web SDK does, leaves out null/undefined, and warns once naming every dropped key', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.oneof(
            fc.tuple(validKey, validValue, fc.constant('kept' as const)),
            fc.tuple(validKey, emptyValue, fc.constant('omitted' as const)),
            fc.tuple(invalidKey, validValue, fc.constant('dropped' as const)),
            fc.tuple(validKey, invalidValue, fc.constant('dropped' as const)),
          ),
          { selector: ([k]) => k, maxLength: 12 },
        ),
        (entries) => {
          const attributes: Record<string, unknown> = {};
          for (const [k, v] of entries) Object.defineProperty(attributes, k, { value: v, enumerable: true, writable: true, configurable: true });
          const warnings: string[] = [];
          const out = brazeProperties(attributes, 'event "x"', (m) => warnings.push(m));
          const kept = entries.filter(([, , fate]) => fate === 'kept');
          const dropped = entries.filter(([, , fate]) => fate === 'dropped');
          expect(out).not.toBeNull();
          expect(Object.keys(out!).sort()).toEqual(kept.map(([k]) => k).sort());
          for (const [k, v] of kept) expect(out![k]).toEqual(v instanceof Date ? v.toISOString().slice(0, -5) : v === 0 ? 0 : v);
          expect(warnings).toHaveLength(dropped.length > 0 ? 1 : 0);
          for (const [k] of dropped) expect(warnings[0]).toContain(JSON.stringify(k.length > 40 ? k.slice(0, 40) + '...' : k));
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
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype); // unchanged: __proto__ is an own key
    expect(Object.keys(out!)).toEqual(['__proto__', 'constructor', 'a']);
    attributes.a = 'changed';
    expect(out!.a).toBe('x');
  });

  it('names the context, each dropped key with what was wrong with it, and Braze\'s rules in the single warning', () => {
    const warnings: string[] = [];
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const out = brazeProperties({ $price: 3, items: [1, 2], ok: 'yes', n: Number.NaN, gone: null, 'a"b': 1, 'tab\there': 2, cycle }, 'event "checkout"', (m) => warnings.push(m));
    expect(out).toEqual({ $price: 3, items: [1, 2], ok: 'yes' });
    // Keys as JSON text: the '"' or control character that made Braze refuse one shows escaped.
    expect(warnings).toEqual([
      'event "checkout": sent without "n" (value), "a\\"b" (key), "tab\\there" (key), "cycle" (value): Braze takes keys of ' +
        `1 to 255 characters without control characters or '"', and string, finite number, boolean, valid Date or JSON object/array values`,
    ]);
  });

  it('sends nested objects and arrays as the Web SDK does: their JSON, Dates inside as date strings (invalid ones null, as in JSON), nulls inside kept', () => {
    const at = new Date(Date.UTC(2019, 4, 1, 10, 20, 30, 456));
    const nested = { a: 1, list: [at, null, { deep: at, no: undefined }], o: { n: Number.NaN, invalid: new Date(Number.NaN) } };
    const out = brazeProperties({ nested }, 'ctx', () => {
      throw new Error('no warning expected');
    });
    expect(out).toEqual({ nested: { a: 1, list: ['2019-05-01T10:20:30', null, { deep: '2019-05-01T10:20:30' }], o: { n: null, invalid: null } } });
    // A copy: later changes to the caller's object never reach what is queued.
    nested.a = 2;
    expect((out!.nested as { a: number }).a).toBe(1);
  });

  it('drops a Map, a Set or another object that is not a plain object, array or Date, at any depth, with the warning (its JSON is not what the app holds; the Web SDK refuses it)', () => {
    class Point {
      x = 1;
    }
    const warnings: string[] = [];
    const out = brazeProperties(
      { m: new Map([['a', 1]]), s: { in: [new Set([1])] }, boxed: Object('text'), re: /x/, point: new Point(), kept: { at: [new Date(0)], no: new Date(NaN), constructor: [] } },
      'ctx',
      (m) => warnings.push(m),
    );
    // A class instance is an object as the Web SDK sees it ([object Object]): sent as its JSON.
    expect(out).toEqual({ point: { x: 1 }, kept: { at: ['1970-01-01T00:00:00'], no: null, constructor: [] } });
    expect(warnings).toHaveLength(1);
    for (const key of ['m', 's', 'boxed', 're']) expect(warnings[0]).toContain(`"${key}" (value)`);
  });

  it('sends -0 as 0, as JSON carries it', () => {
    expect(Object.is(brazeProperties({ a: -0 }, 'ctx', () => undefined)!.a, 0)).toBe(true);
  });

  it('sends Dates as the Web SDK does: UTC, whole seconds, no zone suffix', () => {
    const out = brazeProperties({ at: new Date(Date.UTC(2019, 4, 1, 13, 14, 15, 999)) }, 'ctx', () => undefined);
    expect(out).toEqual({ at: '2019-05-01T13:14:15' });
    expect(brazeDateString(new Date(0))).toBe('1970-01-01T00:00:00');
  });

  it('refuses an event whose properties exceed 50 KB as JSON, counting UTF-8 bytes', () => {
    const warnings: string[] = [];
    // 51 200 bytes is the limit: {"k":"…"} is 8 bytes of JSON around the value.
    const fits = brazeProperties({ k: 'x'.repeat(51_200 - 8) }, 'event "big"', (m) => warnings.push(m));
    expect(fits).not.toBeNull();
    expect(brazeProperties({ k: 'x'.repeat(51_200 - 7) }, 'event "big"', (m) => warnings.push(m))).toBeNull();
    // 'é' is 2 bytes in UTF-8, '😀' 4: the limit is in bytes, not characters.
    expect(brazeProperties({ k: 'é'.repeat(25_600) }, 'event "big"', (m) => warnings.push(m))).toBeNull();
    expect(brazeProperties({ k: '😀'.repeat(12_798) }, 'event "big"', (m) => warnings.push(m))).not.toBeNull();
    expect(brazeProperties({ k: '😀'.repeat(12_799) }, 'event "big"', (m) => warnings.push(m))).toBeNull();
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toBe('event "big": not sent: its properties take 51201 bytes as JSON, over Braze\'s 51200 (50 KB)');
  });

  it('refuses event names Braze refuses: empty, longer than 255, starting with $, control characters or "', () => {
    expect(isBrazeName('song_played')).toBe(true);
    expect(isBrazeName('a'.repeat(255))).toBe(true);
    expect(isBrazeName('a$b "ok" is not: quotes'.replace(/"/g, ''))).toBe(true);
    for (const refused of ['', 'a'.repeat(256), '$purchase', 'say "hi"', 'tab\there', 'nul\0', 'line\nbreak', '\x1f']) {
      expect(isBrazeName(refused), JSON.stringify(refused)).toBe(false);
    }
  });
});
