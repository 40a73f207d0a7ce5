import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatLine, generateLog } from '../src/generate';
import type { ParsedLine } from '../src/log/log-record';
import { fastRecord } from '../src/log/ndjson-fast';
import { LineParser, LogReader, type LogFormat } from '../src/log/read-log';

/** The reference: the text split into lines, each read with JSON.parse and parseRecord (LineParser). */
function reference(text: string, format: LogFormat | null): ParsedLine[] {
  const parser = new LineParser(format);
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.flatMap((l) => parser.parse(l.endsWith('\r') ? l.slice(0, -1) : l) ?? []);
}

/** The reader under test, fed the text's UTF-8 bytes cut at `cuts` (anywhere, inside characters too). */
function read(text: string, format: LogFormat | null, cuts: number[]): ParsedLine[] {
  const bytes = Buffer.from(text);
  const reader = new LogReader(format);
  const out: ParsedLine[] = [];
  let from = 0;
  for (const cut of [...cuts.map((c) => Math.floor(c * bytes.length)).sort((a, b) => a - b), bytes.length]) {
    out.push(...reader.push(bytes.subarray(from, cut)));
    from = cut;
  }
  out.push(...reader.end());
  return out;
}

// ---- lines in many spellings: the common shape, and everything around it

/** JSON whitespace, mostly none. */
const space = fc.oneof({ weight: 5, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom(' ', '  ', '\t', ' \t ', '\r') });

/** A string as JSON text: plain, or with some characters escaped (\uXXXX, \n, \"). */
const jsonString = (s: string, escape: boolean): string =>
  escape ? `"${[...s].map((ch, i) => (i % 2 === 0 ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : JSON.stringify(ch).slice(1, -1))).join('')}"` : JSON.stringify(s);

const text = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-z_]{1,20}$/) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom('', 'x'.repeat(12), 'y'.repeat(13), 'device-00000000-0000-4000-8000-000000000001', '__proto__', 'null', 'é', '😀', '\u2028') },
);

/** A JSON value's text. */
type Token = string;
const stringToken = fc.tuple(text, fc.boolean(), fc.nat(9)).map(([s, esc, r]): Token => jsonString(s, esc && r === 0));
const numberToken = fc.oneof(
  fc.integer({ min: -1e6, max: 2e12 }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.constantFrom('0', '-0', '1.5', '1e3', '1E+3', '2.50e-2', '1773478802683', '17734788026830000', '9007199254740993', '123456789012345', '1234567890123456', '1e400', '-1e400'),
  // Not JSON numbers: the line is bad.
  fc.constantFrom('01', '1.', '-', '.5', '+1', '1e', '0x10', 'NaN', 'Infinity'),
);
const literalToken = fc.constantFrom('true', 'false', 'null', 'tru', 'nul');
const flatValue: fc.Arbitrary<Token> = fc.oneof({ weight: 3, arbitrary: stringToken }, { weight: 2, arbitrary: numberToken }, { weight: 1, arbitrary: literalToken });
const keyToken = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-z]{1,8}$/).map((k) => JSON.stringify(k)) },
  { weight: 1, arbitrary: stringToken },
  // (Not "constructor": toStrictEqual compares objects' constructor properties by identity.)
  { weight: 1, arbitrary: fc.constantFrom('"__proto__"', '"0"', '"1"', '"toString"', '"hasOwnProperty"', '"genre"') },
);
const objectToken = (value: fc.Arbitrary<Token>): fc.Arbitrary<Token> =>
  fc
    .tuple(fc.array(fc.tuple(keyToken, value, space, space), { maxLength: 5 }), space)
    .map(([entries, s]) => `{${s}${entries.map(([k, v, a, b]) => `${a}${k}${b}:${a}${v}`).join(`${s},`)}${s}}`);
const attributesToken = fc.oneof(
  { weight: 6, arbitrary: objectToken(flatValue) },
  // Nested values, arrays and non-objects: the reference decides.
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: objectToken(fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v))) },
);
const isoTimestamp = fc
  .tuple(fc.integer({ min: 0, max: 4e12 }), fc.constantFrom('Z', 'z', '+01:30', '-0500', '+02', ''), fc.constantFrom('T', ' '), fc.boolean())
  .map(([ms, zone, sep, fraction]) => {
    const iso = new Date(ms).toISOString();
    const base = `${iso.slice(0, 10)}${sep}${iso.slice(11, fraction ? 23 : 19)}`;
    return JSON.stringify(base + zone);
  });
const timestampToken = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1.7e12, max: 1.8e12 }).map(String) },
  { weight: 1, arbitrary: numberToken },
  { weight: 2, arbitrary: isoTimestamp },
  { weight: 1, arbitrary: fc.constantFrom('"1773478802683"', '"-12.5"', '"yesterday"', '"2026-02-30T09:00:00Z"', 'null', 'true', '{}') },
);
const typeToken = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('"event"', '"foreground"', '"background"', '"launch"') }, { weight: 1, arbitrary: fc.constantFrom('"Event"', '"eventx"', '5', 'null', '"\\u0065vent"') });

/** One field: its key and value text (key `null` for no such field). */
const field = (key: string, value: fc.Arbitrary<Token>, weight = 5): fc.Arbitrary<[string, Token] | null> =>
  fc.oneof({ weight, arbitrary: value.map((v): [string, Token] => [JSON.stringify(key), v]) }, { weight: 1, arbitrary: fc.constant(null) });

const recordLine = fc
  .tuple(
    field('deviceId', fc.oneof({ weight: 5, arbitrary: stringToken }, { weight: 1, arbitrary: fc.constantFrom('5', 'null', '""') }), 20),
    field('timestamp', timestampToken, 20),
    field('type', typeToken, 20),
    field('name', fc.oneof({ weight: 5, arbitrary: stringToken }, { weight: 1, arbitrary: fc.constantFrom('5', 'null', '""') })),
    field('attributes', attributesToken, 2),
    field('affectsSession', fc.constantFrom('true', 'false', '"false"', 'null'), 1),
    field('platform', fc.constantFrom('"mobile"', '"web"', '"tv"', 'null'), 1),
    field('userId', fc.oneof(stringToken, fc.constantFrom('null', '""', '5')), 1),
    fc.oneof({ weight: 8, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.tuple(keyToken, flatValue) }),
    fc.nat(20),
    fc.array(space, { minLength: 12, maxLength: 12 }),
  )
  .chain(([d, t, ty, n, a, af, p, u, extra, dup, ws]) => {
    const fields = [d, t, ty, n, a, af, p, u, extra].filter((f): f is [string, Token] => f !== null);
    // Sometimes a key twice: JSON.parse keeps the last value.
    if (dup === 0 && fields.length > 0) fields.push(fields[0]!);
    return fc.shuffledSubarray(fields, { minLength: fields.length, maxLength: fields.length }).map((ordered) => {
      const w = (i: number) => ws[i % ws.length]!;
      return `${w(0)}{${w(1)}${ordered.map(([k, v], i) => `${k}${w(i + 2)}:${w(i + 3)}${v}`).join(`${w(4)},${w(5)}`)}${w(6)}}${w(7)}`;
    });
  });

const line = fc.oneof(
  { weight: 12, arbitrary: recordLine },
  // Cut short, with garbage after, not objects, blank, anything.
  { weight: 1, arbitrary: recordLine.chain((l) => fc.nat(l.length).map((n) => l.slice(0, n))) },
  { weight: 1, arbitrary: recordLine.map((l) => `${l} x`) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\t', '\u00a0', '[]', 'null', '"x"', '5', '{}', '{"deviceId":"d"}', '\ufeff{"deviceId":"d","timestamp":1,"type":"launch"}') },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }).filter((s) => !s.includes('\n')) },
);

describe('the NDJSON fast path', () => {
  it('gives exactly what JSON.parse and parseRecord give, line numbers and problems included, however the bytes are cut', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(line, fc.boolean()), { maxLength: 25 }),
        fc.boolean(),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
        fc.constantFrom<LogFormat | null>('ndjson', null),
        (lines, finalNewline, cuts, format) => {
          // As a file holds it: UTF-8 has no lone surrogate (a line cut inside a pair), it is read back as U+FFFD.
          const body = Buffer.from(lines.map(([l, crlf]) => (crlf ? `${l}\r` : l)).join('\n') + (finalNewline ? '\n' : '')).toString();
          const want = reference(body, format);
          const got = read(body, format, cuts);
          expect(got).toStrictEqual(want);
          // Same key order in every object, as JSON.parse makes them.
          expect(JSON.stringify(got)).toBe(JSON.stringify(want));
        },
      ),
      { numRuns: 800 },
    );
  });

  it('reads every line sessionhub generate writes without falling back to JSON.parse', () => {
    const parser = new LineParser('ndjson');
    let n = 0;
    for (const l of generateLog({ devices: 20, events: 2000, seed: 3 })) {
      const text = formatLine(l, 'ndjson');
      const record = fastRecord({ text, bytes: Buffer.from(text, 'latin1') }, 0, text.length, ++n);
      expect(record).not.toBeNull();
      expect({ ok: true, record }).toStrictEqual(parser.parse(text));
    }
  });
});
