/**
 * Test helper: validates what the kit sends against the real Iglu schemas (verbatim from
 * iglu-central, kept in ./iglu-central with their source and license) plus this package's fixtures, with ajv.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { HttpRequest } from '@sessionhub/delivery';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM interop.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as typeof addFormatsModule;

/** iglu-central's schemas, copied verbatim into this package (see iglu-central/README.md). */
export const IGLU_CENTRAL_DIR = fileURLToPath(new URL('./iglu-central/', import.meta.url));
export const FIXTURE_IGLU_DIR = fileURLToPath(new URL('./fixtures/iglu/', import.meta.url));

/** The Iglu meta-schema's id, which every Iglu schema names as its `$schema`. */
const IGLU_META = 'http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#';

/**
 * iglu-central's self-desc meta-schema (`com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0`):
 * JSON Schema plus a required `self` block naming vendor, name, format and version. Iglu builds it
 * on draft-04; ajv 8 ships draft-07, which reads these schemas the same way (none uses a keyword
 * whose meaning changed).
 */
const igluMetaSchema = {
  $id: IGLU_META,
  allOf: [
    {
      properties: {
        self: {
          type: 'object',
          properties: {
            vendor: { type: 'string', pattern: '^[a-zA-Z0-9-_.]+$' },
            name: { type: 'string', pattern: '^[a-zA-Z0-9-_]+$' },
            format: { type: 'string', pattern: '^[a-zA-Z0-9-_]+$' },
            version: { type: 'string', pattern: '^[0-9]+-[0-9]+-[0-9]+$' },
          },
          required: ['vendor', 'name', 'format', 'version'],
          additionalProperties: false,
        },
      },
      required: ['self'],
    },
    { $ref: 'http://json-schema.org/draft-07/schema#' },
  ],
};

export interface IgluValidator {
  /** The Iglu URIs known. */
  readonly uris: ReadonlySet<string>;
  /** Problems of `data` against the schema `uri` (empty: valid; unknown schema: a problem). */
  problems(uri: string, data: unknown): string[];
  /** Problems of a schema against the Iglu meta-schema. */
  schemaProblems(schema: unknown): string[];
}

function schemaFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...schemaFiles(path));
    else if (/^\d+-\d+-\d+$/.test(name)) out.push(path);
  }
  return out;
}

let shared: IgluValidator | null = null;

/** One validator for the whole test file (compiling the schemas once). */
export function igluValidator(): IgluValidator {
  if (shared) return shared;
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: true });
  addFormats(ajv);
  // `self` names the schema; declared so it is checked as the meta-schema says rather than ignored.
  ajv.addKeyword({ keyword: 'self', schemaType: 'object' });
  ajv.addMetaSchema(igluMetaSchema);
  const compiled = new Map<string, ValidateFunction>();
  for (const dir of [IGLU_CENTRAL_DIR, FIXTURE_IGLU_DIR]) {
    for (const file of schemaFiles(dir)) {
      const schema = JSON.parse(readFileSync(file, 'utf8')) as { $schema: string; self: { vendor: string; name: string; format: string; version: string } };
      const { vendor, name, format, version } = schema.self;
      const uri = `iglu:${vendor}/${name}/${format}/${version}`;
      if (!file.endsWith(join(vendor, name, format, version))) throw new Error(`${file}: its self block says ${uri}`);
      if (schema.$schema !== IGLU_META) throw new Error(`${file}: unexpected $schema ${schema.$schema}`);
      if (!ajv.validateSchema(schema)) throw new Error(`${file} is not a valid Iglu schema: ${ajv.errorsText(ajv.errors)}`);
      compiled.set(uri, ajv.compile(schema));
    }
  }
  shared = {
    uris: new Set(compiled.keys()),
    problems(uri, data) {
      const validate = compiled.get(uri);
      if (!validate) return [`no Iglu schema ${uri}`];
      return validate(data) ? [] : (validate.errors ?? []).map((e) => `${uri}${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
    },
    schemaProblems(schema) {
      return ajv.validateSchema(schema as object) ? [] : (ajv.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
    },
  };
  return shared;
}

/** A self-describing JSON as decoded from a payload. */
export interface SelfDescribing {
  readonly schema: string;
  readonly data: unknown;
}

/** One event of a request, decoded and validated. */
export interface DecodedEvent {
  /** The payload item, every value a string. */
  readonly item: Readonly<Record<string, string>>;
  /** The entities of `cx` / `co` (unwrapped from contexts/1-0-0), [] without any. */
  readonly entities: readonly SelfDescribing[];
  /** The self-describing event of `ue_px` / `ue_pr` (unwrapped from unstruct_event/1-0-0), or null. */
  readonly event: SelfDescribing | null;
}

const B64URL = /^[A-Za-z0-9_-]*$/;

function decodeJson(item: Record<string, string>, encoded: string, plain: string, where: string): unknown {
  if (item[encoded] !== undefined && item[plain] !== undefined) throw new Error(`${where}: both ${encoded} and ${plain}`);
  if (item[encoded] !== undefined) {
    const text = item[encoded]!;
    if (!B64URL.test(text)) throw new Error(`${where}: ${encoded} is not unpadded base64url`);
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  }
  return item[plain] === undefined ? undefined : JSON.parse(item[plain]!);
}

function check(validator: IgluValidator, uri: string, data: unknown, where: string): void {
  const problems = validator.problems(uri, data);
  if (problems.length) throw new Error(`${where}: ${problems.join('; ')}\n${JSON.stringify(data)}`);
}

/**
 * Validates a POST the kit built, field by field, against the Iglu schemas — the payload_data 1-0-4
 * envelope, every contexts/1-0-0 and its entities, every unstruct_event/1-0-0 and its event — and
 * returns its events decoded. Throws with what is wrong.
 */
export function decodeTrackerRequest(request: HttpRequest, validator = igluValidator()): DecodedEvent[] {
  if (request.method !== 'POST') throw new Error(`method ${request.method}`);
  if (!request.url.endsWith('/com.snowplowanalytics.snowplow/tp2')) throw new Error(`url ${request.url}`);
  if (!/^application\/json\b/.test(request.headers?.['content-type'] ?? '')) throw new Error('content-type is not JSON');
  const body = JSON.parse(request.body ?? '') as { schema: unknown; data: unknown };
  if (Object.keys(body).sort().join() !== 'data,schema') throw new Error('the body is not a self-describing JSON');
  if (body.schema !== 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4') throw new Error(`envelope schema ${String(body.schema)}`);
  check(validator, body.schema, body.data, 'envelope');
  return (body.data as Record<string, string>[]).map((item, i) => {
    const where = `item ${i} (${item.e} ${item.eid})`;
    const contexts = decodeJson(item, 'cx', 'co', where) as SelfDescribing | undefined;
    let entities: SelfDescribing[] = [];
    if (contexts !== undefined) {
      if (contexts.schema !== 'iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0') throw new Error(`${where}: contexts schema ${contexts.schema}`);
      check(validator, 'iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0', contexts.data, `${where} contexts`);
      entities = contexts.data as SelfDescribing[];
      for (const entity of entities) check(validator, entity.schema, entity.data, `${where} entity`);
    }
    const wrapper = decodeJson(item, 'ue_px', 'ue_pr', where) as { schema: string; data: SelfDescribing } | undefined;
    let event: SelfDescribing | null = null;
    if (item.e === 'ue') {
      if (wrapper === undefined) throw new Error(`${where}: e=ue without ue_px/ue_pr`);
      check(validator, 'iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0', wrapper, `${where} unstruct_event`);
      if (wrapper.schema !== 'iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0') throw new Error(`${where}: wrapper ${wrapper.schema}`);
      check(validator, wrapper.data.schema, wrapper.data.data, `${where} event`);
      event = wrapper.data;
    } else if (item.e === 'se') {
      if (wrapper !== undefined) throw new Error(`${where}: a structured event with ue_px/ue_pr`);
      if (!item.se_ca || !item.se_ac) throw new Error(`${where}: a structured event needs se_ca and se_ac`);
      if (item.se_va !== undefined && !Number.isFinite(Number(item.se_va))) throw new Error(`${where}: se_va ${item.se_va}`);
    } else {
      throw new Error(`${where}: unexpected event type`);
    }
    for (const key of ['eid', 'dtm', 'stm', 'aid', 'tna']) if (!item[key]) throw new Error(`${where}: no ${key}`);
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(item.eid!)) throw new Error(`${where}: eid is not a lowercase UUID v4`);
    if (!/^\d+$/.test(item.dtm!) || !/^\d+$/.test(item.stm!)) throw new Error(`${where}: dtm/stm are not epoch ms`);
    return { item, entities, event };
  });
}

/** The `client_session` entity of an event, or undefined. */
export function clientSession(event: DecodedEvent): Record<string, unknown> | undefined {
  const found = event.entities.filter((e) => e.schema === 'iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-2');
  if (found.length > 1) throw new Error('more than one client_session');
  return found[0]?.data as Record<string, unknown> | undefined;
}
