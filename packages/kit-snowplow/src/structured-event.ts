/**
 * A hub event as a Snowplow structured event (`e=se`), as the Snowplow trackers' `Structured`
 * event takes it: `se_ac` is the event name; the attributes `category`, `label`, `property` and
 * `value` fill `se_ca` (else the configured default), `se_la`, `se_pr` and `se_va`.
 */

const CARRIED = ['category', 'label', 'property', 'value'];

/**
 * Text of a label or property: strings, numbers (`Infinity` too), booleans and bigints as text,
 * objects as JSON, and one whose JSON is a string (a Date) as that string; undefined when absent,
 * empty (the browser tracker leaves `''` out too) or not representable.
 */
const asText = (v: unknown): string | undefined => {
  try {
    const text = v == null ? '' : typeof v == 'object' || typeof v == 'function' ? JSON.stringify(v) : '' + v;
    // JSON that is a string (a Date's ISO text) as that string, not quoted; JSON's null (an invalid Date) is nothing.
    return (typeof v == 'object' && /^["n]/.test(text) ? JSON.parse(text) : text) || undefined;
  } catch {
    // A cycle, a toJSON that throws, a symbol: not representable.
  }
};

/**
 * `se_va` as enrich reads it (`new java.math.BigDecimal(s)`, then `setScale(0)` when its scale is
 * negative: ConversionUtils.stringToJBigDecimal): the text of a number, bigint or string, sent as it
 * is when in decimal notation (`NaN`, `"0x10"`, `" 1"` or `"Infinity"` would fail the event) with an
 * exponent of at most 8 digits (a double's has 3; from 11 digits BigDecimal throws, and 10^n for an
 * exponent n of 9 digits overflows BigInteger from ~5.4e8 on).
 */
const seValue = (v: unknown): string | undefined => {
  const text = typeof v == 'object' ? '' : String(v);
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,8})?$/.test(text) ? text : undefined;
};

/**
 * `text` cut to what enrich takes of a field of at most `max` characters, or `text` when it fits.
 * Enrich stores it as `toTsvSafe` makes it (a tab as four spaces, other control characters removed:
 * ConversionUtils.makeTsvSafe) and fails the whole event when that is longer than `max` UTF-16 units
 * (AtomicFieldsLengthValidator); so what is over is sent made safe and cut there, a surrogate pair
 * kept whole. `cut` is told the field's name.
 */
export function fit(text: string, max: number, name: string, cut: string[]): string {
  // (A text of a quarter of the limit fits, even if all tabs.)
  if (text.length * 4 <= max) return text;
  const safe = text.replace(/\t/g, '    ').replace(/[\0-\x1f\x7f]/g, '');
  if (safe.length <= max) return text;
  cut.push(name);
  return safe.slice(0, /[\ud800-\udbff]/.test(safe[max - 1]!) ? max - 1 : max);
}

/**
 * The `se_*` fields of event `name`, undefined where there is nothing to send; `category` when there
 * is no `category` attribute. A category, label or property longer than enrich takes
 * (reference.conf `atomicFieldsLimits`: se_category 1000, se_label 4096, se_property 1000) is cut to
 * it, and its field named in `cut`. (`name` is at most 255 characters, as the hub takes names.)
 */
export function structuredFields(name: string, attributes: Readonly<Record<string, unknown>>, category: string, cut: string[] = []): Record<string, string | undefined> {
  const c = attributes.category;
  const text = (v: string | undefined, max: number, field: string) => v && fit(v, max, field, cut);
  return {
    se_ca: text(typeof c == 'string' && c ? c : category, 1000, 'se_ca'),
    se_ac: name,
    se_la: text(asText(attributes.label), 4096, 'se_la'),
    se_pr: text(asText(attributes.property), 1000, 'se_pr'),
    se_va: seValue(attributes.value),
  };
}

/**
 * Attributes a structured event cannot carry, from the `fields` {@link structuredFields} made of them:
 * all but those four, and those of the four that did not become their field (a `category` that is
 * not a string, a `value` that is not a number, a `label` or `property` with no text). `null`,
 * `undefined` and `''` are nothing to carry.
 */
export const unsentAttributes = (attributes: Readonly<Record<string, unknown>>, fields: Readonly<Record<string, string | undefined>>): string[] =>
  Object.keys(attributes).filter((k) => {
    const v = attributes[k];
    // Each fills `se_` and its first two letters: se_ca, se_la, se_pr, se_va.
    // (A category is sent when it is a string, cut or not.)
    return !CARRIED.includes(k) || (v != null && v !== '' && (k == 'category' ? typeof v != 'string' : fields['se_' + k.slice(0, 2)] === undefined));
  });
