import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ENGINE_CONFIG } from '@sessionhub/core';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointError, readCheckpoint, writeCheckpoint } from '../src/replay/checkpoint';
import { Replayer } from '../src/replay/replayer';
import { bg, ev, launch, records } from './timeline';

const dir = mkdtempSync(join(tmpdir(), 'sessionhub-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A real checkpoint file's JSON, of a device with a live session. */
function validStored(): Record<string, unknown> {
  const replayer = new Replayer({ write: () => undefined });
  for (const r of records([launch(0), ev(5), bg(10), launch(100)])) replayer.add(r);
  const at = join(dir, 'valid');
  writeCheckpoint(at, { log: 'log.ndjson', line: 4, out: { path: 'out.ndjson', bytes: 10 }, skipped: 0, counts: replayer.counts, sessionTimeoutMs: 60_000, resumeOnRelaunch: false, devices: replayer.snapshot() });
  return JSON.parse(JSON.stringify(readCheckpointFile(at)));
}

const readCheckpointFile = (at: string): unknown => JSON.parse(readFileSync(join(at, 'checkpoint.json'), 'utf8'));

describe('readCheckpoint', () => {
  it('a checkpoint file of any other shape (edited, damaged, another program\'s) is refused with a CheckpointError, never read on', () => {
    const valid = validStored();
    const keys = Object.keys(valid);
    const at = join(dir, 'edited');
    const attempt = (value: unknown): void => {
      writeFileSync(join(at, 'checkpoint.json'), JSON.stringify(value));
      try {
        readCheckpoint(at, DEFAULT_ENGINE_CONFIG);
      } catch (error) {
        expect(error).toBeInstanceOf(CheckpointError);
        expect((error as Error).message).toMatch(/^the checkpoint .* remove it to start over$/);
      }
    };
    writeCheckpoint(at, { log: 'x', line: 0, out: null, skipped: 0, counts: new Replayer({ write: () => undefined }).counts, sessionTimeoutMs: 1, resumeOnRelaunch: false, devices: new Map() });
    for (const value of [null, 5, 'x', [], {}, { version: 1, devices: [5] }, { ...valid, devices: [[1, 2, 3]] }, { ...valid, counts: null }]) attempt(value);
    fc.assert(
      fc.property(fc.jsonValue(), (value) => attempt(value)),
      { numRuns: 100 },
    );
    // A valid checkpoint with one field replaced by any JSON value.
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.jsonValue(), (key, value) => attempt({ ...valid, [key]: value })),
      { numRuns: 200 },
    );
    // Device entries of the right shape whose state is anything.
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), fc.nat(), fc.oneof(fc.string(), fc.json()))), (devices) => attempt({ ...valid, devices })),
      { numRuns: 50 },
    );
  });

  it('reads back what writeCheckpoint wrote', () => {
    expect(validStored().line).toBe(4);
    const back = readCheckpoint(join(dir, 'valid'), DEFAULT_ENGINE_CONFIG)!;
    expect(back).toMatchObject({ log: 'log.ndjson', line: 4, out: { path: 'out.ndjson', bytes: 10 } });
    expect([...back.devices.keys()]).toEqual(['d1']);
  });
});
