/**
 * Exponential backoff with full jitter: a delay drawn uniformly from [0, min(maxMs, baseMs·2^(failures−1))).
 * Full jitter spreads a fleet of devices that failed together, so a recovering vendor is not hit at once.
 * @param failures consecutive failed attempts, ≥ 1
 * @param random uniform in [0, 1)
 */
export function backoffDelay(failures: number, random: () => number, baseMs = 1000, maxMs = 300_000): number {
  const bound = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(failures, 1) - 1, 60));
  // An infinite bound is an infinite wait (until the next flush): drawn, a 0 would make Infinity × 0,
  // NaN, which no wait compares to.
  if (bound == Infinity) return bound;
  // Clamp a misbehaving random source (≥ 1 or NaN) into the bound.
  const r = random();
  return Math.floor(bound * (r >= 0 && r < 1 ? r : 0));
}
