import type { EngineInput } from './engine/inputs';
import type { EngineOutput, WarningCode } from './engine/outputs';
import type { EngineConfig, EngineState } from './engine/state';
import type { SafeStorage } from './storage/commit-pipeline';

/**
 * What a hub lends the shared session it runs on (see {@link SharedSession}).
 * @internal
 */
export interface SharedSessionHost {
  /** This run's engine configuration (a launch applies it). */
  readonly config: EngineConfig;
  /**
   * A fresh id from the hub's id source (session, event and device ids): the app's `generateId` when
   * it gives one, so not necessarily random nor unique per page (page ids come from random bytes).
   */
  makeId(): string;
  /** The hub's clock, epoch ms. */
  nowMs(): number;
  /** Committed outputs for this hub to deliver to its kits and listeners, in order. */
  deliver(outputs: readonly EngineOutput[]): void;
  /** The hub's storage (its kits' commits), where the shared session marks what they committed. */
  readonly pipeline: SafeStorage;
  /** The shared state changed under this hub (another tab committed): re-arm the expiry timer. */
  changed(): void;
  /** Another hub cleared the stored data (`clearStoredData`, opt-out): clear the kits, as a fresh install. */
  cleared(): void;
  alert(code: WarningCode, message: string): void;
  /** How many items the kits hold queued (sent or not), so a page that goes records it for its slot. */
  kitsQueued(): number;
}

/**
 * A session state shared by several hubs of one device — the tabs of an origin in a browser. Each
 * hub previews its calls on its own view (so the synchronous API answers at once), and the shared
 * session commits them to the shared state one hub at a time, on the latest state, so exactly one
 * hub emits each session start and end. Built by `@sessionhub/core/browser`.
 * @internal
 */
export interface SharedSession {
  /** Joins: claims this hub's place (its tab slot) and reads the shared state. */
  open(host: SharedSessionHost): Promise<void>;
  /** Prefix of this hub's own storage keys (its kits' outboxes); it may change after a resume. */
  ownPrefix(): string;
  /** The state as this hub sees it: the shared state plus its calls not yet committed. */
  view(): EngineState | null;
  /** Applies `input` to the view now (for the call's return value) and queues it for commit. */
  submit(input: EngineInput): boolean | number | undefined;
  /**
   * The page is going away: commits what is queued synchronously, without waiting for the lock
   * (nothing asynchronous runs after `pagehide`). `closing` gives this hub's place up.
   */
  commitPage(closing: boolean): void;
  /**
   * The page was hidden: calls not committed yet are made durable now, synchronously, with the kits'
   * records of what they delivered (a hidden page may be discarded without `pagehide`). The page goes on.
   */
  hidden(): void;
  /** Records how many items this hub's kits still hold, synchronously (after a page-hide flush). */
  noteQueued(items: number): void;
  /** The page came back (back/forward cache, resume): reclaims this hub's place before further commits. */
  resume(): void;
  /** Resolves once everything submitted so far is committed. Never rejects. */
  caughtUp(): Promise<void>;
  /**
   * Deletes everything stored under the namespace but the opt-out choice (the shared state, every
   * hub's kit storage) and drops the calls not yet committed. `stop`: the hub opted out and stops
   * (`open` starts it again); else it goes on as a fresh install with a new device id. Never rejects.
   */
  clearTabs(stop: boolean): Promise<void>;
  /** Commits what is queued, gives this hub's place up and stops listening. Never rejects. */
  closeTab(): Promise<void>;
}
