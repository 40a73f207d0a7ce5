import type { OutboxOptions } from './outbox-options';
import { message } from './messages';

/**
 * The outbox's numeric options, the smallest valid value of each and, for two, the largest (the
 * defaults are in {@link createOutbox}). The request timeout is a timer's delay, and a timer waits at
 * most 2^31 − 1 ms: Node and browsers fire a longer one (Infinity too) at once, which would abort
 * every request. The other durations only set instants, whose wake-ups the outbox caps itself.
 */
const LIMITS: readonly (readonly [option: Limit, min: number, max?: number])[] = [
  ['maxBatchItems', 1],
  ['maxBatchBytes', 1],
  ['flushIntervalMs', 0],
  ['maxAgeMs', 1],
  ['maxAttempts', 1],
  // (A relaunch reads at most 100,000 items: see outbox-store.ts.)
  ['maxQueueItems', 1, 100_000],
  ['retryBaseMs', 0],
  ['retryMaxMs', 0],
  ['requestTimeoutMs', 1, 2 ** 31 - 1],
  ['keepaliveMaxBytes', 0],
];

/** A numeric outbox option. */
type Limit = 'maxBatchItems' | 'maxBatchBytes' | 'flushIntervalMs' | 'maxAgeMs' | 'maxAttempts' | 'maxQueueItems' | 'retryBaseMs' | 'retryMaxMs' | 'requestTimeoutMs' | 'keepaliveMaxBytes';

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
  ...LIMITS.map(([option, min, max = Infinity]): OptionRule => [
    option,
    (value) => value === undefined || (typeof value == 'number' && value >= min && value <= max),
    (option) => (max < Infinity ? message(220, option, min, max) : message(207, option, min)),
  ]),
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
