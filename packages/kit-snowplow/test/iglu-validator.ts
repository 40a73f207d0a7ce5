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

/**
 * enrich's limits on the atomic fields the kit's fields fill (snowplow/enrich 2026-04,
 * modules/common/src/main/resources/reference.conf `validation.atomicFieldsLimits`): a longer value
 * fails the whole event (AtomicFieldsLengthValidator), measured in UTF-16 units after
 * ConversionUtils.makeTsvSafe (a tab as four spaces, other control characters removed).
 */
const ATOMIC_LIMITS: Record<string, number> = {
  aid: 255, p: 255, eid: 36, tna: 128, tv: 100, uid: 255, duid: 128, sid: 128, url: 10_000, refr: 10_000, page: 2000,
  se_ca: 1000, se_ac: 1000, se_la: 4096, se_pr: 1000, lang: 255, cd: 12, tz: 255, cs: 128,
};
/** The URL parts enrich stores (ConversionUtils.explodeUri of java.net.URI), and their limits: `url` (page_url*), `refr` (refr_url*). */
const URL_LIMITS = {
  url: { scheme: 16, host: 255, path: 3000, query: 6000, fragment: 3000 },
  refr: { scheme: 16, host: 255, path: 6000, query: 6000, fragment: 3000 },
} as const;

/** A field as enrich stores it (ConversionUtils.makeTsvSafe). */
export const tsvSafe = (text: string): string => text.replace(/\t/g, '    ').replace(/[\0-\x1f\x7f]/g, '');

/** JsonUtils.checkIfExceedMaxDepth with maxJsonDepth 40: whether anything of `json` (at level 0) is at level 40 or deeper. */
export function exceedsJsonDepth(json: unknown, max = 40): boolean {
  if (max <= 0) return true;
  if (json === null || typeof json != 'object') return false;
  return Object.values(json).some((v) => exceedsJsonDepth(v, max - 1));
}

/** The parts of a URL as java.net.URI's raw getters give them (for the URLs browsers write). */
export function urlParts(url: string): Record<'scheme' | 'host' | 'path' | 'query' | 'fragment', string> {
  const m = /^([^:/?#]+):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s.exec(url);
  if (!m) throw new Error(`not a URL: ${url.slice(0, 100)}`);
  return { scheme: m[1]!, host: (m[2] ?? '').replace(/^[^@]*@/, '').replace(/:\d*$/, ''), path: m[3]!, query: m[4] ?? '', fragment: m[5] ?? '' };
}

/** What snowplow/enrich fails the event for among what this item sends (each a sentence), beside Iglu validation. */
export function enrichProblems(item: Readonly<Record<string, unknown>>, contexts: unknown, unstruct: unknown): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(item)) {
    // Tp2Adapter.toParameter: every value a string.
    if (typeof value != 'string') problems.push(`${key} is not a string`);
    else if (key in ATOMIC_LIMITS && tsvSafe(value).length > ATOMIC_LIMITS[key]!) problems.push(`${key} is ${tsvSafe(value).length} characters, over ${ATOMIC_LIMITS[key]}`);
  }
  for (const key of ['url', 'refr'] as const) {
    const value = item[key];
    if (typeof value != 'string' || !value) continue;
    const parts = urlParts(value);
    for (const [part, max] of Object.entries(URL_LIMITS[key])) {
      const length = parts[part as keyof typeof parts].length;
      if (length > max) problems.push(`${key}'s ${part} is ${length} characters, over ${max}`);
    }
  }
  // ClientEnrichments.extractViewDimensions: two Java ints.
  for (const key of ['vp', 'res']) {
    const value = item[key];
    if (value !== undefined && !(typeof value == 'string' && /^\d+x\d+$/.test(value) && value.split('x').every((n) => +n < 2 ** 31))) problems.push(`${key} ${String(value)} is not <int>x<int>`);
  }
  if (exceedsJsonDepth(contexts)) problems.push('contexts nest deeper than maxJsonDepth 40');
  if (exceedsJsonDepth(unstruct)) problems.push('the self-describing event nests deeper than maxJsonDepth 40');
  return problems;
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
      // ConversionUtils.stringToJBigDecimal: `new BigDecimal(s)` (decimal notation, an exponent of at most
      // 10 digits), then setScale(0) of a negative scale (10^n overflows BigInteger past ~5.4e8).
      const va = /^[+-]?(\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d{1,10}))?$/.exec(item.se_va ?? '0');
      if (!va || Number(va[2] ?? 0) > 5e8) throw new Error(`${where}: se_va ${item.se_va}`);
    } else {
      throw new Error(`${where}: unexpected event type`);
    }
    for (const key of ['eid', 'dtm', 'stm', 'aid', 'tna']) if (!item[key]) throw new Error(`${where}: no ${key}`);
    const enrich = enrichProblems(item, contexts, wrapper);
    if (enrich.length) throw new Error(`${where}: snowplow/enrich fails it: ${enrich.join('; ')}`);
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
