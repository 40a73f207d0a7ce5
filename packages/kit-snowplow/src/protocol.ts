/**
 * @sessionhub/kit-snowplow/protocol — what the Snowplow kit sends, as pure functions and constants,
 * for replays, servers and benchmarks: canonical records → tracker-protocol payload items
 * ({@link createPayloadMapper}) → the collector POST ({@link trackerRequest}). An app needs none of
 * it: `snowplowKit` from `@sessionhub/kit-snowplow` does all of this.
 * @packageDocumentation
 */
export { createPayloadMapper } from './payload-mapper';
export type { PayloadMapper, PayloadMapperEnv } from './payload-mapper';
export { resolveSnowplowOptions, SNOWPLOW_PLATFORMS, STORAGE_MECHANISMS, TP2_PATH } from './options';
export type { ResolvedEventMapping, ResolvedSnowplowOptions } from './options';
export type { TrackerPayload } from './tracker-payload';
export { trackerRequest, payloadSize } from './tracker-request';
export {
  APPLICATION_BACKGROUND_SCHEMA,
  APPLICATION_FOREGROUND_SCHEMA,
  CLIENT_SESSION_SCHEMA,
  CONTEXTS_SCHEMA,
  PAYLOAD_DATA_SCHEMA,
  UNSTRUCT_EVENT_SCHEMA,
} from './iglu';
export { SNOWPLOW_DELIVERY_DEFAULTS } from './delivery-defaults';
export { SNOWPLOW_KIT_VERSION, TRACKER_VERSION } from './version';
