import type { HubOptions } from '../config';
import { errorMessage } from '../describe-value';
import { SessionHubConfigError } from '../errors';
import { SessionHub } from '../hub';
import { checkGracefulShutdownOptions, gracefulShutdown } from './graceful-shutdown';
import { headlessLifecycle } from './headless-lifecycle';
import type { Durability, JournalStorage } from './journal-storage';
import { nodeDefaults } from './node-defaults';
import { stderrLogger } from './stderr-logger';
import { prefixedLogger } from '../logger';

/** Options of {@link createNodeHub}: every `createHub` option, plus where to keep data and how to stop. */
export interface NodeHubOptions extends HubOptions {
  /**
   * Directory for the hub's state and the kits' outboxes (created if missing), e.g. `.sessionhub` or a
   * per-user data directory. Required unless you pass your own `storage`. One process at a time:
   * give each cluster worker its own (another process opening it meanwhile keeps its data in memory).
   */
  dir?: string;
  /** With `dir`: when a commit reaches the disk itself (see `Durability`). Default `'commit'`. */
  durability?: Durability;
  /** Signals that shut the hub down gracefully before the process exits. Default `['SIGINT', 'SIGTERM']`; `[]` for none. */
  shutdownSignals?: readonly NodeJS.Signals[];
  /** Also shut down when the event loop runs empty (a CLI finishing its work). Default true. */
  shutdownOnIdleExit?: boolean;
  /** The longest wait for that shutdown (persist + flush) before the process goes on exiting, ms. Default 5000. */
  shutdownTimeoutMs?: number;
}

/** A hub made by {@link createNodeHub}: its `shutdown()` also removes the process handlers and closes the journal it made. */
class NodeSessionHub extends SessionHub {
  private readonly stopHandling: () => void;
  /** The journal made for `dir` (none for the app's own `storage`). */
  private readonly journal: JournalStorage | undefined;

  constructor(options: NodeHubOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new SessionHubConfigError('options', 'createNodeHub(options) takes an object with at least { dir }');
    }
    let given: NodeHubOptions;
    try {
      // Each option is read once, here: options that throw when read (a Proxy, a getter) are a setup
      // mistake too, never a plain TypeError (as createHub has it).
      given = { ...options };
    } catch (error) {
      throw new SessionHubConfigError('options', `createNodeHub(options): the options could not be read (${errorMessage(error)})`);
    }
    const { dir, durability, shutdownSignals, shutdownOnIdleExit, shutdownTimeoutMs, ...hubOptions } = given;
    if (dir !== undefined && hubOptions.storage !== undefined) {
      throw new SessionHubConfigError('dir', 'give either "dir" (file storage in that directory) or "storage", not both');
    }
    if (dir === undefined && hubOptions.storage === undefined) {
      throw new SessionHubConfigError('dir', 'createNodeHub needs "dir", the directory to keep the state and outboxes in (e.g. ".sessionhub"), or your own "storage"');
    }
    const defaults = dir === undefined ? { lifecycle: headlessLifecycle, resumeOnRelaunch: true, logger: stderrLogger() } : nodeDefaults({ dir, durability });
    const { logger = defaults.logger ?? console, logLevel = 'warn', debug } = hubOptions;
    const shutdown = checkGracefulShutdownOptions(
      // The shutdown's own lines follow the hub's level too (an invalid one is refused by the hub below).
      { signals: shutdownSignals, onIdleExit: shutdownOnIdleExit, timeoutMs: shutdownTimeoutMs, logger: prefixedLogger(logger, '', debug ? 'debug' : logLevel) },
      { signals: 'shutdownSignals', onIdleExit: 'shutdownOnIdleExit', timeoutMs: 'shutdownTimeoutMs' },
    );
    super({ ...defaults, ...withoutUndefined(hubOptions) });
    this.journal = dir === undefined ? undefined : (defaults.storage as JournalStorage);
    this.stopHandling = gracefulShutdown(this, shutdown);
  }

  /**
   * Persists, flushes every kit and stops (see `SessionHub.shutdown`); also removes the signal
   * handlers, and closes the journal made for `dir`: flushed to the disk (`'interval'` too), and the
   * directory left to the next process.
   */
  override async shutdown(): Promise<void> {
    this.stopHandling();
    await super.shutdown();
    this.journal?.close();
  }
}

/** Options given as `undefined` fall back to the preset, as if they were not given. */
function withoutUndefined(options: HubOptions): HubOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as HubOptions;
}

/**
 * Creates a hub for servers and CLIs: {@link nodeDefaults} (file storage in `dir`, no session until the
 * first event, a run within the timeout continues the session) plus {@link gracefulShutdown}
 * (SIGINT, SIGTERM and an emptied event loop persist the state and flush every outbox before the
 * process exits). Every `createHub` option works and overrides the preset. Invalid options throw a
 * `SessionHubConfigError` that says what to fix.
 *
 * @example
 * const hub = createNodeHub({ dir: '.sessionhub', sessionTimeout: 1800, kits: [brazeKit({ apiKey, baseUrl })] });
 * await hub.start();
 * hub.logEvent('command_run', { command: 'deploy' });
 * // Ctrl-C, SIGTERM or the end of the script: the state is saved and the events are sent first.
 */
export function createNodeHub(options: NodeHubOptions): SessionHub {
  return new NodeSessionHub(options);
}
