/** What the kit uses of Node's `Buffer`. */
interface NodeBuffer {
  from(text: string): { toString(encoding: 'base64url'): string };
  byteLength(text: string): number;
  isEncoding?(encoding: string): boolean;
}

const buffer = (globalThis as { Buffer?: NodeBuffer }).Buffer;

/**
 * Node's `Buffer` where it encodes base64url (Node, servers), else undefined. It encodes and counts
 * UTF-8 natively, much faster than any JavaScript loop or scan; phones and browsers take the
 * portable paths (a Buffer polyfill without base64url too).
 */
export const nodeBuffer = buffer?.isEncoding?.('base64url') ? buffer : undefined;
