import { readFileSync } from 'node:fs';
import { v4 as uuidv4 } from 'uuid';
import { join } from 'node:path';
import { namespacedStorage, OUTPUT_CALLBACK, prefixedLogger, resilientStorage, SessionHubConfigError, type Kit, type KitContext, type Logger } from '@sessionhub/core';
import { fileStorage } from '@sessionhub/core/node';
import { brazeKit, type BrazeKitOptions } from '@sessionhub/kit-braze';
import { clevertapKit, type CleverTapKitOptions } from '@sessionhub/kit-clevertap';
import { snowplowKit, type SnowplowKitOptions } from '@sessionhub/kit-snowplow';
import { UserError } from '../user-error';
import { replayKitId } from './replay-ids';
import { storedOutboxes } from './stored-outboxes';
import type { ReplayOutput, ReplaySink } from './replayer';

/** `replay --kits <file>`: each kit's options, as its factory takes them (JSON). */
export interface KitsConfig {
  readonly braze?: BrazeKitOptions;
  readonly snowplow?: SnowplowKitOptions;
  readonly clevertap?: CleverTapKitOptions;
}

/** The kits a config makes (a new set per device: a kit instance serves one device). */
export function kitsFromConfig(config: KitsConfig): () => Kit[] {
  const known = ['braze', 'snowplow', 'clevertap'];
  const unknown = Object.keys(config).find((k) => !known.includes(k));
  if (unknown) throw new UserError(`the kits config names an unknown kit "${unknown}" (braze, snowplow, clevertap)`);
  if (Object.keys(config).length === 0) throw new UserError('the kits config names no kit (braze, snowplow, clevertap)');
  // A kit named with no options (null, false) would otherwise be left out without a word, delivering nothing.
  for (const [name, options] of Object.entries(config)) {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new UserError(`the kits config gives ${name} ${JSON.stringify(options)}: give its options as an object, or leave ${name} out`);
    }
  }
  const make = (): Kit[] => [
    ...(config.braze !== undefined ? [brazeKit(config.braze)] : []),
    ...(config.snowplow !== undefined ? [snowplowKit(config.snowplow)] : []),
    ...(config.clevertap !== undefined ? [clevertapKit(config.clevertap)] : []),
  ];
  // Setup mistakes fail now, with the kit's own message, not at the first device.
  try {
    make();
  } catch (error) {
    // The kits' typed setup errors say what to fix; anything else they throw is a bug.
    if (error instanceof SessionHubConfigError) throw new UserError(error.message, { cause: error });
    throw error;
  }
  return make;
}

/** Reads a kits config file (JSON). */
export function readKitsConfig(path: string): KitsConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UserError(`the kits config ${path} is not readable JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UserError(`the kits config ${path} must be a JSON object`);
  return parsed as KitsConfig;
}

/** Devices whose stored outboxes {@link KitsSink.open} sends at the same time. */
const STORED_AT_ONCE = 8;

interface DeviceKits {
  readonly deviceId: string;
  readonly kits: Kit[];
  ready: boolean;
  init: Promise<void>;
  /** Records that arrived before the kits' init resolved, with their line ordinals. */
  readonly waiting: [ReplayOutput, number][];
  /** The device's line whose records are being handed to the kits; 0 between records. */
  ordinal: number;
  /** The ordinal whose ids {@link DeviceKits.ids} counts. */
  idsFor: number;
  /** Per kit: ids it asked for while handed the records of line `idsFor`. */
  readonly ids: number[];
}

/**
 * Delivers replayed records through real kits (Braze, Snowplow, CleverTap), one set per device, each
 * with its durable outbox in `storageDir` (file storage, one namespace per device and kit). A kit
 * that throws is isolated: the error is counted and logged, the others carry on.
 *
 * The ids a kit makes itself while handed a record (Snowplow's event ids for session and lifecycle
 * events) are derived like the records' own ({@link replayKitId}: of the device, the line, the kit
 * and a count of the ids it asked for at that line): records delivered again after a crash carry
 * the same ids, for the vendor to dedupe.
 */
export class KitsSink implements ReplaySink {
  private readonly devices = new Map<string, DeviceKits>();
  /** Callbacks that threw, plus errors kits reported. */
  errors = 0;
  /** Devices whose outboxes an earlier run left items in, sent again by {@link KitsSink.open}. */
  storedDevices = 0;
  private readonly storage;
  private readonly dir: string;

  constructor(
    private readonly makeKits: () => Kit[],
    storageDir: string,
    private readonly logger: Logger,
    private readonly sessionTimeoutS: number,
  ) {
    this.dir = join(storageDir, 'kits');
    this.storage = resilientStorage(fileStorage(this.dir), (e) => logger.warn(`kit storage failed, kept in memory: ${String(e)}`));
  }

  /**
   * Sends what earlier runs left in the outboxes (a vendor was down, the run was stopped): a device
   * seen in this run's lines would have its outbox loaded and flushed anyway, one that is not would
   * wait for ever. Found on disk, loaded a few devices at a time (memory stays bounded however many
   * there are), each flushed and shut down: what is still not delivered stays for the next run.
   * Aborting `signal` (SIGINT) leaves the devices not begun yet for the next run.
   */
  async open(signal?: AbortSignal): Promise<void> {
    const pending = [...storedOutboxes(this.dir, this.makeKits().map((k) => k.name))];
    this.storedDevices = pending.length;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < pending.length && !signal?.aborted) {
        const [deviceId, names] = pending[next++]!;
        const kits = this.makeKits().filter((k) => names.includes(k.name));
        const d: DeviceKits = { deviceId, kits, ready: true, init: Promise.resolve(), waiting: [], ordinal: 0, idsFor: 0, ids: kits.map(() => 0) };
        await Promise.all(
          kits.map(async (k, i) => {
            try {
              await k.init?.(this.context(d, k, i));
              await k.flush?.();
            } catch (error) {
              this.errors++;
              this.logger.warn(`${k.name} ${deviceId}: sending what an earlier run left failed: ${String(error)}`);
            }
            await Promise.resolve(k.shutdown?.()).catch(() => this.errors++);
          }),
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(STORED_AT_ONCE, pending.length) }, worker));
  }

  /** Event names the kits' vendors never count toward a session (the engine treats them as session-neutral). */
  sessionNeutralEvents(): string[] {
    return [...new Set(this.makeKits().flatMap((k) => k.sessionNeutralEvents ?? []))];
  }

  write(output: ReplayOutput, ordinal: number): void {
    const deviceId = output.record.deviceId;
    let d = this.devices.get(deviceId);
    if (!d) d = this.start(deviceId);
    if (d.ready) this.dispatch(d, output, ordinal);
    else d.waiting.push([output, ordinal]);
  }

  private start(deviceId: string): DeviceKits {
    const kits = this.makeKits();
    const d: DeviceKits = { deviceId, kits, ready: false, init: Promise.resolve(), waiting: [], ordinal: 0, idsFor: 0, ids: kits.map(() => 0) };
    d.init = Promise.all(kits.map(async (k, i) => k.init?.(this.context(d, k, i)))).then(() => {
      d.ready = true;
      for (const [o, ordinal] of d.waiting.splice(0)) this.dispatch(d, o, ordinal);
    });
    this.devices.set(deviceId, d);
    return d;
  }

  private context(d: DeviceKits, kit: Kit, index: number): KitContext {
    const deviceId = d.deviceId;
    return {
      deviceId,
      timeouts: { sessionTimeout: this.sessionTimeoutS, foregroundTimeout: null, maxSessionDuration: null },
      logger: prefixedLogger(this.logger, `${kit.name} ${deviceId}:`),
      storage: namespacedStorage(this.storage, `${deviceId}/${kit.name}/`),
      clock: Date.now,
      // Outside a record (init, a flush) nothing would make a derived id the same next time: a random one.
      generateId: () => (d.ordinal === 0 ? uuidv4() : replayKitId(deviceId, d.ordinal, kit.name, ++d.ids[index]!)),
      reportError: (e) => {
        this.errors++;
        this.logger.warn(`${kit.name} ${deviceId}: ${String(e)}`);
      },
    };
  }

  private dispatch(d: DeviceKits, output: ReplayOutput, ordinal: number): void {
    const callback = OUTPUT_CALLBACK[output.type];
    if (d.idsFor !== ordinal) {
      d.idsFor = ordinal;
      d.ids.fill(0);
    }
    d.ordinal = ordinal;
    try {
      for (const kit of d.kits) {
        try {
          (kit[callback] as ((r: unknown) => void) | undefined)?.call(kit, output.record);
        } catch (error) {
          this.errors++;
          this.logger.warn(`${kit.name}: ${callback} threw: ${String(error)}`);
        }
      }
    } finally {
      d.ordinal = 0;
    }
  }

  /** Every record handed to its kits, and what the outboxes hold sent (or persisted for a later run). */
  async flush(): Promise<void> {
    await Promise.all([...this.devices.values()].map((d) => d.init));
    await Promise.all([...this.devices.values()].flatMap((d) => d.kits.map((k) => Promise.resolve(k.flush?.()).catch(() => this.errors++))));
  }

  /** Flushes, then shuts every kit down (outboxes persisted). */
  async close(): Promise<void> {
    await this.flush();
    await Promise.all([...this.devices.values()].flatMap((d) => d.kits.map((k) => Promise.resolve(k.shutdown?.()).catch(() => this.errors++))));
  }
}
