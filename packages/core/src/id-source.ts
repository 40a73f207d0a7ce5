import { stringify } from 'uuid';
import { message } from './messages';
import type { Logger } from './logger';

/** Ids made from one draw of random bytes: a call to `crypto.getRandomValues` costs more than dozens of ids (1.7 µs in Node). */
const IDS_PER_DRAW = 64;

/**
 * The one source of every id the hub and its kits make (sessions, events, the device, vendor event
 * ids): `custom` when given (seeded replays), else a UUID v4 from random bytes drawn 64 ids at a
 * time from `crypto.getRandomValues`; where there is none (React Native's Hermes without a
 * polyfill), from `Math.random`, with one warning: unique enough for analytics ids (122 random bits
 * per UUID) but predictable, never secrets. uuid's `stringify` formats the bytes: it checks the id it
 * built with a regular expression, which leaves one flat string in V8 (63 bytes), where
 * `crypto.randomUUID` and uuid's `v4` keep a tree of ~20 joined pieces (~490 bytes) for as long as
 * a state holds the id. It never throws: an id `custom` fails to give (it throws or returns no string) is a
 * UUID instead, with one warning, so no id can make `start()` or a kit fail.
 */
export function idSource(logger: Logger, custom?: () => string): () => string {
  let weak: boolean | undefined;
  let customFailed: boolean | undefined;
  const pool = new Uint8Array(16 * IDS_PER_DRAW);
  let used = pool.length;
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
    used += 16;
    return stringify(pool, used - 16);
  };
}
