import type { HubOptions } from '../config';
import { describe, errorMessage } from '../describe-value';
import { SessionHubConfigError } from '../errors';
import type { StorageAdapter } from '../storage/storage-adapter';
import { journalStorage, type Durability } from './journal-storage';
import { headlessLifecycle } from './headless-lifecycle';
import { stderrLogger } from './stderr-logger';

const DURABILITIES: readonly unknown[] = ['commit', 'interval', 'none'];

/** Options of {@link nodeDefaults}. */
export interface NodeDefaultsOptions {
  /** Directory for the hub's state and the kits' outboxes (created if missing). */
  readonly dir: string;
  /** When a commit reaches the disk itself (see {@link Durability}). Default `'commit'`. */
  readonly durability?: Durability;
}

/**
 * The `platform: 'node'` preset for servers and CLIs, as `createHub` options:
 * - `storage`: {@link journalStorage}`(dir, { durability })`: state and unsent vendor payloads survive
 *   the process (one append per burst of calls; see the durability setting);
 * - `lifecycle`: {@link headlessLifecycle}: no session at launch, the first event starts one;
 * - `resumeOnRelaunch: true`: a CLI run again within the session timeout continues the session
 *   (as a page reload does on the web); a later run ends it at its last activity;
 * - `logger`: {@link stderrLogger}: nothing the hub or its kits log goes to stdout.
 *
 * Spread it and override what you like; {@link createNodeHub} also shuts down gracefully on signals.
 *
 * @example
 * const hub = createHub({ ...nodeDefaults({ dir: '.sessionhub' }), sessionTimeout: 1800 });
 */
export function nodeDefaults(options: NodeDefaultsOptions): Pick<HubOptions, 'storage' | 'lifecycle' | 'resumeOnRelaunch' | 'logger'> {
  let dir: unknown;
  let durability: unknown;
  try {
    ({ dir, durability } = (options ?? {}) as Partial<NodeDefaultsOptions>);
  } catch (error) {
    // A Proxy or a getter that throws: a setup mistake, never a plain TypeError.
    throw new SessionHubConfigError('options', `nodeDefaults(options): the options could not be read (${errorMessage(error)})`);
  }
  if (typeof dir !== 'string' || dir.trim() === '') {
    throw new SessionHubConfigError('dir', 'nodeDefaults({ dir }) needs the directory to keep the state and outboxes in, e.g. ".sessionhub"');
  }
  if (durability !== undefined && !DURABILITIES.includes(durability)) {
    // (describe, not JSON: a BigInt or a cycle would throw a TypeError instead.)
    throw new SessionHubConfigError('durability', `durability must be 'commit', 'interval' or 'none', got ${describe(durability)}`);
  }
  let storage: StorageAdapter;
  try {
    storage = journalStorage(dir, { durability: durability as Durability | undefined });
  } catch (error) {
    throw new SessionHubConfigError('dir', `cannot use "${dir}" for the state and outboxes (${errorMessage(error)}); pass a writable directory`);
  }
  return { storage, lifecycle: headlessLifecycle, resumeOnRelaunch: true, logger: stderrLogger() };
}
