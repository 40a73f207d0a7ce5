import { expect, it } from 'vitest';
import { Comparison, compareReport } from '@sessionhub/replay';
import { lifeLog } from '../src/compare-ending';
import { scriptedLife } from '../src/life';

it("the demo's life as a compare log gives the canonical sessions the vendors received (4 sessions, 3 min 44 s at 60 s)", () => {
  const { records, left } = lifeLog(scriptedLife(60));
  expect(left).toEqual(['a launch in the background (a log line is a launch in the foreground)']);
  // Sign-ins ride on the next line; lifecycle and events keep their times.
  expect(records.filter((r) => r.userId !== undefined).map((r) => [r.type, r.userId])).toEqual([
    ['event', 'alice'],
    ['event', 'bob'],
  ]);
  const c = new Comparison({ engine: { sessionTimeoutMs: 60_000 } });
  for (const r of records) c.add(r);
  const canonical = compareReport(c, { lines: records.length, skipped: 0 }).columns[0]!;
  // What `pnpm demo` shows every vendor receiving through SessionHub for the scripted life.
  expect([canonical.sessions, canonical.totalMs]).toEqual([4, 224_000]);
  expect(canonical.openAtEnd).toBe(1);
});
