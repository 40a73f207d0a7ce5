import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';

/** A text sink for lines: a file (gzipped when its name ends in `.gz`) or stdout, with backpressure. */
export interface LineWriter {
  /** Queues text; resolves when the stream can take more. */
  write(text: string): Promise<void>;
  /** Flushes and closes (stdout is flushed, not closed). */
  close(): Promise<void>;
}

/** Writes to `path` (`null` or `-`: stdout); `append` keeps what the file holds. */
export function lineWriter(path: string | null, append = false): LineWriter {
  const toStdout = path === null || path === '-';
  const file: Writable = toStdout ? process.stdout : createWriteStream(path, { flags: append ? 'a' : 'w' });
  let out: Writable = file;
  if (!toStdout && path.endsWith('.gz')) {
    const gz = createGzip();
    gz.pipe(file);
    out = gz;
  }
  let failed: Error | null = null;
  out.on('error', (e) => (failed = e));
  file.on('error', (e) => (failed = e));
  return {
    write(text) {
      if (failed) return Promise.reject(failed);
      if (out.write(text)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const done = (error?: Error): void => {
          out.off('drain', done);
          out.off('error', done);
          if (error) reject(error);
          else resolve();
        };
        out.on('drain', done);
        out.on('error', done);
      });
    },
    close() {
      if (failed) return Promise.reject(failed);
      if (toStdout) return new Promise((resolve) => (out.write('') ? resolve() : out.once('drain', () => resolve())));
      return new Promise((resolve, reject) => {
        file.once('close', () => (failed ? reject(failed) : resolve()));
        file.once('error', reject);
        out.end();
      });
    },
  };
}
