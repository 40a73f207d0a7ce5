import type { HubOptions } from '../config';
import { errorMessage } from '../describe-value';
import { SessionHubConfigError } from '../errors';
import type { StorageAdapter } from '../storage/storage-adapter';
import { fileStorage } from './file-storage';
import { headlessLifecycle } from './headless-lifecycle';
import { stderrLogger } from './stderr-logger';

/** Options of {@link nodeDefaults}. */
export interface NodeDefaultsOptions {
  /** Directory for the hub's state and the kits' outboxes (created if missing). */
  readonly dir: string;
}

/**
 * The `platform: 'node'` preset for servers and CLIs, as `createHub` options:
 * - `storage`: {@link fileStorage}`(dir)`: state and unsent vendor payloads survive the process;
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
  const dir = (options as Partial<NodeDefaultsOptions> | undefined)?.dir;
  if (typeof dir !== 'string' || dir.trim() === '') {
    throw new SessionHubConfigError('dir', 'nodeDefaults({ dir }) needs the directory to keep the state and outboxes in, e.g. ".sessionhub"');
  }
  let storage: StorageAdapter;
  try {
    storage = fileStorage(dir);
  } catch (error) {
    throw new SessionHubConfigError('dir', `cannot use "${dir}" for the state and outboxes (${errorMessage(error)}); pass a writable directory`);
  }
  return { storage, lifecycle: headlessLifecycle, resumeOnRelaunch: true, logger: stderrLogger() };
}
