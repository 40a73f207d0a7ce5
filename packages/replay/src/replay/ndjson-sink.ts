import { closeSync, fstatSync, fsyncSync, openSync, statSync, truncateSync, writeSync } from 'node:fs';
import { writeStdout } from '../stdout';
import { CheckpointError } from './checkpoint';
import type { ReplayOutput, ReplaySink } from './replayer';

/**
 * Canonical records as NDJSON, one `{"type": …, "record": {…}}` per line, to a file (or stdout).
 * Buffered; {@link NdjsonFileSink.flush} writes the buffer and syncs the file to disk, so a
 * checkpoint taken after it never claims bytes that are not on disk.
 */
export class NdjsonFileSink implements ReplaySink {
  private buffer = '';
  private readonly fd: number;
  /** Only a regular file is synced: a device or a pipe (/dev/null, /dev/stdout) refuses fsync (EINVAL). */
  private readonly regular: boolean;
  /** Bytes written to the file (the buffer's are counted when it is written: once per MB, not per line). */
  private written: number;

  /** Opens `path` (`-`: stdout). With `keepBytes`, the file is cut back to that length and appended to. */
  constructor(
    private readonly path: string,
    keepBytes: number | null = null,
  ) {
    if (path === '-') {
      this.fd = 1;
      this.regular = false;
      this.written = 0;
      return;
    }
    if (keepBytes !== null) {
      const size = statSync(path, { throwIfNoEntry: false })?.size ?? 0;
      if (size < keepBytes) throw new CheckpointError(`${path} holds ${size} bytes, fewer than the ${keepBytes} the checkpoint counted: it was changed since; start over without the checkpoint`);
      truncateSync(path, keepBytes);
    }
    this.fd = openSync(path, keepBytes === null ? 'w' : 'a');
    this.regular = fstatSync(this.fd).isFile();
    this.written = keepBytes ?? 0;
  }

  /** Bytes in the file (written and buffered). */
  get bytes(): number {
    return this.written + Buffer.byteLength(this.buffer);
  }

  write(output: ReplayOutput): void {
    // What JSON.stringify({ type, record }) writes (the types are plain words), without the wrapper object.
    this.buffer += `{"type":"${output.type}","record":${JSON.stringify(output.record)}}\n`;
    if (this.buffer.length > 1 << 20) this.writeBuffer();
  }

  private writeBuffer(): void {
    if (this.buffer.length === 0) return;
    this.written += Buffer.byteLength(this.buffer);
    // stdout may be a non-blocking pipe: let Node queue it.
    if (this.path === '-') writeStdout(this.buffer);
    else writeSync(this.fd, this.buffer);
    this.buffer = '';
  }

  /** Writes what is buffered and syncs it to disk. */
  flush(): void {
    this.writeBuffer();
    if (this.regular) fsyncSync(this.fd);
  }

  close(): void {
    this.flush();
    if (this.path !== '-') closeSync(this.fd);
  }
}
