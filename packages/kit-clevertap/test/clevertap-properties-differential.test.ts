/**
 * Event property values, differentially: a batch of generated attribute objects (fast-check, the
 * seed every property runs with; see packages/testing/test/attribute-values.ts) and fixed ones are
 * logged through CleverTap's own Web SDK (`clevertap.event.push`, the pinned devDependency) and
 * through the kit (`hub.logEvent`), each in one page of real Chromium (the pages of
 * conformance/web-sdk-run.ts: the SDK's requests decoded and checked against its own log, the kit's
 * `/a1` uploads captured); every event's `evtData` is compared. The SDK is the reference: the kit
 * must send what it sends, but where docs/kits/clevertap.md ("Property values against the web SDK")
 * lists a difference. Each row there is a rule below that says which properties it is about, what
 * the kit sends instead (the SDK is run on that too: the kit's `evtData` must be the SDK's for it),
 * and what the SDK does with the property as it was. The test fails on a difference no row explains,
 * on a row whose SDK behaviour no longer holds, and on a row no event showed. The rules read the SDK
 * through a model of what it makes of properties (the page's account of `clevertap.js`), itself
 * checked against the SDK's `evtData` for every event. Keys are compared, not their order.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type TestBrowser } from '@sessionhub/testing/chromium';
import { attributeLeaf, attributeObject, DECODE_IN_PAGE, encodeAttributes, sampleSeed } from '../../testing/test/attribute-values';
import { openSite, pageWarnings, realNow, SDK_VERSION, type Site } from './conformance/web-sdk-run';
import { define, edgeSpace, isObject, kitKeyUncut, kitString, kitText, own, sdkKey, sdkString } from './conformance/cleaning-model';

const DOC = readFileSync(new URL('../../../docs/kits/clevertap.md', import.meta.url), 'utf8');
const ACCOUNT_ID = 'W9R-486-4W5Z';
const SEED = sampleSeed();
/** Generated events per run (one page per side): half with any values, half with values that are not nested. */
const GENERATED = 200;
/** Keys and strings around CleverTap's limits: the kit's 120 for keys, 1024 for values (the SDK's for both). */
const LIMITS = { keyLengths: [119, 120, 121, 1024, 1025], valueLengths: [1023, 1024, 1025], exotic: true };

type Attributes = Record<string, unknown>;
type Entry = readonly [key: string, value: unknown];

const isDate = (v: unknown): v is Date => Object.prototype.toString.call(v) == '[object Date]';
/** A String object with text (`new String('')` has no characters to delete: the SDK sends it). */
const isStringObject = (v: unknown): v is string => v instanceof String && v.length > 0;
/** Whether `test` holds of `v` or of anything nested in it (objects and arrays, as the SDK walks them). */
const anywhere = (v: unknown, test: (x: unknown) => boolean): boolean =>
  test(v) || (Array.isArray(v) ? v.some((x) => anywhere(x, test)) : isObject(v) && Object.values(v).some((x) => anywhere(x, test)));

/**
 * What the SDK makes of an event's properties, as the page describes it; checked against the SDK's
 * own `evtData` for every event below. First `cleanNullEmptyValues` (clevertap.js 8173–8244): `null`,
 * `undefined` and empty objects and arrays removed (an array's elements too), Dates in objects
 * written as `$D_<seconds, rounded>`, down to 3 levels (deeper, left as they are); a `__proto__` key
 * is assigned, so lost. `undefined` when nothing is left.
 */
function sdkCleaned(v: unknown, depth = 0): unknown {
  const empty = (x: unknown) => x == null || (Array.isArray(x) ? !x.length : isObject(x) && !Object.keys(x).length);
  if (depth > 3) return v;
  if (Array.isArray(v)) {
    const out = v.filter((x) => !empty(x)).map((x) => (isObject(x) || Array.isArray(x) ? sdkCleaned(x, depth + 1) : x)).filter((x) => !empty(x));
    return out.length ? out : undefined;
  }
  if (isObject(v)) {
    const out: Attributes = {};
    for (const k of Object.keys(v)) {
      let x = v[k];
      if (isDate(x)) x = '$D_' + Math.round(x.getTime() / 1000);
      else if (isObject(x) || Array.isArray(x)) x = sdkCleaned(x, depth + 1);
      if (!empty(x) && k != '__proto__') define(out, k, x);
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v;
}
/**
 * Then `removeUnsupportedChars` (clevertap.js 341–377), at every depth: each key, in order, deleted
 * and its value written under the cleaned key (in place when that key is there already: a key
 * cleaned into one that comes later gives it its value, cleaned again there), strings cleaned.
 * `from`: for each key of the top level, the key its value came from.
 */
function sdkRewritten(v: unknown, from?: Map<string, string>): unknown {
  if (typeof v == 'string') return sdkString(v);
  // A String object is an object to it: it deletes its characters, which strict mode refuses.
  if (isStringObject(v)) throw new TypeError(`Cannot delete property '0' of [object String]`);
  if (Array.isArray(v)) return v.map((x) => sdkRewritten(x));
  if (!isObject(v)) return v;
  const out: Attributes = {};
  const origin = new Map<string, string>();
  for (const k of Object.keys(v)) define(out, k, v[k]), origin.set(k, k);
  for (const k of Object.keys(v)) {
    const value = sdkRewritten(out[k]);
    const into = sdkKey(k);
    const source = origin.get(k)!;
    delete out[k];
    // `o.__proto__ = value`: no own key; an object becomes the prototype (a Date's toJSON then throws in JSON.stringify).
    if (into == '__proto__') {
      if (value !== null && typeof value == 'object') Object.setPrototypeOf(out, value);
      continue;
    }
    out[into] = value;
    origin.set(into, source);
  }
  for (const [k, source] of origin) if (own(out, k)) from?.set(k, source);
  return out;
}
interface SdkModel {
  /** The `evtData` the SDK sends (JSON text), or undefined when it throws (a String object with text; `JSON.stringify`: a bigint in it, a Date made the prototype). */
  readonly json: string | undefined;
  /** For each key it sends, the property its value came from. */
  readonly from: Map<string, string>;
}
/** What the SDK sends: its cleaning, or when that leaves nothing the properties as they were (clevertap.js 8553–8562), rewritten. */
function sdkModel(attributes: Attributes): SdkModel {
  const from = new Map<string, string>();
  try {
    return { json: JSON.stringify(sdkRewritten(sdkCleaned(attributes) ?? attributes, from)), from };
  } catch {
    return { json: undefined, from };
  }
}
/** Whether the property `key` survives the SDK's cleaning (and its JSON): what no rule is about and does not, both sides leave out. */
function survives(attributes: Attributes, key: string): boolean {
  const cleaned = sdkCleaned(attributes) as Attributes | undefined;
  const v = cleaned && own(cleaned, key) ? cleaned[key] : undefined;
  return sdkKey(key) != '__proto__' && v !== undefined && typeof v != 'function' && typeof v != 'symbol';
}
/** Whether the kit sends a value (docs/kits/clevertap.md: a string, finite number, boolean or valid Date). */
const kitKeeps = (v: unknown): boolean => typeof v == 'string' || typeof v == 'boolean' || Number.isFinite(v) || (isDate(v) && !Number.isNaN(v.getTime()));
/** Whether the SDK cleans `key` into a key of `attributes` that comes after it: its value is cleaned again there. */
function cleanedAgain(attributes: Attributes, key: string): boolean {
  const keys = Object.keys(attributes);
  return sdkKey(key) !== key && keys.indexOf(sdkKey(key)) > keys.indexOf(key);
}

/** Where a rule's SDK behaviour is looked for: the SDK's `evtData` for the properties as they were, and what it should show. */
interface Seen {
  /** The SDK's `evtData` (undefined: not sent). */
  readonly p: Attributes | undefined;
  /** What `clevertap.event.push` did: 'pushed' or the error it threw. */
  readonly outcome: string;
  readonly attributes: Attributes;
  readonly model: SdkModel;
}
/** What the SDK does with the properties a rule is about, as they were. */
interface SdkDoes {
  /** As the doc's table says it (after "the SDK does not"). */
  readonly text: string;
  /**
   * Whether its `evtData` shows it for the property; undefined where it cannot show (the property's
   * key is written over by another property's, or the event is not sent for another property).
   */
  readonly holds: (seen: Seen, key: string, value: unknown) => boolean | undefined;
}
/** A documented difference: which properties, what the kit sends instead, what the SDK does with them. */
interface Rule {
  readonly code: string;
  readonly applies: (key: string, value: unknown, attributes: Attributes) => boolean;
  /** The property as the kit sends it (`undefined`: not sent); the SDK's `evtData` for that is the kit's. */
  readonly kitSends: (key: string, value: unknown) => Entry | undefined;
  /** The kit sends the property as it is although the SDK never can (left out of the comparison, checked in the kit's `evtData`). */
  readonly kitAlone?: true;
  readonly sdk: SdkDoes;
}

const dropped = (): undefined => undefined;
const at = (p: Attributes | undefined, key: string): unknown => (p && own(p, key) ? p[key] : undefined);
/** `test` of what the SDK sent for `key`, where its value is that property's own. */
const sentAs =
  (test: (sent: unknown, key: string, value: unknown) => boolean) =>
  ({ p, model, attributes }: Seen, key: string, value: unknown): boolean | undefined =>
    model.json !== undefined && model.from.get(sdkKey(key)) === key && !cleanedAgain(attributes, key) ? test(at(p, sdkKey(key)), key, value) : undefined;
const SENDS_IT: SdkDoes = { text: 'send it', holds: sentAs((sent) => sent !== undefined) };
/** (Not where the SDK's cleaning dropped the value: written over by another key's value.) */
const THROWS: SdkDoes = { text: 'throw', holds: ({ p, outcome, model }) => (model.json === undefined ? !p && outcome.startsWith('threw') : undefined) };

/** The rules, in the order the kit's changes are made for a property (all that apply). */
const RULES: readonly Rule[] = [
  {
    code: 'bigint',
    applies: (_, v) => anywhere(v, (x) => typeof x == 'bigint' || x instanceof BigInt),
    kitSends: dropped,
    sdk: THROWS,
  },
  {
    code: 'string-object',
    applies: (_, v) => anywhere(v, isStringObject),
    // (One in an object or array goes with it: object-or-array.)
    kitSends: (k, v) => [k, isStringObject(v) ? kitString(String(v)) : v],
    sdk: THROWS,
  },
  { code: 'key-empty', applies: (k, _, a) => kitKeyUncut(k) == '' && survives(a, k), kitSends: dropped, sdk: SENDS_IT },
  {
    code: 'whitespace-left-at-an-end',
    applies: (k, v, a) => survives(a, k) && ((kitKeyUncut(k) != '' && edgeSpace(sdkKey(k))) || (typeof v == 'string' && edgeSpace(sdkString(v)))),
    kitSends: (k, v) => [kitKeyUncut(k), typeof v == 'string' ? kitString(v) : v],
    sdk: { text: 'keep it', holds: sentAs((sent, k) => sent !== undefined && (edgeSpace(sdkKey(k)) || (typeof sent == 'string' && edgeSpace(sent)))) },
  },
  {
    code: 'key-over-120',
    applies: (k, _, a) => kitKeyUncut(k).length > 120 && survives(a, k),
    kitSends: (k, v) => [kitText(k, /[.:$'"\\]/g, 120), v],
    sdk: { text: 'send the key, up to 1024 characters', holds: sentAs((sent, k) => sent !== undefined && sdkKey(k).length > 120) },
  },
  {
    code: 'not-finite',
    applies: (_, v) => (typeof v == 'number' || v instanceof Number) && !Number.isFinite(Number(v)),
    kitSends: dropped,
    sdk: { text: 'send null', holds: sentAs((sent) => sent === null) },
  },
  { code: 'invalid-date', applies: (_, v) => isDate(v) && Number.isNaN(v.getTime()), kitSends: dropped, sdk: { text: 'send "$D_NaN"', holds: sentAs((sent) => sent === '$D_NaN') } },
  {
    code: 'date-toward-zero',
    applies: (_, v) => isDate(v) && Math.round(v.getTime() / 1000) != Math.trunc(v.getTime() / 1000),
    kitSends: (k, v) => [k, new Date(Math.trunc((v as Date).getTime() / 1000) * 1000)],
    sdk: { text: 'round it to the nearest second', holds: sentAs((sent, _, v) => sent === `$D_${Math.round((v as Date).getTime() / 1000)}`) },
  },
  { code: 'map-or-set', applies: (_, v) => v instanceof Map || v instanceof Set, kitSends: dropped, sdk: { text: 'send {}', holds: sentAs((sent) => JSON.stringify(sent) == '{}') } },
  { code: 'symbol-object', applies: (_, v) => v instanceof Symbol, kitSends: dropped, sdk: { text: 'send {}', holds: sentAs((sent) => JSON.stringify(sent) == '{}') } },
  { code: 'object-or-array', applies: (k, v, a) => (isObject(v) || Array.isArray(v)) && survives(a, k), kitSends: dropped, sdk: SENDS_IT },
  {
    code: 'nothing-but-empty-values',
    applies: (k, v, a) => sdkCleaned(a) === undefined && v !== undefined && sdkKey(k) != '__proto__',
    kitSends: dropped,
    sdk: { text: 'send them as they were', holds: sentAs((sent) => sent !== undefined) },
  },
  {
    code: 'proto-key',
    applies: (k, v) => kitKeyUncut(k) == '__proto__' && kitKeeps(v),
    kitSends: dropped,
    kitAlone: true,
    sdk: {
      text: 'leave it out (or throw, for a Date it did not convert)',
      holds: ({ p, model, outcome }) => (model.json === undefined ? !p && outcome.startsWith('threw') : !!p && !own(p, '__proto__')),
    },
  },
];

/**
 * The one difference that is about two properties: a key the SDK cleans into the key of a property
 * that comes after it, as the kit sends them (a key of the event, or one the kit cut to 120). The SDK
 * writes each cleaned key in place, so that key gets the value of the last key cleaned into it; the
 * kit writes the last property it sends under a key. Tried on the properties as the rules above say
 * the kit sends them: such a property is not passed on.
 */
const CLEANED_INTO_A_LATER_KEY: Rule = {
  code: 'key-cleaned-into-a-later-key',
  applies: () => false,
  kitSends: dropped,
  sdk: {
    text: "send this property's value under that key",
    holds: ({ p, model }, k) => (model.json !== undefined && model.from.get(sdkKey(k)) === k ? at(p, sdkKey(k)) !== undefined : undefined),
  },
};
/** Every documented difference. */
const ROWS: readonly Rule[] = [...RULES, CLEANED_INTO_A_LATER_KEY];

/** A class instance, as an app may pass one. */
class Point {
  x = 1;
  y = 'two';
  get sum(): number {
    return this.x + 2;
  }
}

/** Properties chosen to show every row whatever the seed draws, and each kind of value the page lists. */
function fixed(): Attributes[] {
  const keys = (n: number): Attributes => Object.fromEntries(Array.from({ length: n }, (_, i) => [`key ${i}`, i]));
  const deep = (n: number, end: unknown): unknown => (n ? { ['l' + n]: deep(n - 1, end) } : end);
  return [
    // Strings: plain, empty, Unicode, characters CleverTap removes, whitespace, lone surrogates, control characters.
    { plain: 'shoes', empty: '', unicode: 'שלום 😀 e\u0301 日本 👩‍👩‍👧', quotes: `say "hi" \\ it's`, padded: '  padded\u00a0', nul: '\u0000x\u001f', lone: 'a\ud83d', rtl: '\u202eabc' },
    { endQuote: "a ' ", startQuote: "' a", onlyQuote: "'", onlySpaces: '   ', innerSpace: 'a  b' },
    // Long strings, around CleverTap's 1024 (a cut through a surrogate pair, whitespace at the cut).
    { v1023: 'x'.repeat(1023), v1024: 'y'.repeat(1024), v1025: 'z'.repeat(1025), long: 'é'.repeat(3000) },
    { cutSpace: 'x'.repeat(1023) + ' y', cutEmoji: 'a' + '😀'.repeat(600), quoteFirst: "' " + 'x'.repeat(1030) },
    // Numbers.
    { zero: 0, minusZero: -0, float: 0.1 + 0.2, huge: 1e21, tiny: Number.MIN_VALUE, max: Number.MAX_VALUE, unsafe: 2 ** 53 + 2, negative: -1.5 },
    { nan: NaN, inf: Infinity, minusInf: -Infinity, kept: true },
    { yes: true, no: false },
    // null and undefined, beside other values and alone; empty objects and arrays.
    { nothing: null, undef: undefined, kept: 1 },
    { nothing: null },
    { undef: undefined },
    { emptyObject: {}, emptyArray: [], nested: { a: null, b: [null, []] } },
    {},
    // Dates: whole seconds, halves, before 1970, invalid, the ends of the range.
    { whole: new Date(1_767_268_800_000), ms: new Date(1_767_268_800_999), half: new Date(1500), justUnder: new Date(1499) },
    { before: new Date(-1500), before2: new Date(-1600), before3: new Date(-1400), epoch: new Date(0), first: new Date(-8.64e15), last: new Date(8.64e15) },
    { invalid: new Date(NaN), kept: 1 },
    // Nested objects and arrays (past CleverTap's 3 levels too, and with a Date and an invalid one in them).
    { cart: { items: 3, total: 42.5, when: new Date(1500), gone: null }, tags: ['a', 1, true, new Date(0), null, new Date(NaN)] },
    { deep: deep(5, 'end'), deeper: JSON.parse('['.repeat(60) + '1' + ']'.repeat(60)) as unknown },
    { six: { a: {}, b: { x: 1 }, c: [1], d: [2], e: { y: 2 }, f: { z: 3 }, g: { w: 4 } }, kept: 1 },
    // Functions, symbols, bigints (alone and nested).
    { f: () => 1, kept: 1 },
    { s: Symbol('s'), kept: 1 },
    { n: 12n, kept: 1 },
    { nested: { n: 1n }, kept: 1 },
    { nested: { f: () => 1, s: Symbol('s'), a: [() => 1, Symbol('t'), 2] }, kept: 1 },
    // Boxed primitives, alone and nested (a String object with text alone: the SDK throws on it).
    { s: new String('boxed'), kept: 1 },
    { q: new String(` a'b" `), kept: 1 },
    { e: new String(''), n: new Number(1.5), z: new Number(-0), t: new Boolean(true), f: new Boolean(false), kept: 1 },
    { nan: new Number(NaN), inf: new Number(-Infinity), kept: 1 },
    { big: Object(1n), kept: 1 },
    { sym: Object(Symbol('s')), kept: 1 },
    { nested: { n: new Number(2), b: new Boolean(false), sym: Object(Symbol('s')) }, list: [new Number(3), new Boolean(true), new String('')], kept: 1 },
    { nested: { s: new String('x') }, kept: 1 },
    { list: [new String('x')], kept: 1 },
    // Maps, Sets, class instances.
    { m: new Map([['a', 1]]), st: new Set([1]), kept: 1 },
    { point: new Point(), kept: 1 },
    // Keys: long (around the kit's 120 and the SDK's 1024), empty, with the characters CleverTap removes, whitespace.
    { ['k'.repeat(119)]: 1, ['l'.repeat(120)]: 2, ['m'.repeat(121)]: 3, ['n'.repeat(1025)]: 4, ["' " + 'o'.repeat(130)]: 5 },
    { '': 'empty key', '...': 'dots', ' $ ': 'spaces', "a ' ": 'space left', 'a.b:c$d': 1, ' padded ': 2, 'tab\t': 3 },
    { __proto__key: 1, ...JSON.parse('{"__proto__": "proto", "constructor": 1, "toString": "t"}') },
    JSON.parse('{"__proto__.": 1, "x": 2, "__proto__": 3}') as Attributes,
    // A Date under __proto__ where nothing else is left (the SDK sends the properties as they were).
    Object.defineProperty({ gone: null } as Attributes, '__proto__', { value: new Date(1500), enumerable: true, writable: true, configurable: true }),
    // Two keys CleverTap cleans to one.
    { 'a.': 1, a: 2 },
    { a: 1, 'a.': 2 },
    // Many keys.
    keys(150),
  ];
}

/** Pushes each attribute object as event `<prefix><i>` to CleverTap's SDK; returns each call's outcome ('pushed' or the error thrown). */
function pushInSdk(site: Site, prefix: string, attributes: readonly Attributes[]): Promise<string[]> {
  return site.page.evaluate(
    ([prefix, texts]) =>
      texts.map((text, i) => {
        const w = window as unknown as { clevertap: { event: { push(name: string, data: object): void } }; decodeAttributes(t: string): object };
        try {
          w.clevertap.event.push(prefix + i, w.decodeAttributes(text));
          return 'pushed';
        } catch (e) {
          return `threw ${(e as Error).name}: ${(e as Error).message}`;
        }
      }),
    [prefix, attributes.map(encodeAttributes)] as const,
  );
}

let browsers: TestBrowser[] = [];
let inputs: Attributes[] = [];
/** The SDK's outcome for each input as it is, and its events' `evtData` as JSON text (`f<i>`: as is; `r<i>`: as the kit sends it). */
let sdk: { full: string[]; reduced: string[]; events: Map<string, string> };
/** The kit's events' `evtData` (JSON text), what `hub.logEvent` returned, its warnings. */
let kit: { events: Map<string, string>; results: string[]; warnings: string[] };

/** Each input's properties as the rules say the kit sends them (only what the SDK would send), and the rules that applied. */
function asTheKitSends(attributes: Attributes): { reduced: Attributes; applied: { entry: Entry; rule: Rule }[] } {
  const applied: { entry: Entry; rule: Rule }[] = [];
  const sends: { entry: Entry; sent: Entry }[] = [];
  for (const key of Object.keys(attributes)) {
    const value = attributes[key];
    const rules = RULES.filter((r) => r.applies(key, value, attributes));
    applied.push(...rules.map((rule) => ({ entry: [key, value] as const, rule })));
    let sent: Entry | undefined = [key, value];
    for (const rule of rules) if (sent) sent = rule.kitSends(...sent);
    // What no rule is about and the SDK leaves out (null, an empty object…) is not passed on: alone,
    // it would make the SDK send the properties as they were (the row nothing-but-empty-values).
    if (sent && (rules.length || survives(attributes, key))) sends.push({ entry: [key, value], sent });
  }
  const reduced: Attributes = {};
  sends.forEach(({ entry, sent: [key, value] }, i) => {
    const into = sdkKey(key);
    const j = sends.findIndex((s, n) => n > i && s.sent[0] === into);
    if (into !== key && j > i && !sends.slice(j + 1).some((s) => s.sent[0] !== into && sdkKey(s.sent[0]) === into)) applied.push({ entry, rule: CLEANED_INTO_A_LATER_KEY });
    else define(reduced, key, value);
  });
  return { reduced, applied };
}

/** The `evtData` of every event a list of JSON payloads or upload items holds: name → JSON text. */
function evtData(items: Iterable<Record<string, unknown>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of items) {
    if (item.type != 'event' || typeof item.evtName != 'string') continue;
    const data = JSON.stringify(item.evtData ?? null);
    // The SDK may send a request again (from its backup): the same payload.
    if (out.has(item.evtName) && out.get(item.evtName) !== data) throw new Error(`${item.evtName} sent twice, differently`);
    out.set(item.evtName, data);
  }
  return out;
}

beforeAll(async () => {
  const draw = fc.oneof(attributeObject(LIMITS), attributeObject(LIMITS, 8, attributeLeaf(LIMITS)));
  inputs = [...fixed(), ...fc.sample(draw, { numRuns: GENERATED, seed: SEED })];
  browsers = await Promise.all([launchChromium(), launchChromium()]);
  const start = realNow();
  const runSdk = async () => {
    const site = await openSite(browsers[0]!.context, 'https://www.shop.test', ACCOUNT_ID, start);
    await site.loadSdk();
    await site.page.evaluate(DECODE_IN_PAGE);
    const full = await pushInSdk(site, 'f', inputs);
    const reduced = await pushInSdk(site, 'r', inputs.map((a) => asTheKitSends(a).reduced));
    await site.settle();
    await site.advance(5000);
    site.checkDecoding();
    return { full, reduced, events: evtData(site.requests.map((r) => r.payload)) };
  };
  const runKit = async () => {
    const site = await openSite(browsers[1]!.context, 'https://www.shop.test', ACCOUNT_ID, start);
    const warnings = pageWarnings(site.page);
    await site.loadKit();
    await site.page.evaluate(DECODE_IN_PAGE);
    const results = await site.page.evaluate((texts) => {
      const w = window as unknown as { hub: { logEvent(name: string, a: object): boolean }; decodeAttributes(t: string): object };
      return texts.map((text, i) => {
        try {
          return String(w.hub.logEvent('f' + i, w.decodeAttributes(text)));
        } catch (e) {
          return `threw ${(e as Error).name}: ${(e as Error).message}`;
        }
      });
    }, inputs.map(encodeAttributes));
    await site.flush();
    return { events: evtData(site.uploads.flatMap((u) => u.body.slice(1))), results, warnings };
  };
  [sdk, kit] = await Promise.all([runSdk(), runKit()]);
}, 120_000);

afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
});

/** `evtData` (JSON text) with its keys in order: what both sides send, whatever order they write keys in. */
function sorted(json: string | undefined): string | undefined {
  if (json === undefined) return undefined;
  return JSON.stringify(Object.entries(JSON.parse(json) as Attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The codes of the doc's table, in order. */
function listedCodes(): string[] {
  const table = DOC.slice(DOC.indexOf('<!-- clevertap-properties:start -->'), DOC.indexOf('<!-- clevertap-properties:end -->'));
  return [...table.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]!);
}

describe(`event property values against clevertap-web-sdk ${SDK_VERSION}, in Chromium (seed ${SEED})`, () => {
  it('the draw holds what it is meant to hold, and the kit never throws', () => {
    // Not a vacuous comparison: every event reaches CleverTap on both sides, most of the kit's with
    // properties, and many of the SDK's with nested ones.
    expect(inputs.filter((_, i) => sdk.events.has('r' + i)).length).toBe(inputs.length);
    expect(kit.events.size).toBe(inputs.length);
    expect([...kit.events.values()].filter((p) => p != '{}').length).toBeGreaterThan(inputs.length / 2);
    expect([...sdk.events].filter(([name, p]) => name[0] == 'f' && /[[{]/.test(p.slice(1))).length).toBeGreaterThan(inputs.length / 4);
    expect(new Set(kit.results)).toEqual(new Set(['true']));
    // (Past 64 keys warned about, one warning says further ones are not reported.)
    expect(kit.warnings.filter((w) => !w.includes('[sessionhub:clevertap] property ') && !w.includes('are not reported in this run'))).toEqual([]);
  });

  it("the SDK's evtData is what the page says it makes of the properties (modelled above), for every event", () => {
    // So the rows' account of the SDK (and the rules' reading of it) is the SDK's, not a guess.
    const wrong = inputs.flatMap((attributes, i) => {
      const { json } = sdkModel(attributes);
      const got = sdk.events.get('f' + i);
      const ok = json === undefined ? got === undefined && sdk.full[i]!.startsWith('threw TypeError') : got === json;
      return ok ? [] : [`#${i} ${encodeAttributes(attributes).slice(0, 300)}\n  SDK (${sdk.full[i]}): ${got?.slice(0, 300)}\n  model: ${json?.slice(0, 300)}`];
    });
    expect(wrong).toEqual([]);
  });

  it('the kit sends what the SDK sends, but for the differences docs/kits/clevertap.md lists', () => {
    const problems: string[] = [];
    const shown = new Set<string>();
    inputs.forEach((attributes, i) => {
      const { applied } = asTheKitSends(attributes);
      const input = encodeAttributes(attributes).slice(0, 300);
      // What the kit sends is what the SDK sends for the properties as the rules say the kit sends them
      // (key for key: where keys collide, each side writes a key where it first or last wrote it).
      const reference = sorted(sdk.events.get('r' + i));
      const kitData = kit.events.get('f' + i);
      const p = kitData === undefined ? undefined : (JSON.parse(kitData) as Attributes);
      for (const key of new Set(applied.filter((a) => a.rule.kitAlone).map((a) => kitKeyUncut(a.entry[0])))) {
        if (p && !own(p, key)) problems.push(`#${i} ${input}\n  kit: ${kitData}, without ${JSON.stringify(key)}`);
        if (p) delete p[key];
      }
      const sent = p && sorted(JSON.stringify(p));
      if (sent !== reference) problems.push(`#${i} ${input}\n  SDK (${sdk.reduced[i]}): ${reference?.slice(0, 400)}\n  kit: ${sent?.slice(0, 400)}`);
      // And the SDK does with the properties as they were what the rows say.
      const full = sdk.events.get('f' + i);
      const seen: Seen = { p: full === undefined ? undefined : (JSON.parse(full) as Attributes), outcome: sdk.full[i]!, attributes, model: sdkModel(attributes) };
      for (const { entry, rule } of applied) {
        const holds = rule.sdk.holds(seen, ...entry);
        if (holds) shown.add(rule.code);
        else if (holds === false) problems.push(`#${i} key ${JSON.stringify(entry[0]).slice(0, 40)}: the SDK does not ${rule.sdk.text} (${rule.code}; ${sdk.full[i]}: ${full?.slice(0, 300)})`);
      }
    });
    if (process.env.CLEVERTAP_PROPERTIES_OUT) {
      writeFileSync(process.env.CLEVERTAP_PROPERTIES_OUT, JSON.stringify({ inputs: inputs.map(encodeAttributes), sdk: { ...sdk, events: Object.fromEntries(sdk.events) }, kit: { ...kit, events: Object.fromEntries(kit.events) } }, null, 1));
    }
    expect(problems).toEqual([]);
    const listed = listedCodes();
    expect(ROWS.map((r) => r.code).sort()).toEqual([...listed].sort());
    expect(listed.filter((c) => !shown.has(c)), 'listed differences no event showed').toEqual([]);
  });
});
