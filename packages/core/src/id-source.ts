import { stringify } from 'uuid';
import { message } from './messages';
import type { Logger } from './logger';

/**
 * 16 random bytes: `crypto.getRandomValues` (throws where there is none: React Native's Hermes
 * without a polyfill), else (`weak`) `Math.random`, unique enough for analytics ids (122 random bits
 * per UUID) but predictable: never use these ids as secrets.
 */
function randomBytes(weak: boolean): Uint8Array {
  const bytes = new Uint8Array(16);
  if (!weak) return crypto.getRandomValues(bytes);
  for (let i = 0; i < 16; i++) bytes[i] = Math.random() * 256;
  return bytes;
}

/**
 * The one source of every id the hub and its kits make (sessions, events, the device, vendor event
 * ids): `custom` when given (seeded replays), else a UUID v4: the platform's `crypto.randomUUID`
 * where there is one, else uuid's formatting of random bytes (as uuid's `v4`, whose option handling
 * and byte-source checks the app would ship for nothing); where there is no random source at all,
 * the same UUID v4 format from `Math.random`, with one warning. It never throws: an id `custom`
 * fails to give (it throws or returns no string) is a UUID instead, with one warning, so no id can
 * make `start()` or a kit fail.
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
    let bytes: Uint8Array;
    try {
      // Absent in pages that are not a secure context (plain http): getRandomValues is there.
      if (!weak && crypto.randomUUID) return crypto.randomUUID();
      bytes = randomBytes(weak);
    } catch {
      weak = true;
      // Said once and briefly: docs/react-native.md explains it.
      logger.warn(message(105));
      bytes = randomBytes(weak);
    }
    // Version 4, variant 10 (RFC 9562).
    bytes[6] = (bytes[6]! & 0x0f) | 0x40;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    return stringify(bytes);
  };
}
