/**
 * What CleverTap's web SDK and the kit make of keys and strings, as docs/kits/clevertap.md ("Property
 * rules") describes them: the models the differential tests read the two sides through (each is
 * itself checked against what the SDK sends).
 */
type Attributes = Record<string, unknown>;

export const own = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
/** The SDK's `isObject` (clevertap.js 312): plain objects and class instances alike. */
export const isObject = (v: unknown): v is Attributes => Object.prototype.toString.call(v) == '[object Object]';
/** Whether `s` begins or ends with whitespace (JavaScript's, which both sides trim). */
export const edgeSpace = (s: string): boolean => /^\s|\s$/.test(s);
/** Sets `k` as an own key (`__proto__` too), as an object literal would. */
export const define = (o: Attributes, k: string, value: unknown): void => void Object.defineProperty(o, k, { value, enumerable: true, writable: true, configurable: true });

/** The SDK: `removeUnsupportedChars`, one pass of its regular expression, then a cut at 1024 (clevertap.js 148–149, 341–377). */
export const sdkKey = (k: string): string => k.replace(/^\s+|\.|:|\$|'|"|\\|\s+$/g, '').substring(0, 1024);
export const sdkString = (s: string): string => s.replace(/^\s+|'|"|\\|\s+$/g, '').substring(0, 1024);
/** The kit: characters removed, whitespace trimmed, cut at `max`, trimmed again. */
export const kitText = (s: string, forbidden: RegExp, max: number): string => {
  const out = s.replace(forbidden, '').trim();
  return out.length > max ? out.substring(0, max).trim() : out;
};
/** The key as the kit cleans it, before its cut at 120. */
export const kitKeyUncut = (k: string): string => k.replace(/[.:$'"\\]/g, '').trim();
export const kitKey = (k: string): string => kitText(k, /[.:$'"\\]/g, 120);
export const kitString = (s: string): string => kitText(s, /['"\\]/g, 1024);
