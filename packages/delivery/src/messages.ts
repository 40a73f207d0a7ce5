import { messageFormat } from '@sessionhub/core';

/**
 * The outboxes' warnings and setup errors by code (SH200–SH299), with the values each names.
 * Production builds print the code and the values only; docs/messages.md lists every text.
 */
export const DELIVERY_MESSAGES = {
  200: () => 'must be an object of outbox settings',
  201: (option: string) => `"${option}" is not a delivery setting`,
  202: () => 'unreadable queue index; starting empty',
  203: (wait: string) => `unreadable saved Retry-After wait ${wait}; ignored`,
  204: (status: number, asked: number, retryAfter: string, waiting: number) =>
    `HTTP ${status} asks to wait ${asked} s (Retry-After: ${retryAfter}); waiting ${waiting} s`,
  205: () => 'sent by sendBeacon (no answer)',
  206: () => 'no fetch; pass a transport',
  // Storage (each after `outbox <name>: `)
  211: (error: string) => `write failed: ${error}`,
  212: (seq: number) => `skipping unreadable item ${seq}`,
  213: (error: string) => `load failed: ${error}`,
  // Why items were dropped (each after `dropped <n> item(s) (<reason>): `)
  214: (max: number) => `over maxQueueItems (${max})`,
  215: (error: string) => `buildRequest threw: ${error}`,
  216: (problem: string, max: number) => `${problem} after ${max} attempts`,
  217: () => 'not JSON-serializable',
  218: (ms: number) => `older than ${ms} ms`,
  221: (chars: number, max: number) => `its JSON takes ${chars} characters, over the ${max} an item may take`,
  // A request's failure (health().lastError, the warnings)
  219: (ms: number) => `no answer in ${ms} ms`,
  // Outbox options: `<option> must …` ('be a function' stays a text: eventemitter3 ships it)
  207: (option: string, min: number) => `${option} must be a number ≥ ${min}`,
  208: (option: string) => `${option} must have setTimeout and clearTimeout`,
  209: (option: string) => `${option} must be a non-empty string`,
  210: (option: string) => `${option} must be the kit's context.storage`,
  220: (option: string, min: number, max: number) => `${option} must be a number from ${min} to ${max}`,
};

/** The outboxes' diagnostic of `code`: in full in development, its code and values in production builds. */
export const message = messageFormat(
  (() => {
    try {
      // Bundlers that define process.env.NODE_ENV fold this: "production" leaves the texts out (an
      // `if`, not a ternary, so that the whole try goes too, and the IIFE with it).
      if (process.env.NODE_ENV !== 'production') return DELIVERY_MESSAGES;
    } catch {
      // No `process` (a page without a bundler, bare Hermes): the production form (undefined).
    }
  })(),
);
