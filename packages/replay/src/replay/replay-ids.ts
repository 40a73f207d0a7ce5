import { createHash, hash } from 'node:crypto';

/** The namespace of replay ids (a fixed random UUID): the same log always gives the same ids. */
const NAMESPACE = '6b1c5a3e-2f0d-4c47-9a8e-3d5b7f1e2c90';

const HEX = Buffer.from('0123456789abcdef');
/** The namespace's 16 bytes, then the name: what UUID v5 hashes (RFC 9562, 5.5). */
let input = Buffer.alloc(256);
Buffer.from(NAMESPACE.replace(/-/g, ''), 'hex').copy(input);
const text = Buffer.alloc(36);
// crypto.hash (Node ≥ 20.12) hashes in one call; createHash where it is missing.
const sha1 = typeof hash === 'function' ? (b: Buffer) => hash('sha1', b, 'buffer') : (b: Buffer) => createHash('sha1').update(b).digest();

/**
 * UUID v5 of `name` in the replay namespace: the same UUID uuid's `v5(name, NAMESPACE)` gives, in
 * a third of its time (one hashing call, no intermediate strings), and as one flat string: uuid
 * builds it from 36 concatenated pieces, which V8 keeps as a 489-byte tree of strings for as long
 * as a session or engine state holds the id.
 */
function uuidV5(name: string): string {
  const max = 16 + Buffer.byteLength(name);
  if (max > input.length) {
    const grown = Buffer.alloc(max * 2);
    input.copy(grown, 0, 0, 16);
    input = grown;
  }
  const h = sha1(input.subarray(0, 16 + input.write(name, 16)));
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  let o = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text[o++] = 45; // -
    text[o++] = HEX[h[i]! >> 4]!;
    text[o++] = HEX[h[i]! & 15]!;
  }
  return text.toString('latin1', 0, 36);
}

/**
 * The id of the `index`-th session of a device: a UUID v5 of both, so a replay (whole or by
 * partition, first run or resumed) gives every session the same id, and a kit's vendor dedupes a
 * session sent twice.
 */
export function replaySessionId(deviceId: string, index: number): string {
  return uuidV5(`${deviceId}\nsession\n${index}`);
}

/** The id of the `ordinal`-th line (1-based) of a device's log, as a UUID v5 (see {@link replaySessionId}). */
export function replayEventId(deviceId: string, ordinal: number): string {
  return uuidV5(`${deviceId}\nline\n${ordinal}`);
}

/**
 * The `n`-th id (1-based) the kit named `kit` asked for while handed the records of the device's
 * `ordinal`-th line, as a UUID v5 (see {@link replaySessionId}): what a vendor event a kit makes
 * itself (Snowplow's session and lifecycle events) is keyed by, so a resend after a crash carries
 * the same id.
 */
export function replayKitId(deviceId: string, ordinal: number, kit: string, n: number): string {
  // Two numbers last: never the end of a session's or a line's name (a word, then a number).
  return uuidV5(`${deviceId}\nkit\n${kit}\n${ordinal}\n${n}`);
}
