/**
 * Test harness: a real hub with the CleverTap kit and a recording kit, driven by a manual clock and
 * lifecycle over a storage that can die; uploads go through the real outbox to a capturing transport.
 */
import { createHub, silentLogger, type Logger, type LogLevel, type SessionHub } from '@sessionhub/core';
import type { HttpRequest, Timers, Transport } from '@sessionhub/delivery';
import { clevertapKit, type CleverTapKitOptions, type CleverTapUploadItem, type CleverTapMetaHeader } from '@sessionhub/kit-clevertap';
import {
  dyingStorage,
  manualClock,
  manualLifecycle,
  recordingKit,
  type DyingStorage,
  type ManualClock,
  type ManualLifecycle,
  type RecordingKit,
} from '@sessionhub/testing';

export const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);
export const ACCOUNT = { accountId: 'W9R-486-4W5Z', token: 'abc-def', endpoint: 'https://ct.test' } as const;

/** One upload as the transport saw it. */
export interface Upload {
  readonly request: HttpRequest;
  /** Sent as a page-hide request (fetch keepalive). */
  readonly keepalive: boolean;
  readonly header: CleverTapMetaHeader;
  readonly items: CleverTapUploadItem[];
}

/** A transport that records what it accepts; it can refuse (a dead process, a network down). */
export interface CapturingTransport {
  readonly transport: Transport;
  /** Accepted uploads, in order. */
  readonly uploads: Upload[];
  /** Every accepted item, in order. */
  items(): CleverTapUploadItem[];
  /** Every accepted item with the device id (`g`) it was sent under, in order. */
  itemsWithG(): (CleverTapUploadItem & { g: string })[];
  /** While true, every request fails with a network error. */
  down: boolean;
}

export function capturingTransport(): CapturingTransport {
  const uploads: Upload[] = [];
  const t: CapturingTransport = {
    uploads,
    down: false,
    items: () => uploads.flatMap((u) => u.items),
    itemsWithG: () => uploads.flatMap((u) => u.items.map((item) => ({ ...item, g: u.header.g }))),
    transport: async (request, options) => {
      if (t.down) throw new TypeError('network down');
      const [header, ...items] = JSON.parse(request.body ?? '') as [CleverTapMetaHeader, ...CleverTapUploadItem[]];
      uploads.push({ request, keepalive: options.keepalive === true, header, items });
      return { status: 200 };
    },
  };
  return t;
}

/**
 * Outbox wake-ups that never fire: time is the manual clock, so the outbox sends when an enqueue or a
 * flush finds a batch due by that clock, never because real time passed during the test.
 */
export const NO_TIMERS: Timers = { setTimeout: () => 0, clearTimeout: () => undefined };

/** Lets every pending microtask chain (persistence, outbox pumps) finish. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface HubSetup {
  readonly sessionTimeout?: number;
  readonly foregroundTimeout?: number | null;
  readonly resumeOnRelaunch?: boolean;
  readonly kit?: Partial<CleverTapKitOptions>;
  readonly logger?: Logger;
  readonly logLevel?: LogLevel;
  /** The network the kits send on; default: {@link Device.net}, a capturing transport. */
  readonly transport?: Transport;
}

/** One process of the app: a hub, its kits and its lifecycle. */
export interface Run {
  readonly hub: SessionHub;
  readonly recorder: RecordingKit;
  readonly lifecycle: ManualLifecycle;
}

/** A device over several process lifetimes. */
export class Device {
  readonly clock: ManualClock;
  readonly net = capturingTransport();
  storage: DyingStorage;
  readonly runs: Run[] = [];
  /** Per run, whether its transport is dead (a killed process sends nothing). */
  private readonly dead: boolean[] = [];

  constructor(
    readonly setup: HubSetup = {},
    start = T0,
  ) {
    this.clock = manualClock(start);
    this.storage = dyingStorage();
  }

  get run(): Run {
    return this.runs[this.runs.length - 1]!;
  }

  get hub(): SessionHub {
    return this.run.hub;
  }

  /** Starts a process: a new hub and kits on the storage as persisted. */
  async launch(inBackground = false): Promise<Run> {
    const index = this.runs.length;
    this.dead.push(false);
    const s = this.setup;
    const network = s.transport ?? this.net.transport;
    const transport: Transport = (request, options) => (this.dead[index] ? Promise.reject(new TypeError('process is dead')) : network(request, options));
    const { endpoint, ...credentials } = ACCOUNT;
    const where = s.kit?.region !== undefined || s.kit?.endpoint !== undefined ? {} : { endpoint };
    const kit = clevertapKit({ ...credentials, ...where, ...s.kit, delivery: { transport, timers: NO_TIMERS, ...s.kit?.delivery } });
    const recorder = recordingKit('recorder');
    const lifecycle = manualLifecycle(inBackground ? 'background' : 'foreground');
    const hub = createHub({
      clock: this.clock.now,
      storage: this.storage,
      lifecycle,
      logger: s.logger ?? silentLogger,
      ...(s.logLevel ? { logLevel: s.logLevel } : {}),
      sessionTimeout: s.sessionTimeout ?? 60,
      foregroundTimeout: s.foregroundTimeout ?? null,
      resumeOnRelaunch: s.resumeOnRelaunch ?? false,
      kits: [kit, recorder],
    });
    const run = { hub, recorder, lifecycle };
    this.runs.push(run);
    await hub.start({ inBackground });
    return run;
  }

  /** The process dies now (after what it had already persisted): nothing more is written or sent. */
  async forceQuit(): Promise<void> {
    await settle();
    this.storage.kill();
    this.run.recorder.kill();
    this.dead[this.runs.length - 1] = true;
    // Stops the dead hub's timers; it writes and sends nothing any more.
    await this.hub.shutdown();
    this.storage = this.storage.survivor();
  }

  /** Ends whatever is live, sends everything and shuts down. */
  async finish(): Promise<void> {
    this.hub.endSession();
    await this.hub.flush();
    await this.hub.shutdown();
  }

  /** Canonical calls across runs, in order. */
  calls() {
    return this.runs.flatMap((r) => r.recorder.calls);
  }
}
