/**
 * @sessionhub/kit-snowplow — SessionHub's canonical session on Snowplow's tracker protocol: every
 * event carries `client_session` 1-0-2 with the hub's session id and index, so a Snowplow pipeline
 * counts exactly SessionHub's sessions. The pure mapping and Snowplow's constants are in
 * `@sessionhub/kit-snowplow/protocol`.
 * @packageDocumentation
 */
export { snowplowKit } from './snowplow-kit';
export { SnowplowKitConfigError } from './config-error';
export type {
  SnowplowDeliveryOptions,
  SnowplowEntitiesFor,
  SnowplowEventMapping,
  SnowplowKitOptions,
  SnowplowPlatform,
  StorageMechanism,
} from './options';
export type { SelfDescribingJson } from './iglu';
