/**
 * A hub event as a Snowplow structured event (`e=se`), as the Snowplow trackers' `Structured`
 * event takes it: `se_ac` is the event name; the attributes `category`, `label`, `property` and
 * `value` fill `se_ca` (else the configured default), `se_la`, `se_pr` and `se_va`.
 */

/** The attribute names a structured event carries. */
export const STRUCTURED_ATTRIBUTES: ReadonlySet<string> = new Set(['category', 'label', 'property', 'value']);

/** The payload fields of a structured event, as JSON text starting with a comma (`,"se_ca":…`). */
export interface StructuredFields {
  readonly json: string;
  /** The `value` attribute could not become `se_va` (not a finite number). */
  readonly badValue: boolean;
}

const asText = (v: unknown): string | null => {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  try {
    return JSON.stringify(v) ?? null;
  } catch {
    return null;
  }
};

/** The `se_*` fields of event `name` with `attributes`; `defaultCategory` when there is no `category` attribute. */
export function structuredFields(name: string, attributes: Readonly<Record<string, unknown>>, defaultCategory: string): StructuredFields {
  const category = attributes.category;
  let json = ',"se_ca":' + JSON.stringify(typeof category === 'string' && category.length > 0 ? category : defaultCategory) + ',"se_ac":' + JSON.stringify(name);
  const label = asText(attributes.label);
  if (label !== null) json += ',"se_la":' + JSON.stringify(label);
  const property = asText(attributes.property);
  if (property !== null) json += ',"se_pr":' + JSON.stringify(property);
  const value = attributes.value;
  let badValue = false;
  if (value !== undefined && value !== null) {
    // se_va is a double in the atomic events table: numbers, and strings that are numbers.
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
    if (Number.isFinite(n)) json += ',"se_va":"' + String(n) + '"';
    else badValue = true;
  }
  return { json, badValue };
}

/** Attribute names a structured event cannot carry (they are not sent). */
export function unstructuredKeys(attributes: Readonly<Record<string, unknown>>): string[] {
  const keys: string[] = [];
  for (const key of Object.keys(attributes)) if (!STRUCTURED_ATTRIBUTES.has(key)) keys.push(key);
  return keys;
}
