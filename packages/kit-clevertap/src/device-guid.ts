/**
 * CleverTap device ids (`g` of the upload header): the device's own, and the one each signed-in
 * identity gets, as CleverTap's SDKs switch them (Android `login/LoginController.java`).
 */
import { MAX_IDENTITIES, type SessionLedger } from './session-ledger';

/**
 * The CleverTap device id for a hub device id.
 *
 * CleverTap's Android SDK generates its own ids as `"__" + UUID without dashes` (`DeviceInfo.generateGUID`,
 * prefix `GUID_PREFIX = "__"`). The hub's device id is a UUID v4, so it maps to exactly that format and
 * the CleverTap profile stays stable for the install. Anything else the hub may carry (a replayed or
 * injected id) is kept recognisable: dashes dropped, lower-cased, characters outside `[a-z0-9]` removed.
 */
export function cleverTapGuid(deviceId: string): string {
  return `__${deviceId.toLowerCase().replace(/[^a-z0-9]/g, '')}`;
}

/**
 * A guid of CleverTap's format for `identity` on the device whose guid is `deviceGuid`: 128 bits
 * mixed from both (cyrb128), so the same identity gets the same guid again on this device, even once
 * it has left the ledger, and the device guid's randomness keeps it unique across devices.
 */
export function identityGuid(deviceGuid: string, identity: string): string {
  const text = deviceGuid + '\n' + identity;
  // cyrb128's seeds (1779033703, 3144134277, 1013904242, 2773480762: SHA-256's first four initial
  // words), made from √2, √3, √5, √7 as SHA-256 defines them, since 40 digits are bytes gzip cannot
  // shorten. Each is 0.005 or more from the next integer, far beyond any rounding of Math.sqrt.
  let [h1, h2, h3, h4] = [2, 3, 5, 7].map((p) => ((Math.sqrt(p) % 1) * 2 ** 32) >>> 0) as [number, number, number, number];
  for (let i = 0, k; i < text.length; i++) {
    k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  return '__' + [h1, h2 ^ h1, h3 ^ h1, h4 ^ h1].map((h) => (h >>> 0).toString(16).padStart(8, '0')).join('');
}

/**
 * Signs `identity` in on the device, as CleverTap's `onUserLogin` does, and returns the guid it is
 * sent under (now `ledger.g`):
 * - the guid it had before on this device, when it comes back;
 * - the current guid when the device has had no identity yet (an anonymous device: its profile
 *   becomes this user's);
 * - otherwise a guid of its own ({@link identityGuid}), so two people never share a profile.
 */
export function signIn(ledger: SessionLedger, deviceGuid: string, identity: string): string {
  const { ids } = ledger;
  const at = ids.findIndex(([known]) => known === identity);
  const guid = at >= 0 ? ids.splice(at, 1)[0]![1] : ids.length ? identityGuid(deviceGuid, identity) : ledger.g;
  // The latest last; the oldest whose guid identityGuid gives is forgotten first (it gets it again).
  // One it does not give (the device's own guid, the first person's; the web SDK's) is kept.
  if (ids.push([identity, guid]) > MAX_IDENTITIES) {
    const at = ids.findIndex(([known, g], i) => i < MAX_IDENTITIES && g == identityGuid(deviceGuid, known));
    ids.splice(at < 0 ? 0 : at, 1);
  }
  return (ledger.g = guid);
}
