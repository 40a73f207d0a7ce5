/** Iglu schema URIs the kit emits, and the self-describing JSON users attach. */
import { attributesJson, nests } from './attributes-json';
import { message } from './messages';

/** A self-describing JSON: an Iglu schema URI and data valid against it (a Snowplow entity or event). */
export interface SelfDescribingJson<T = unknown> {
  /** `iglu:<vendor>/<name>/jsonschema/<model>-<revision>-<addition>` */
  readonly schema: string;
  readonly data: T;
}

const SNOWPLOW = 'iglu:com.snowplowanalytics.snowplow/';
/** The POST body envelope (`payload_data` 1-0-4). */
export const PAYLOAD_DATA_SCHEMA = SNOWPLOW + 'payload_data/jsonschema/1-0-4';
/** The wrapper of `co` / `cx` (the mobile trackers' 1-0-0, as the issue asks; Android uses 1-0-1). */
export const CONTEXTS_SCHEMA = SNOWPLOW + 'contexts/jsonschema/1-0-0';
/** The wrapper of `ue_pr` / `ue_px`. */
export const UNSTRUCT_EVENT_SCHEMA = SNOWPLOW + 'unstruct_event/jsonschema/1-0-0';
/** The session entity attached to every event of a session. */
export const CLIENT_SESSION_SCHEMA = SNOWPLOW + 'client_session/jsonschema/1-0-2';
export const APPLICATION_FOREGROUND_SCHEMA = SNOWPLOW + 'application_foreground/jsonschema/1-0-0';
export const APPLICATION_BACKGROUND_SCHEMA = SNOWPLOW + 'application_background/jsonschema/1-0-0';

/** True when `value` is an Iglu URI as `contexts` and `unstruct_event` 1-0-0 require of a `schema`. */
export const isIgluUri = (value: unknown): value is string =>
  typeof value == 'string' && /^iglu:[\w.-]+\/[\w-]+\/[\w-]+\/\d+-\d+-\d+$/.test(value);

/** `{"schema":"<schema>","data":<data>}`; `data` is JSON text. */
export const selfDescribing = (schema: string, data: string): string => '{"schema":"' + schema + '","data":' + data + '}';


/**
 * The deepest level (`data` itself is 0) of an entity's `data` that may hold members: enrich fails
 * the event when anything in its contexts is 40 levels deep (reference.conf `maxJsonDepth: 40`,
 * JsonUtils.extractJson), and `data` is at level 3 of `{"schema":…,"data":[{"schema":…,"data":…}]}`.
 */
export const ENTITY_DEPTH = 36;

/**
 * The JSON text of `value` as a self-describing JSON (an Iglu `schema` URI and JSON `data`), or ''
 * after telling `problem` what is wrong with it.
 */
export function selfDescribingJson(value: unknown, problem: (message: string) => void): string {
  const { schema, data } = (value ?? 0) as Partial<SelfDescribingJson>;
  let json: string | undefined;
  if (!isIgluUri(schema)) problem(message(515));
  else {
    try {
      json = JSON.stringify(data);
    } catch {
      // (a BigInt, a cycle) said below
    }
    if (json === undefined) problem(message(516, schema));
    // (Written again, with the deep objects as text, only to find out whether there are any.)
    else if (nests(json, ENTITY_DEPTH) && (attributesJson(data, () => (json = ''), ENTITY_DEPTH), !json)) problem(message(526, schema));
    else return selfDescribing(schema, json);
  }
  return '';
}
