/** ISO 8601 UTC with milliseconds (`2026-01-01T00:00:00.000Z`), or null for a time no Date can hold. */
export function isoTime(ms: number): string | null {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
