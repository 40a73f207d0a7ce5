import type { EngineConfig } from './engine/state';
import { message } from './messages';
import { describe } from './engine/attributes';
import { errorMessage } from './describe-value';
import { SessionHubConfigError } from './errors';
import { isStringArray } from './call-arguments';
import { isLogger, LOG_LEVELS, type Logger, type LogLevel } from './logger';
import { isInlineLimit, isStorageAdapter, type StorageAdapter } from './storage/storage-adapter';
import type { BeforeSend } from './before-send';
import type { Kit } from './kit';
import type { LifecycleAdapter } from './lifecycle/lifecycle-adapter';

/** Options of {@link createHub}. Durations are in seconds. */
export interface HubOptions {
  /** Background (and no-lifecycle) inactivity timeout, seconds. Default 60, as mParticle mobile. */
  sessionTimeout?: number;
  /** Foreground inactivity timeout, seconds; null/undefined: a foreground session never idles out. */
  foregroundTimeout?: number | null;
  /** Hard cap on a session's length, seconds; null/undefined: none. */
  maxSessionDuration?: number | null;
  /** Continue an unexpired session after a relaunch (web reloads) instead of ending it. Default false. */
  resumeOnRelaunch?: boolean;
  /** End the session and start a new one when an identified user changes or logs out. Default true. */
  newSessionOnUserChange?: boolean;
  /**
   * End the session and start a new one when an anonymous user signs in (`setUser(id)` after none),
   * as Braze's `changeUser` does, for every kit alike. Default false: the session continues under the
   * new user (mParticle's rule).
   */
  newSessionOnLogin?: boolean;
  /** Event names that never start or extend a session. Kits may declare more. */
  excludedEvents?: readonly string[];
  /** Where state and outboxes persist. Default: memory (nothing survives the process). */
  storage?: StorageAdapter;
  /** Epoch ms. Default `Date.now`. */
  clock?: () => number;
  /** Console-compatible logger. Default `console` (in Node, `createNodeHub`: a console writing to stderr only). */
  logger?: Logger;
  /**
   * What the hub and its kits log: `'debug' | 'info' | 'warn' | 'error' | 'silent'`. Default `'warn'`
   * (warnings and errors only, as Amplitude's SDKs).
   */
  logLevel?: LogLevel;
  /**
   * While integrating: log at `'debug'` (whatever `logLevel` says), including every canonical record
   * the hub hands its kits and every request body a kit sends, API keys and tokens redacted.
   * Default false.
   */
  debug?: boolean;
  /** Kits to register now (more with `registerKit`). */
  kits?: readonly Kit[];
  /** Prefix of every storage key, so several hubs can share one storage. Default `sessionhub`. */
  namespace?: string;
  /** Drives foreground/background from the platform (e.g. `reactNativeLifecycle(AppState)`). */
  lifecycle?: LifecycleAdapter;
  /** Id generator for sessions and events (UUID v4 by default); inject a seeded one for replays. */
  generateId?: () => string;
  /**
   * Sees every event before any kit gets it: return the record (changed or not) or null to drop it.
   * A hook that throws (or returns anything else) drops the event, counted in every kit's health.
   * Kits may have their own `beforeSend`, run after this one. See docs/privacy.md.
   */
  beforeSend?: BeforeSend;
  /**
   * Start opted out (consent-gated apps): nothing is recorded, stored or sent until
   * `hub.setOptOut(false)`. The user's choice, once made with `setOptOut`, is persisted and wins over
   * this option on later launches. Default false.
   */
  optOut?: boolean;
}

/** Validated, defaulted options. */
export interface ResolvedOptions {
  readonly engine: EngineConfig;
  readonly storage?: StorageAdapter | undefined;
  readonly clock: () => number;
  readonly logger: Logger;
  readonly logLevel: LogLevel;
  readonly kits: readonly Kit[];
  readonly namespace: string;
  readonly lifecycle?: LifecycleAdapter | undefined;
  readonly generateId?: (() => string) | undefined;
  readonly beforeSend?: BeforeSend | undefined;
  readonly optOut: boolean;
}

/** Why a timeout value (seconds) is not valid, or null. `optional` allows null/undefined. */
export function timeoutProblem(value: unknown, optional: boolean): string | null {
  if (optional && (value === null || value === undefined)) return null;
  // At most 10^9 s (31 years): in milliseconds, still an exact integer the timer and the stored state keep.
  if (typeof value !== 'number' || !(value >= 1 && value <= 1e9)) {
    return message(optional ? 2 : 1, describe(value));
  }
  return null;
}

const toMs = (seconds: number | null | undefined): number | null =>
  seconds === null || seconds === undefined ? null : Math.round(seconds * 1000);

const bool = (v: unknown) => typeof v != 'boolean' && message(7, describe(v));
const isFunction = (v: unknown) => typeof v == 'function';

/**
 * Every option (the keys are the known ones), in the order they are checked: what is wrong with a
 * value given (not undefined), or a falsy value when it is right.
 */
const RULES: Readonly<Record<string, (v: any) => string | false | null>> = {
  // null: the default, as undefined.
  sessionTimeout: (v) => v !== null && timeoutProblem(v, false),
  foregroundTimeout: (v) => timeoutProblem(v, true),
  maxSessionDuration: (v) => timeoutProblem(v, true),
  logLevel: (v) => !LOG_LEVELS.includes(v) && message(6, describe(v)),
  resumeOnRelaunch: bool,
  newSessionOnUserChange: bool,
  newSessionOnLogin: bool,
  debug: bool,
  excludedEvents: (v) => !isStringArray(v) && message(8),
  storage: (v) => (!isStorageAdapter(v) && message(9)) || (!isInlineLimit(v.inlineLimit) && message(15, describe(v.inlineLimit))),
  clock: (v) => !isFunction(v) && message(10),
  logger: (v) => !isLogger(v) && message(11),
  kits: (v) => !Array.isArray(v) && message(12),
  namespace: (v) => !(typeof v === 'string' && /^[\w.-]{1,64}$/.test(v)) && message(13),
  lifecycle: (v) => !isFunction(v?.subscribe) && message(14),
  generateId: (v) => !isFunction(v) && message(29),
  beforeSend: (v) => !isFunction(v) && message(16),
  optOut: bool,
};

/** Checks every option and applies the defaults; throws {@link SessionHubConfigError} on a mistake. */
export function resolveOptions(options: HubOptions | undefined): ResolvedOptions {
  try {
    return checkOptions(options);
  } catch (error) {
    // Options that throw when read (a Proxy, a getter) are a setup mistake too, never a plain TypeError.
    if (error instanceof SessionHubConfigError) throw error;
    throw new SessionHubConfigError('options', message(3, errorMessage(error)));
  }
}

function checkOptions(options: HubOptions | undefined): ResolvedOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new SessionHubConfigError('options', message(4));
  }
  // Each option is read once.
  const o: HubOptions = { ...options };
  const given = o as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!Object.prototype.hasOwnProperty.call(RULES, key)) throw new SessionHubConfigError(key, message(5, key));
  }
  for (const name in RULES) {
    const problem = given[name] !== undefined && RULES[name]!(given[name]);
    if (problem) throw new SessionHubConfigError(name, `option "${name}" ${problem}`);
  }
  // The options as given (all known: checked above), the engine's and the defaults over them.
  return {
    ...o,
    engine: {
      sessionTimeoutMs: toMs(o.sessionTimeout ?? 60) as number,
      foregroundTimeoutMs: toMs(o.foregroundTimeout),
      maxSessionDurationMs: toMs(o.maxSessionDuration),
      resumeOnRelaunch: o.resumeOnRelaunch ?? false,
      newSessionOnUserChange: o.newSessionOnUserChange ?? true,
      newSessionOnLogin: o.newSessionOnLogin ?? false,
      excludedEvents: [...(o.excludedEvents ?? [])],
    },
    clock: o.clock ?? Date.now,
    logger: o.logger ?? console,
    logLevel: o.debug ? 'debug' : (o.logLevel ?? 'warn'),
    kits: o.kits ?? [],
    namespace: o.namespace ?? 'sessionhub',
    optOut: o.optOut ?? false,
  };
}

/** The engine config expressed in seconds, as kits receive it. */
export function timeoutsInSeconds(config: EngineConfig): { sessionTimeout: number; foregroundTimeout: number | null; maxSessionDuration: number | null } {
  const s = (ms: number | null) => (ms === null ? null : ms / 1000);
  return {
    sessionTimeout: config.sessionTimeoutMs / 1000,
    foregroundTimeout: s(config.foregroundTimeoutMs),
    maxSessionDuration: s(config.maxSessionDurationMs),
  };
}
