import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StorageAdapter } from '../storage/storage-adapter';

/**
 * A storage for Node (servers, CLIs): one file per key in `directory`, written atomically (a temp
 * file, then a rename), so a process killed mid-write leaves either the old value or the new one.
 * Synchronous, so a state written before a crash is on disk.
 */
export function fileStorage(directory: string): StorageAdapter {
  mkdirSync(directory, { recursive: true });
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
