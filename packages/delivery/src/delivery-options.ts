import type { OutboxOptions } from './outbox-options';
import { message } from './messages';

/** The outbox's numeric options and the smallest valid value of each (the defaults are in {@link createOutbox}). */
const LIMITS = [
  ['maxBatchItems', 1],
  ['maxBatchBytes', 1],
  ['flushIntervalMs', 0],
  ['maxAgeMs', 1],
  ['maxAttempts', 1],
  ['maxQueueItems', 1],
  ['retryBaseMs', 0],
  ['retryMaxMs', 0],
  ['requestTimeoutMs', 1],
  ['keepaliveMaxBytes', 0],
] as const;

/** A numeric outbox option. */
type Limit = (typeof LIMITS)[number][0];

/** The outbox settings a kit can let its users tune (`delivery` in the kits' options). */
export type DeliveryOptions = Partial<Pick<OutboxOptions<unknown>, Limit | 'transport' | 'random' | 'timers'>>;

/**
 * A check of one option: its name, whether a value is valid, and what it must be or have (for the
 * message): the text after "must", or the message that names the option.
 */
export type OptionRule = readonly [option: string, valid: (value: any) => unknown, expected: string | ((option: string) => string)];

export const isFunction = (value: unknown): boolean => typeof value == 'function';
const optionalFunction = (value: unknown): boolean => value === undefined || isFunction(value);

/** The delivery settings; each may be absent (its default applies). */
export const SETTING_RULES: readonly OptionRule[] = [
  ['transport', optionalFunction, 'be a function'],
  ['random', optionalFunction, 'be a function'],
  ['timers', (timers) => timers === undefined || (isFunction(timers?.setTimeout) && isFunction(timers?.clearTimeout)), (option) => message(208, option)],
  ...LIMITS.map(([option, min]): OptionRule => [option, (value) => value === undefined || (typeof value == 'number' && value >= min), (option) => message(207, option, min)]),
];

/** What is wrong with one option's value under its rule (e.g. `maxQueueItems must be a number ≥ 1`), or undefined. */
export const ruleProblem = ([option, valid, expected]: OptionRule, value: unknown): string | undefined =>
  valid(value) ? undefined : typeof expected == 'string' ? `${option} must ${expected}` : expected(option);

/**
 * Checks the delivery settings a kit's user gave, as {@link createOutbox} will check them, so the
 * kit can refuse a mistake when it is created rather than when its outbox is. Returns what is wrong
 * (e.g. `maxQueueItems must be a number ≥ 1`), or undefined when they are valid.
 */
export function deliveryOptionsProblem(options: unknown): string | undefined {
  if (Object.prototype.toString.call(options) != '[object Object]') return message(200);
  for (const [option, value] of Object.entries(options as object)) {
    const rule = SETTING_RULES.find(([name]) => name == option);
    const problem = rule ? ruleProblem(rule, value) : message(201, option);
    if (problem) return problem;
  }
}
