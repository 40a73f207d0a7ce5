import { messageFormat } from '@sessionhub/core';

/**
 * The CleverTap kit's warnings and setup errors by code (SH400–SH499), with the values each names.
 * Production builds print the code and the values only; docs/messages.md lists every text.
 */
export const CLEVERTAP_MESSAGES = {
  // clevertapKit options: `clevertapKit: option "<name>" <text>`
  400: () => 'must be an object like { accountId, token }',
  401: () => 'must be an Account ID like "W9R-486-4W5Z"',
  402: () => 'must be an Account Token without spaces',
  403: () => 'must be a region like "eu1"',
  404: () => 'must be an http(s) URL without query',
  405: () => 'must be a platform like "Android"',
  406: () => 'must be an object of strings, finite numbers or booleans',
  407: () => 'must be 1 to 40 characters without . : $ \' " \\ or surrounding spaces',
  408: () => 'must be true or false',
  409: () => 'must be a kit name',
  416: () => 'is not an option',
  417: () => 'and "region" exclude each other',
  418: (problem: string) => `is wrong: ${problem}`,
  420: () => 'could not be read (a Proxy or a getter threw)',
  // What is not sent: `<event, property or user id> not sent to CleverTap: <text>`
  410: () => "nothing left once CleverTap removes . : $ ' \" \\",
  411: () => 'not a string, finite number, boolean or date',
  412: () => `nothing left once CleverTap removes ' " \\`,
  413: () => 'a CleverTap system event',
  421: () => 'not an object of properties, as each item of Charged must be',
  419: (what: string, why: string) => `${what} not sent to CleverTap: ${why}`,
  422: (n: number) => `further names, keys and user ids not sent to CleverTap are not reported in this run (${n} were)`,
  // Debug and storage
  414: (session: number, foreground: number | string, longest: number | string) =>
    `timeouts (s): session ${session}, foreground ${foreground}, longest ${longest}; not CleverTap's 20 min`,
  415: () => 'stored session ids unreadable: numbering afresh',
};

/** The CleverTap kit's diagnostic of `code`: in full in development, its code and values in production builds. */
export const message = messageFormat(
  (() => {
    try {
      // Bundlers that define process.env.NODE_ENV fold this: "production" leaves the texts out (an
      // \`if\`, not a ternary, so that the whole try goes too, and the IIFE with it).
      if (process.env.NODE_ENV !== 'production') return CLEVERTAP_MESSAGES;
    } catch {
      // No `process` (a page without a bundler, bare Hermes): the production form (undefined).
    }
  })(),
);
