import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PendingFigures } from '../src/compare/pending-figures';
import { Tally } from '../src/compare/tally';

/** Lengths and spans a model reports: whole ms (spans longer or shorter), fractions of a ms, the extremes of the range of dates. */
const amount = fc.oneof(
  fc.integer({ min: 0, max: 4_000_000 }),
  fc.constantFrom(0, 127, 128, 16_383, 16_384, 2 ** 31, 2 ** 32, 2 ** 52, 2 ** 53 - 1, 2 ** 53, 1.728e16),
  fc.double({ min: 0, max: 1e6, noNaN: true }),
);
const op = fc.oneof(
  fc.record({ op: fc.constant('session' as const), list: fc.integer({ min: 0, max: 4 }), vendor: fc.integer({ min: 0, max: 3 }), length: amount, span: amount }),
  fc.record({ op: fc.constant('cause' as const), list: fc.integer({ min: 0, max: 4 }), vendor: fc.integer({ min: 0, max: 3 }), cause: fc.integer({ min: 0, max: 3 }), count: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -300, max: 300 })) }),
  fc.record({ op: fc.constantFrom('apply' as const, 'release' as const), list: fc.integer({ min: 0, max: 4 }) }),
);

const tallies = (): Tally[] => [0, 1, 2, 3].map(() => new Tally());
const figures = (t: Tally) => ({ sessions: t.sessions, total: t.total, spanTotal: t.spanTotal, causes: t.causes, histogram: t.histogram, lengths: t.lengths.buckets() });

describe('pending figures of undecided devices', () => {
  it('an applied list counts exactly what was added to it, oldest first; a released one nothing (lists interleaved, reused)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const pending = new PendingFigures(4);
        const got = tallies();
        const want = tallies();
        // Per device (0..4): its list, and what it holds, as the adds it stands for.
        const lists = [-1, -1, -1, -1, -1];
        const held: ((t: Tally[]) => void)[][] = [[], [], [], [], []];
        const settle = (i: number, apply: boolean): void => {
          if (apply) {
            pending.apply(lists[i]!, got);
            for (const add of held[i]!) add(want);
          } else pending.release(lists[i]!);
          lists[i] = -1;
          held[i] = [];
        };
        for (const o of ops) {
          if (o.op === 'session') {
            lists[o.list] = pending.session(lists[o.list]!, o.vendor, o.length, o.span);
            held[o.list]!.push((t) => t[o.vendor]!.add(o.length, o.span));
          } else if (o.op === 'cause') {
            lists[o.list] = pending.cause(lists[o.list]!, o.vendor, o.cause, o.count);
            held[o.list]!.push((t) => (t[o.vendor]!.causes[o.cause]! += o.count));
          } else settle(o.list, o.op === 'apply');
        }
        for (let i = 0; i < lists.length; i++) settle(i, true);
        expect(got.map(figures)).toStrictEqual(want.map(figures));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the blocks of a decided device to the next ones: memory follows the devices undecided at once, not all of them', () => {
    const pending = new PendingFigures(4);
    const blocks = (): number => (pending as unknown as { blocks: number }).blocks;
    const t = tallies();
    let peak = 0;
    for (let device = 0; device < 10_000; device++) {
      let mobile = -1;
      let web = -1;
      for (let s = 0; s < 20; s++) {
        mobile = pending.session(mobile, s % 4, 60_000 + s, 61_000 + s);
        web = pending.cause(web, s % 4, s % 4, 1);
      }
      pending.apply(web, t);
      pending.release(mobile);
      if (device === 0) peak = blocks();
    }
    expect(blocks()).toBe(peak);
    expect(t[0]!.causes[0]).toBe(10_000 * 5);
  });
});
