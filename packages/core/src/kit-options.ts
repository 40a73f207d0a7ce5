import { message } from './messages';
/**
 * Runs a kit factory's option checks so that options which throw when read (a Proxy whose traps
 * throw, a revoked Proxy, a getter that throws) fail like any other setup mistake: with the kit's
 * typed config error, never a plain TypeError.
 *
 * @param check - reads and checks the options; returns what the factory needs.
 * @param ConfigError - the kit's config error class (`new ConfigError(option, problem)`).
 */
export function checkKitOptions<T>(check: () => T, ConfigError: new (option: string, problem: string) => Error): T {
  try {
    return check();
  } catch (error) {
    throw error instanceof ConfigError ? error : new ConfigError('options', message(27));
  }
}
