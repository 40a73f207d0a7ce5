import { message } from './messages';
import type { Logger } from './logger';

/** Ids made from one draw of random bytes: a call to `crypto.getRandomValues` costs more than dozens of ids (1.7 µs in Node). */
const IDS_PER_DRAW = 64;
/** A hex digit's character is `HEX.charCodeAt(digit)`. */
const HEX = '0123456789abcdef';

/**
 * The one source of every id the hub and its kits make (sessions, events, the device, vendor event
 * ids): `custom` when given (seeded replays), else a UUID v4 from random bytes drawn 64 ids at a
 * time from `crypto.getRandomValues`; where there is none (React Native's Hermes without a
 * polyfill), from `Math.random`, with one warning: unique enough for analytics ids (122 random bits
 * per UUID) but predictable, never secrets. Each id is one flat string: `crypto.randomUUID` and
 * uuid's formatting give, in V8, a tree of ~20 joined pieces (~490 bytes) for as long as a state
 * holds the id. It never throws: an id `custom` fails to give (it throws or returns no string) is a
 * UUID instead, with one warning, so no id can make `start()` or a kit fail.
 */
export function idSource(logger: Logger, custom?: () => string): () => string {
  let weak = false;
  let customFailed = false;
  const pool = new Uint8Array(16 * IDS_PER_DRAW);
  let used = pool.length;
  // One id's character codes, its dashes in place: String.fromCharCode makes one flat string of them.
  const codes: number[] = Array(36).fill(45);
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
    if (used == pool.length) {
      used = 0;
      try {
        if (!weak) crypto.getRandomValues(pool);
      } catch {
        weak = true;
        // Said once and briefly: docs/react-native.md explains it.
        logger.warn(message(105));
      }
      if (weak) for (let i = 0; i < pool.length; i++) pool[i] = Math.random() * 256;
    }
    // Version 4, variant 10 (RFC 9562).
    pool[used + 6] = (pool[used + 6]! & 0x0f) | 0x40;
    pool[used + 8] = (pool[used + 8]! & 0x3f) | 0x80;
    for (let i = 0, at = 0; i < 16; i++, at += 2) {
      // A dash before bytes 4, 6, 8 and 10: xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx.
      if (i == 4 || i == 6 || i == 8 || i == 10) at++;
      const b = pool[used++]!;
      codes[at] = HEX.charCodeAt(b >> 4);
      codes[at + 1] = HEX.charCodeAt(b & 15);
    }
    return String.fromCharCode.apply(null, codes);
  };
}
