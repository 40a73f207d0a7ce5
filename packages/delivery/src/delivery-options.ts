import type { OutboxOptions } from './outbox-options';

/** The outbox's numeric options: [name, default, smallest valid value]. */
export const LIMITS = [
  ['maxBatchItems', 100, 1],
  ['maxBatchBytes', 40_000, 1],
  ['flushIntervalMs', 10_000, 0],
  ['maxAgeMs', 86_400_000, 1],
  ['maxAttempts', Infinity, 1],
  ['maxQueueItems', 1000, 1],
  ['retryBaseMs', 1000, 0],
  ['retryMaxMs', 300_000, 0],
  ['requestTimeoutMs', 30_000, 1],
  ['keepaliveMaxBytes', 65_536, 0],
] as const;

/** A numeric outbox option. */
export type Limit = (typeof LIMITS)[number][0];

/** The outbox settings a kit can let its users tune (`delivery` in the kits' options). */
export type DeliveryOptions = Partial<Pick<OutboxOptions<unknown>, Limit | 'transport' | 'random' | 'timers'>>;

const isFunction = (value: unknown): boolean => typeof value == 'function';

/** What is wrong with one setting, or undefined (also when absent: the default applies). */
export function settingProblem(option: string, value: unknown): string | undefined {
  if (value === undefined) return;
  const limit = LIMITS.find(([name]) => name == option);
  if (limit) return typeof value == 'number' && value >= limit[2] ? undefined : `${option} must be a number ≥ ${limit[2]}`;
  if (option == 'timers') {
    const timers = value as { setTimeout?: unknown; clearTimeout?: unknown } | null;
    return isFunction(timers?.setTimeout) && isFunction(timers?.clearTimeout) ? undefined : 'timers must have setTimeout and clearTimeout';
  }
  if (option == 'transport' || option == 'random') return isFunction(value) ? undefined : `${option} must be a function`;
  return `"${option}" is not a delivery setting`;
}

/**
 * Checks the delivery settings a kit's user gave, as {@link createOutbox} will check them, so the
 * kit can refuse a mistake when it is created rather than when its outbox is. Returns what is wrong
 * (e.g. `maxQueueItems must be a number ≥ 1`), or undefined when they are valid.
 */
export function deliveryOptionsProblem(options: unknown): string | undefined {
  if (Object.prototype.toString.call(options) != '[object Object]') return 'must be an object of outbox settings';
  for (const key of Object.keys(options as object)) {
    const problem = settingProblem(key, (options as Record<string, unknown>)[key]);
    if (problem) return problem;
  }
}
