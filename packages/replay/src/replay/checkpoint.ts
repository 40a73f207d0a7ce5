import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { decodeState, encodeState, type EngineConfig } from '@sessionhub/core';
import { UserError } from '../user-error';
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
export class CheckpointError extends UserError {
  override readonly name = 'CheckpointError';
}

/**
 * Writes a checkpoint atomically: to a temporary file, flushed to disk, then renamed over the
 * previous one. A crash at any instant leaves either the old checkpoint or the new one.
 */
export function writeCheckpoint(dir: string, c: Checkpoint): void {
  makeDirectory(dir);
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

/**
 * Makes `dir` and its missing parents. Not `mkdirSync(dir, { recursive: true })`: Node's loops for
 * ever where mkdir answers ENOENT under a parent that exists (a path in /proc).
 */
function makeDirectory(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && statSync(dir).isDirectory()) return;
    if (code !== 'ENOENT' || dirname(dir) === dir) throw error;
    makeDirectory(dirname(dir));
    mkdirSync(dir);
  }
}

/**
 * Makes the checkpoint directory before a run reads its log, so one that cannot be made fails the
 * run at once, not when the first checkpoint is due (at the end, for a log shorter than
 * `--checkpoint-every`). Throws {@link CheckpointError} saying what to do.
 */
export function prepareCheckpointDirectory(dir: string): void {
  try {
    makeDirectory(dir);
  } catch (error) {
    throw new CheckpointError(`--checkpoint ${dir} cannot be used as a directory (${error instanceof Error ? error.message : String(error)}); give a directory this run can write to`);
  }
}

/** The checkpoint in `dir`, or null when there is none yet. Throws {@link CheckpointError} when it is unusable. */
export function readCheckpoint(dir: string, config: EngineConfig): Checkpoint | null {
  const path = join(dir, FILE);
  if (!existsSync(path)) return null;
  let stored: unknown;
  try {
    stored = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CheckpointError(`the checkpoint ${path} is not valid JSON (${error instanceof Error ? error.message : String(error)}); remove it to start over`);
  }
  const problem = shapeProblem(stored);
  if (problem !== null) throw new CheckpointError(`the checkpoint ${path} is not one this version writes (${problem}); remove it to start over`);
  const c = stored as StoredCheckpoint;
  const devices = new Map<string, DeviceReplayState>();
  for (const [id, lines, text] of c.devices) {
    const decoded = decodeState(text, config);
    if (!decoded.ok) throw new CheckpointError(`the checkpoint ${path} holds a bad state for device ${id} (${decoded.problem}); remove it to start over`);
    devices.set(id, { state: decoded.state, lines });
  }
  return { ...c, devices };
}

const COUNTS: readonly (keyof ReplayCounts)[] = ['records', 'sessionsStarted', 'sessionsEnded', 'events', 'warnings', 'outOfOrder'];
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/**
 * What is wrong with a parsed checkpoint file, or null when it has the shape {@link writeCheckpoint}
 * writes. Checked field by field: the file may have been edited or damaged, and a wrong type read
 * on would fail later as a bug (`null.version`, a number that is not iterable).
 */
function shapeProblem(c: unknown): string | null {
  if (!isObject(c)) return 'not a JSON object';
  if (c.version !== 1) return `version ${JSON.stringify(c.version)}`;
  if (typeof c.log !== 'string') return 'no log';
  if (!isCount(c.line)) return 'no line count';
  if (c.out !== null && !(isObject(c.out) && typeof c.out.path === 'string' && isCount(c.out.bytes))) return 'a bad out';
  if (!isCount(c.skipped)) return 'no skipped count';
  if (!isObject(c.counts) || !COUNTS.every((k) => isCount((c.counts as Record<string, unknown>)[k]))) return 'bad counts';
  if (typeof c.sessionTimeoutMs !== 'number' || !Number.isFinite(c.sessionTimeoutMs)) return 'no session timeout';
  if (typeof c.resumeOnRelaunch !== 'boolean') return 'no resumeOnRelaunch';
  if (!Array.isArray(c.devices)) return 'no devices';
  for (const d of c.devices as unknown[]) {
    if (!Array.isArray(d) || d.length !== 3 || typeof d[0] !== 'string' || !isCount(d[1]) || typeof d[2] !== 'string') return `a bad device entry ${JSON.stringify(d)?.slice(0, 60)}`;
  }
  return null;
}
