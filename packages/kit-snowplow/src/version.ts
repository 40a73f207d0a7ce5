/** This package's version (kept equal to package.json by a test). */
export const SNOWPLOW_KIT_VERSION = '0.1.0';

/** `tv`: the tracker version, `<tracker>-<version>` like the Snowplow trackers' `andr-6.0.0` or `js-4.0.0`. */
export const TRACKER_VERSION = `sessionhub-snowplow-${SNOWPLOW_KIT_VERSION}`;
