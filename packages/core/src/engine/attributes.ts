import { message } from '../messages';
import { describe } from '../describe-value';
import type { AttributeValue } from '../records';

export { describe };

const MAX_KEY_LENGTH = 255;
const MAX_STRING_LENGTH = 4096;
/** Attributes a session holds at most. */
export const MAX_ATTRIBUTES = 100;
/** Limits on session attributes (contract, "session attributes"); the checks read the constants above. */
export const ATTRIBUTE_LIMITS = Object.freeze({ maxKeyLength: MAX_KEY_LENGTH, maxStringLength: MAX_STRING_LENGTH, maxCount: MAX_ATTRIBUTES });

export type Attributes = Readonly<Record<string, AttributeValue>>;

/** The stored spelling of `key`, matched case-insensitively (as mParticle does), or undefined. */
export function findAttributeKey(attrs: Attributes, key: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(attrs, key)) return key;
  const lower = key.toLowerCase();
  for (const k of Object.keys(attrs)) if (k.toLowerCase() === lower) return k;
  return undefined;
}

/** Why a key is invalid, or null when it is valid. */
export function attributeKeyProblem(key: unknown): string | null {
  if (typeof key !== 'string') return message(85, describe(key));
  if (key.length < 1 || key.length > MAX_KEY_LENGTH) {
    return message(86, MAX_KEY_LENGTH, key.length);
  }
  return null;
}

/** Why a value is invalid, or null when it is valid. */
export function attributeValueProblem(value: unknown): string | null {
  if (value === null || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : message(87, value);
  if (typeof value === 'string') {
    return value.length <= MAX_STRING_LENGTH
      ? null
      : message(88, MAX_STRING_LENGTH, value.length);
  }
  return message(89, describe(value));
}
