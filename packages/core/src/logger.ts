/** A console-compatible logger. */
export interface Logger {
  /** Details for integrating: records and requests (shown at log level `debug`). */
  debug(...args: unknown[]): void;
  /** Noteworthy but expected facts. */
  info(...args: unknown[]): void;
  /** A call refused or a payload dropped: something to fix, the app goes on. */
  warn(...args: unknown[]): void;
  /** A failure inside SessionHub or a kit, contained. */
  error(...args: unknown[]): void;
}

/**
 * How much a hub logs: each level also shows the ones after it (`'warn'` shows warnings and errors).
 * `'silent'` logs nothing.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
/** Every level, quietest last; `LOG_LEVELS.indexOf` orders them. */
export const LOG_LEVELS: readonly LogLevel[] = [...LEVELS, 'silent'];

const noop = (): void => {};
/** The level each logger made here lets through; a logger made elsewhere lets everything through. */
const levelOf = new WeakMap<Logger, LogLevel>();

/**
 * A logger that prefixes messages (unless `prefix` is empty), drops those below `level` (default `'debug'`: none), and swallows a
 * throwing sink, so logging can never break the host app.
 */
export function prefixedLogger(sink: Logger, prefix: string, level: LogLevel = 'debug'): Logger {
  const out = {} as Logger;
  const lowest = LOG_LEVELS.indexOf(level);
  LEVELS.forEach((name, rank) => {
    out[name] =
      rank < lowest
        ? noop
        : (...args: unknown[]) => {
            try {
              if (prefix) sink[name](prefix, ...args);
              else sink[name](...args);
            } catch {
              // A logger that throws must not take the app down with it.
            }
          };
  });
  levelOf.set(out, level);
  return out;
}

/**
 * Whether `logger` prints debug lines: false for a hub's logger below `'debug'` and for
 * {@link silentLogger}, true otherwise. Lets a kit or an outbox skip building a debug line (a request
 * body, a record) that would be dropped.
 */
export function logsDebug(logger: Logger): boolean {
  return (levelOf.get(logger) ?? 'debug') === 'debug';
}

/** A logger that prints nothing. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
levelOf.set(silentLogger, 'silent');

export function isLogger(value: unknown): value is Logger {
  return typeof value === 'object' && value !== null && LEVELS.every((l) => typeof (value as Record<string, unknown>)[l] === 'function');
}
