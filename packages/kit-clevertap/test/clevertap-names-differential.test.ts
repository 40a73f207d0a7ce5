/**
 * Event names, differentially: generated names (fast-check, the seed every property runs with) and
 * fixed ones are logged through CleverTap's own Web SDK (`clevertap.event.push(name, props)`, the
 * pinned devDependency) and through the kit (`hub.logEvent(name, props)`), each in one page of real
 * Chromium (the pages of conformance/web-sdk-run.ts); for each, whether an event is sent and its
 * `evtName` are compared (the properties `{ f: <index> }` tell the events apart). The hub refuses a
 * name over 255 characters, so such a name is also given to the kit a second way, as an app's
 * `beforeSend` may rename an event: the kit's own rules for long names are compared too.
 *
 * As in clevertap-properties-differential.test.ts, the SDK is the reference: the kit must send what
 * it sends, but where docs/kits/clevertap.md ("Event names against the web SDK") lists a difference.
 * Each row is a rule below: which names it is about, what the kit sends instead (the SDK is run on
 * that too, `{ r: <index> }`: the kit's event must be the SDK's for it), and what the SDK does with
 * the name as it was. The test fails on a difference no row explains, on a row whose SDK behaviour
 * no longer holds, and on a row no name showed. The rules read the SDK through a model of what it
 * makes of a name (the page's account of `clevertap.js`), itself checked against every event.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type TestBrowser } from '@sessionhub/testing/chromium';
import { FRAGMENTS, sampleSeed } from '../../testing/test/attribute-values';
import { openSite, pageWarnings, realNow, SDK_VERSION, type Site } from './conformance/web-sdk-run';

const DOC = readFileSync(new URL('../../../docs/kits/clevertap.md', import.meta.url), 'utf8');
const ACCOUNT_ID = 'W9R-486-4W5Z';
const SEED = sampleSeed();
const GENERATED = 200;
/** The hub's longest event name (`logEvent`, SH048). */
const HUB_MAX = 255;
/** The name a `beforeSend` hook of the kit's page renames to the name the test gives it. */
const PLACEHOLDER = 'sessionhub test: renamed';

/** The web SDK's `SYSTEM_EVENTS` (clevertap.js 261). */
const WEB_SYSTEM = ['Stayed', 'UTM Visited', 'App Launched', 'Notification Sent', 'Notification Viewed', 'Notification Clicked'];
/** Android's `DEFAULT_RESTRICTED_EVENT_NAMES` (validation/ValidationConfig.kt) the web SDK does not refuse. */
const ANDROID_ONLY = ['wzrk_d', 'App Uninstalled', 'Notification Bounced', 'Geocluster Entered', 'Geocluster Exited', 'SCOutgoing', 'SCIncoming', 'SCEnd', 'SCCampaignOptOut'];
/** Names CleverTap gives a meaning: the system names above, iOS's `wzrk_fetch`, and names its servers or SDKs raise or treat apart. */
const CLEVERTAP_NAMES = [...WEB_SYSTEM, ...ANDROID_ONLY, 'Session Concluded', 'wzrk_fetch', 'wzrk_error', 'Charged', 'App Installed', 'Identity Set'];

/** How a name reaches the kit: `hub.logEvent(name)`, or an event the hub's `beforeSend` renames to it. */
type Via = 'logEvent' | 'beforeSend';
interface Input {
  readonly name: string;
  readonly via: Via;
}

// What each side makes of a name, as docs/kits/clevertap.md describes it.
const cut = (name: string): string => name.substring(0, 1024);
/**
 * The web SDK (clevertap.js 8509–8534, 18039): a name is cut at 1024, refused when it is then one of
 * `SYSTEM_EVENTS`, else cleaned by `unsupportedKeyCharRegex`; the request's `removeUnsupportedChars`
 * cleans it again as a value (`unsupportedValueCharRegex`), which trims what whitespace the first
 * pass left at an end. Undefined: not sent.
 */
function sdkName(name: string): string | undefined {
  const c = cut(name);
  if (WEB_SYSTEM.includes(c)) return undefined;
  return c.replace(/^\s+|\.|:|\$|'|"|\\|\s+$/g, '').replace(/^\s+|'|"|\\|\s+$/g, '');
}
/** The kit: characters removed, trimmed, cut at 1024, trimmed again ('' when nothing is left). */
const kitName = (name: string): string => {
  const out = name.replace(/[.:$'"\\]/g, '').trim();
  return out.length > 1024 ? cut(out).trim() : out;
};

/** A documented difference: which names, what the kit sends instead, what the SDK does with them. */
interface Rule {
  readonly code: string;
  readonly applies: (name: string, via: Via) => boolean;
  /** The name the kit sends instead (undefined: no event); the SDK's event for it is the kit's. */
  readonly kitSends: (name: string) => string | undefined;
  readonly sdk: {
    /** As the doc's table says it (after "the SDK does not"). */
    readonly text: string;
    /** Whether the SDK's `evtName` for the name as it was (undefined: not sent) shows it. */
    readonly holds: (sent: string | undefined, name: string) => boolean;
  };
}
const none = (): undefined => undefined;
const SENDS_IT = { text: 'send it', holds: (sent: string | undefined) => sent !== undefined };

/** The rules, in the order the kit's changes are made to a name (all that apply). */
const RULES: readonly Rule[] = [
  { code: 'name-over-255', applies: (n, via) => via == 'logEvent' && n.length > HUB_MAX, kitSends: none, sdk: SENDS_IT },
  { code: 'name-empty', applies: (n) => kitName(n) == '', kitSends: none, sdk: { text: 'send it, named ""', holds: (sent) => sent === '' } },
  {
    code: 'name-cut-before-cleaning',
    applies: (n) => kitName(n) !== kitName(cut(n)),
    kitSends: kitName,
    sdk: { text: 'cut it at 1024 before removing characters', holds: (sent, n) => sent === kitName(cut(n)) },
  },
  { code: 'name-system-once-cleaned', applies: (n) => WEB_SYSTEM.includes(kitName(n)) && !WEB_SYSTEM.includes(cut(n)), kitSends: none, sdk: SENDS_IT },
  { code: 'name-system-android', applies: (n) => ANDROID_ONLY.includes(kitName(n)), kitSends: none, sdk: SENDS_IT },
  { code: 'name-session-concluded', applies: (n) => kitName(n) == 'Session Concluded', kitSends: none, sdk: SENDS_IT },
];

/** The name as the rules say the kit sends it (undefined: no event), and the rules that applied. */
function asTheKitSends({ name, via }: Input): { reduced: string | undefined; applied: Rule[] } {
  const applied = RULES.filter((r) => r.applies(name, via));
  let reduced: string | undefined = name;
  for (const rule of applied) if (reduced !== undefined) reduced = rule.kitSends(reduced);
  return { reduced, applied };
}

// Generated names: any text of the pieces encoders and CleverTap's rules treat apart, any UTF-16
// (lone surrogates too), CleverTap's own names dressed up, long names around the hub's 255 and
// CleverTap's 1024 with removable characters and whitespace before and at the cut, and names
// nothing is left of.
const piece = fc.constantFrom(...FRAGMENTS);
const text = (max: number) => fc.array(piece, { minLength: 1, maxLength: max }).map((p) => p.join(''));
const edge = fc.constantFrom('', '', ' ', '  ', '.', '$', ':', "'", '"', '\\', '\t', '\n', '\u00a0', '\u3000');
const dressed = fc
  .tuple(edge, fc.constantFrom(...CLEVERTAP_NAMES), edge, fc.constantFrom('as is', 'as is', 'lower', 'upper'))
  .map(([a, n, b, kase]) => a + (kase == 'lower' ? n.toLowerCase() : kase == 'upper' ? n.toUpperCase() : n) + b);
const long = fc
  .tuple(fc.constantFrom(255, 256, 1023, 1024, 1025, 1026, 1100), text(3), fc.constantFrom('x', 'é', '😀', ' ', '.', 'a.', 'ab ', "x'y", '$$$$z'), fc.oneof(text(2), edge))
  .map(([n, head, fill, tail]) => (head + fill.repeat(n)).slice(0, Math.max(0, n - tail.length)) + tail);
const removable = fc.array(fc.constantFrom('.', ':', '$', "'", '"', '\\', ' ', '\t', '\n', '\u00a0', '\ufeff'), { maxLength: 8 }).map((p) => p.join(''));
const NAMES = fc.oneof(
  { weight: 6, arbitrary: text(6) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 3, arbitrary: dressed },
  { weight: 4, arbitrary: long },
  { weight: 1, arbitrary: removable },
);

/** Names chosen to show every row whatever the seed draws. */
function fixedNames(): string[] {
  return [
    // Plain, Unicode, whitespace, characters CleverTap removes.
    'Product Viewed', ' Added To Cart ', 'a . b', 'a .', '. a', "a ' ", 'tab\tname', 'ünïcödé 日本 😀 👩‍👩‍👧', 'e\u0301', 'a\ud83d', '\ude00b', '\u202eabc', '\u0000x\u001f',
    // Nothing left once cleaned.
    '', ' ', '...', ` '"\\ $ `, '\u3000.\u3000',
    // CleverTap's names, as they are, dressed, in another case.
    ...CLEVERTAP_NAMES, 'Stayed.', ' Stayed', "App Launched'", 'Notification$ Clicked', '"UTM Visited"', 'wzrk_d.', ' Session Concluded.', 'stayed', 'STAYED', 'Stay ed',
    // Around the hub's 255 and CleverTap's 1024: removable characters and whitespace before and at the cut, a cut through a surrogate pair.
    'x'.repeat(255), 'x'.repeat(256), 'x'.repeat(1023), 'y'.repeat(1024), 'z'.repeat(1025), '.' + 'x'.repeat(1024), 'a.'.repeat(600), ' ' + 'x'.repeat(1024),
    'x'.repeat(1023) + ' y', 'x'.repeat(1022) + ' .y', 'a' + '😀'.repeat(600), '😀'.repeat(512) + '.', '.'.repeat(2000), '.'.repeat(1020) + 'Stayed', 'Stayed' + ' '.repeat(1100),
    // Names an object's prototype has (the SDK keeps a count per name in a plain object).
    'constructor', 'hasOwnProperty', 'toString', '__proto__',
  ];
}

let browsers: TestBrowser[] = [];
let inputs: Input[] = [];
/** The SDK's `evtName` for each input's name (`f`) and for it as the kit sends it (`r`), by index; absent: not sent. */
let sdk: { f: Map<number, string>; r: Map<number, string> };
/** The kit's `evtName` by index, what `hub.logEvent` returned, the page's warnings. */
let kit: { events: Map<number, string>; results: string[]; warnings: string[] };

/** `evtName` by the index in the properties (`{ [prefix]: index }`) of the events `items` hold. */
function eventNames(items: Iterable<Record<string, unknown>>, prefix: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const item of items) {
    const data = item.evtData as Record<string, unknown> | undefined;
    if (item.type != 'event' || !data || Object.keys(data).join() != prefix || typeof data[prefix] != 'number') continue;
    const i = data[prefix] as number;
    // The SDK may send a request again (from its backup): the same name.
    if (out.has(i) && out.get(i) !== item.evtName) throw new Error(`${prefix}${i} sent twice, differently`);
    out.set(i, item.evtName as string);
  }
  return out;
}

beforeAll(async () => {
  const names = [...fixedNames(), ...fc.sample(NAMES, { numRuns: GENERATED, seed: SEED })];
  // A name over 255 both ways; those the SDK counts as `__proto__` last (its count sets Object.prototype[0] and [2]).
  const all = names.flatMap((name): Input[] => (name.length > HUB_MAX ? [{ name, via: 'logEvent' }, { name, via: 'beforeSend' }] : [{ name, via: 'logEvent' }]));
  const proto = (input: Input) => sdkName(input.name) === '__proto__';
  inputs = [...all.filter((x) => !proto(x)), ...all.filter(proto)];
  browsers = await Promise.all([launchChromium(), launchChromium()]);
  const start = realNow();
  // (Names as JSON text: Playwright would turn a lone surrogate into U+FFFD.)
  const json = JSON.stringify(inputs.map((x) => x.name));
  const runSdk = async () => {
    const site: Site = await openSite(browsers[0]!.context, 'https://www.shop.test', ACCOUNT_ID, start);
    await site.loadSdk();
    const reduced = JSON.stringify(inputs.map((x) => asTheKitSends(x).reduced ?? null));
    await site.page.evaluate(
      ([full, reduced]) => {
        const { event } = (window as unknown as { clevertap: { event: { push(name: string, data: object): void } } }).clevertap;
        const r = JSON.parse(reduced) as (string | null)[];
        (JSON.parse(full) as string[]).forEach((name, i) => {
          event.push(name, { f: i });
          if (r[i] !== null) event.push(r[i]!, { r: i });
        });
      },
      [json, reduced] as const,
    );
    await site.settle();
    await site.advance(5000);
    site.checkDecoding();
    const payloads = site.requests.map((r) => r.payload);
    return { f: eventNames(payloads, 'f'), r: eventNames(payloads, 'r') };
  };
  const runKit = async () => {
    const site = await openSite(browsers[1]!.context, 'https://www.shop.test', ACCOUNT_ID, start);
    const warnings = pageWarnings(site.page);
    // The app's hook: an event named PLACEHOLDER becomes the name of input `f`.
    await site.page.addInitScript(
      ([placeholder, json]) => {
        const names = JSON.parse(json) as string[];
        type Event = { name: string; attributes: { f: number } };
        (window as unknown as { beforeSend(r: Event): Event }).beforeSend = (r) => (r.name === placeholder ? { ...r, name: names[r.attributes.f]! } : r);
      },
      [PLACEHOLDER, json] as const,
    );
    await site.loadKit();
    const results = await site.page.evaluate(
      ([placeholder, json, via]) => {
        const hub = (window as unknown as { hub: { logEvent(name: string, a: object): boolean } }).hub;
        return (JSON.parse(json) as string[]).map((name, i) => String(hub.logEvent(via[i] == 'logEvent' ? name : placeholder, { f: i })));
      },
      [PLACEHOLDER, json, inputs.map((x) => x.via)] as const,
    );
    await site.flush();
    return { events: eventNames(site.uploads.flatMap((u) => u.body.slice(1)), 'f'), results, warnings };
  };
  [sdk, kit] = await Promise.all([runSdk(), runKit()]);
}, 120_000);

afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
});

/** The codes of the doc's table of names, in order. */
function listedCodes(): string[] {
  const table = DOC.slice(DOC.indexOf('<!-- clevertap-names:start -->'), DOC.indexOf('<!-- clevertap-names:end -->'));
  return [...table.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]!);
}

const show = (s: string | undefined): string => (s === undefined ? 'not sent' : JSON.stringify(s.length > 80 ? `${s.slice(0, 40)}…${s.slice(-40)} (${s.length})` : s));

describe(`event names against clevertap-web-sdk ${SDK_VERSION}, in Chromium (seed ${SEED})`, () => {
  it('the draw holds what it is meant to hold, and the kit never throws', () => {
    // Not a vacuous comparison: names of every kind, most of them sent by both sides.
    expect(inputs.filter((x) => x.name.length > 1024 && x.via == 'beforeSend').length).toBeGreaterThan(15);
    expect(sdk.f.size).toBeGreaterThan(inputs.length * 0.8);
    expect(kit.events.size).toBeGreaterThan(inputs.length / 2);
    // The hub refuses '' and names over 255, and nothing else.
    expect(kit.results).toEqual(inputs.map((x) => String(x.via == 'beforeSend' || (x.name != '' && x.name.length <= HUB_MAX))));
    const expected = (w: string) => w.startsWith('[sessionhub:clevertap] event ') || w.includes('logEvent: the event name must be a string of 1–255 characters');
    expect(kit.warnings.filter((w) => !expected(w))).toEqual([]);
  });

  it("the SDK's evtName is what the page says it makes of the name (modelled above), for every name", () => {
    const wrong = inputs.flatMap(({ name }, i) => (sdk.f.get(i) === sdkName(name) ? [] : [`#${i} ${show(name)}: SDK ${show(sdk.f.get(i))}, model ${show(sdkName(name))}`]));
    expect(wrong).toEqual([]);
  });

  it('the kit sends what the SDK sends, but for the differences docs/kits/clevertap.md lists', () => {
    const problems: string[] = [];
    const shown = new Set<string>();
    inputs.forEach((input, i) => {
      const { reduced, applied } = asTheKitSends(input);
      // The kit's event is the SDK's for the name as the rules say the kit sends it (none: no event).
      const reference = reduced === undefined ? undefined : sdk.r.get(i);
      if (kit.events.get(i) !== reference) problems.push(`#${i} ${show(input.name)} (${input.via}): SDK ${show(reference)} for ${show(reduced)}, kit ${show(kit.events.get(i))}`);
      // And the SDK does with the name as it was what the rows say.
      for (const rule of applied) {
        if (rule.sdk.holds(sdk.f.get(i), input.name)) shown.add(rule.code);
        else problems.push(`#${i} ${show(input.name)}: the SDK does not ${rule.sdk.text} (${rule.code}; it sent ${show(sdk.f.get(i))})`);
      }
    });
    if (process.env.CLEVERTAP_NAMES_OUT) {
      const row = (x: Input, i: number) => ({ ...x, rules: asTheKitSends(x).applied.map((r) => r.code), sdk: sdk.f.get(i), sdkReduced: sdk.r.get(i), kit: kit.events.get(i) });
      writeFileSync(process.env.CLEVERTAP_NAMES_OUT, JSON.stringify(inputs.map(row), null, 1));
    }
    expect(problems).toEqual([]);
    const listed = listedCodes();
    expect(RULES.map((r) => r.code).sort()).toEqual([...listed].sort());
    expect(listed.filter((c) => !shown.has(c)), 'listed differences no name showed').toEqual([]);
  });
});
