/** Iglu schema URIs the kit emits, and the self-describing JSON users attach. */

/** A self-describing JSON: an Iglu schema URI and data valid against it (a Snowplow entity or event). */
export interface SelfDescribingJson<T = unknown> {
  /** `iglu:<vendor>/<name>/jsonschema/<model>-<revision>-<addition>` */
  readonly schema: string;
  readonly data: T;
}

/** The POST body envelope (`payload_data` 1-0-4). */
export const PAYLOAD_DATA_SCHEMA = 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4';
/** The wrapper of `co` / `cx` (the mobile trackers' 1-0-0, as the issue asks; Android uses 1-0-1). */
export const CONTEXTS_SCHEMA = 'iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0';
/** The wrapper of `ue_pr` / `ue_px`. */
export const UNSTRUCT_EVENT_SCHEMA = 'iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0';
/** The session entity attached to every event of a session. */
export const CLIENT_SESSION_SCHEMA = 'iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-2';
export const APPLICATION_FOREGROUND_SCHEMA = 'iglu:com.snowplowanalytics.snowplow/application_foreground/jsonschema/1-0-0';
export const APPLICATION_BACKGROUND_SCHEMA = 'iglu:com.snowplowanalytics.snowplow/application_background/jsonschema/1-0-0';

/** The pattern `contexts` and `unstruct_event` 1-0-0 require of a `schema` value. */
const IGLU_URI = /^iglu:[a-zA-Z0-9-_.]+\/[a-zA-Z0-9-_]+\/[a-zA-Z0-9-_]+\/[0-9]+-[0-9]+-[0-9]+$/;

/** True when `value` is an Iglu URI the collector's wrapper schemas accept. */
export function isIgluUri(value: unknown): value is string {
  return typeof value === 'string' && IGLU_URI.test(value);
}

/**
 * Why `value` cannot be sent as a self-describing JSON, or null when it can: an Iglu `schema` URI and
 * JSON-serializable `data`. Returns the JSON text of the entity through `out` so it is serialized once.
 */
export function selfDescribingJsonProblem(value: unknown, out?: { json: string }): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object { schema, data }';
  const { schema, data } = value as { schema?: unknown; data?: unknown };
  if (!isIgluUri(schema)) return `needs "schema" as an Iglu URI (iglu:vendor/name/jsonschema/1-0-0), got ${JSON.stringify(schema) ?? String(schema)}`;
  if (data === undefined || typeof data === 'function' || typeof data === 'symbol') return `(${schema}) needs JSON "data"`;
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch (error) {
    return `(${schema}) has data that cannot be serialized to JSON (${error instanceof Error ? error.message : String(error)})`;
  }
  if (json === undefined) return `(${schema}) has data that serializes to nothing`;
  if (out) out.json = `{"schema":${JSON.stringify(schema)},"data":${json}}`;
  return null;
}
