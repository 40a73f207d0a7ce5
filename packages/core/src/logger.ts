/** A console-compatible logger. */
export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** A logger that prefixes messages and swallows a throwing sink, so logging can never break the host app. */
export function prefixedLogger(sink: Logger, prefix: string): Logger {
  const out = {} as Logger;
  for (const level of LEVELS) {
    out[level] = (...args: unknown[]) => {
      try {
        sink[level](prefix, ...args);
      } catch {
        // A logger that throws must not take the app down with it.
      }
    };
  }
  return out;
}

/** A logger that prints nothing. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export function isLogger(value: unknown): value is Logger {
  return typeof value === 'object' && value !== null && LEVELS.every((l) => typeof (value as Record<string, unknown>)[l] === 'function');
}
