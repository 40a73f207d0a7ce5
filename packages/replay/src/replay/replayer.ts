import {
  DEFAULT_ENGINE_CONFIG,
  initialState,
  stepInPlace,
  type EngineConfig,
  type EngineEnv,
  type EngineOutput,
  type EngineState,
} from '@sessionhub/core';
import { engineInputs } from '../engine-inputs';
import type { LogRecord } from '../log/log-record';
import { replayEventId, replaySessionId } from './replay-ids';

/** The canonical records a replay produces, in the order the engine produced them. */
export type ReplayOutput = Extract<EngineOutput, { type: 'sessionStart' | 'sessionEnd' | 'event' | 'foreground' | 'background' | 'userChange' }>;

/** Where a replay's records go: an NDJSON file, kits, a test's array. */
export interface ReplaySink {
  /**
   * Called for each record, per device in the device's order. `ordinal`: the device's line that made
   * it (1-based, among the device's lines, as {@link replayEventId} counts them): the same record
   * always comes with the same ordinal, in any replay of the same lines.
   */
  write(output: ReplayOutput, ordinal: number): void;
  /**
   * Awaited once before the first record (a kits sink delivers what earlier runs left in its
   * outboxes); `signal` is the run's: aborted, the sink should be quick.
   */
  open?(signal?: AbortSignal): void | Promise<void>;
  /** Makes what was written durable; awaited before each checkpoint. */
  flush?(): void | Promise<void>;
  /** Flushes and releases; awaited at the end of a run. */
  close?(): void | Promise<void>;
}

/**
 * One device's replay state: the engine's state and how many of its lines were applied. The replayer
 * updates both in place as lines come (no caller keeps a device's earlier state): read them between
 * lines, as a checkpoint does.
 */
export interface DeviceReplayState {
  readonly state: EngineState;
  /** Lines of this device applied so far (the event ids derive from it). */
  readonly lines: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Counts of a replay so far. */
export interface ReplayCounts {
  records: number;
  sessionsStarted: number;
  sessionsEnded: number;
  events: number;
  /** Engine warnings, e.g. a device's clock that moved back by the timeout or more. */
  warnings: number;
  /** Lines earlier than their device's latest time (see the out-of-order policy in docs/compare.md). */
  outOfOrder: number;
}

/**
 * Server-side sessionization: the canonical engine (`step` from `@sessionhub/core`) per device,
 * one log line at a time, every record handed to a sink. Session and event ids are UUID v5 of the
 * device and the session index or line ordinal, so any replay of the same lines — whole, by
 * partition, or stopped and resumed — gives the same records.
 *
 * Out of order: a device's lines are applied in the order given; one earlier than the device's
 * latest time is applied as the engine applies a clock that moved back (less than the timeout: at
 * the latest time; the timeout or more: the session ends at its last activity, `clock-change`).
 */
export class Replayer {
  readonly config: EngineConfig;
  readonly counts: ReplayCounts = { records: 0, sessionsStarted: 0, sessionsEnded: 0, events: 0, warnings: 0, outOfOrder: 0 };
  private readonly devices = new Map<string, Mutable<DeviceReplayState>>();
  private device = '';
  /** The ordinal of the line being applied, within its device. */
  private ordinal = 0;
  private nextIndex = 0;
  private readonly env: EngineEnv = { newId: () => replaySessionId(this.device, ++this.nextIndex) };

  constructor(
    private readonly sink: ReplaySink,
    config: Partial<EngineConfig> = {},
  ) {
    this.config = { ...DEFAULT_ENGINE_CONFIG, ...config };
  }

  /** Applies one line. */
  add(line: LogRecord): void {
    this.counts.records++;
    let device = this.devices.get(line.deviceId);
    if (device === undefined) {
      device = { state: initialState(line.deviceId, this.config, line.t), lines: 0 };
      this.devices.set(line.deviceId, device);
    } else if (line.t < device.state.clock) this.counts.outOfOrder++;
    const state = device.state;
    const ordinal = (this.ordinal = ++device.lines);
    this.device = line.deviceId;
    this.nextIndex = state.lastSessionIndex;
    // The same rules as step(), without copying the state per line: nothing keeps the old one.
    const inputs = engineInputs(line, state.userId, replayEventId(line.deviceId, ordinal));
    for (let i = 0; i < inputs.length; i++) {
      const outputs = stepInPlace(state, inputs[i]!, this.env).outputs;
      for (let j = 0; j < outputs.length; j++) this.emit(outputs[j]!);
    }
  }

  private emit(o: EngineOutput): void {
    switch (o.type) {
      case 'warning':
        this.counts.warnings++;
        return;
      case 'configChange':
      case 'sessionAttributeChange':
      // (A replay never resets a device.)
      case 'reset':
        return;
      case 'sessionStart':
        this.counts.sessionsStarted++;
        break;
      case 'sessionEnd':
        this.counts.sessionsEnded++;
        break;
      case 'event':
        this.counts.events++;
        break;
    }
    this.sink.write(o, this.ordinal);
  }

  /** Every device's state (to checkpoint). Sessions still live stay open: no end record is made for them. */
  snapshot(): ReadonlyMap<string, DeviceReplayState> {
    return this.devices;
  }

  /** Restores devices from a checkpoint (before any line is added). */
  restore(devices: Iterable<[string, DeviceReplayState]>, counts?: ReplayCounts): void {
    for (const [id, d] of devices) this.devices.set(id, { state: d.state, lines: d.lines });
    if (counts) Object.assign(this.counts, counts);
  }

  /** Devices with a live session. */
  liveSessions(): number {
    let n = 0;
    for (const d of this.devices.values()) if (d.state.session) n++;
    return n;
  }
}
