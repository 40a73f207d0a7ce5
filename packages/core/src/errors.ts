/**
 * Thrown for setup mistakes only (an invalid `createHub` option, an invalid kit). Runtime calls never
 * throw; they warn and return a failure value instead.
 */
export class SessionHubConfigError extends Error {
  override readonly name = 'SessionHubConfigError';
  /** The option (or `kit`) that is wrong. */
  readonly option: string;

  constructor(option: string, message: string) {
    super(`SessionHub setup: ${message}`);
    this.option = option;
  }
}
