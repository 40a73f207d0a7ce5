import { messageFormat } from '@sessionhub/core';

/** What Braze takes as an event name or property key (its Web SDK's rule). */
const NAME_RULE = '1 to 255 characters, not starting with "$", without control characters or \'"\'';

/**
 * The Braze kit's warnings and setup errors by code (SH300–SH399), with the values each names.
 * Production builds print the code and the values only; docs/messages.md lists every text.
 */
export const BRAZE_MESSAGES = {
  // brazeKit options: `brazeKit: option "<name>" <text>`
  300: () => 'must be an object such as { apiKey, baseUrl }',
  301: () => 'must be your Braze app API key (Settings > App Settings)',
  302: () => 'must be your Braze SDK endpoint, an http(s) host or URL, e.g. "sdk.iad-01.braze.com"',
  303: () => `must be a Braze event name (${NAME_RULE})`,
  304: () => 'must be an object of string device fields',
  305: () => 'must be a kit name',
  306: () => 'must be a non-empty string',
  307: () => "must be 'off' or 'custom-event'",
  308: () => 'must be seconds >= 1',
  309: () => "must be 'web' or 'mobile'",
  // Events and requests
  310: (name: string) => `event "${name}" is not sent to Braze: event names must be ${NAME_RULE}`,
  311: (context: string, dropped: string) =>
    `${context}: sent without ${dropped}: Braze takes keys of 1 to 255 characters without control characters or '"', ` +
    'and string, finite number, boolean, valid Date or JSON object/array values',
  312: (context: string, bytes: number) => `${context}: not sent: its properties take ${bytes} bytes as JSON, over Braze's 51200 (50 KB)`,
  313: () => 'Braze refused the request: SDK authentication is required for this app, and the kit does not sign requests',
  314: (error: string, apiKey: string, baseUrl: string) =>
    `Braze refused the request: ${error}: apiKey "${apiKey}" is not an app of ${baseUrl}; check apiKey and baseUrl`,
  315: (error: string) => `Braze refused the request: ${error}`,
  316: () => 'must be milliseconds >= 0',
  317: () => 'is not an option',
  318: () => 'could not be read (a Proxy or a getter threw)',
  // Session timeouts compared with a Braze SDK's
  320: (canonical: number, mobile: number, web: number, minimum: number) =>
    `canonical session timeout ${canonical} s; Braze SDK defaults: mobile ${mobile} s, web ${web} s (web minimum ${minimum} s)`,
  321: (yours: string, effective: number, canonical: number, minimum: number) =>
    `${yours} is ${effective} s, SessionHub's session timeout ${canonical} s: a Braze SDK in this app counts other sessions; raise SessionHub's sessionTimeout to ${minimum} s, the web minimum`,
  322: (yours: string, effective: number, canonical: number) =>
    `${yours} is ${effective} s, SessionHub's session timeout ${canonical} s: a Braze SDK in this app counts other sessions; set Braze's to ${canonical} s`,
  323: (when: string) => `${when}: timeouts now agree with Braze`,
};

/** The Braze kit's diagnostic of `code`: in full in development, its code and values in production builds. */
export const message = messageFormat(
  (() => {
    try {
      // Bundlers that define process.env.NODE_ENV fold this: "production" leaves the texts out (an
      // \`if\`, not a ternary, so that the whole try goes too, and the IIFE with it).
      if (process.env.NODE_ENV !== 'production') return BRAZE_MESSAGES;
    } catch {
      // No `process` (a page without a bundler, bare Hermes): the production form (undefined).
    }
  })(),
);
