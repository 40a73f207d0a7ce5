import { opendirSync, type Dir } from 'node:fs';

/**
 * The devices whose kits left undelivered items in a KitsSink's storage directory, each with
 * the names of those kits. Read from the file names, an entry at a time (a directory of millions of
 * items is never listed whole): core's `fileStorage` keeps a key in `<encodeURIComponent(key)>.json`,
 * and an outbox keeps each item under `outbox:<seq>` in its kit's namespace `<deviceId>/<kit>/`.
 */
export function storedOutboxes(dir: string, kitNames: readonly string[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let entries: Dir;
  try {
    entries = opendirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return found;
    throw error;
  }
  try {
    for (let entry = entries.readSync(); entry !== null; entry = entries.readSync()) {
      if (!entry.name.endsWith('.json')) continue;
      let key: string;
      try {
        key = decodeURIComponent(entry.name.slice(0, -5));
      } catch {
        continue; // not a name fileStorage wrote
      }
      // A device id may hold slashes; a kit's name does not.
      const item = /^([\s\S]+)\/([^/]+)\/outbox:\d+$/.exec(key);
      if (item === null || !kitNames.includes(item[2]!)) continue;
      const kits = found.get(item[1]!);
      if (kits === undefined) found.set(item[1]!, [item[2]!]);
      else if (!kits.includes(item[2]!)) kits.push(item[2]!);
    }
  } finally {
    entries.closeSync();
  }
  return found;
}
