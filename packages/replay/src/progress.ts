import { statSync } from 'node:fs';
import cliProgress from 'cli-progress';

/** Progress of a long run: told about raw bytes read, drawn on stderr only when it is a terminal. */
export interface Progress {
  bytes(n: number): void;
  stop(): void;
}

const SILENT: Progress = { bytes: () => undefined, stop: () => undefined };

/**
 * A progress bar for reading `path` on stderr (cli-progress), or a silent one when stderr is not a
 * terminal (pipes, CI, files) or the size is unknown (stdin).
 */
export function progressFor(path: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY || path === '-') return SILENT;
  let total: number;
  try {
    total = statSync(path).size;
  } catch {
    return SILENT;
  }
  const bar = new cliProgress.SingleBar(
    { stream, format: '{bar} {percentage}% | {value}/{total} MB | {eta_formatted} left', hideCursor: true, clearOnComplete: true, fps: 5 },
    cliProgress.Presets.shades_classic,
  );
  const mb = (b: number): number => Math.round(b / 1e5) / 10;
  bar.start(mb(total), 0);
  let read = 0;
  return {
    bytes(n) {
      read += n;
      bar.update(mb(read));
    },
    stop() {
      bar.stop();
    },
  };
}
