/**
 * The partition of a device: FNV-1a (32-bit) of its id's UTF-8 bytes, modulo the number of
 * partitions. Every line of a device lands in the same partition, so partitions can be sessionized
 * separately (on other processes or machines) and their outputs merged. Use the same function as
 * the key of a Kafka topic or Redis stream partition (see `docs/server.md`): over the UTF-8 bytes, a
 * producer in any language computes it from the id as it sends it. (For an ASCII id the bytes are
 * its characters: the partitions of such ids are those the earlier UTF-16 hashing gave.)
 */
export function partitionOf(deviceId: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < deviceId.length; i++) {
    let c = deviceId.charCodeAt(i);
    if (c < 0x80) {
      h = Math.imul(h ^ c, 0x01000193);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const low = deviceId.charCodeAt(i + 1);
      if (c <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        i++;
      } else c = 0xfffd; // a lone surrogate, as UTF-8 encoders write it
    }
    if (c < 0x800) {
      h = Math.imul(h ^ (0xc0 | (c >> 6)), 0x01000193);
    } else {
      if (c < 0x10000) h = Math.imul(h ^ (0xe0 | (c >> 12)), 0x01000193);
      else {
        h = Math.imul(h ^ (0xf0 | (c >> 18)), 0x01000193);
        h = Math.imul(h ^ (0x80 | ((c >> 12) & 0x3f)), 0x01000193);
      }
      h = Math.imul(h ^ (0x80 | ((c >> 6) & 0x3f)), 0x01000193);
    }
    h = Math.imul(h ^ (0x80 | (c & 0x3f)), 0x01000193);
  }
  return (h >>> 0) % partitions;
}
