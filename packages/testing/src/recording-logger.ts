import type { Logger } from '@sessionhub/core';

/** A logger that keeps every line, as `"<level> <args joined by spaces>"`. */
export interface RecordingLogger extends Logger {
  /** Every line logged, oldest first. */
  readonly lines: string[];
  /** The lines logged at `level`. */
  at(level: 'debug' | 'info' | 'warn' | 'error'): string[];
}

/** A console-compatible logger that records instead of printing, for tests of what a hub or kit logs. */
export function recordingLogger(): RecordingLogger {
  const lines: string[] = [];
  const line = (level: string) => (...args: unknown[]) => void lines.push([level, ...args].map(String).join(' '));
  return {
    lines,
    at: (level) => lines.filter((l) => l.startsWith(level + ' ')),
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
  };
}
