import { readFileSync } from 'node:fs';
import { v4 as uuidv4 } from 'uuid';
import { join } from 'node:path';
import { namespacedStorage, OUTPUT_CALLBACK, prefixedLogger, resilientStorage, SessionHubConfigError, type Kit, type KitContext, type Logger } from '@sessionhub/core';
import { fileStorage } from '@sessionhub/core/node';
import { brazeKit, type BrazeKitOptions } from '@sessionhub/kit-braze';
import { clevertapKit, type CleverTapKitOptions } from '@sessionhub/kit-clevertap';
import { snowplowKit, type SnowplowKitOptions } from '@sessionhub/kit-snowplow';
import { UserError } from '../user-error';
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

interface DeviceKits {
  readonly kits: Kit[];
  ready: boolean;
  readonly init: Promise<void>;
  /** Records that arrived before the kits' init resolved. */
  readonly waiting: ReplayOutput[];
}

/**
 * Delivers replayed records through real kits (Braze, Snowplow, CleverTap), one set per device, each
 * with its durable outbox in `storageDir` (file storage, one namespace per device and kit). A kit
 * that throws is isolated: the error is counted and logged, the others carry on.
 */
export class KitsSink implements ReplaySink {
  private readonly devices = new Map<string, DeviceKits>();
  /** Callbacks that threw, plus errors kits reported. */
  errors = 0;
  private readonly storage;

  constructor(
    private readonly makeKits: () => Kit[],
    storageDir: string,
    private readonly logger: Logger,
    private readonly sessionTimeoutS: number,
  ) {
    this.storage = resilientStorage(fileStorage(join(storageDir, 'kits')), (e) => logger.warn(`kit storage failed, kept in memory: ${String(e)}`));
  }

  /** Event names the kits' vendors never count toward a session (the engine treats them as session-neutral). */
  sessionNeutralEvents(): string[] {
    return [...new Set(this.makeKits().flatMap((k) => k.sessionNeutralEvents ?? []))];
  }

  write(output: ReplayOutput): void {
    const deviceId = output.record.deviceId;
    let d = this.devices.get(deviceId);
    if (!d) d = this.start(deviceId);
    if (d.ready) this.dispatch(d.kits, output);
    else d.waiting.push(output);
  }

  private start(deviceId: string): DeviceKits {
    const kits = this.makeKits();
    const context = (kit: Kit): KitContext => ({
      deviceId,
      timeouts: { sessionTimeout: this.sessionTimeoutS, foregroundTimeout: null, maxSessionDuration: null },
      logger: prefixedLogger(this.logger, `${kit.name} ${deviceId}:`),
      storage: namespacedStorage(this.storage, `${deviceId}/${kit.name}/`),
      clock: Date.now,
      generateId: uuidv4,
      reportError: (e) => {
        this.errors++;
        this.logger.warn(`${kit.name} ${deviceId}: ${String(e)}`);
      },
    });
    const d: DeviceKits = {
      kits,
      ready: false,
      waiting: [],
      init: Promise.all(kits.map(async (k) => k.init?.(context(k)))).then(() => {
        d.ready = true;
        for (const o of d.waiting.splice(0)) this.dispatch(kits, o);
      }),
    };
    this.devices.set(deviceId, d);
    return d;
  }

  private dispatch(kits: readonly Kit[], output: ReplayOutput): void {
    const callback = OUTPUT_CALLBACK[output.type];
    for (const kit of kits) {
      try {
        (kit[callback] as ((r: unknown) => void) | undefined)?.call(kit, output.record);
      } catch (error) {
        this.errors++;
        this.logger.warn(`${kit.name}: ${callback} threw: ${String(error)}`);
      }
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
