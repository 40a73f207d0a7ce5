import { closeSync, fsyncSync, openSync, statSync, truncateSync, writeSync } from 'node:fs';
import type { ReplayOutput, ReplaySink } from './replayer';

/**
 * Canonical records as NDJSON, one `{"type": …, "record": {…}}` per line, to a file (or stdout).
 * Buffered; {@link NdjsonFileSink.flush} writes the buffer and syncs the file to disk, so a
 * checkpoint taken after it never claims bytes that are not on disk.
 */
export class NdjsonFileSink implements ReplaySink {
  private buffer = '';
  private readonly fd: number;
  /** Bytes in the file (written and buffered). */
  bytes: number;

  /** Opens `path` (`-`: stdout). With `keepBytes`, the file is cut back to that length and appended to. */
  constructor(
    private readonly path: string,
    keepBytes: number | null = null,
  ) {
    if (path === '-') {
      this.fd = 1;
      this.bytes = 0;
      return;
    }
    if (keepBytes !== null) {
      const size = statSync(path, { throwIfNoEntry: false })?.size ?? 0;
      if (size < keepBytes) throw new Error(`${path} holds ${size} bytes, fewer than the ${keepBytes} the checkpoint counted: it was changed since; start over without the checkpoint`);
      truncateSync(path, keepBytes);
    }
    this.fd = openSync(path, keepBytes === null ? 'w' : 'a');
    this.bytes = keepBytes ?? 0;
  }

  write(output: ReplayOutput): void {
    const line = `${JSON.stringify({ type: output.type, record: output.record })}\n`;
    this.buffer += line;
    this.bytes += Buffer.byteLength(line);
    if (this.buffer.length > 1 << 20) this.writeBuffer();
  }

  private writeBuffer(): void {
    if (this.buffer.length === 0) return;
    // stdout may be a non-blocking pipe: let Node queue it.
    if (this.path === '-') process.stdout.write(this.buffer);
    else writeSync(this.fd, this.buffer);
    this.buffer = '';
  }

  /** Writes what is buffered and syncs it to disk. */
  flush(): void {
    this.writeBuffer();
    if (this.path !== '-') fsyncSync(this.fd);
  }

  close(): void {
    this.flush();
    if (this.path !== '-') closeSync(this.fd);
  }
}
