import { SessionHubConfigError } from '@sessionhub/core';

/**
 * A setup mistake in {@link snowplowKit}'s options: thrown by the factory (never at runtime), with a
 * message that says what to fix. `option` names the option, e.g. `collectorUrl` or `events.song_played`.
 */
export class SnowplowKitConfigError extends SessionHubConfigError {
  constructor(option: string, message: string) {
    super(option, `snowplowKit: ${message}`);
  }
}
