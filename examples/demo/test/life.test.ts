import fc from 'fast-check';
import { seededRandom } from '@sessionhub/testing';
import { describe, expect, it } from 'vitest';
import { batchWindowMs, LIFE_START, randomLife, scriptedLife, TIMEOUT_RANGE } from '../src/life';
import type { AppRun } from '../src/protocol';

const DAY = 24 * 60 * 60 * 1000;

/** What every life must be, for the demo to mean anything. */
function checkLife(runs: AppRun[], timeout: number): void {
  expect(runs.length).toBeGreaterThanOrEqual(2);
  let t = LIFE_START;
  for (const [i, run] of runs.entries()) {
    expect(run.steps[0]?.kind, `run ${i} starts with a launch`).toBe('launch');
    expect(run.steps.slice(1).some((s) => s.kind === 'launch')).toBe(false);
    expect(run.steps.at(-1)?.kind === 'shutdown', `run ${i}: a shutdown step exactly when it ends by exit`).toBe(run.ending === 'exit');
    for (const step of run.steps) {
      expect(step.t).toBeGreaterThanOrEqual(t);
      expect(step.t % 1000, 'whole seconds').toBe(0);
      t = step.t;
    }
  }
  const last = runs.at(-1)!;
  expect(last.steps[0]).toMatchObject({ kind: 'launch', foreground: false });
  expect(last.ending).toBe('exit');
  // Far from the outboxes' 24 h limit, even if nothing were sent between the first step and the last.
  expect(t - LIFE_START).toBeLessThan(DAY - batchWindowMs(timeout));
}

describe('the app’s life', () => {
  it('scripted: a short background below the timeout and a long one past it, for every allowed timeout', () => {
    for (const timeout of [TIMEOUT_RANGE.min, 3, 60, 599, TIMEOUT_RANGE.max]) {
      const runs = scriptedLife(timeout);
      checkLife(runs, timeout);
      expect(runs.map((r) => r.ending)).toEqual(['kill', 'sigterm', 'exit']);
      const steps = runs[0]!.steps;
      const gaps = steps.flatMap((s, i) => (s.kind === 'foreground' || (s.kind === 'event' && s.neutral) ? [s.t - steps[i - 1]!.t] : []));
      expect(gaps[0]).toBeLessThan(timeout * 1000); // back before the timeout: same session
      expect(gaps[1]).toBeGreaterThanOrEqual(timeout * 1000); // the push comes after it: the session expired
    }
  });

  it('random: a valid life for any seed and timeout', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: TIMEOUT_RANGE.min, max: TIMEOUT_RANGE.max }), (seed, timeout) => {
        checkLife(randomLife(timeout, seededRandom(seed)), timeout);
      }),
      { numRuns: 300 },
    );
  });

  it('random: the same seed gives the same life', () => {
    expect(randomLife(60, seededRandom(42))).toEqual(randomLife(60, seededRandom(42)));
    expect(randomLife(60, seededRandom(42))).not.toEqual(randomLife(60, seededRandom(43)));
  });
});
