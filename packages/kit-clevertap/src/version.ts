/**
 * The kit's version, sent as the `t` query parameter and in the header's `af.lib`. Kept in sync with
 * package.json by a test (the build has no JSON import).
 */
export const KIT_VERSION = '0.1.0';
