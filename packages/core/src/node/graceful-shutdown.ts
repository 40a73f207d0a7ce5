import { constants } from 'node:os';
import { errorMessage } from '../describe-value';
import { SessionHubConfigError } from '../errors';
import { isLogger, type Logger } from '../logger';

/** Options of {@link gracefulShutdown}. */
export interface GracefulShutdownOptions {
  /** The signals to shut down on. Default `['SIGINT', 'SIGTERM']`. */
  readonly signals?: readonly NodeJS.Signals[];
  /**
   * Also shut down when the event loop runs empty (`beforeExit`), so a CLI that simply finishes its
   * work sends what it queued before it exits. Default true.
   */
  readonly onIdleExit?: boolean;
  /** The longest wait for the shutdown before the process goes on exiting, ms. Default 5000. */
  readonly timeoutMs?: number;
  /** Where to say what happens. Default `console`. */
  readonly logger?: Logger;
}

/** What {@link gracefulShutdown} shuts down: a hub, or anything with the same `shutdown`. */
export interface ShutsDown {
  /** Persists, flushes and stops; must not reject (a hub's never does). */
  shutdown(): Promise<void>;
}

const DEFAULT_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
const DEFAULT_TIMEOUT_MS = 5000;

/**
 * Shuts `hub` down when the process is asked to stop (SIGINT, SIGTERM) or runs out of work: the state
 * is persisted and every kit flushes its outbox; then the process exits as it would have without
 * this handler — killed by the same signal (exit code 128 + n), unless the app listens for that
 * signal itself, in which case its own handler decides. A second signal during the shutdown stops
 * waiting at once; whatever is still unsent stays saved on disk for the next run.
 *
 * Returns a function that removes the handlers. `createNodeHub` calls this for you.
 *
 * @example
 * const hub = createHub({ ...nodeDefaults({ dir: '.sessionhub' }), kits });
 * const stopHandling = gracefulShutdown(hub, { timeoutMs: 3000 });
 */
export function gracefulShutdown(hub: ShutsDown, options: GracefulShutdownOptions = {}): () => void {
  const { signals, onIdleExit, timeoutMs, logger } = checkGracefulShutdownOptions(options);
  let phase: 'waiting' | 'shutting-down' | 'done' = 'waiting';

  const shutDown = async (): Promise<boolean> => {
    phase = 'shutting-down';
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const finished = Promise.resolve()
      .then(() => hub.shutdown())
      .then(
        () => true,
        (error: unknown) => {
          logger.error(`[sessionhub] shutdown failed (${errorMessage(error)}); what is unsent stays saved for the next run`);
          return true;
        },
      );
    const completed = await Promise.race([finished, timedOut]);
    clearTimeout(timer);
    if (!completed) logger.warn(`[sessionhub] shutdown took longer than ${timeoutMs} ms; what is unsent stays saved for the next run`);
    return completed;
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    if (phase === 'shutting-down') {
      // Asked twice: stop waiting.
      dispose();
      exitBy(signal);
      return;
    }
    if (phase !== 'waiting') return;
    void shutDown().then(() => {
      dispose();
      exitBy(signal);
    });
  };

  const onBeforeExit = (): void => {
    if (phase !== 'waiting') return;
    void shutDown().then((completed) => {
      dispose();
      // A request still hanging would keep the process alive past the timeout: exit as it was about to.
      if (!completed) process.exit();
    });
  };

  const dispose = (): void => {
    if (phase === 'done') return;
    phase = 'done';
    for (const signal of signals) process.removeListener(signal, onSignal);
    process.removeListener('beforeExit', onBeforeExit);
  };

  for (const signal of signals) process.on(signal, onSignal);
  if (onIdleExit) process.on('beforeExit', onBeforeExit);
  return dispose;
}

/** Exits as the default action of `signal` would, unless the app handles that signal itself. */
function exitBy(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 0) return;
  try {
    process.kill(process.pid, signal);
  } catch {
    process.exit(128 + (constants.signals[signal] ?? 0));
  }
}

interface CheckedOptions {
  readonly signals: readonly NodeJS.Signals[];
  readonly onIdleExit: boolean;
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/** Whether `check()` holds; false when looking at a value throws (a revoked Proxy, a trap or a getter that throws). */
function holds(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}

/** Validates {@link GracefulShutdownOptions}; a mistake throws {@link SessionHubConfigError}, never a plain TypeError. */
export function checkGracefulShutdownOptions(options: GracefulShutdownOptions, names = { signals: 'signals', onIdleExit: 'onIdleExit', timeoutMs: 'timeoutMs' }): CheckedOptions {
  if (typeof options !== 'object' || options === null) throw new SessionHubConfigError('options', 'gracefulShutdown(hub, options) takes an object of options');
  let o: GracefulShutdownOptions;
  try {
    // Each option is read once, here.
    o = { ...options };
  } catch (error) {
    throw new SessionHubConfigError('options', `gracefulShutdown(hub, options): the options could not be read (${errorMessage(error)})`);
  }
  let signals: unknown[] = [];
  const given: unknown = o.signals ?? DEFAULT_SIGNALS;
  // Copied once (an array Proxy is read here only), and checked on the copy.
  if (!holds(() => Array.isArray(given) && (signals = [...given]).every((s) => typeof s === 'string' && s.startsWith('SIG') && s in constants.signals))) {
    throw new SessionHubConfigError(names.signals, `option "${names.signals}" must be an array of signal names such as ['SIGINT', 'SIGTERM'] (or [] for none)`);
  }
  if (signals.some((s) => s === 'SIGKILL' || s === 'SIGSTOP')) {
    throw new SessionHubConfigError(names.signals, `option "${names.signals}": SIGKILL and SIGSTOP cannot be handled by any process`);
  }
  const onIdleExit = o.onIdleExit ?? true;
  if (typeof onIdleExit !== 'boolean') throw new SessionHubConfigError(names.onIdleExit, `option "${names.onIdleExit}" must be a boolean`);
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // At most what a timer can wait: Node cuts a longer delay to 1 ms, which would end every shutdown at once.
  if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0 && timeoutMs <= 2 ** 31 - 1)) {
    throw new SessionHubConfigError(names.timeoutMs, `option "${names.timeoutMs}" must be a number of milliseconds from 0 to 2147483647`);
  }
  const { logger } = o;
  if (logger !== undefined && !holds(() => isLogger(logger))) throw new SessionHubConfigError('logger', 'option "logger" must have debug, info, warn and error methods');
  return { signals: [...new Set(signals as NodeJS.Signals[])], onIdleExit, timeoutMs, logger: logger ?? console };
}
