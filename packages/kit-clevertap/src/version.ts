/**
 * The kit's version, in the header's `af.lib`, and its version code, the `t` query parameter: an
 * integer as every CleverTap SDK sends there (Android 80200 for 8.2.0: major × 10 000 + minor × 100 +
 * patch). Both kept in sync with package.json by a test (the build has no JSON import).
 */
export const KIT_VERSION = '0.1.0';
export const KIT_VERSION_CODE = 100;
