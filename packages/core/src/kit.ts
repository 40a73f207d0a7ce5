import type { EngineOutput } from './engine/outputs';
import type { Logger } from './logger';
import type {
  EventRecord,
  LifecycleRecord,
  SessionAttributeChangeRecord,
  SessionEndRecord,
  SessionStartRecord,
  SessionTimeouts,
  UserChangeRecord,
} from './records';
import type { SafeStorage } from './storage/resilient-storage';

/** What a kit gets from the hub at `init`. */
export interface KitContext {
  /**
   * The device id (UUID v4, lowercase), stable for the install until `hub.reset()` (see `onReset`).
   * `''` while the user is opted out at a launch (no state is loaded then): read it when it is used,
   * not once in `init`.
   */
  readonly deviceId: string;
  /** The canonical timeouts now, in seconds. */
  readonly timeouts: SessionTimeouts;
  /** A logger whose lines are prefixed with the kit's name. */
  readonly logger: Logger;
  /** Storage private to this kit (namespaced), async, never throwing; falls back to memory. */
  readonly storage: SafeStorage;
  /** The hub's clock, epoch ms. */
  readonly clock: () => number;
  /**
   * The hub's id source: a fresh UUID v4 (or the hub's `generateId`) for every id a kit makes, such
   * as a vendor's event id. Never throws, also where the runtime has no `crypto.getRandomValues`.
   */
  readonly generateId: () => string;
  /** Reports an error the kit caught itself; it is counted in the kit's health. */
  reportError(error: unknown): void;
}

/** Delivery figures of a kit's outbox (see `@sessionhub/delivery`). */
export interface DeliveryHealth {
  readonly queued: number;
  readonly inFlight: number;
  readonly delivered: number;
  readonly retried: number;
  readonly dropped: Readonly<Record<string, number>>;
  readonly lastError: string | null;
  readonly [extra: string]: unknown;
}

/**
 * A destination for the canonical session: translates session starts, events and ends into a
 * vendor's format. Every callback is optional except `name`; a kit that throws is isolated.
 */
export interface Kit {
  /** Unique among the hub's kits; also the kit's storage namespace. */
  readonly name: string;
  /** Event names this kit's vendor never counts toward a session; the hub treats them as session-neutral. */
  readonly sessionNeutralEvents?: readonly string[];
  /** Called once before any other callback; the hub buffers callbacks until it resolves. */
  init?(context: KitContext): void | Promise<void>;
  /** A session started; comes before any of its events. */
  onSessionStart?(record: SessionStartRecord): void;
  /** An event was logged (in a session, or session-neutral with `sessionId` null). */
  onEvent?(record: EventRecord): void;
  /** A session ended, exactly once, with its duration, attributes and reason. */
  onSessionEnd?(record: SessionEndRecord): void;
  /** The app came to the foreground. */
  onForeground?(record: LifecycleRecord): void;
  /** The app went to the background: a good moment to flush. */
  onBackground?(record: LifecycleRecord): void;
  /** The user id changed (set, changed, or logged out). */
  onUserChange?(record: UserChangeRecord): void;
  /** A session attribute was set, incremented or removed. */
  onSessionAttributeChange?(record: SessionAttributeChangeRecord): void;
  /**
   * The canonical configuration changed: the timeouts (e.g. `hub.setSessionTimeout`), or the
   * session-neutral events (a kit registered late with `sessionNeutralEvents`); the timeouts it gets
   * may be the same as before.
   */
  onConfigChange?(timeouts: SessionTimeouts): void;
  /**
   * Sees each event before `onEvent`, after the hub's own `beforeSend`: returns the record (changed
   * or not) or null to drop it for this kit. Throwing drops the event (counted in the kit's health).
   * Add one to any kit: `{ ...brazeKit(options), beforeSend: (record) => record }`.
   */
  beforeSend?(record: EventRecord): EventRecord | null;
  /**
   * `hub.reset()`: the device has a new id (`context.deviceId` already reads it) and no user. Forget
   * the ids the kit keeps for the old device or user, so nothing links the two.
   */
  onReset?(deviceId: string): void;
  /**
   * The user opted out, or the app asked to clear stored data: drop everything queued (in memory and
   * in storage) and every id or ledger the kit stored, sending nothing more. Resolves once removed.
   */
  clear?(): void | Promise<void>;
  /** Send what is queued now. */
  flush?(): void | Promise<void>;
  /**
   * Browsers: the page is being hidden, frozen or unloaded, and this may be the last chance to run.
   * Send what is queued with requests that outlive the page (`outbox.flushOnPageHide()`: fetch
   * `keepalive` / `sendBeacon`, within their 64 KB budget); what does not fit stays persisted. Called
   * in every tab (session records of other tabs are not repeated). A kit without it gets `flush()`.
   */
  onPageHide?(): void;
  /** Persist and stop; called by `hub.shutdown()`. */
  shutdown?(): void | Promise<void>;
  /** Delivery figures for `hub.getKitHealth()`; undefined when there are none yet (before `init`). */
  getHealth?(): DeliveryHealth | undefined;
}

/** Health of one kit, from `hub.getKitHealth()`. */
export interface KitHealth {
  /** `initializing` until `init` resolves; `failed` when `init` threw (the kit then gets no calls). */
  readonly status: 'initializing' | 'ready' | 'failed';
  /** Callbacks made. */
  readonly calls: number;
  /** Callbacks that threw or rejected, plus errors the kit reported. */
  readonly errors: number;
  readonly lastError: string | null;
  /** The kit's delivery figures, when it has an outbox. */
  readonly delivery?: DeliveryHealth;
}

/** The callbacks the hub dispatches records to. */
export type KitCallback =
  | 'onSessionStart'
  | 'onEvent'
  | 'onSessionEnd'
  | 'onForeground'
  | 'onBackground'
  | 'onUserChange'
  | 'onSessionAttributeChange'
  | 'onConfigChange'
  | 'onReset';

/**
 * The kit callback each engine output goes to, as the hub dispatches them; for drivers that feed
 * kits from the engine themselves (a server-side replay).
 */
export const OUTPUT_CALLBACK: Readonly<Record<Exclude<EngineOutput['type'], 'warning'>, KitCallback>> = {
  sessionStart: 'onSessionStart',
  sessionEnd: 'onSessionEnd',
  event: 'onEvent',
  foreground: 'onForeground',
  background: 'onBackground',
  userChange: 'onUserChange',
  sessionAttributeChange: 'onSessionAttributeChange',
  configChange: 'onConfigChange',
  reset: 'onReset',
};
