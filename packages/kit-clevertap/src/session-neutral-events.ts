/**
 * Events CleverTap never counts toward a session (docs.clevertap.com "Session Analytics", plus Push
 * Impressions per clevertap-android-sdk PR #531). The kit declares them to the hub, so they neither
 * start nor extend the canonical session either.
 */
export const CLEVERTAP_SESSION_NEUTRAL_EVENTS: readonly string[] = Object.freeze([
  'App Installed',
  'App Uninstalled',
  'Notification Sent',
  'Notification Clicked',
  'UTM Visited',
  'Identity Set',
  'Identity Reset',
  'Identity Error',
  'Push Impressions',
]);
