/**
 * @sessionhub/kit-snowplow — SessionHub's canonical session on Snowplow's tracker protocol: every
 * event carries `client_session` 1-0-2 with the hub's session id and index, so a Snowplow pipeline
 * counts exactly SessionHub's sessions.
 * @packageDocumentation
 */
export { snowplowKit, SNOWPLOW_DELIVERY_DEFAULTS } from './snowplow-kit';
export { SnowplowKitConfigError } from './config-error';
export type {
  SnowplowDeliveryOptions,
  SnowplowEntitiesFor,
  SnowplowEventMapping,
  SnowplowKitOptions,
  SnowplowPlatform,
  StorageMechanism,
} from './options';
export { SNOWPLOW_PLATFORMS, STORAGE_MECHANISMS, TP2_PATH } from './options';
export type { SelfDescribingJson } from './iglu';
export {
  APPLICATION_BACKGROUND_SCHEMA,
  APPLICATION_FOREGROUND_SCHEMA,
  CLIENT_SESSION_SCHEMA,
  CONTEXTS_SCHEMA,
  PAYLOAD_DATA_SCHEMA,
  UNSTRUCT_EVENT_SCHEMA,
} from './iglu';
export { SNOWPLOW_NATIVE_TIMEOUTS } from './timeouts-report';
export { SNOWPLOW_KIT_VERSION, TRACKER_VERSION } from './version';

// The pure mapping, for replays, servers and benchmarks.
export { createPayloadMapper } from './payload-mapper';
export type { PayloadMapper, PayloadMapperEnv } from './payload-mapper';
export { resolveSnowplowOptions } from './options';
export type { ResolvedEventMapping, ResolvedSnowplowOptions } from './options';
export type { TrackerPayload } from './tracker-payload';
export { trackerRequest, payloadSize } from './tracker-request';
