import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Comparison } from '../src/compare/comparison';
import { ModelColumns } from '../src/compare/model-columns';
import { Tally } from '../src/compare/tally';
import { UserTable } from '../src/compare/user-table';
import type { LogRecord, Platform } from '../src/log/log-record';
import { vendorModels } from '../src/models/index';
import { INITIAL_MODEL_STATE, type Draft, type ModelState } from '../src/models/model';
import { records, type LineSpec } from './timeline';

/** Lines of a few devices: gaps around every vendor's timeout, sometimes backwards; users, neutral events, CleverTap's sessionless events, platforms. */
const lineSpec = fc.record({
  gap: fc.oneof(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 500, max: 4000 }), fc.integer({ min: -100, max: -1 })),
  type: fc.constantFrom('event', 'event', 'event', 'foreground', 'background', 'launch'),
  user: fc.constantFrom(undefined, undefined, undefined, null, 'a', 'b'),
  neutral: fc.boolean(),
  name: fc.constantFrom('tap', 'App Installed'),
  platform: fc.constantFrom(undefined, undefined, undefined, undefined, 'mobile', 'web'),
  device: fc.constantFrom('d1', 'd2', 'd3'),
});

function toLines(spec: readonly (typeof lineSpec extends fc.Arbitrary<infer T> ? T : never)[]): LogRecord[] {
  let at = 0;
  const lines: LineSpec[] = spec.map((s) => ({
    at: (at += s.gap),
    type: s.type as LineSpec['type'],
    userId: s.user,
    neutral: s.type === 'event' && s.neutral,
    name: s.name,
    platform: s.platform as Platform | undefined,
    deviceId: s.device,
  }));
  return records(lines);
}

const fields = (s: ModelState) => [s.start, s.last, s.firstEvent, s.lastEvent, s.user, s.sessionUser, s.inForeground, s.clock];

describe('vendor model states in columns', () => {
  it('give exactly the states, closed sessions and starts of the pure step, device by device', () => {
    fc.assert(
      fc.property(fc.array(lineSpec, { maxLength: 60 }), fc.constantFrom<Platform>('mobile', 'web'), fc.constantFrom('session-start' as const, 'background' as const), (spec, platform, clock) => {
        const models = vendorModels(platform, { brazeMobileClock: clock });
        const columns = new ModelColumns(models.length, new UserTable());
        const slots = new Map<string, number>();
        const pure = new Map<string, ModelState[]>();
        const d: Draft = { ...INITIAL_MODEL_STATE };
        for (const line of toLines(spec)) {
          if (!slots.has(line.deviceId)) {
            slots.set(line.deviceId, columns.allocate());
            pure.set(line.deviceId, models.map(() => INITIAL_MODEL_STATE));
          }
          const slot = slots.get(line.deviceId)!;
          const states = pure.get(line.deviceId)!;
          models.forEach((model, i) => {
            const next = model.step(states[i]!, line);
            states[i] = next;
            columns.load(slot, i, d, line.t);
            model.apply(d, line);
            columns.store(slot, i, d);
            expect(d.closed).toStrictEqual(next.closed);
            expect(d.started).toBe(next.started);
            columns.load(slot, i, d, -Infinity);
            expect(fields(d)).toStrictEqual(fields(next));
            expect(model.finish(d)).toStrictEqual(model.finish(next));
          });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a comparison counts for each vendor what its model counts on each device of its platform (pending figures of undecided devices included)', () => {
    fc.assert(
      fc.property(fc.array(lineSpec, { maxLength: 60 }), (spec) => {
        const lines = toLines(spec);
        const c = new Comparison();
        for (const l of lines) c.add(l);
        c.finish();
        // The reference: each device's platform as the log decides it, its lines through that platform's models with step.
        const want = c.mobileModels.map(() => new Tally());
        for (const device of new Set(lines.map((l) => l.deviceId))) {
          const own = lines.filter((l) => l.deviceId === device);
          const decisive = own.find((l) => l.platform !== null || l.type !== 'event');
          const platform: Platform = decisive ? (decisive.platform ?? 'mobile') : 'web';
          vendorModels(platform).forEach((model, i) => {
            let s = INITIAL_MODEL_STATE;
            for (const l of own) {
              s = model.step(s, l);
              for (const closed of s.closed) want[i]!.add(closed.length, closed.span);
            }
            const last = model.finish(s);
            if (last) want[i]!.add(last.length, last.span, true);
          });
        }
        c.vendors.forEach((tally, i) => {
          // Every length in the same sketch bucket and histogram bin, the same sums (whole ms: exact in any order).
          expect(tally.lengths.buckets()).toStrictEqual(want[i]!.lengths.buckets());
          expect([tally.sessions, tally.open, tally.total, tally.spanTotal]).toStrictEqual([want[i]!.sessions, want[i]!.open, want[i]!.total, want[i]!.spanTotal]);
          expect(tally.histogram).toStrictEqual(want[i]!.histogram);
        });
      }),
      { numRuns: 300 },
    );
  });
});
