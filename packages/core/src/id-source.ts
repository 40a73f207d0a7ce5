import { v4 } from 'uuid';
import { message } from './messages';
import type { Logger } from './logger';

/**
 * 16 bytes from `Math.random`, for runtimes with no `crypto.getRandomValues` (React Native's Hermes
 * without a polyfill). Unique enough for analytics ids (122 random bits per UUID), but predictable:
 * never use these ids as secrets.
 */
function mathRandomBytes(): Uint8Array {
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = Math.random() * 256;
  return bytes;
}

/**
 * The one source of every id the hub and its kits make (sessions, events, the device, vendor event
 * ids): `custom` when given (seeded replays), else a UUID v4 from uuid, using the platform's random
 * source; where there is none, the same UUID v4 format from `Math.random`, with one warning. It
 * never throws: an id `custom` fails to give (it throws or returns no string) is a UUID instead,
 * with one warning, so no id can make `start()` or a kit fail.
 */
export function idSource(logger: Logger, custom?: () => string): () => string {
  let weak = false;
  let customFailed = false;
  return () => {
    if (custom) {
      try {
        const id = custom();
        if (typeof id == 'string' && id) return id;
      } catch {
        // reported below
      }
      if (!customFailed) logger.warn(message(104));
      customFailed = true;
    }
    if (!weak) {
      try {
        return v4();
      } catch {
        weak = true;
        // Said once and briefly: docs/react-native.md explains it.
        logger.warn(message(105));
      }
    }
    return v4({ rng: mathRandomBytes });
  };
}
