/**
 * Event property values, differentially: a batch of generated attribute objects (fast-check, the
 * seed every property runs with; see packages/testing/test/attribute-values.ts) is logged through
 * Braze's own Web SDK (`logCustomEvent`, the pinned devDependency) and through the kit
 * (`hub.logEvent`), each in one page of real Chromium; both sides' requests are captured and every
 * event's `p` compared. The SDK is the reference: the kit must send what it sends, but where
 * docs/kits/braze.md ("Property values against the Web SDK") lists a difference. Each row there is a
 * rule below that says which attributes it is about, what the kit sends instead (the SDK is run on
 * that too: the kit's `p` must be the SDK's for it), and what the SDK does with the attribute as it
 * was. The test fails on a difference no row explains, on a row whose SDK behaviour no longer holds,
 * and on a row no event showed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type TestBrowser } from '@sessionhub/testing/chromium';
import { attributeObject, DECODE_IN_PAGE, encodeAttributes, sampleSeed } from '../../testing/test/attribute-values';
import { API_KEY, BASE_URL, openKit, openSdk, settle, T0, type Side } from './conformance/pages';
import { kitStep } from './conformance/scenarios';

const DOC = readFileSync(new URL('../../../docs/kits/braze.md', import.meta.url), 'utf8');
const SEED = sampleSeed();
/** Generated events per run (one page per side). */
const GENERATED = 150;

type Attributes = Record<string, unknown>;

/** What the SDK does with an attribute a rule is about, as the attribute was. */
type SdkDoes = 'refuses the event' | 'throws' | 'refuses the event or throws' | 'sends null' | 'sends it';

/** A documented difference: which top-level attributes, what the kit sends instead, what the SDK does with them. */
interface Rule {
  readonly code: string;
  readonly applies: (key: string, value: unknown) => boolean;
  /** The attribute as the kit sends it (`undefined`: not sent); the SDK's `p` for that is the kit's. */
  readonly kitSends: (value: unknown) => unknown;
  readonly sdk: SdkDoes;
}

const utf8Bytes = (text: string): number => new TextEncoder().encode(text).length;
const isDate = (v: unknown): v is Date => Object.prototype.toString.call(v) == '[object Date]';
const isPlain = (v: unknown): v is Attributes => Object.prototype.toString.call(v) == '[object Object]';
/** Whether `test` holds of `v` or of anything nested in it (plain objects and arrays, as the SDK walks them). */
const anywhere = (v: unknown, test: (x: unknown) => boolean): boolean =>
  test(v) || (Array.isArray(v) ? v.some((x) => anywhere(x, test)) : isPlain(v) && Object.values(v).some((x) => anywhere(x, test)));
function mapValues(o: Attributes, f: (v: unknown) => unknown): Attributes {
  const out: Attributes = {};
  for (const k of Object.keys(o)) Object.defineProperty(out, k, { value: f(o[k]), enumerable: true, writable: true, configurable: true });
  return out;
}
const dropped = (): undefined => undefined;
/** `v` with every invalid Date inside replaced by null. */
const invalidDatesNull = (v: unknown): unknown =>
  isDate(v) && Number.isNaN(v.getTime()) ? null : Array.isArray(v) ? v.map(invalidDatesNull) : isPlain(v) ? mapValues(v, invalidDatesNull) : v;
/** What JSON keeps of `v`: functions and symbols left out of objects, null in arrays (Dates kept, for the SDK to write). */
const asJson = (v: unknown): unknown =>
  Array.isArray(v) ? v.map((x) => (typeof x == 'function' || typeof x == 'symbol' ? null : asJson(x))) : isPlain(v) ? withoutKeys(mapValues(v, asJson), (x) => typeof x == 'function' || typeof x == 'symbol') : v;
function withoutKeys(o: Attributes, drop: (v: unknown) => boolean): Attributes {
  for (const k of Object.keys(o)) if (drop(o[k])) delete o[k];
  return o;
}

/** The rules, in the order they are tried for an attribute (the first that applies). */
const RULES: readonly Rule[] = [
  { code: 'key-forbidden-character', applies: (k) => /[\0-\x1f"]/.test(k), kitSends: dropped, sdk: 'refuses the event' },
  // (A null or undefined value is left out by both: nothing to send.)
  { code: 'key-empty', applies: (k, v) => k == '' && v != null, kitSends: dropped, sdk: 'sends it' },
  { code: 'key-over-255', applies: (k, v) => k.length > 255 && v != null, kitSends: dropped, sdk: 'sends it' },
  { code: 'not-finite', applies: (_, v) => typeof v == 'number' && !Number.isFinite(v), kitSends: dropped, sdk: 'sends null' },
  { code: 'bigint', applies: (_, v) => anywhere(v, (x) => typeof x == 'bigint'), kitSends: dropped, sdk: 'throws' },
  { code: 'invalid-date', applies: (_, v) => isDate(v) && Number.isNaN(v.getTime()), kitSends: dropped, sdk: 'throws' },
  { code: 'invalid-date-inside', applies: (_, v) => anywhere(v, (x) => isDate(x) && Number.isNaN(x.getTime())), kitSends: invalidDatesNull, sdk: 'throws' },
  { code: 'function', applies: (_, v) => typeof v == 'function', kitSends: dropped, sdk: 'refuses the event' },
  { code: 'symbol', applies: (_, v) => typeof v == 'symbol', kitSends: dropped, sdk: 'throws' },
  {
    code: 'not-a-plain-object',
    applies: (_, v) => anywhere(v, (x) => typeof x == 'object' && x !== null && !Array.isArray(x) && !isDate(x) && !isPlain(x)),
    kitSends: dropped,
    sdk: 'refuses the event',
  },
  { code: 'function-inside', applies: (_, v) => anywhere(v, (x) => typeof x == 'function'), kitSends: asJson, sdk: 'refuses the event' },
  // (The SDK's error message prints the value: a symbol in an array, joined, throws.)
  { code: 'symbol-inside', applies: (_, v) => anywhere(v, (x) => typeof x == 'symbol'), kitSends: asJson, sdk: 'refuses the event or throws' },
];

/** Attributes chosen to show every row whatever the seed draws, and the size limit from both sides. */
function fixed(): Attributes[] {
  const big = (n: number, extra: Attributes = {}): Attributes => ({ big: 'x'.repeat(n), ...extra });
  return [
    { 'say "hi"': 1, kept: 'yes' },
    { '': 'empty key', kept: 1 },
    { ['k'.repeat(256)]: 1, ['k'.repeat(255)]: 2 },
    { nan: NaN, inf: Infinity, minus: -Infinity, kept: true },
    { n: 12n, kept: 1 },
    { when: new Date(NaN), kept: 1 },
    { list: [new Date(NaN), 1], kept: 1 },
    { f: () => 1, kept: 1 },
    { s: Symbol('s'), kept: 1 },
    { m: new Map([['a', 1]]), kept: 1 },
    { nested: { m: new Set([1]), a: 1 }, kept: 1 },
    { nested: { f: () => 1, a: [() => 1, 2] }, kept: 1 },
    { nested: { s: Symbol('s'), a: [Symbol('t'), 2] }, kept: 1 },
    // Deeper than the 50 levels the SDK allows in custom attributes.
    { deep: JSON.parse('['.repeat(60) + ']'.repeat(60)), deeper: JSON.parse('{"a":'.repeat(60) + '1' + '}'.repeat(60)) },
    // Around Braze's 50 KB, as the SDK measures (the app's JSON) and as the kit does (what is sent).
    big(51_189),
    big(51_190),
    big(51_191),
    big(51_170, { gone: null, when: new Date(0) }),
    big(51_185, { gone: null }),
  ];
}

interface Outcome {
  /** 'sent', 'refused' (logCustomEvent returned false), or the error thrown. */
  readonly result: string;
  /** What the SDK logged during the call. */
  readonly log: string[];
}

/** Logs each attribute object as custom event `<prefix><i>` in Braze's SDK; returns each call's outcome. */
async function logInSdk(side: Side, prefix: string, attributes: readonly Attributes[]): Promise<Outcome[]> {
  return side.page.evaluate(
    ([prefix, texts]) =>
      texts.map((text, i) => {
        const log: string[] = [];
        window.braze.setLogger((line) => log.push(line));
        try {
          const decode = (window as unknown as { decodeAttributes(t: string): Record<string, unknown> }).decodeAttributes;
          return { result: window.braze.logCustomEvent(prefix + i, decode(text)) ? 'sent' : 'refused', log };
        } catch (e) {
          return { result: `threw ${(e as Error).name}: ${(e as Error).message}`, log };
        }
      }),
    [prefix, attributes.map(encodeAttributes)] as const,
  );
}

/** Every `ce` the side sent so far: name → `p` (its JSON text, as sent). */
function customEvents(side: Side): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of side.requests) {
    for (const e of r.body.events as { name: string; data: { n: string; p?: unknown } }[]) if (e.name == 'ce') out.set(e.data.n, JSON.stringify(e.data.p ?? {}));
  }
  return out;
}

/** Flushes and answers until the side sends nothing more. */
async function drain(side: Side, flush: () => Promise<unknown>): Promise<void> {
  for (let quiet = 0, before = -1; quiet < 2; ) {
    await flush();
    await settle(side);
    await side.page.clock.runFor(11_000);
    await settle(side);
    quiet = side.requests.length == before ? quiet + 1 : 0;
    before = side.requests.length;
  }
}

let browsers: TestBrowser[] = [];
let inputs: Attributes[] = [];
/** The SDK's outcome for each input as it is, and its `ce` events (`f<i>`: as is; `r<i>`: as the kit sends it). */
let sdk: { full: Outcome[]; reduced: Outcome[]; events: Map<string, string> };
let kit: { events: Map<string, string>; warnings: string[] };

/** Each input's attributes as the rules say the kit sends them, and the rules that applied. */
function asTheKitSends(attributes: Attributes): { reduced: Attributes; applied: { key: string; rule: Rule }[] } {
  const applied: { key: string; rule: Rule }[] = [];
  const reduced: Attributes = {};
  for (const key of Object.keys(attributes)) {
    const rules = RULES.filter((r) => r.applies(key, attributes[key]));
    applied.push(...rules.map((rule) => ({ key, rule })));
    let value = attributes[key];
    for (const rule of rules) if (value !== undefined) value = rule.kitSends(value);
    if (value !== undefined || !rules.length) Object.defineProperty(reduced, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return { reduced, applied };
}

beforeAll(async () => {
  inputs = [...fixed(), ...fc.sample(attributeObject({ keyLengths: [254, 255, 256], valueLengths: [255, 256, 1024], exotic: true }), { numRuns: GENERATED, seed: SEED })];
  browsers = await Promise.all([launchChromium(), launchChromium()]);
  const runSdk = async () => {
    const side = await openSdk(browsers[0]!.context, T0);
    await side.page.evaluate(DECODE_IN_PAGE);
    await side.page.evaluate(([key, baseUrl]) => {
      window.braze.initialize(key, { baseUrl, sessionTimeoutInSeconds: 3600, enableLogging: true });
      window.braze.openSession();
    }, [API_KEY, BASE_URL] as const);
    await settle(side);
    const full = await logInSdk(side, 'f', inputs);
    const reduced = await logInSdk(side, 'r', inputs.map((a) => asTheKitSends(a).reduced));
    await drain(side, () => side.page.evaluate(() => window.braze.requestImmediateDataFlush()));
    return { full, reduced, events: customEvents(side) };
  };
  const runKit = async () => {
    const side = await openKit(browsers[1]!.context, T0);
    await side.page.evaluate(DECODE_IN_PAGE);
    await kitStep(side, { do: 'start' }, { name: 'properties', timeout: 3600, steps: [] });
    await settle(side);
    await side.page.evaluate((texts) => {
      const decode = (window as unknown as { decodeAttributes(t: string): Record<string, unknown> }).decodeAttributes;
      texts.forEach((text, i) => (window.calls!.made++, window.hub.logEvent('f' + i, decode(text))));
    }, inputs.map(encodeAttributes));
    await settle(side);
    await drain(side, () => kitStep(side, { do: 'flush' }, { name: 'properties', timeout: 3600, steps: [] }));
    return { events: customEvents(side), warnings: side.console };
  };
  [sdk, kit] = await Promise.all([runSdk(), runKit()]);
}, 120_000);

afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
});

/** The codes of the doc's table, in order. */
function listedCodes(): string[] {
  const table = DOC.slice(DOC.indexOf('<!-- braze-properties:start -->'), DOC.indexOf('<!-- braze-properties:end -->'));
  return [...table.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]!);
}

describe(`event property values against Braze's Web SDK, in Chromium (seed ${SEED})`, () => {
  it('the draw holds what it is meant to hold', () => {
    // Not a vacuous comparison: most events reach Braze on both sides, many with nested values.
    expect(inputs.filter((_, i) => sdk.events.has('r' + i)).length).toBeGreaterThan(inputs.length * 0.9);
    expect(kit.events.size).toBeGreaterThan(inputs.length * 0.9);
    expect([...kit.events.values()].filter((p) => /[[{]/.test(p.slice(1))).length).toBeGreaterThan(inputs.length / 3);
  });

  it('the kit sends what the SDK sends, but for the differences docs/kits/braze.md lists', () => {
    const problems: string[] = [];
    const shown = new Set<string>();
    inputs.forEach((attributes, i) => {
      const { applied } = asTheKitSends(attributes);
      const input = encodeAttributes(attributes).slice(0, 300);
      // What the kit sends is what the SDK sends for the attributes as the rules say the kit sends them.
      const reference = sdk.events.get('r' + i);
      const sent = kit.events.get('f' + i);
      if (sent !== reference) {
        // Braze's 50 KB: the SDK measures the app's object as JSON (its nulls and Dates with
        // milliseconds included), the kit what it sends.
        const reducedJson = JSON.stringify(asTheKitSends(attributes).reduced);
        if (reference === undefined && sent !== undefined && utf8Bytes(reducedJson) > 51_200 && utf8Bytes(sent) <= 51_200) shown.add('size-of-what-is-sent');
        else problems.push(`#${i} ${input}\n  SDK (${sdk.reduced[i]!.result} ${sdk.reduced[i]!.log.filter((l) => !l.startsWith('Logged')).join(' | ').slice(0, 300)}): ${reference?.slice(0, 300)}\n  kit: ${sent?.slice(0, 300)}`);
      }
      // And the SDK does with the attributes as they were what the rows say.
      const does = new Set(applied.map((a) => a.rule.sdk));
      const full = sdk.full[i]!.result;
      const stops = (['throws', 'refuses the event', 'refuses the event or throws'] as const).filter((d) => does.has(d));
      if (stops.length) {
        const ok = stops.some((d) => (d != 'refuses the event' && full.startsWith('threw')) || (d != 'throws' && full == 'refused'));
        if (!ok) problems.push(`#${i} ${input}\n  SDK: ${full} ${sdk.full[i]!.log.join(' | ').slice(0, 300)}, not ${stops.join(' or ')}`);
        for (const a of applied) if (stops.includes(a.rule.sdk as (typeof stops)[number])) shown.add(a.rule.code);
        return;
      }
      if (!applied.length) return;
      const p = JSON.parse(sdk.events.get('f' + i) ?? 'null') as Attributes | null;
      if (!p) return void problems.push(`#${i} ${input}\n  SDK: ${full}, not sent`);
      for (const { key, rule } of applied) {
        const ok = rule.sdk == 'sends null' ? p[key] === null : Object.prototype.hasOwnProperty.call(p, key);
        if (ok) shown.add(rule.code);
        else problems.push(`#${i} key ${JSON.stringify(key).slice(0, 40)}: the SDK does not ${rule.sdk}`);
      }
    });
    if (process.env.BRAZE_PROPERTIES_OUT) writeFileSync(process.env.BRAZE_PROPERTIES_OUT, JSON.stringify({ inputs: inputs.map(encodeAttributes), sdk: { ...sdk, events: Object.fromEntries(sdk.events) }, kit: Object.fromEntries(kit.events) }, null, 1));
    expect(problems).toEqual([]);
    const listed = listedCodes();
    expect([...RULES.map((r) => r.code), 'size-of-what-is-sent'].sort()).toEqual([...listed].sort());
    expect(listed.filter((c) => !shown.has(c)), 'listed differences no event showed').toEqual([]);
  });
});
