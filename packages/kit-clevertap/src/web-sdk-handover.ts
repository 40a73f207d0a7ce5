/**
 * Whether the kit may still carry on from CleverTap's web SDK in this browser (see `webSdkState`):
 * `'0'` never again, after a deletion, an opt-out or a reset (the device's `g` is the hub's from then
 * on), null so far. With `value`, sets it. Kept in the origin's localStorage beside the SDK's keys,
 * outside SessionHub's namespace: in browsers a deletion or an opt-out removes every key of the
 * namespace, and each tab's kit has storage of its own. No personal data. Never throws.
 */
export function webSdkHandOver(accountId: string, value?: '0'): string | null | undefined {
  try {
    const key = 'sessionhub.clevertap.' + accountId;
    // (No localStorage outside browsers, or a blocked one: nothing to carry on from, nor to mark.)
    if (!value) return localStorage.getItem(key);
    localStorage.setItem(key, value);
  } catch {}
}
