/**
 * A hub event as a Snowplow structured event (`e=se`), as the Snowplow trackers' `Structured`
 * event takes it: `se_ac` is the event name; the attributes `category`, `label`, `property` and
 * `value` fill `se_ca` (else the configured default), `se_la`, `se_pr` and `se_va`.
 */

const CARRIED = ['category', 'label', 'property', 'value'];

/** Text of a label or property: strings as they are, other values as JSON; undefined when absent or not representable. */
const asText = (v: unknown): string | undefined => {
  try {
    return v == null ? undefined : typeof v == 'string' || typeof v == 'bigint' ? '' + v : JSON.stringify(v);
  } catch {
    // A cycle, a toJSON that throws: not representable.
  }
};

/** `se_va` is a double in the atomic events table: numbers, and strings that are numbers. */
const seValue = (v: unknown): number => (typeof v == 'number' || (typeof v == 'string' && v.trim()) ? +v : NaN);

/** The `se_*` fields of event `name`, undefined where there is nothing to send; `category` when there is no `category` attribute. */
export function structuredFields(name: string, attributes: Readonly<Record<string, unknown>>, category: string): Record<string, string | undefined> {
  const c = attributes.category;
  const value = seValue(attributes.value);
  return {
    se_ca: typeof c == 'string' && c ? c : category,
    se_ac: name,
    se_la: asText(attributes.label),
    se_pr: asText(attributes.property),
    se_va: isFinite(value) ? '' + value : undefined,
  };
}

/** Attributes a structured event cannot carry: all but those four, and a `value` that is not a number. */
export const unsentAttributes = (attributes: Readonly<Record<string, unknown>>): string[] =>
  Object.keys(attributes).filter((k) => !CARRIED.includes(k) || (k == 'value' && attributes.value != null && !isFinite(seValue(attributes.value))));
