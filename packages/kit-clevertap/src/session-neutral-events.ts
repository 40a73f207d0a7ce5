/**
 * Events CleverTap never counts toward a session (docs.clevertap.com "Session Analytics"; push
 * impressions, which the SDKs send as `Notification Viewed`, per clevertap-android-sdk PR #531). The
 * kit declares them to the hub, so they neither start nor extend the canonical session either.
 */
export const CLEVERTAP_SESSION_NEUTRAL_EVENTS: readonly string[] = Object.freeze([
  'App Installed',
  'App Uninstalled',
  'Notification Sent',
  'Notification Clicked',
  'Notification Viewed',
  'UTM Visited',
  'Identity Set',
  'Identity Reset',
  'Identity Error',
]);
