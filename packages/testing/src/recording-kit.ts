import type {
  EventRecord,
  Kit,
  KitCallback,
  KitContext,
  LifecycleRecord,
  SessionAttributeChangeRecord,
  SessionEndRecord,
  SessionStartRecord,
  SessionTimeouts,
  UserChangeRecord,
} from '@sessionhub/core';

/** One callback a kit received, in order. */
export type RecordedCall =
  | { type: 'onSessionStart'; record: SessionStartRecord }
  | { type: 'onEvent'; record: EventRecord }
  | { type: 'onSessionEnd'; record: SessionEndRecord }
  | { type: 'onForeground'; record: LifecycleRecord }
  | { type: 'onBackground'; record: LifecycleRecord }
  | { type: 'onUserChange'; record: UserChangeRecord }
  | { type: 'onSessionAttributeChange'; record: SessionAttributeChangeRecord }
  | { type: 'onConfigChange'; record: SessionTimeouts }
  | { type: 'onReset'; record: string }
  /** `clear()`: opt-out or `hub.clearStoredData()`. */
  | { type: 'clear'; record: null };

/** A kit that records every callback; `dead()` drops later calls (a force-quit process). */
export interface RecordingKit extends Kit {
  readonly calls: RecordedCall[];
  context: KitContext | null;
  /** The session starts received, in order. */
  starts(): SessionStartRecord[];
  /** The session ends received, in order. */
  ends(): SessionEndRecord[];
  /** The events received, in order. */
  events(): EventRecord[];
  /** Stop recording, as if the process died. */
  kill(): void;
}

const CALLBACKS: KitCallback[] = [
  'onSessionStart', 'onEvent', 'onSessionEnd', 'onForeground', 'onBackground', 'onUserChange', 'onSessionAttributeChange', 'onConfigChange', 'onReset',
];

/** A kit that records every call it gets, for asserting what a hub delivered; `extra` adds or overrides callbacks. */
export function recordingKit(name = 'recorder', extra: Partial<Kit> = {}): RecordingKit {
  const calls: RecordedCall[] = [];
  let alive = true;
  const kit = {
    ...extra,
    name,
    calls,
    context: null as KitContext | null,
    init(context: KitContext) {
      kit.context = context;
      return extra.init?.(context);
    },
    starts: () => calls.flatMap((c) => (c.type === 'onSessionStart' ? [c.record] : [])),
    ends: () => calls.flatMap((c) => (c.type === 'onSessionEnd' ? [c.record] : [])),
    events: () => calls.flatMap((c) => (c.type === 'onEvent' ? [c.record] : [])),
    kill: () => void (alive = false),
    clear() {
      if (alive) calls.push({ type: 'clear', record: null });
      return extra.clear?.();
    },
  } as RecordingKit;
  for (const cb of CALLBACKS) {
    (kit as unknown as Record<string, (r: unknown) => void>)[cb] = (record: unknown) => {
      if (alive) calls.push({ type: cb, record } as RecordedCall);
    };
  }
  return kit;
}

/** A kit that throws in every callback, including init when `failInit` is set. */
export function throwingKit(name = 'thrower', options: { failInit?: boolean } = {}): Kit {
  const boom = (where: string) => () => {
    throw new Error(`${name} exploded in ${where}`);
  };
  const kit: Record<string, unknown> = { name };
  for (const cb of [...CALLBACKS, 'flush', 'shutdown', 'getHealth']) kit[cb] = boom(cb);
  kit.init = options.failInit ? boom('init') : () => undefined;
  return kit as unknown as Kit;
}
