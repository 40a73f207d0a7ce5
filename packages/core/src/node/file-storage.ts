import { mkdirSync, opendirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, type Dir } from 'node:fs';
import { join } from 'node:path';
import type { StorageAdapter } from '../storage/storage-adapter';

/**
 * A storage for Node with one file per key in `directory`, written atomically (a temp file, then a
 * rename), so a process killed mid-write leaves either the old value or the new one. Nothing is
 * flushed to the disk (`fsync`): a killed process loses nothing, a power loss may.
 *
 * The format of earlier versions. {@link journalStorage} (the default of `nodeDefaults` and
 * `createNodeHub`) is faster — one append per commit instead of a file per item — and moves what
 * this one stored into its journal when it opens the directory.
 */
export function fileStorage(directory: string): StorageAdapter {
  mkdirSync(directory, { recursive: true });
  // Temp files of writes a kill interrupted: never renamed, never needed.
  try {
    for (const name of readdirSync(directory)) if (name.endsWith('.tmp')) rmSync(join(directory, name), { force: true });
  } catch {
    // a read-only or unreadable directory: the writes below say so
  }
  const file = (key: string) => join(directory, `${encodeURIComponent(key)}.json`);
  let seq = 0;
  return {
    getItem(key) {
      try {
        return readFileSync(file(key), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    setItem(key, value) {
      const target = file(key);
      const temp = `${target}.${process.pid}.${++seq}.tmp`;
      writeFileSync(temp, value);
      renameSync(temp, target);
    },
    removeItem(key) {
      rmSync(file(key), { force: true });
    },
  };
}

/** The key a file of a {@link fileStorage} directory holds (`<encodeURIComponent(key)>.json`), or undefined for any other file. */
export function fileStorageKey(name: string): string | undefined {
  if (!name.endsWith('.json')) return undefined;
  try {
    return decodeURIComponent(name.slice(0, -5));
  } catch {
    // not a name fileStorage wrote
    return undefined;
  }
}

/**
 * The keys stored in a {@link fileStorage} directory, in no particular order, read an entry at a
 * time (a directory of millions of keys is never listed whole); none when the directory does not
 * exist. Throws when it cannot be read.
 *
 * @example
 * for (const key of fileStorageKeys('/var/lib/app/sessionhub')) if (key.endsWith(':outbox:meta')) console.log(key);
 */
export function* fileStorageKeys(directory: string): Generator<string, void, undefined> {
  let entries: Dir;
  try {
    entries = opendirSync(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    for (let entry = entries.readSync(); entry !== null; entry = entries.readSync()) {
      const key = fileStorageKey(entry.name);
      if (key !== undefined) yield key;
    }
  } finally {
    entries.closeSync();
  }
}
