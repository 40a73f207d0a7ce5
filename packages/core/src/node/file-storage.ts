import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
