import type {
  EventRecord,
  LifecycleRecord,
  SessionAttributeChangeRecord,
  SessionEndRecord,
  SessionStartRecord,
  UserChangeRecord,
} from '../records';
import type { EngineConfig } from './state';

/** Machine-readable warning codes; the message says what happened in words. */
export type WarningCode =
  | 'no-live-session'
  | 'invalid-argument'
  | 'attribute-limit'
  | 'attribute-not-numeric'
  | 'clock-moved-backwards'
  | 'not-in-session'
  | 'corrupt-state'
  | 'storage-failure'
  | 'kit-failure'
  | 'not-started';

/** A call the hub refused or a rule it applied, as emitted on `hub.on('warning')` and logged. */
export interface Warning {
  readonly code: WarningCode;
  readonly message: string;
}

/** What the engine asks the shell to deliver, in order. */
export type EngineOutput =
  | { readonly type: 'sessionStart'; readonly record: SessionStartRecord }
  | { readonly type: 'sessionEnd'; readonly record: SessionEndRecord }
  | { readonly type: 'event'; readonly record: EventRecord }
  | { readonly type: 'foreground'; readonly record: LifecycleRecord }
  | { readonly type: 'background'; readonly record: LifecycleRecord }
  | { readonly type: 'userChange'; readonly record: UserChangeRecord }
  | { readonly type: 'sessionAttributeChange'; readonly record: SessionAttributeChangeRecord }
  | { readonly type: 'configChange'; readonly config: EngineConfig }
  /** The device has a new id (its record): kits forget the ids they kept (`onReset`). */
  | { readonly type: 'reset'; readonly record: string }
  | { readonly type: 'warning'; readonly warning: Warning };
