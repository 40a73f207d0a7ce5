/**
 * The partition of a device: FNV-1a (32-bit) of its id, modulo the number of partitions. Every
 * line of a device lands in the same partition, so partitions can be sessionized separately (on
 * other processes or machines) and their outputs merged. Use the same function as the key of a
 * Kafka topic or Redis stream partition (see `docs/server.md`).
 */
export function partitionOf(deviceId: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < deviceId.length; i++) {
    h ^= deviceId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}
