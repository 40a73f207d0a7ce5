/** The demo's vendor accounts and Snowplow schemas: stand-ins, since the collectors are local. */
export const DEMO_VENDOR_IDS = {
  brazeApiKey: 'demo-app-identifier-api-key',
  snowplowAppId: 'sessionhub-demo',
  clevertapAccountId: 'DEMO-000-0001',
  clevertapToken: 'demo-token',
} as const;

/** Iglu schemas of the demo's own Snowplow events (your pipeline would host schemas like these). */
export const DEMO_SCHEMAS = {
  /** Every app event, as `{ name, attributes }` (the kit's `catchAllSchema`). */
  appEvent: 'iglu:dev.sessionhub.demo/app_event/jsonschema/1-0-0',
  /** The kit's optional session start event. */
  sessionStart: 'iglu:dev.sessionhub.demo/session_start/jsonschema/1-0-0',
  /** The kit's optional session end event: it carries the session's duration and attributes. */
  sessionEnd: 'iglu:dev.sessionhub.demo/session_end/jsonschema/1-0-0',
} as const;

/** The Braze custom event the Braze kit sends a session's attributes as (`sessionAttributes: 'custom-event'`). */
export const BRAZE_SESSION_ATTRIBUTES_EVENT = 'session_attributes';

/** The prefix the CleverTap kit gives session attributes on `Session Concluded` (its default). */
export const CLEVERTAP_ATTRIBUTE_PREFIX = 'sh_';
