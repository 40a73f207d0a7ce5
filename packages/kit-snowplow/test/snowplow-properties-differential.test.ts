/**
 * Event values, differentially: generated attribute objects (fast-check, the seed every property
 * runs with; see packages/testing/test/attribute-values.ts) and fixed ones are logged through
 * Snowplow's own browser tracker (`@snowplow/browser-tracker`, the pinned devDependency) and through
 * the kit (`hub.logEvent` under `createBrowserHub`), each in pages of real Chromium; both sides'
 * collector requests are captured, validated against the Iglu schemas, and every event compared as
 * sent. Three routes, each its own pair of pages, with the reference call docs/kits/snowplow.md
 * ("Moving from Snowplow's browser tracker") gives for what an app replaces with `hub.logEvent`:
 *
 * - `schema`: a name mapped to a schema (`events: { [name]: schema }`) is a self-describing event
 *   whose data is the properties as they are; the tracker's call is
 *   `trackSelfDescribingEvent({ event: { schema, data: properties } })`. Its self-describing JSON
 *   (`ue_pr`, or `ue_px` decoded) is compared.
 * - `catch-all`: an unmapped name under `catchAllSchema` is a self-describing event of that schema
 *   with data `{ name, attributes }`; the tracker's call is that event, the same properties, compared
 *   the same way, under the same rows.
 * - `structured`: an unmapped name without it is a structured event; the tracker's call is
 *   `trackStructEvent({ category, action: name, label, property, value })` of the attributes
 *   `{ category, label, property, value }` the app logs instead. The five `se_*` fields are compared.
 *
 * Both sides also attach one entity naming the event (the tracker's `context`, the kit's
 * `events[name].entities`), so that events are matched even when one side leaves some out; the
 * names themselves carry odd characters now and then (the catch-all's data and `se_ac` hold them).
 * The kit POSTs only, so both sides POST (the tracker's `eventMethod` default); each side runs two
 * trackers (kits) in its page, one per encoding the kit offers: `encodeBase64` on (`ue_px`,
 * base64url) and off (`ue_pr`, plain JSON). The tracker keeps its queue in memory
 * (`useLocalStorage: false`, so the large events stay out of the page's localStorage): what it
 * sends is the same either way, as it sends from memory what it stored.
 *
 * The tracker is the reference: the kit must send what it sends, but where docs/kits/snowplow.md
 * lists a difference ("Property values against the browser tracker" for the self-describing routes,
 * "Structured events against the browser tracker"). Each row there is a rule below that says which
 * values it is about, what the kit sends instead (the tracker is run on that too: the kit's event
 * must be the tracker's for it), what the tracker does with the values as they were, and whether
 * the app is told. The test fails on a difference no row explains, on a row whose tracker behaviour
 * no longer holds, and on a row no event showed (a row the tracker does send for is shown by an
 * event that only it applies to and that the kit sends otherwise).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type TestBrowser } from '@sessionhub/testing/chromium';
import { attributeLeaf, attributeObject, attributeValue, DECODE_IN_PAGE, encodeAttributes, FRAGMENTS, numbers, sampleSeed } from '../../testing/test/attribute-values';
import { decodeTrackerRequest, tsvSafe } from './iglu-validator';
import { asHttp, bundle } from './pages';

const DOC = readFileSync(new URL('../../../docs/kits/snowplow.md', import.meta.url), 'utf8');
const SEED = sampleSeed();
/** Generated property objects per run (each logged on both self-describing routes). */
const GENERATED = 150;
/** Generated structured events per run. */
const GENERATED_STRUCTURED = 150;
/** The event's schema (its data: any object), also the schema of the entity naming the event. */
const SCHEMA = 'iglu:com.acme/song_played/jsonschema/1-0-0';
/** The catch-all schema (`{ name, attributes }`). */
const CATCH_ALL = 'iglu:com.acme/generic_event/jsonschema/1-0-0';
/** `se_ca` where the kit has no category (its `structuredEventCategory` default). */
const DEFAULT_CATEGORY = 'sessionhub';
/** What is compared of a structured event. */
const SE_FIELDS = ['se_ca', 'se_ac', 'se_la', 'se_pr', 'se_va'] as const;
const TP2 = '/com.snowplowanalytics.snowplow/tp2';
/** The encodings, each a tracker namespace (`tna`) on both sides: base64url on, and off. */
const ENCODINGS = { b64: true, plain: false } as const;
type Encoding = keyof typeof ENCODINGS;
/** The hub's bound on the array elements an event's attributes hold in all (`MAX_ARRAY_ELEMENTS`, packages/core). */
const HUB_ARRAY_ELEMENTS = 10_000;

type Attributes = Record<string, unknown>;

/**
 * One event's properties: here (what the rules look at), and how the page gets them: the codec's
 * text, or, for what the codec cannot carry (cycles, shared objects, classes, getters), a JavaScript
 * expression evaluated in this process and in the page alike.
 */
interface Input {
  readonly value: Attributes;
  readonly text?: string;
  readonly source?: string;
}

/** What the tracker does with the properties a rule is about, as they were. */
type TrackerDoes = 'drops the event' | 'sends it';

/** A documented difference: which values, what the kit sends instead, what the tracker does with them, who warns. */
interface Rule {
  readonly code: string;
  readonly applies: (attributes: Attributes) => boolean;
  /** The attributes as the kit sends them (undefined: no event); the tracker's event for them is the kit's. */
  readonly kitSends: (attributes: Attributes) => Attributes | undefined;
  readonly tracker: TrackerDoes;
  /** Each kit warns once, naming the event (where the kit sends no event, the hub refused the call, with its own warning). */
  readonly warns: boolean;
}

const tag = (v: unknown): string => Object.prototype.toString.call(v);
const define = (o: Attributes, k: string, value: unknown): void => void Object.defineProperty(o, k, { value, enumerable: true, writable: true, configurable: true });
/** An object of these own keys, in order (a `__proto__` key too). */
function own(entries: readonly (readonly [string, unknown])[]): Attributes {
  const o: Attributes = {};
  for (const [k, v] of entries) define(o, k, v);
  return o;
}
/** What JSON walks into: the own enumerable values of an object or array (none when reading one throws). */
function members(v: unknown): unknown[] {
  if (v === null || typeof v != 'object') return [];
  try {
    return Object.keys(v).map((k) => (v as Attributes)[k]);
  } catch {
    return [];
  }
}
/** Whether `test` holds of `v` or of anything JSON walks into from it (each object once). */
function anywhere(v: unknown, test: (x: unknown) => boolean, seen = new Set<unknown>()): boolean {
  if (test(v)) return true;
  if (v === null || typeof v != 'object' || seen.has(v)) return false;
  seen.add(v);
  return members(v).some((x) => anywhere(x, test, seen));
}
/** Whether an object holds itself (JSON.stringify's "circular structure"). */
function circular(v: unknown, above: unknown[] = []): boolean {
  if (v === null || typeof v != 'object') return false;
  if (above.includes(v)) return true;
  return members(v).some((x) => circular(x, [...above, v]));
}
/** The array elements in `v` in all, holes included, each array once (as the hub counts them). */
function arrayElements(v: unknown, seen = new Set<unknown>()): number {
  if (v === null || typeof v != 'object' || seen.has(v)) return 0;
  seen.add(v);
  return (Array.isArray(v) ? v.length : 0) + members(v).reduce<number>((n, x) => n + arrayElements(x, seen), 0);
}
const toJsonThrows = (x: unknown): boolean => {
  const toJSON = typeof x == 'object' && x !== null ? (x as { toJSON?: unknown }).toJSON : undefined;
  if (typeof toJSON != 'function') return false;
  try {
    toJSON.call(x, '');
    return false;
  } catch {
    return true;
  }
};

/** `v` rebuilt (plain objects and arrays, the rest as is) with `leaf` applied to every value; an object inside itself is `"[Circular]"`. */
function rebuild(v: unknown, leaf: (x: unknown) => unknown, above: unknown[] = []): unknown {
  v = leaf(v);
  if (v === null || typeof v != 'object') return v;
  if (above.includes(v)) return '[Circular]';
  if (Array.isArray(v)) return v.map((x) => rebuild(x, leaf, [...above, v]));
  if (tag(v) != '[object Object]') return v;
  const out: Attributes = {};
  for (const k of Object.keys(v)) define(out, k, rebuild((v as Attributes)[k], leaf, [...above, v]));
  return out;
}
const same = (x: unknown): unknown => x;

/** What JSON makes of properties, BigInts as text and an object inside itself as "[Circular]" (undefined if JSON throws: a toJSON). */
function plainOf(a: Attributes): unknown {
  try {
    return JSON.parse(JSON.stringify(rebuild(a, (x) => (typeof x == 'bigint' ? String(x) : x))));
  } catch {
    return undefined;
  }
}
/** JSON data `v` at depth `d` with each object or array that has members at `depth` or deeper as its JSON text. */
function flattened(v: unknown, depth: number, d = 0): unknown {
  if (v === null || typeof v != 'object') return v;
  const text = JSON.stringify(v);
  if (d >= depth && text.length > 2) return text;
  if (Array.isArray(v)) return v.map((x) => flattened(x, depth, d + 1));
  const out: Attributes = {};
  for (const k of Object.keys(v)) define(out, k, flattened((v as Attributes)[k], depth, d + 1));
  return out;
}

/**
 * The rules of the self-describing routes, applied in this order to an event's properties (each
 * that applies). `depth`: where the properties' objects and arrays may have no members (enrich's
 * maxJsonDepth 40 in `ue_px`: the properties are at level 2 of it, 3 in the catch-all's data).
 */
const propertyRules = (depth: number): readonly Rule[] => [
  { code: 'array-elements-over-10000', applies: (a) => arrayElements(a) > HUB_ARRAY_ELEMENTS, kitSends: () => undefined, tracker: 'sends it', warns: false },
  { code: 'tojson-throws', applies: (a) => anywhere(a, (x) => tag(x) == '[object Object]' && toJsonThrows(x)), kitSends: () => undefined, tracker: 'drops the event', warns: false },
  { code: 'circular', applies: (a) => circular(a), kitSends: (a) => rebuild(a, same) as Attributes, tracker: 'drops the event', warns: true },
  {
    code: 'bigint',
    applies: (a) => anywhere(a, (x) => typeof x == 'bigint'),
    kitSends: (a) => rebuild(a, (x) => (typeof x == 'bigint' ? String(x) : x)) as Attributes,
    tracker: 'drops the event',
    warns: true,
  },
  {
    code: 'deeper-than-enrich',
    applies: (a) => {
      const plain = plainOf(a);
      return plain !== undefined && JSON.stringify(flattened(plain, depth)) !== JSON.stringify(plain);
    },
    kitSends: (a) => flattened(JSON.parse(JSON.stringify(a)), depth) as Attributes,
    tracker: 'sends it',
    warns: true,
  },
];

const FIELDS = ['category', 'label', 'property', 'value'] as const;
const LABELS = ['label', 'property'] as const;
/** What the tracker leaves out, as the kit does: nothing to send. */
const nothing = (v: unknown): boolean => v == null || v === '';
const isObject = (v: unknown): v is object => typeof v == 'object' && v !== null;
/** Numbers, bigints and strings: what the kit takes a value's text of. */
const textual = (v: unknown): boolean => typeof v == 'number' || typeof v == 'bigint' || typeof v == 'string';
/** Java's `BigDecimal(String)`, which enrich parses `se_va` with, in ASCII: sign, digits with a point, exponent. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,8})?$/;
/** What enrich takes of `se_ca`, `se_la` and `se_pr` (reference.conf atomicFieldsLimits), by attribute. */
const ENRICH_LIMITS = { category: 1000, label: 4096, property: 1000 } as const;
/** The text the kit makes of a category, label or property (undefined: none). */
const textFor = (k: keyof typeof ENRICH_LIMITS, v: unknown): string | undefined => (k == 'category' ? (typeof v == 'string' && v ? v : undefined) : textOf(v));
/** `text` as enrich stores it, cut at `max` (not after a pair's first half); `text` when it fits. */
const enrichCut = (text: string, max: number): string => {
  const safe = tsvSafe(text);
  return safe.length <= max ? text : safe.slice(0, /[\ud800-\udbff]/.test(safe[max - 1]!) ? max - 1 : max);
};
const overLimit = (a: Attributes, k: keyof typeof ENRICH_LIMITS): boolean => {
  const text = textFor(k, a[k]);
  return text !== undefined && tsvSafe(text).length > ENRICH_LIMITS[k];
};
/**
 * A label's or property's text as docs/kits/snowplow.md ("Structured events") gives it: primitives as
 * text; objects as JSON, one whose JSON is a string (a Date) as that string; undefined for none.
 */
function textOf(v: unknown): string | undefined {
  if (nothing(v) || typeof v == 'function' || typeof v == 'symbol') return undefined;
  if (!isObject(v)) return String(v);
  let json: string | undefined;
  try {
    json = JSON.stringify(v);
  } catch {
    return undefined;
  }
  if (json === undefined || json == 'null') return undefined;
  const parsed: unknown = JSON.parse(json);
  return typeof parsed == 'string' ? parsed || undefined : json;
}
/** `a` with each of `keys` whose value passes `test` replaced by `to` of it. */
function replace(a: Attributes, keys: readonly string[], test: (v: unknown) => boolean, to: (v: unknown) => unknown): Attributes {
  const out = { ...a };
  for (const k of keys) if (test(a[k])) out[k] = to(a[k]);
  return out;
}
/** An object the hub's copy of the attributes replaces by what its `toJSON` returns (a class's: a Decimal, a Money). */
const hasToJSON = (v: unknown): boolean => tag(v) == '[object Object]' && typeof (v as { toJSON?: unknown }).toJSON == 'function';
/** The four fields as the hub copies them, as the kit gets them. */
const copied = (a: Attributes): Attributes => replace(a, FIELDS, hasToJSON, (v) => (v as { toJSON(): unknown }).toJSON());
/** A rule about the fields as the kit gets them. */
const onCopy = (rule: Rule): Rule => ({ ...rule, applies: (a) => rule.applies(copied(a)), kitSends: (a) => rule.kitSends(copied(a)) });
/**
 * Whether the tracker's `value.toString()` fails on `v`: none (`Object.create(null)`), or one that
 * throws (an array holding a symbol or such an object: `join` converts each element).
 */
function toStringFails(v: unknown): boolean {
  try {
    return typeof (v as { toString?: unknown }).toString != 'function' || (String((v as { toString(): unknown }).toString()), false);
  } catch {
    return true;
  }
}
const labelObject = (v: unknown): boolean => isObject(v) && textOf(v) !== undefined;
const labelWithoutText = (v: unknown): boolean => !nothing(v) && textOf(v) === undefined;
const noCategory = (v: unknown): boolean => nothing(v) || typeof v != 'string';

/** The rules of the structured route, applied in this order to the attributes `{ category, label, property, value }`. */
const STRUCTURED_RULES: readonly Rule[] = [
  { code: 'tojson', applies: (a) => FIELDS.some((k) => hasToJSON(a[k])), kitSends: copied, tracker: 'sends it', warns: false },
  // These about the fields as the kit gets them (after the hub's copy).
  ...([
    { code: 'category-absent', applies: (a) => nothing(a.category), kitSends: (a) => ({ ...a, category: DEFAULT_CATEGORY }), tracker: 'sends it', warns: false },
    {
      code: 'category-not-string',
      applies: (a) => !nothing(a.category) && typeof a.category != 'string',
      kitSends: (a) => replace(a, ['category'], noCategory, () => DEFAULT_CATEGORY),
      tracker: 'sends it',
      warns: true,
    },
    { code: 'label-object', applies: (a) => LABELS.some((k) => labelObject(a[k])), kitSends: (a) => replace(a, LABELS, labelObject, textOf), tracker: 'sends it', warns: false },
    {
      code: 'label-no-text',
      applies: (a) => LABELS.some((k) => labelWithoutText(a[k])),
      kitSends: (a) => replace(a, LABELS, labelWithoutText, () => undefined),
      tracker: 'sends it',
      warns: true,
    },
    {
      code: 'value-not-decimal',
      applies: (a) => textual(a.value) && !nothing(a.value) && !DECIMAL.test(String(a.value)),
      kitSends: (a) => ({ ...a, value: undefined }),
      tracker: 'sends it',
      warns: true,
    },
    { code: 'value-not-number', applies: (a) => !nothing(a.value) && !textual(a.value), kitSends: (a) => ({ ...a, value: undefined }), tracker: 'sends it', warns: true },
    {
      code: 'text-over-enrich-limit',
      applies: (a) => (['category', 'label', 'property'] as const).some((k) => overLimit(a, k)),
      // (After the rows above: a category is a string, a label or property its text.)
      kitSends: (a) => {
        const out = { ...a };
        for (const k of ['category', 'label', 'property'] as const) if (overLimit(a, k)) out[k] = enrichCut(textFor(k, a[k])!, ENRICH_LIMITS[k]);
        return out;
      },
      tracker: 'sends it',
      warns: true,
    },
  ] satisfies Rule[]).map(onCopy),
  // What the other rules make of such a value is what the kit sends; the tracker sends nothing.
  {
    code: 'no-tostring',
    applies: (a) => FIELDS.some((k) => isObject(a[k]) && toStringFails(a[k])),
    kitSends: (a) => a,
    tracker: 'drops the event',
    warns: false,
  },
];

/** The attributes as `rules` say the kit sends them (undefined: no event), and the rules that applied. */
function asTheKitSends(rules: readonly Rule[], attributes: Attributes): { reduced: Attributes | undefined; applied: Rule[] } {
  const applied = rules.filter((r) => r.applies(attributes));
  let reduced: Attributes | undefined = attributes;
  for (const rule of applied) if (reduced !== undefined) reduced = rule.kitSends(reduced);
  return { reduced, applied };
}

/** An input the codec carries. */
const carried = (value: Attributes): Input => ({ value, text: encodeAttributes(value) });
/** An input made by a JavaScript expression (in this process and in the page). */
const made = (source: string): Input => ({ value: new Function(`return (${source});`)() as Attributes, source });

/** Properties chosen to show every row and every kind of value whatever the seed draws. */
function fixedProperties(): Input[] {
  const deep = (n: number, end: unknown): unknown => {
    let v = end;
    for (let i = 0; i < n; i++) v = i % 2 ? [v] : { ['l' + i]: v };
    return v;
  };
  return [
    // Strings: empty, long, emoji, right-to-left, invisible, line separators, controls, quotes, lone surrogates.
    carried({ empty: '', long: 'x'.repeat(10_000), emoji: '😀👩‍👩‍👧', rtl: 'שלום مرحبا', invisible: '\u200b\u200f\u202e\ufeff\u00a0', lines: '\u2028\u2029\r\n', controls: '\u0000\u001f\u007f', quotes: '"\'\\/`' }),
    carried({ high: '\ud83d', low: '\ude00', cut: '😀'.slice(0, 1) + 'x', reversed: '\ude00\ud83d', inList: ['\udbff', 'a\udfffb'] }),
    // Around the tracker's 40,000-byte POST limit (an event over it goes alone, on both sides), and far over it.
    carried({ big: 'x'.repeat(39_800) }),
    carried({ big: 'é'.repeat(30_000) }),
    carried({ big: '😀'.repeat(30_000), cut: '😀'.repeat(3).slice(0, 5) }),
    // Numbers.
    carried({ zero: 0, minusZero: -0, nan: NaN, inf: Infinity, minusInf: -Infinity, max: Number.MAX_VALUE, min: Number.MIN_VALUE, e21: 1e21, tiny: 1e-7, unsafe: 2 ** 53 + 2, sum: 0.1 + 0.2, list: [-0, NaN, Infinity, -Infinity] }),
    carried({ t: true, f: false, n: null, u: undefined, list: [null, undefined, true, false], nested: { u: undefined, n: null } }),
    // Dates: the epoch, before it, past year 9999, the extremes, invalid ones at any depth.
    carried({ epoch: new Date(0), before: new Date(-1), y10k: new Date(253_402_300_800_000), max: new Date(8.64e15), min: new Date(-8.64e15), invalid: new Date(NaN), list: [new Date(NaN), new Date(1500)], nested: { d: new Date(NaN) } }),
    // Nesting: empty ones, mixed, 60 and 1000 levels.
    carried({ emptyObject: {}, emptyList: [], mixed: { a: { b: { c: [1, [2, [3, {}]]] } } }, deep: deep(60, 'end'), deeper: deep(1000, 1) }),
    // Functions, symbols, bigints, Maps and Sets, at the top and inside.
    carried({ f: () => 1, s: Symbol('s'), list: [() => 1, Symbol('s'), 2], nested: { f: () => 1, s: Symbol('t'), kept: 1 }, kept: true }),
    carried({ n: 12n, kept: 1 }),
    carried({ nested: { n: -(2n ** 70n) }, list: [1n, 2], kept: 'yes' }),
    carried({ map: new Map([['a', 1]]), set: new Set([1]), nested: { map: new Map(), set: new Set() }, list: [new Map([['b', 2n]])] }),
    // Keys: long, empty, spaces, dots, dollars, quotes, controls, emoji, a lone surrogate, __proto__, constructor, integer-like (JavaScript puts those first).
    carried(own([['k'.repeat(1000), 1], ['', 'empty key'], [' ', 'space'], ['a.b', 1], ['$x', 1], ['say "hi"', 1], ['\u0000\n', 1], ['😀', 1], ['\ud83d', 'lone'], ['__proto__', { polluted: true }], ['constructor', 1], ['01', 'zero one'], ['1', 'one'], ['-1', 'minus'], ['4294967295', 'max']])),
    carried(own(Array.from({ length: 1000 }, (_, i) => [`key${i}`, i] as const))),
    // The hub's bound on array elements: at it, and over it.
    carried({ list: new Array<number>(HUB_ARRAY_ELEMENTS).fill(0), kept: 1 }),
    carried({ list: new Array<number>(HUB_ARRAY_ELEMENTS + 1).fill(0), kept: 1 }),
    // What the codec cannot carry.
    made(`(() => { const a = { kept: 1, list: [] }; a.self = a; a.list.push(a, 2); return a; })()`),
    made(`(() => { const outer = { inner: { x: 1 } }; outer.inner.back = outer; return { outer, kept: 1 }; })()`),
    made(`(() => { const shared = { a: 1 }; return { x: shared, y: shared, list: [shared, shared] }; })()`),
    made(`(() => { const shared = { a: 1 }; return { n: 1n, x: shared, y: shared, list: [shared, shared] }; })()`),
    made(`(() => { const a = { n: 2n }; a.self = a; return { a, kept: 1 }; })()`),
    made(`({ kept: 1, bad: { toJSON() { throw new Error('no'); } } })`),
    made(`({ kept: 1, own: { toJSON() { return 'own'; } } })`),
    made(`(() => { class Money { constructor(amount, currency) { this.amount = amount; this.currency = currency; } toJSON() { return this.amount.toFixed(2) + ' ' + this.currency; } } return { price: new Money(5, 'EUR'), kept: 1 }; })()`),
    made(`(() => { class Tagged { constructor() { this.x = 1; } get [Symbol.toStringTag]() { return 'Tagged'; } toJSON() { return 'tagged'; } } return { t: new Tagged(), kept: 1 }; })()`),
    made(`(() => { class Point { constructor() { this.x = 1; Object.defineProperty(this, 'hidden', { value: 2 }); } get y() { return 2; } } return { p: new Point(), kept: 1 }; })()`),
    made(`({ str: new String('s'), num: new Number(-0), bool: new Boolean(false), re: /x/g, err: new Error('e'), typed: new Uint8Array([1, 2]), buffer: new ArrayBuffer(2), url: new URL('https://example.com/?q=1'), bare: Object.assign(Object.create(null), { a: 1 }), promise: Promise.resolve(1), weak: new WeakMap() })`),
    // A getter that throws: the hub refuses the call (its copy reads it), the tracker drops the event.
    made(`({ kept: 1, get bad() { throw new Error('no'); } })`),
  ];
}

/** Values for the structured fields: each of the kinds docs/kits/snowplow.md tells apart, and what trips text up. */
const EDGES: readonly unknown[] = [
  '', ' ', 'plain', 'x'.repeat(5000), '😀'.repeat(2000), '\ud83d', 'é\u2028"\\\u0000', '0',
  0, -0, NaN, Infinity, -Infinity, 1e21, 1e-7, 2 ** 53 + 2, Number.MAX_VALUE, Number.MIN_VALUE, 0.1 + 0.2,
  '2.5', '-1e3', '0x10', ' 1', '1 ', '+1', '.5', '5.', '1e+21', '1E3', '-0', '00012', '1.2.3', '1e', 'e1', '.', '-', 'Infinity', 'NaN', '1,5', '\u00a01',
  true, false, null, undefined,
  new Date(0), new Date(-1), new Date(8.64e15), new Date(NaN),
  {}, [], [5], ['2.5'], [1, 'two', null], { a: 1, nested: { deep: [1, { x: 'y' }] } }, { n: 1n },
  12n, -(2n ** 70n), new Map([['a', 1]]), new Set([1]), () => 1, Symbol('s'),
];

/** An app's classes: one whose `toJSON` and `toString` differ, a Decimal (the same), one without `toJSON`. */
const CLASSES = `class Money { constructor(amount) { this.amount = amount; } toJSON() { return this.amount.toFixed(2) + ' EUR'; } toString() { return 'money'; } }
  class Decimal { constructor(text) { this.text = text; } toJSON() { return this.text; } toString() { return this.text; } }
  class Tag { constructor() { this.t = 1; } toString() { return 'tag'; } }`;

/** Structured events chosen to show every row and every kind of value in each field, whatever the seed draws. */
function fixedStructured(): Input[] {
  const text = (v: unknown): boolean => typeof v == 'string' && v.length < 100;
  return [
    carried({}),
    carried({ category: 'shop', label: 'x', property: 7, value: '2.5' }),
    // Each field on its own (with a category, but for the category's own).
    ...EDGES.filter((v) => !text(v) || v === '' || v === 'plain').map((category) => carried({ category })),
    ...EDGES.map((label) => carried({ category: 'c', label })),
    ...EDGES.filter((v) => !textual(v) || v === '' || v === 'plain').map((property) => carried({ category: 'c', property })),
    ...EDGES.filter((v) => !(typeof v == 'string' && v.length > 100)).map((value) => carried({ category: 'c', value })),
    // What the codec cannot carry: an object inside itself, one without toString (the tracker calls it), an app's class, boxed primitives, a URL.
    made(`(() => { const a = { x: 1 }; a.self = a; return { category: 'c', label: a }; })()`),
    ...FIELDS.map((k) => made(`({ ${k == 'category' ? '' : "category: 'c', "}${k}: Object.assign(Object.create(null), { a: 1 }) })`)),
    ...[`{ category: new Money(1) }`, `{ category: 'c', label: new Money(5) }`, `{ category: 'c', value: new Money(2) }`, `{ category: 'c', value: new Decimal('2.50'), property: new Decimal('-1e3') }`, `{ category: 'c', property: new Tag() }`].map(
      (attributes) => made(`(() => { ${CLASSES} return ${attributes}; })()`),
    ),
    made(`({ category: 'c', label: new String('s'), property: new Number(5) })`),
    made(`({ category: 'c', value: new Number(5) })`),
    made(`({ category: 'c', label: new URL('https://example.com/?q=1') })`),
  ];
}

/** Generated structured events: each field absent, a value of any kind, or, for `value`, numbers and text around decimal notation. */
function structured(): fc.Arbitrary<Attributes> {
  const limits = { keyLengths: [255, 256, 1000], valueLengths: [255, 256, 4096], exotic: true };
  const any = fc.oneof({ weight: 6, arbitrary: attributeLeaf(limits) }, { weight: 1, arbitrary: attributeValue(limits) });
  // (Exponents of at most two digits: a double holds them, as the validator wants of se_va.)
  const decimal = fc.oneof(numbers.map(String), fc.stringMatching(/^[+-]?(\d{1,4}(\.\d{0,3})?|\.\d{1,3})([eE][+-]?\d{1,2})?$/));
  const nearly = fc.tuple(decimal, fc.constantFrom(' ', '0x', '+', '-', '.', 'e', ',', '_', '\u00a0', 'x'), fc.boolean()).map(([t, p, before]) => (before ? p + t : t + p));
  return fc.record(
    {
      category: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('shop', 'media', 'ui') }, { weight: 2, arbitrary: any }),
      label: any,
      property: any,
      value: fc.oneof({ weight: 2, arbitrary: numbers }, { weight: 2, arbitrary: decimal }, { weight: 1, arbitrary: nearly }, { weight: 2, arbitrary: any }),
    },
    { requiredKeys: [] },
  );
}

/** A comparison: what is logged, the reference call for it, how the kit is set up, what of each event is compared. */
interface Route {
  /** Also the pages' host names, and what the pages are told. */
  readonly id: 'schema' | 'catch-all' | 'structured';
  readonly rules: readonly Rule[];
  /** The doc's table of its differences: its `<!-- <table>:start -->` marker. */
  readonly table: string;
  /** `e` of its events. */
  readonly e: 'ue' | 'se';
  readonly inputs: () => Input[];
}

const generatedProperties = (): Input[] =>
  fc.sample(attributeObject({ keyLengths: [255, 256, 1000], valueLengths: [255, 256, 4096], exotic: true }), { numRuns: GENERATED, seed: SEED }).map(carried);
let properties: Input[] | undefined;
/** The properties both self-describing routes log, made once. */
const sharedProperties = (): Input[] => (properties ??= [...fixedProperties(), ...generatedProperties()]);

const ROUTES: readonly Route[] = [
  { id: 'schema', rules: propertyRules(37), table: 'snowplow-properties', e: 'ue', inputs: sharedProperties },
  { id: 'catch-all', rules: propertyRules(36), table: 'snowplow-properties', e: 'ue', inputs: sharedProperties },
  {
    id: 'structured',
    rules: STRUCTURED_RULES,
    table: 'snowplow-structured',
    e: 'se',
    inputs: () => [...fixedStructured(), ...fc.sample(structured(), { numRuns: GENERATED_STRUCTURED, seed: SEED }).map(carried)],
  },
];

/** The name event `i` is logged with: its id, now and then with odd characters after it (the catch-all's data and `se_ac` hold the name). */
const nameOf = (i: number): string => 'f' + i + (i % 4 == 3 ? ' ' + FRAGMENTS[(i >> 2) % FRAGMENTS.length] : '');

/** One event as a collector got it. */
interface Sent {
  /** What is compared: `ue_px` or `ue_pr` as sent, or the `se_*` fields as JSON. */
  readonly raw: string;
  /** The same as text to read: the self-describing JSON (`ue_px` decoded), or the `se_*` fields. */
  readonly json: string;
  /** What the Iglu validator found wrong with the event, if anything. */
  readonly invalid?: string;
}

/** Events by encoding, then by id (the entity naming each). */
type Events = Record<Encoding, Map<string, Sent>>;

/** The events of the requests a collector got, each item validated on its own (`strict`: any invalid one fails the run); all of type `e`. */
function collected(requests: readonly Request[], strict: boolean, e: Route['e']): Events {
  const out: Events = { b64: new Map(), plain: new Map() };
  for (const request of requests) {
    const http = asHttp(request);
    const body = JSON.parse(http.body!) as { schema: string; data: Record<string, string>[] };
    for (const item of body.data) {
      const one = { ...http, body: JSON.stringify({ schema: body.schema, data: [item] }) };
      let invalid: string | undefined;
      let id: unknown;
      try {
        const [event] = decodeTrackerRequest(one);
        id = (event!.entities.find((x) => x.schema == SCHEMA)?.data as { n?: unknown } | undefined)?.n;
      } catch (error) {
        if (strict) throw error;
        invalid = String(error).slice(0, 300);
      }
      const encoding = item.tna as Encoding;
      if (!(encoding in ENCODINGS) || item.e != e) throw new Error(`unexpected event ${JSON.stringify(item).slice(0, 200)}`);
      if (typeof id != 'string') {
        const cx = ENCODINGS[encoding] ? Buffer.from(item.cx ?? '', 'base64url').toString('utf8') : (item.co ?? '');
        id = /"n":"([^"]+)"/.exec(cx)?.[1];
      }
      if (typeof id != 'string') throw new Error(`an event without its id: ${JSON.stringify(item).slice(0, 200)}`);
      if (out[encoding].has(id)) throw new Error(`${encoding}: event ${id} sent twice`);
      let sent: Sent;
      if (e == 'se') {
        const fields = JSON.stringify(Object.fromEntries(SE_FIELDS.map((k) => [k, item[k]])));
        sent = { raw: fields, json: fields };
      } else {
        const raw = ENCODINGS[encoding] ? item.ue_px! : item.ue_pr!;
        sent = { raw, json: ENCODINGS[encoding] ? Buffer.from(raw, 'base64url').toString('utf8') : raw };
      }
      out[encoding].set(id, { ...sent, ...(invalid ? { invalid } : {}) });
    }
  }
  return out;
}

/** A side: its page, and the collector's requests. */
interface Side {
  readonly page: Page;
  readonly requests: Request[];
  /** The page's warnings and errors. */
  readonly console: string[];
}

declare global {
  interface Window {
    buildInput(input: { text?: string; source?: string }): Record<string, unknown>;
    decodeAttributes(text: string): Record<string, unknown>;
    pendingRequests: number;
  }
}

/** Counts the page's fetches without an answer yet (both sides send with fetch). */
function countRequests(): void {
  window.pendingRequests = 0;
  const fetch = window.fetch;
  window.fetch = function (...args: Parameters<typeof fetch>) {
    window.pendingRequests++;
    return fetch.apply(this, args).finally(() => window.pendingRequests--);
  };
}

const BUILD_INPUT = `window.buildInput = (input) => input.source !== undefined ? new Function('return (' + input.source + ');')() : window.decodeAttributes(input.text);`;

/** Opens a page of `origin` running `script`, its collector answering 200 to every POST. */
async function open(browser: TestBrowser, origin: string, script: string): Promise<Side> {
  const page = await browser.context.newPage();
  const side: Side = { page, requests: [], console: [] };
  page.on('console', (m) => {
    if (m.type() == 'warning' || m.type() == 'error') side.console.push(m.text());
  });
  page.on('pageerror', (e) => side.console.push(`pageerror: ${e.message}`));
  await page.addInitScript(countRequests);
  await page.addInitScript(DECODE_IN_PAGE + '\n' + BUILD_INPUT);
  await page.route(`${origin}/**`, (route) => {
    const request = route.request();
    const path = new URL(request.url()).pathname;
    if (path == TP2) return side.requests.push(request), route.fulfill({ status: 200, body: '' });
    if (path == '/app.js') return route.fulfill({ status: 200, contentType: 'text/javascript', body: script });
    return route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><meta charset="utf-8"><script src="/app.js"></script>' });
  });
  await page.goto(origin + '/');
  return side;
}

/** Waits (real time) until the page has had no request under way, and the collector nothing new, for 150 ms. */
async function quiet(side: Side, flush: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (let calm = 0, before = -1; calm < 3; ) {
    if (Date.now() > deadline) throw new Error('the page kept sending for 30 s');
    await flush();
    const pending = await side.page.evaluate(() => window.pendingRequests);
    calm = pending == 0 && side.requests.length == before ? calm + 1 : 0;
    before = side.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const TRACKER_PAGE = `
import { newTracker, trackSelfDescribingEvent, trackStructEvent, flushBuffer } from '@snowplow/browser-tracker';
// (Its ids in localStorage: its cookies are Secure by default, which a page served over http cannot keep.)
for (const [namespace, encodeBase64] of ${JSON.stringify(Object.entries(ENCODINGS))}) {
  newTracker(namespace, location.origin, { appId: 'app', encodeBase64, stateStorageStrategy: 'localStorage', useLocalStorage: false });
}
/** Tracks each input with each tracker by the route's reference call; returns what the tracker logged during each call, or what it threw. */
(window as any).track = (route: string, inputs: { id: string; name: string; text?: string; source?: string }[]) =>
  inputs.map(({ id, name, ...input }) => {
    const log: string[] = [];
    const { error, warn } = console;
    console.error = console.warn = (...args: unknown[]) => void log.push(args.map(String).join(' '));
    try {
      for (const namespace of ${JSON.stringify(Object.keys(ENCODINGS))}) {
        const data = window.buildInput(input);
        const context = [{ schema: '${SCHEMA}', data: { n: id } }];
        if (route == 'structured') {
          const { category, label, property, value } = data as any;
          trackStructEvent({ category, action: name, label, property, value, context }, [namespace]);
        } else {
          const event = route == 'schema' ? { schema: '${SCHEMA}', data } : { schema: '${CATCH_ALL}', data: { name, attributes: data } };
          trackSelfDescribingEvent({ event, context }, [namespace]);
        }
      }
      return log.join(' | ');
    } catch (e) {
      return 'threw ' + e;
    } finally {
      console.error = error;
      console.warn = warn;
    }
  });
(window as any).flush = () => flushBuffer();
`;

const KIT_PAGE = `
import { createBrowserHub } from '@sessionhub/core/browser';
import { snowplowKit } from '../src/index';
let hub: ReturnType<typeof createBrowserHub>;
/** A hub whose kits send the route's way: every name mapped to the schema, or to the catch-all schema, or to a structured event; each with the entity naming it. */
(window as any).start = (route: string, names: [string, string][]) => {
  const events: Record<string, unknown> = {};
  for (const [name, id] of names) events[name] = { ...(route == 'schema' ? { schema: '${SCHEMA}' } : {}), entities: [{ schema: '${SCHEMA}', data: { n: id } }] };
  const kit = (namespace: string, encodeBase64: boolean) =>
    snowplowKit({
      name: 'sp-' + namespace, collectorUrl: location.origin, appId: 'app', namespace, encodeBase64, events: events as never, sessionEvents: false,
      ...(route == 'catch-all' ? { catchAllSchema: '${CATCH_ALL}' } : {}),
    });
  hub = createBrowserHub({ sessionTimeout: 3600, kits: Object.entries(${JSON.stringify(ENCODINGS)}).map(([namespace, b64]) => kit(namespace, b64)) });
  return hub.start();
};
/** hub.logEvent of each input; returns what each call returned. */
(window as any).log = (inputs: { id: string; name: string; text?: string; source?: string }[]) =>
  inputs.map(({ id, name, ...input }) => {
    try {
      return hub.logEvent(name, window.buildInput(input));
    } catch (e) {
      return 'threw ' + e;
    }
  });
(window as any).flush = () => hub.flush();
`;

/** A route's run: its inputs, and what each side did with them. */
interface Run {
  readonly inputs: Input[];
  /** The tracker: what it logged (or threw) for each input as it is and as the kit sends it (`f<i>`, `r<i>`), its events, and the page's errors. */
  readonly tracker: { full: string[]; reduced: Map<number, string>; events: Events; errors: string[] };
  /** The kit: what each `logEvent` returned, its events, and the page's warnings. */
  readonly kit: { returned: unknown[]; events: Events; warnings: string[] };
}

let browser: TestBrowser | undefined;
const runs = new Map<Route['id'], Run>();

/** An input as a page gets it: its id (`<prefix><i>`, in the entity naming the event), its name, its value. */
const wire = (i: number, prefix: string, input: Input) => ({ id: prefix + i, name: nameOf(i), ...(input.source === undefined ? { text: input.text } : { source: input.source }) });

async function run(chromium: TestBrowser, route: Route, trackerScript: string, kitScript: string): Promise<Run> {
  const inputs = route.inputs();
  const runTracker = async () => {
    const side = await open(chromium, `http://tracker-${route.id}.test`, trackerScript);
    const track = (list: ReturnType<typeof wire>[]) => side.page.evaluate(([id, l]) => (window as any).track(id, l) as string[], [route.id, list] as const);
    const full = await track(inputs.map((input, i) => wire(i, 'f', input)));
    // As the kit sends them, where a rule says the kit sends something else.
    const reducedInputs = new Map<number, Attributes>();
    inputs.forEach((input, i) => {
      const { reduced, applied } = asTheKitSends(route.rules, input.value);
      if (applied.length && reduced !== undefined) reducedInputs.set(i, reduced);
    });
    const logs = await track([...reducedInputs].map(([i, value]) => wire(i, 'r', carried(value))));
    await quiet(side, () => side.page.evaluate(() => (window as any).flush()));
    return {
      full,
      reduced: new Map([...reducedInputs.keys()].map((i, k) => [i, logs[k]!])),
      events: collected(side.requests, false, route.e),
      errors: side.console.filter((line) => line.startsWith('pageerror')),
    };
  };
  const runKit = async () => {
    const side = await open(chromium, `http://kit-${route.id}.test`, kitScript);
    await side.page.evaluate(([id, names]) => (window as any).start(id, names), [route.id, inputs.map((_, i) => [nameOf(i), 'f' + i])] as const);
    const returned = await side.page.evaluate((list) => (window as any).log(list) as unknown[], inputs.map((input, i) => wire(i, 'f', input)));
    await quiet(side, () => side.page.evaluate(() => (window as any).flush()));
    return { returned, events: collected(side.requests, true, route.e), warnings: side.console };
  };
  const [tracker, kit] = await Promise.all([runTracker(), runKit()]);
  return { inputs, tracker, kit };
}

beforeAll(async () => {
  const [trackerScript, kitScript] = await Promise.all([bundle(TRACKER_PAGE), bundle(KIT_PAGE, { development: true })]);
  const chromium = (browser = await launchChromium());
  const done = await Promise.all(ROUTES.map((route) => run(chromium, route, trackerScript, kitScript)));
  ROUTES.forEach((route, i) => runs.set(route.id, done[i]!));
}, 90_000);

afterAll(async () => {
  await browser?.close();
});

/** The codes of a table of the doc, in order. */
function listedCodes(table: string): string[] {
  const text = DOC.slice(DOC.indexOf(`<!-- ${table}:start -->`), DOC.indexOf(`<!-- ${table}:end -->`));
  return [...text.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]!);
}

/** A sent event for a message. */
const show = (sent: Sent | undefined): string => (sent ? sent.json.slice(0, 300) + (sent.invalid ? ` (invalid: ${sent.invalid})` : '') : '(none)');

/** What differs between the kit and the tracker that the route's rules do not explain, and the rules events showed. */
function differences(route: Route, { inputs, tracker, kit }: Run): { problems: string[]; shown: Set<string> } {
  const problems: string[] = [];
  const shown = new Set<string>();
  /** Events the tracker dropped without a log, when sending them: each leaves an uncaught error in its page. */
  let droppedAtSend = 0;
  inputs.forEach((input, i) => {
    const { reduced, applied } = asTheKitSends(route.rules, input.value);
    const what = (input.source ?? input.text!).slice(0, 200);
    for (const encoding of Object.keys(ENCODINGS) as Encoding[]) {
      const sent = kit.events[encoding].get('f' + i);
      // What the kit sends is what the tracker sends for the values as the rules say the kit sends them.
      const reference = !applied.length ? tracker.events[encoding].get('f' + i) : reduced === undefined ? undefined : tracker.events[encoding].get('r' + i);
      if (reference?.invalid) problems.push(`#${i} ${encoding} ${what}\n  the tracker's reference event is invalid: ${reference.invalid}`);
      if (sent?.raw !== reference?.raw) {
        const log = applied.length && reduced !== undefined ? tracker.reduced.get(i) : tracker.full[i];
        problems.push(`#${i} ${encoding} ${what}\n  tracker (${log || 'no log'}): ${show(reference)}\n  kit (${String(kit.returned[i])}): ${show(sent)}`);
      }
    }
    // And the tracker does with the values as they were what the rows say.
    const full = tracker.full[i]!;
    const stops = applied.filter((r) => r.tracker == 'drops the event');
    for (const encoding of Object.keys(ENCODINGS) as Encoding[]) {
      const sent = tracker.events[encoding].get('f' + i);
      if (stops.length) {
        if (sent) problems.push(`#${i} ${encoding} ${what}\n  tracker: ${full || 'no log'}, ${show(sent)}; not dropped (${stops.map((r) => r.code).join(', ')})`);
        else {
          if (!/Function failed/.test(full)) droppedAtSend++;
          stops.forEach((r) => shown.add(r.code));
        }
      } else {
        for (const rule of applied) {
          if (!sent) problems.push(`#${i} ${encoding} ${what}\n  tracker: ${full || 'no log'}; did not send it (${rule.code})`);
          // Shown: the kit sends something else than the tracker, for this row alone.
          else if (applied.length == 1 && sent.raw !== kit.events[encoding].get('f' + i)?.raw) shown.add(rule.code);
        }
      }
    }
    // The app is told once, by the hub where it refused the call, else by each kit that sends less than it was given.
    const refused = kit.returned[i] === false;
    if (reduced === undefined && !refused) problems.push(`#${i} ${what}\n  logEvent returned ${String(kit.returned[i])}, not false`);
    const naming = kit.warnings.filter((w) => new RegExp(`["']f${i}["' ]`).test(w));
    const warns = refused ? 1 : applied.some((r) => r.warns) ? Object.keys(ENCODINGS).length : 0;
    if (naming.length != warns) problems.push(`#${i} ${what}\n  ${naming.length} warnings name the event, not ${warns}: ${naming.join(' | ').slice(0, 300)}`);
  });
  // The only errors in the tracker's page: one for each event it dropped when sending it (its emitter
  // calls each field's toString, which is missing or throws: see toStringFails).
  const errors = tracker.errors.filter((e) => /toString is not a function|Cannot convert .* to a(?: primitive value| string)/.test(e));
  if (errors.length != tracker.errors.length || errors.length != droppedAtSend) problems.push(`the tracker's page had ${tracker.errors.length} errors for ${droppedAtSend} events dropped when sent: ${tracker.errors.join(' | ').slice(0, 300)}`);
  return { problems, shown };
}

describe(`event values against @snowplow/browser-tracker, in Chromium (seed ${SEED})`, () => {
  describe.each(ROUTES)('$id', (route) => {
    it('the draw holds what it is meant to hold', () => {
      const { inputs, tracker, kit } = runs.get(route.id)!;
      // Not a vacuous comparison: nearly every event reaches both collectors, in both encodings, many with nested values or each field.
      for (const encoding of Object.keys(ENCODINGS) as Encoding[]) {
        expect(tracker.events[encoding].size, encoding).toBeGreaterThan(inputs.length * 0.9);
        expect(kit.events[encoding].size, encoding).toBeGreaterThan(inputs.length * 0.9);
        const sent = [...kit.events[encoding].values()].map((e) => JSON.parse(e.json) as Record<string, unknown> & { data: { data: Attributes & { attributes: Attributes } } });
        if (route.e == 'ue') {
          const nested = sent.filter((e) => Object.values(route.id == 'schema' ? e.data.data : e.data.data.attributes).some((v) => typeof v == 'object' && v !== null));
          expect(nested.length, encoding).toBeGreaterThan(inputs.length / 3);
        } else {
          for (const field of ['se_la', 'se_pr', 'se_va']) expect(sent.filter((e) => e[field] !== undefined).length, `${encoding} ${field}`).toBeGreaterThan(inputs.length / 5);
          expect(sent.filter((e) => /^[[{]/.test(`${e.se_la}`) || /^[[{]/.test(`${e.se_pr}`)).length, `${encoding} JSON in se_la or se_pr`).toBeGreaterThan(inputs.length / 20);
          expect(sent.filter((e) => e.se_ca != DEFAULT_CATEGORY).length, `${encoding} se_ca`).toBeGreaterThan(inputs.length / 3);
        }
      }
      // The kit warns about 256 names at most: past them the warnings could not be checked.
      expect(inputs.filter((input) => asTheKitSends(route.rules, input.value).applied.some((r) => r.warns)).length).toBeLessThan(256);
      expect(kit.warnings.filter((line) => line.startsWith('pageerror'))).toEqual([]);
    });

    it(`the kit sends what the tracker sends, but for the differences docs/kits/snowplow.md lists (${route.table})`, () => {
      const current = runs.get(route.id)!;
      const { problems, shown } = differences(route, current);
      if (process.env.SNOWPLOW_PROPERTIES_OUT) {
        const { inputs, tracker, kit } = current;
        const dump = (events: Events) => Object.fromEntries(Object.entries(events).map(([k, m]) => [k, Object.fromEntries(m)]));
        writeFileSync(
          `${process.env.SNOWPLOW_PROPERTIES_OUT}.${route.id}.json`,
          JSON.stringify({ seed: SEED, inputs: inputs.map((x) => x.source ?? x.text), tracker: { ...tracker, reduced: Object.fromEntries(tracker.reduced), events: dump(tracker.events) }, kit: { ...kit, events: dump(kit.events) } }, null, 1),
        );
      }
      expect(problems).toEqual([]);
      const listed = listedCodes(route.table);
      expect(route.rules.map((r) => r.code).sort()).toEqual([...listed].sort());
      expect(listed.filter((c) => !shown.has(c)), 'listed differences no event showed').toEqual([]);
    });
  });
});
