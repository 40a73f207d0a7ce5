import { messageFormat } from './message-format';

/**
 * Core's warnings and setup errors by code (SH001–SH199), each with the values it names. Production
 * builds print the code and the values only; docs/messages.md lists every text (a test keeps it in
 * step with this table).
 */
export const CORE_MESSAGES = {
  // Hub options (createHub, createBrowserHub)
  1: (got: string) => `must be a number of seconds from 1 to 1e9 (got ${got})`,
  2: (got: string) => `must be a number of seconds from 1 to 1e9, or null for none (got ${got})`,
  3: (error: string) => `createHub(options): the options could not be read (${error})`,
  4: () => 'createHub(options) takes an object',
  5: (key: string) => `unknown option "${key}"`,
  6: (got: string) => `must be 'debug', 'info', 'warn', 'error' or 'silent' (got ${got})`,
  7: (got: string) => `must be a boolean (got ${got})`,
  8: () => 'must be an array of event names',
  9: () => 'must have getItem, setItem and removeItem',
  10: () => 'must be a function returning epoch milliseconds',
  11: () => 'must have debug, info, warn and error methods',
  12: () => 'must be an array of kits',
  13: () => 'must be 1–64 letters, digits, "_", "." or "-"',
  14: () => 'must be a lifecycle adapter with subscribe(listener)',
  15: (got: string) => `inlineLimit must be a whole number of characters from 0 to 65536 (got ${got})`,
  16: () => 'must be a function (record) => record | null',
  17: () => 'createBrowserHub(options) takes an object',
  18: (error: string) => `createBrowserHub(options): the options could not be read (${error})`,
  19: (name: string, like: string, methods: string) => `option "${name}" must be like ${like} (${methods}), or null`,
  20: (problem: string) => `${problem}; keeping the session and the outboxes in memory (not shared with other tabs nor kept across reloads)`,
  // Kits
  21: (error: string) => `reading the kit threw (${error}); a kit must be a plain object`,
  22: () => 'a kit must be an object with a non-empty string `name`',
  23: (name: string) => `kit name "${name}" must be 1–64 letters, digits, "_", "." or "-"`,
  24: (name: string) => `a kit named "${name}" is already registered`,
  25: (name: string) => `kit "${name}": sessionNeutralEvents must be an array of event names`,
  26: (name: string, where: string) => `kit "${name}" failed in ${where}; other kits and the app carry on:`,
  27: () => 'could not be read (a Proxy or a getter threw)',
  28: (got: string) => `beforeSend must return the record or null, got ${got}`,
  29: () => 'must be a function returning a string id',
  // Hub calls
  40: () => 'start() after shutdown(): create a new hub instead',
  41: (got: string) => `start(options): expected { inBackground?: boolean }, got ${got}`,
  42: (problem: string) => `${problem}; it was replaced by a fresh state`,
  43: () => 'lifecycle adapter failed to report the current state:',
  44: (dropped: number, max: number) => `${dropped} calls made before start() were dropped (at most ${max} wait)`,
  45: () => 'lifecycle adapter failed to subscribe:',
  46: () => 'internal error while committing at page hide:',
  47: (problem: string) => `setSessionTimeout: the timeout ${problem}; the old value stays`,
  48: (max: number, got: string) => `logEvent: the event name must be a string of 1–${max} characters, got ${got}`,
  49: (name: string, got: string) => `logEvent('${name}'): attributes must be a plain object, got ${got}`,
  50: (name: string, got: string) => `logEvent('${name}'): options must be { affectsSession?: boolean }, got ${got}`,
  51: (name: string, error: string) => `logEvent('${name}'): the attributes could not be copied (${error})`,
  52: (max: number, got: string) => `setUser: the user id must be a string of 1–${max} characters or null, got ${got}`,
  53: (got: string) => `the increment must be a finite number, got ${got}`,
  54: (method: string, got: string) => `${method}(event, listener): the event must be a string, got ${got}`,
  55: (method: string, event: string, got: string) => `${method}('${event}', listener): the listener must be a function, got ${got}`,
  56: (got: string) => `setOptOut: expected true or false, got ${got}`,
  57: (problem: string) => `start: the clock ${problem}; launched at the device's time (Date.now()) instead`,
  58: (call: string) => `${call}: the hub was shut down; create a new hub to keep tracking`,
  59: (call: string, problem: string) => `${call}: the clock ${problem}; the call was refused`,
  60: (max: number) => `${max} calls are waiting for the hub to start and start() has not been called; later calls are dropped until it has`,
  61: (max: number) => `${max} calls are waiting for the hub to start and start() has not finished; later calls are dropped until it has`,
  62: (call: string) => `internal error while handling ${call}; the call was ignored:`,
  63: (event: string) => `a "${event}" listener threw; the hub carries on:`,
  64: () => 'start: already called for this launch; the options of this call are ignored (call start() once, with { inBackground } where the launch is known)',
  130: (call: string) => `${call}() before start(): nothing was done; call it once start() has been called`,
  131: () => 'lifecycle adapter failed to unsubscribe:',
  // The engine's rules
  80: () => 'endSession(): there is no live session',
  81: (ms: number) => `the clock moved back by ${ms} ms (≥ the session timeout): the session ends at its last activity`,
  82: (call: string, key: string) => `${call}('${key}'): there is no live session; nothing was changed`,
  83: (call: string, key: string, got: string) => `${call}('${key}'): the value is not a number (${got}); left unchanged`,
  84: (call: string, key: string, max: number) => `${call}('${key}'): a session holds at most ${max} attributes`,
  85: (got: string) => `attribute key must be a string, got ${got}`,
  86: (max: number, length: number) => `attribute key must be 1–${max} characters, got ${length}`,
  87: (got: number) => `attribute value must be a finite number, got ${got}`,
  88: (max: number, length: number) => `attribute string value must be at most ${max} characters, got ${length}`,
  89: (got: string) => `attribute value must be a string, number, boolean or null, got ${got}`,
  90: () => 'stored state is not valid JSON',
  91: () => 'stored state is not an object',
  92: (version: string) => `unknown stored state version ${version}`,
  93: (field: string) => `stored state is corrupt (${field})`,
  94: (call: string, key: string) => `${call}('${key}') would overflow`,
  // Storage and ids
  100: (writers: string, error: string) =>
    `${writers}: storage failed (${error}); keeping what was not saved in memory, sending nothing new until it is saved, and retrying`,
  101: (writers: string, error: string) => `${writers}: storage unavailable (${error}); keeping what was not saved in memory and retrying`,
  102: () => 'storage works again; what was kept in memory is saved',
  103: (writer: string, error: string) => `${writer}: storage failed to read (${error}); going on without what it held, keeping data in memory and retrying`,
  104: () => 'generateId threw or returned no string: using UUIDs where it does',
  105: () => 'no crypto.getRandomValues: ids come from Math.random (unique, not secret)',
  106: (error: string) => `storage failed to compact (${error}); deleted data may stay in it until it is next rewritten`,
  107: (dropped: number) => `storage is full: dropped the ${dropped} oldest queued events (never a session's start or end) to make room`,
  113: (writer: string) =>
    `${writer}: storage holds what it failed to read at launch; this run keeps its data in memory (and sends it) rather than write over it, and the next launch finds it`,
  // localStorage (pageStorage; each in SH020 from createBrowserHub)
  108: (error: string) => `localStorage is unavailable (${error})`,
  109: (error: string) => `localStorage failed to read (${error})`,
  110: (error: string) => `localStorage is full or failed to write (${error})`,
  111: (error: string) => `localStorage failed to remove a key (${error})`,
  // The Node journal (journalStorage; the hub warns with it once)
  112: (directory: string, pid: number) =>
    `"${directory}" is in use by process ${pid}: the state and outboxes stay in memory for this run, nothing is saved, and what is stored there is left to that process; give each process a directory of its own (one per cluster worker)`,
  // Tabs (createBrowserHub)
  120: (problem: string) => `the shared session record is unusable: ${problem}; replaced it with a fresh one`,
  121: (kept: number, slot: number) => `another page took storage slot ${kept} while this tab was away; now using slot ${slot}`,
  122: (error: string) => `internal error while committing; calls ignored (${error})`,
  123: (error: string) => `Web Locks failed (${error}); coordinating tabs through localStorage alone`,
  124: () => 'the shared session record is not valid JSON; replaced it with a fresh one',
  125: () => 'the shared session record has an unknown format; replaced it with a fresh one',
  // Event attributes (in SH051)
  150: (max: number) => `an event's attributes may hold at most ${max} array elements in all, holes included`,
};

/** Core's diagnostic of `code`: in full in development, its code and values in production builds. */
export const message = messageFormat(
  (() => {
    try {
      // Bundlers that define process.env.NODE_ENV fold this: "production" leaves the texts out (an
      // `if`, not a ternary, so that the whole try goes too, and the IIFE with it).
      if (process.env.NODE_ENV !== 'production') return CORE_MESSAGES;
    } catch {
      // No `process` (a page without a bundler, bare Hermes): the production form (undefined).
    }
  })(),
);
