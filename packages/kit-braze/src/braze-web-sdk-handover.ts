/**
 * Whether what Braze's Web SDK left for `apiKey` in this browser was handed over to the kit (see
 * `readBrazeWebSdk`): `'1'` handed over (its device id stays Braze's device: tabs adopt it, nothing it
 * left is sent again), `'0'` never again (after a deletion, an opt-out or a reset: the hub's device
 * id from then on), null not yet. With `value`, sets it. Kept in the origin's localStorage beside
 * the SDK's keys, outside SessionHub's namespace: in browsers a deletion or an opt-out removes every
 * key of the namespace, and each tab's kit has storage of its own. No personal data. Never throws.
 */
export function brazeWebSdkHandOver(apiKey: string, value?: '0' | '1'): string | null | undefined {
  try {
    const key = 'sessionhub.braze.' + apiKey;
    // (No localStorage outside browsers, or a blocked one: nothing to hand over, nor to mark.)
    if (!value) return localStorage.getItem(key);
    localStorage.setItem(key, value);
  } catch {}
}
