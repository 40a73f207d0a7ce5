import { message } from '../messages';
import { describe } from '../describe-value';
import type { AttributeValue } from '../records';

export { describe };

/** Limits on session attributes (contract, "session attributes"). */
export const ATTRIBUTE_LIMITS = Object.freeze({ maxKeyLength: 255, maxStringLength: 4096, maxCount: 100 });

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
  if (key.length < 1 || key.length > ATTRIBUTE_LIMITS.maxKeyLength) {
    return message(86, ATTRIBUTE_LIMITS.maxKeyLength, key.length);
  }
  return null;
}

/** Why a value is invalid, or null when it is valid. */
export function attributeValueProblem(value: unknown): string | null {
  if (value === null || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : message(87, value);
  if (typeof value === 'string') {
    return value.length <= ATTRIBUTE_LIMITS.maxStringLength
      ? null
      : message(88, ATTRIBUTE_LIMITS.maxStringLength, value.length);
  }
  return message(89, describe(value));
}
