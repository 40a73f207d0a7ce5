import type { AttributeValue } from '../records';
import type { EngineConfig } from './state';

/** Everything that can happen to a session. Each input carries the time it happened (epoch ms). */
export type EngineInput =
  /** `foreground` null: no lifecycle information (a session starts, and the session timeout applies). */
  | { readonly type: 'launch'; readonly t: number; readonly foreground: boolean | null; readonly config?: EngineConfig }
  | { readonly type: 'foreground'; readonly t: number }
  | { readonly type: 'background'; readonly t: number }
  | {
      readonly type: 'event';
      readonly t: number;
      readonly eventId: string;
      readonly name: string;
      readonly attributes: Readonly<Record<string, unknown>>;
      readonly affectsSession: boolean;
    }
  | { readonly type: 'tick'; readonly t: number }
  | { readonly type: 'setUser'; readonly t: number; readonly userId: string | null }
  | { readonly type: 'startNewSession'; readonly t: number }
  | { readonly type: 'endSession'; readonly t: number }
  | { readonly type: 'setAttribute'; readonly t: number; readonly key: string; readonly value: AttributeValue }
  | { readonly type: 'incrementAttribute'; readonly t: number; readonly key: string; readonly by: number }
  | { readonly type: 'removeAttribute'; readonly t: number; readonly key: string }
  | { readonly type: 'configure'; readonly t: number; readonly config: Partial<EngineConfig> }
  /** `hub.reset()`: ends the live session, then a new device id and no user; a session starts unless in the background. */
  | { readonly type: 'reset'; readonly t: number };

/** The kind of an engine input (`launch`, `event`, `tick`, …). */
export type EngineInputType = EngineInput['type'];
