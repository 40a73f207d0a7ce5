import { fileStorageKeys } from '@sessionhub/core/node';

/**
 * The devices whose kits left undelivered items in a KitsSink's storage directory (a `fileStorage`),
 * each with the names of those kits: an outbox keeps each item under `outbox:<seq>` in its kit's
 * namespace `<deviceId>/<kit>/`. The keys are read an entry at a time (a directory of millions of
 * items is never listed whole).
 */
export function storedOutboxes(dir: string, kitNames: readonly string[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const key of fileStorageKeys(dir)) {
    // A device id may hold slashes; a kit's name does not.
    const item = /^([\s\S]+)\/([^/]+)\/outbox:\d+$/.exec(key);
    if (item === null || !kitNames.includes(item[2]!)) continue;
    const kits = found.get(item[1]!);
    if (kits === undefined) found.set(item[1]!, [item[2]!]);
    else if (!kits.includes(item[2]!)) kits.push(item[2]!);
  }
  return found;
}
