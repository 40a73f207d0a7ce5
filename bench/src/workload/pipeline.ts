import { createHub, memoryStorage, silentLogger, type HubOptions, type SessionHub, type StorageAdapter } from '@sessionhub/core';
import type { Transport } from '@sessionhub/delivery';
import { manualClock, type ManualClock, type ManualTimers } from '@sessionhub/testing';
import { EVENT_ATTRIBUTES, EVENT_NAME, type AvailableKits } from './vendor-kits';

/** Events per session before the app goes to the background past the session timeout. */
export const EVENTS_PER_SESSION = 25;
/** Seconds between two events of a session. */
const EVENT_GAP_MS = 1000;
/** The hub's session timeout (s) and the pause that ends a session (longer than it). */
const SESSION_TIMEOUT_S = 60;
const SESSION_PAUSE_MS = 2 * SESSION_TIMEOUT_S * 1000;

/** A transport that acknowledges every request at once, as a collector on the same machine would. */
export const acknowledgingTransport: Transport = () => Promise.resolve({ status: 200 });

/** The real pipeline: hub → every available kit → their outboxes → the transport. */
export interface Pipeline {
  readonly hub: SessionHub;
  readonly clock: ManualClock;
  /** Kit names in the hub. */
  readonly kits: readonly string[];
  /**
   * Logs the next event of the workload: one second after the previous one; after every
   * {@link EVENTS_PER_SESSION} events the app goes to the background for longer than the session
   * timeout and comes back, so the session ends (timeout) and the next one starts, as on a phone.
   */
  logNext(): void;
  /**
   * {@link logNext}, the time passing through `timers` (made on this pipeline's clock): what falls due
   * meanwhile fires (lazy commits, the session timeout in the background, retries), as in an app awake
   * between its events.
   */
  logNextThrough(timers: ManualTimers): Promise<void>;
  /** Delivery figures summed over the kits, and kit errors. */
  totals(): { delivered: number; queued: number; dropped: number; errors: number };
}

/**
 * `create`: makes the hub from the workload's options (default `createHub` on `storage`, or on memory
 * storage); e.g. `createNodeHub` on its own file storage.
 */
export async function startPipeline(
  kits: AvailableKits,
  options: { transport: Transport; storage?: StorageAdapter; create?: (options: HubOptions) => SessionHub; clock?: ManualClock },
): Promise<Pipeline> {
  const clock = options.clock ?? manualClock();
  const create = options.create ?? ((o: HubOptions) => createHub({ ...o, storage: options.storage ?? memoryStorage() }));
  const hub = create({
    clock: clock.now,
    logger: silentLogger,
    sessionTimeout: SESSION_TIMEOUT_S,
    kits: kits.specs.map((spec) => spec.create(spec.module, options.transport)),
  });
  await hub.start();
  let logged = 0;
  const log = (): void => {
    logged += 1;
    if (!hub.logEvent(EVENT_NAME, EVENT_ATTRIBUTES)) throw new Error('logEvent refused the workload event');
  };
  const sessionEnds = (): boolean => logged > 0 && logged % EVENTS_PER_SESSION === 0;
  return {
    hub,
    clock,
    kits: kits.specs.map((s) => s.package),
    logNext() {
      if (sessionEnds()) {
        hub.background();
        clock.advance(SESSION_PAUSE_MS);
        hub.foreground();
      } else {
        clock.advance(EVENT_GAP_MS);
      }
      log();
    },
    async logNextThrough(timers) {
      if (sessionEnds()) {
        hub.background();
        await timers.advance(SESSION_PAUSE_MS);
        hub.foreground();
      } else {
        await timers.advance(EVENT_GAP_MS);
      }
      log();
    },
    totals() {
      let delivered = 0;
      let queued = 0;
      let dropped = 0;
      let errors = 0;
      for (const health of Object.values(hub.getKitHealth())) {
        errors += health.errors;
        if (health.status !== 'ready') errors += 1;
        const d = health.delivery;
        if (!d) continue;
        delivered += d.delivered;
        queued += d.queued;
        for (const n of Object.values(d.dropped)) dropped += n;
      }
      return { delivered, queued, dropped, errors };
    },
  };
}

/** Resolves after every pending promise job (persistence, outbox pumps, sends) has run. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
