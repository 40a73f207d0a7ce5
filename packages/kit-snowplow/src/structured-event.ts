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
 * `se_va` as enrich reads it (`new java.math.BigDecimal(s)`): the text of a number, bigint or string,
 * sent as it is when in decimal notation (`NaN`, `"0x10"`, `" 1"` or `"Infinity"` would fail the event).
 */
const seValue = (v: unknown): string | undefined => {
  const text = typeof v == 'object' ? '' : String(v);
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? text : undefined;
};

/** The `se_*` fields of event `name`, undefined where there is nothing to send; `category` when there is no `category` attribute. */
export function structuredFields(name: string, attributes: Readonly<Record<string, unknown>>, category: string): Record<string, string | undefined> {
  const c = attributes.category;
  return {
    se_ca: typeof c == 'string' && c ? c : category,
    se_ac: name,
    se_la: asText(attributes.label),
    se_pr: asText(attributes.property),
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
    return !CARRIED.includes(k) || (v != null && v !== '' && (k == 'category' ? fields.se_ca !== v : fields['se_' + k.slice(0, 2)] === undefined));
  });
