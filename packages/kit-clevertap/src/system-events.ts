/**
 * Event names CleverTap reserves for the events its SDKs and servers raise themselves, refused from
 * the app (error 513, "… is a restricted system event"): Android's `validation/ValidationConfig.kt`
 * `DEFAULT_RESTRICTED_EVENT_NAMES` (the web SDK 2.5.2's `SYSTEM_EVENTS` are its first six).
 * `Session Concluded` is raised by CleverTap's servers; the kit sends it itself only when asked to.
 */
export const CLEVERTAP_SYSTEM_EVENTS: readonly string[] = Object.freeze([
  'Stayed',
  'Notification Clicked',
  'Notification Viewed',
  'UTM Visited',
  'Notification Sent',
  'App Launched',
  'wzrk_d',
  'App Uninstalled',
  'Notification Bounced',
  'Geocluster Entered',
  'Geocluster Exited',
  'SCOutgoing',
  'SCIncoming',
  'SCEnd',
  'SCCampaignOptOut',
  'Session Concluded',
]);
