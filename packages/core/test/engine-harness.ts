import {
  DEFAULT_ENGINE_CONFIG,
  initialState,
  step,
  type EngineConfig,
  type EngineInput,
  type EngineOutput,
  type EngineState,
  type SessionEndRecord,
  type SessionStartRecord,
  type EventRecord,
} from '@sessionhub/core';

export const T0 = Date.UTC(2026, 0, 1);
export const SEC = 1000;

/** Drives the pure engine directly: a replay with deterministic ids. */
export class EngineHarness {
  state: EngineState;
  readonly outputs: EngineOutput[] = [];
  private n = 0;
  readonly env = { newId: () => `00000000-0000-4000-8000-${String(++this.n).padStart(12, '0')}` };

  constructor(config: Partial<EngineConfig> = {}) {
    this.state = initialState('device-1', { ...DEFAULT_ENGINE_CONFIG, ...config }, T0);
  }

  /** Applies an input; returns the call's result. */
  apply(input: EngineInput): boolean | number | undefined {
    const r = step(this.state, input, this.env);
    this.state = r.state;
    this.outputs.push(...r.outputs);
    return r.result;
  }

  launch(t: number, foreground = true): void {
    this.apply({ type: 'launch', t, foreground });
  }

  event(t: number, name = 'e', affectsSession = true, attributes: Record<string, unknown> = {}): EventRecord {
    this.apply({ type: 'event', t, eventId: this.env.newId(), name, attributes, affectsSession });
    return this.events().at(-1) as EventRecord;
  }

  starts(): SessionStartRecord[] {
    return this.outputs.flatMap((o) => (o.type === 'sessionStart' ? [o.record] : []));
  }

  ends(): SessionEndRecord[] {
    return this.outputs.flatMap((o) => (o.type === 'sessionEnd' ? [o.record] : []));
  }

  events(): EventRecord[] {
    return this.outputs.flatMap((o) => (o.type === 'event' ? [o.record] : []));
  }

  warnings(): string[] {
    return this.outputs.flatMap((o) => (o.type === 'warning' ? [o.warning.code] : []));
  }

  types(): string[] {
    return this.outputs.map((o) => o.type);
  }
}
