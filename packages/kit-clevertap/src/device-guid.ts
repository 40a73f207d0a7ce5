/**
 * The CleverTap device id (`g` of the upload header) for a hub device id.
 *
 * CleverTap's Android SDK generates its own ids as `"__" + UUID without dashes` (`DeviceInfo.generateGUID`,
 * prefix `GUID_PREFIX = "__"`). The hub's device id is a UUID v4, so it maps to exactly that format and
 * the CleverTap profile stays stable for the install. Anything else the hub may carry (a replayed or
 * injected id) is kept recognisable: dashes dropped, lower-cased, characters outside `[a-z0-9]` removed.
 */
export function cleverTapGuid(deviceId: string): string {
  return `__${deviceId.toLowerCase().replace(/[^a-z0-9]/g, '')}`;
}
