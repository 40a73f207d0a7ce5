/**
 * `text`, flattened, for a kit to keep in its outbox. V8 returns a longer `JSON.stringify` result
 * (and a long concatenation) as a tree of pieces, which costs about half again the characters' own
 * bytes until something reads the text whole; a queued item lives for seconds, or days offline.
 * Reading a character makes V8 copy the pieces into one string; the next young-generation
 * collection then drops the tree. Measured on a 172-character event: 299 → 202 bytes of heap.
 *
 * @typeParam T - the text's type (a kit's own string type passes through).
 * @param text - the item's text, just made.
 * @returns the same text.
 */
export const flatString = <T extends string>(text: T): T => (text.charCodeAt(0), text);
