import { fstatSync, statSync, type Stats } from 'node:fs';

/** A path's file status (`-`: stdin's), or null when there is none to read (missing, unreadable). */
function status(path: string): Stats | null {
  try {
    return path === '-' ? fstatSync(0) : (statSync(path, { throwIfNoEntry: false }) ?? null);
  } catch {
    return null;
  }
}

/**
 * Whether `output` is the regular file `input` reads (`-`: stdin), by device and inode, so a hard
 * link or a symbolic link to it counts too. Writing there would destroy the input before it is read.
 * Devices such as /dev/null are never the same file: nothing is lost writing to them.
 */
export function isInputFile(input: string, output: string): boolean {
  const a = status(input);
  const b = status(output);
  return a !== null && b !== null && b.isFile() && a.dev === b.dev && a.ino === b.ino;
}
