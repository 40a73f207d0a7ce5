import { messageFormat } from '@sessionhub/core';

const IGLU_URI = 'an Iglu URI like "iglu:com.acme/cart/jsonschema/1-0-0"';

/**
 * The Snowplow kit's warnings and setup errors by code (SH500–SH599), with the values each names.
 * Production builds print the code and the values only; docs/messages.md lists every text.
 */
export const SNOWPLOW_MESSAGES = {
  // snowplowKit options: `snowplowKit: option "<name>" <text>`, `got` the value given
  500: (got: string) => `must be an object with collectorUrl and appId, got ${got}`,
  501: (got: string) => `must be an http(s) URL without query, got ${got}`,
  502: (got: string) => `must be a non-empty string (≤ 255 characters), got ${got}`,
  503: (got: string) => `must be a non-empty string (≤ 128 characters), got ${got}`,
  504: (got: string) => `must be true or false, got ${got}`,
  505: (got: string) => `must be an object: event name → Iglu URI or { schema?, entities? }, got ${got}`,
  506: (got: string) => `must be ${IGLU_URI}, got ${got}`,
  507: (got: string) => `must be an array of { schema, data }, got ${got}`,
  508: (got: string) => `must be a function, got ${got}`,
  509: (got: string) => `must be false or { start?, end? } (Iglu URIs or false), got ${got}`,
  510: (got: string) => `must be a kit name, got ${got}`,
  511: (got: string) => `must be an object, got ${got}`,
  512: (got: string) => `must be ${IGLU_URI} or false, got ${got}`,
  513: (got: string) => `must be an Iglu URI or { schema?, entities? }, got ${got}`,
  514: (known: string) => `is unknown (known: ${known})`,
  515: () => `needs "schema": ${IGLU_URI}`,
  516: (schema: string) => `(${schema}) needs "data" that JSON can hold`,
  517: (values: string, got: string) => `must be one of ${values}, got ${got}`,
  518: (problem: string, got: string) => `is wrong: ${problem}, got ${got}`,
  519: () => 'could not be read (a Proxy or a getter threw)',
  // Events
  520: (name: string, unsent: string) => `event "${name}" went as a structured event without ${unsent}: map it in "events" or set "catchAllSchema"`,
  521: (name: string) => `event "${name}": attribute values JSON cannot hold, or nested deeper than Snowplow's enrich takes (40 levels in all), were sent as text`,
  522: (name: string, problem: string) => `entitiesFor, event "${name}": an entity ${problem}; left out`,
  523: (name: string) => `entitiesFor failed for event "${name}"; sent without its entities:`,
  524: (id: string) =>
    `ids are not UUIDs (${id}): eid, client_session.sessionId and client_session.userId fail validation; give the hub a UUID generateId`,
  525: (background: number, foreground: string, max: string) =>
    `session timeouts: background ${background} s, foreground ${foreground}, max ${max} (Snowplow's native trackers: 1800 s both)`,
  526: (schema: string) => `(${schema}) has data nested deeper than Snowplow's enrich takes (40 levels in all, 36 in data), which fails the event`,
  527: (name: string, fields: string) => `event "${name}": ${fields} cut to the length Snowplow's enrich takes (it fails the whole event when one is longer)`,
};

/** A code whose text takes the value given (an option's rule). */
export type RuleCode = 500 | 501 | 502 | 503 | 504 | 505 | 506 | 507 | 508 | 509 | 510 | 511 | 512 | 513;

/** The Snowplow kit's diagnostic of `code`: in full in development, its code and values in production builds. */
export const message = messageFormat(
  (() => {
    try {
      // Bundlers that define process.env.NODE_ENV fold this: "production" leaves the texts out (an
      // \`if\`, not a ternary, so that the whole try goes too, and the IIFE with it).
      if (process.env.NODE_ENV !== 'production') return SNOWPLOW_MESSAGES;
    } catch {
      // No `process` (a page without a bundler, bare Hermes): the production form (undefined).
    }
  })(),
);
