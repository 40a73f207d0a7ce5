/**
 * A thrown value as text for a warning. Never throws itself: `String()` does for an object without
 * a prototype or with a throwing `toString`, and a throw there would stall the outbox's pump.
 */
export function errorText(error: unknown): string {
  try {
    return String(error);
  } catch {
    return 'an unprintable value';
  }
}
