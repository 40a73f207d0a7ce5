import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { decodeState, encodeState, type EngineConfig } from '@sessionhub/core';
import type { DeviceReplayState, ReplayCounts } from './replayer';

/** What a replay checkpoint holds: where the run is, and every device's engine state. */
export interface Checkpoint {
  /** The log, as given on the command line. */
  readonly log: string;
  /** Lines of the log consumed (blank lines and the CSV header included). */
  readonly line: number;
  /** The output file and its length when the checkpoint was taken (it is cut back to that on resume). */
  readonly out: { readonly path: string; readonly bytes: number } | null;
  readonly skipped: number;
  readonly counts: ReplayCounts;
  readonly sessionTimeoutMs: number;
  readonly resumeOnRelaunch: boolean;
  readonly devices: ReadonlyMap<string, DeviceReplayState>;
}

interface StoredCheckpoint extends Omit<Checkpoint, 'devices'> {
  readonly version: 1;
  /** [deviceId, lines applied, encoded engine state]. */
  readonly devices: [string, number, string][];
}

const FILE = 'checkpoint.json';

/** A checkpoint directory's file could not be used; the message says why and what to do. */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

/**
 * Writes a checkpoint atomically: to a temporary file, flushed to disk, then renamed over the
 * previous one. A crash at any instant leaves either the old checkpoint or the new one.
 */
export function writeCheckpoint(dir: string, c: Checkpoint): void {
  mkdirSync(dir, { recursive: true });
  const devices: [string, number, string][] = [];
  for (const [id, d] of c.devices) devices.push([id, d.lines, encodeState(d.state)]);
  const stored: StoredCheckpoint = { version: 1, ...c, devices };
  const tmp = join(dir, `${FILE}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, JSON.stringify(stored));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, FILE));
}

/** The checkpoint in `dir`, or null when there is none yet. Throws {@link CheckpointError} when it is unusable. */
export function readCheckpoint(dir: string, config: EngineConfig): Checkpoint | null {
  const path = join(dir, FILE);
  if (!existsSync(path)) return null;
  let stored: StoredCheckpoint;
  try {
    stored = JSON.parse(readFileSync(path, 'utf8')) as StoredCheckpoint;
  } catch (error) {
    throw new CheckpointError(`the checkpoint ${path} is not valid JSON (${error instanceof Error ? error.message : String(error)}); remove it to start over`);
  }
  if (stored.version !== 1 || !Array.isArray(stored.devices)) throw new CheckpointError(`the checkpoint ${path} is not one this version writes; remove it to start over`);
  const devices = new Map<string, DeviceReplayState>();
  for (const [id, lines, text] of stored.devices) {
    const decoded = decodeState(text, config);
    if (!decoded.ok) throw new CheckpointError(`the checkpoint ${path} holds a bad state for device ${id} (${decoded.problem}); remove it to start over`);
    devices.set(id, { state: decoded.state, lines });
  }
  return { ...stored, devices };
}
