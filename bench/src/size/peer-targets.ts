import type { BundleSpec } from './bundle';

/** A vendor SDK row, bundled exactly like ours. */
export interface PeerTarget extends BundleSpec {
  /** The npm package measured (its version is read from the installed package.json). */
  readonly package: string;
  /** True for the vendor SDKs SessionHub's three kits replace (their sum is the "vendor stack" row). */
  readonly replacedByKits: boolean;
  readonly note?: string;
}

/**
 * The SDKs an app would otherwise ship, each imported the way an app uses it to start a session,
 * log an event and identify a user.
 */
export const PEER_TARGETS: readonly PeerTarget[] = [
  {
    name: '@braze/web-sdk',
    package: '@braze/web-sdk',
    replacedByKits: true,
    entry: `export { initialize, openSession, logCustomEvent, changeUser } from '@braze/web-sdk';\n`,
    note: 'initialize + openSession + logCustomEvent + changeUser only (tree-shaken)',
  },
  {
    name: '@snowplow/browser-tracker',
    package: '@snowplow/browser-tracker',
    replacedByKits: true,
    entry: `export { newTracker, trackSelfDescribingEvent, setUserId, newSession } from '@snowplow/browser-tracker';\n`,
    note: 'newTracker + trackSelfDescribingEvent + setUserId + newSession (client_session built in)',
  },
  {
    name: 'clevertap-web-sdk',
    package: 'clevertap-web-sdk',
    replacedByKits: true,
    entry: `import clevertap from 'clevertap-web-sdk';\nexport default clevertap;\n`,
    note: 'one object, nothing to tree-shake',
  },
  {
    name: '@mparticle/web-sdk',
    package: '@mparticle/web-sdk',
    replacedByKits: false,
    entry: `import mParticle from '@mparticle/web-sdk';\nexport default mParticle;\n`,
    note: 'core only; each vendor kit is another package on top',
  },
  {
    name: '@segment/analytics-next',
    package: '@segment/analytics-next',
    replacedByKits: false,
    entry: `export { AnalyticsBrowser } from '@segment/analytics-next';\n`,
    note: 'destinations load from the CDN at run time, not counted',
  },
  {
    name: '@rudderstack/analytics-js',
    package: '@rudderstack/analytics-js',
    replacedByKits: false,
    entry: `export { RudderAnalytics } from '@rudderstack/analytics-js';\n`,
    note: 'plugins load from the CDN at run time, not counted',
  },
  {
    name: '@rudderstack/analytics-js/bundled',
    package: '@rudderstack/analytics-js',
    replacedByKits: false,
    entry: `export { RudderAnalytics } from '@rudderstack/analytics-js/bundled';\n`,
    note: 'the variant with its plugins in the bundle',
  },
];
