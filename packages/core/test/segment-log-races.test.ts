import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StorageAdapter } from '@sessionhub/core';
import { storedView } from '@sessionhub/testing';
import { SEGMENTS, segmentLog } from '../src/storage/segment-log';

/** One call the storage has not answered yet. */
interface Call {
  readonly method: string;
  readonly key: string;
  /** Answers the call (applied to the map already). */
  answer(): void;
}

/**
 * An asynchronous storage that applies each call at once, in call order (as AsyncStorage's serial
 * native module runs them one after another), and answers it only when the test says, in whatever
 * order the test chooses: the continuations of the segment log then run in that order.
 */
function heldStorage(map = new Map<string, string>(), multi = false) {
  const calls: Call[] = [];
  /** Makes the next call of `method` on `key` fail (not applied, answered with an error). */
  const failing: Array<[string, string]> = [];
  const held = <T>(method: string, key: string, run: () => T): Promise<T> => {
    const f = failing.findIndex(([m, k]) => m === method && k === key);
    if (f >= 0) {
      failing.splice(f, 1);
      return new Promise<T>((_, reject) => void calls.push({ method, key, answer: () => reject(new Error('database or disk is full')) }));
    }
    const result = run();
    return new Promise<T>((resolve) => void calls.push({ method, key, answer: () => resolve(result) }));
  };
  const adapter: StorageAdapter = {
    getItem: (k) => held('getItem', k, () => map.get(k) ?? null),
    setItem: (k, v) => held('setItem', k, () => void map.set(k, v)),
    removeItem: (k) => held('removeItem', k, () => void map.delete(k)),
  };
  if (multi) {
    adapter.multiGet = (keys) => held('multiGet', keys.join(' '), () => keys.map((k) => [k, map.get(k) ?? null] as const));
    adapter.multiRemove = (keys) => held('multiRemove', keys.join(' '), () => void keys.forEach((k) => map.delete(k)));
  }
  /** Lets the answered calls' continuations run (they may make new calls). */
  const turn = async (): Promise<void> => {
    await new Promise((r) => setImmediate(r));
  };
  return {
    map,
    adapter,
    calls,
    failing,
    turn,
    /** Answers the `i`th call waiting (0: the oldest), then lets its continuation run. */
    async answer(i = 0): Promise<void> {
      calls.splice(i, 1)[0]!.answer();
      await turn();
    },
    /** Answers in call order until `until` holds of the oldest call waiting (or none is left). */
    async until(until: (call: Call) => boolean): Promise<void> {
      await turn();
      while (calls[0] && !until(calls[0])) await this.answer();
    },
    /** Answers everything, in call order, until nothing waits. */
    async drain(): Promise<void> {
      await this.until(() => false);
    },
  };
}

/**
 * Segment 0 holds kit a's item still queued (`ns:kit:a:outbox:0` = `item`), then 15 commits of the
 * state fill the others: the next commit overwrites segment 0.
 */
async function fillSegments(s: ReturnType<typeof heldStorage>, log: ReturnType<typeof segmentLog>, item: string): Promise<void> {
  for (let n = 0; n < SEGMENTS; n++) {
    const done = log.commit(n ? [['ns:state', `s${n}`]] : [['ns:kit:a:outbox:0', item], ['ns:state', 's0']]);
    await s.drain();
    await done;
  }
}

describe.each([
  ['getItem', false],
  ['multiGet', true],
])('segment log on an asynchronous storage: reads while a commit is under way (%s)', (_name, multi) => {
  it('a read of a value being moved into a spill, made while the record that leaves it out is being written, answers the value (not null)', async () => {
    const s = heldStorage(undefined, multi);
    const log = segmentLog(s.adapter, 1);
    await fillSegments(s, log, 'item 0');
    // Commit 16 overwrites segment 0: the item is spilled, then the record written without it.
    const commit = log.commit([['ns:state', 's16']]);
    await s.until((c) => c.method === 'setItem' && c.key === 'ns:seg:0');
    expect(s.map.has('ns:spill:0')).toBe(true);
    // The item's outbox reads it now (a kit registered late loads its queue).
    const read = log.getItem('ns:kit:a:outbox:0');
    await s.drain();
    await commit;
    expect(await read).toBe('item 0');
    const again = log.getItem('ns:kit:a:outbox:0');
    await s.drain();
    expect(await again).toBe('item 0');
  });

  it('a commit whose record fails to be written after its spill was: its values read back meanwhile, after its retry, and at a relaunch from either', async () => {
    const s = heldStorage(undefined, multi);
    const log = segmentLog(s.adapter, 1);
    await fillSegments(s, log, 'item 0');
    const read = async (l: ReturnType<typeof segmentLog>, key: string) => {
      const v = l.getItem(key);
      await s.drain();
      return v;
    };
    // Commit 16 spills the item, then fails to write its record (AsyncStorage's database full).
    s.failing.push(['setItem', 'ns:seg:0']);
    const failed = Promise.resolve(log.commit([['ns:kit:a:outbox:1', 'item 1'], ['ns:state', 's16']]));
    failed.catch(() => {});
    await s.drain();
    await expect(failed).rejects.toThrow('database or disk is full');
    expect(s.map.has('ns:spill:0')).toBe(true);
    expect(await read(log, 'ns:kit:a:outbox:0')).toBe('item 0');
    expect(await read(log, 'ns:kit:a:outbox:1')).toBeNull();
    // Killed now: the next launch reads the item from the segment it is still in, and removes the spill no record lists.
    const killed = new Map(s.map);
    const relaunched = heldStorage(killed, multi);
    const fresh = segmentLog(relaunched.adapter, 1);
    const early = fresh.getItem('ns:kit:a:outbox:0');
    await relaunched.drain();
    expect(await early).toBe('item 0');
    expect(killed.has('ns:spill:0')).toBe(false);
    // Retried (the commit pipeline does), it lands; everything reads back, then and at a relaunch.
    let done = log.commit([['ns:kit:a:outbox:1', 'item 1'], ['ns:state', 's16']]);
    await s.drain();
    await done;
    const model = new Map([['ns:kit:a:outbox:0', 'item 0'], ['ns:kit:a:outbox:1', 'item 1'], ['ns:state', 's16']]);
    for (const [k, v] of model) expect(await read(log, k)).toBe(v);
    expect(storedView(s.map)).toEqual(model);
    const after = heldStorage(new Map(s.map), multi);
    const next = segmentLog(after.adapter, 1);
    for (const [k, v] of model) {
      const p = next.getItem(k);
      await after.drain();
      expect(await p).toBe(v);
    }
    // And it goes on: 2 rounds of the segments more, the item still read back.
    for (let n = 17; n < 17 + 2 * SEGMENTS; n++) {
      done = log.commit([['ns:state', `s${n}`]]);
      await s.drain();
      await done;
      expect(await read(log, 'ns:kit:a:outbox:0')).toBe('item 0');
    }
  });

  it.each([
    ['in call order, in one batch (a native module answering a round trip)', false],
    ['the commit first', true],
  ])('a segment read made just before a commit overwrites that segment, answered with the commit (%s), caches no stale record: what the commit wrote reads back', async (_order, commitFirst) => {
    const s = heldStorage(undefined, multi);
    const log = segmentLog(s.adapter);
    await fillSegments(s, log, 'a0');
    // Commit 16 overwrites segment 0 (kit a's item carried into it), adding kit b's first item.
    const commit = log.commit([['ns:kit:b:outbox:0', 'b0'], ['ns:state', 's16']]);
    // It reads segment 0 (the values to carry); as that answer comes, kit a's item is read (segment 0 as it was) …
    await s.until((c) => c.key === 'ns:seg:0');
    s.calls.shift()!.answer();
    const read = log.getItem('ns:kit:a:outbox:0');
    await s.turn();
    // … and the commit writes segment 0 after that read: both answered in the same turn.
    expect(s.calls.map((c) => c.method + ' ' + c.key)).toEqual([`${multi ? 'multiGet' : 'getItem'} ns:seg:0`, 'setItem ns:seg:0']);
    for (const c of commitFirst ? s.calls.splice(0).reverse() : s.calls.splice(0)) c.answer();
    await s.drain();
    await commit;
    expect(await read).toBe('a0');
    // Kit b's item, committed before this read began, reads back.
    const after = log.getItem('ns:kit:b:outbox:0');
    await s.drain();
    expect(await after).toBe('b0');
  });

  it('every read answers the value of the last commit done before it began, or of one under way — whatever the interleaving of commits, compactions and reads, and the order of the storage\'s answers', async () => {
    // Shaped as outboxes are: items written once each (queued), removed once (delivered), the state and an index written again and again.
    const action = fc.oneof(
      { weight: 6, arbitrary: fc.record({ queue: fc.nat({ max: 3 }), deliver: fc.array(fc.nat(), { maxLength: 1 }), state: fc.boolean() }) },
      { weight: 1, arbitrary: fc.record({ compact: fc.constant(true) }) },
      { weight: 4, arbitrary: fc.record({ read: fc.nat() }) },
      { weight: 8, arbitrary: fc.record({ answer: fc.nat() }) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 100, maxLength: 400 }), fc.constantFrom(1, 30, 200), async (actions, spillChars) => {
        const s = heldStorage(undefined, multi);
        const log = segmentLog(s.adapter, spillChars);
        /** The values after each commit (0: none yet). */
        const models: Array<Map<string, string>> = [new Map()];
        const used = ['ns:state', 'ns:kit:a:outbox:meta'];
        let next = 0;
        let finished = 0;
        const settling: Array<Promise<unknown>> = [];
        const reads: Array<Promise<void>> = [];
        const wrong: string[] = [];
        for (const a of actions) {
          if ('queue' in a || 'compact' in a) {
            const model = new Map(models[models.length - 1]);
            const writes: Array<[string, string | null]> = [];
            if ('queue' in a) {
              const queued = [...model.keys()].filter((k) => /outbox:\d/.test(k));
              for (const d of new Set(a.deliver)) if (queued.length) writes.push([queued.splice(d % queued.length, 1)[0]!, null]);
              for (let i = 0; i < a.queue; i++, next++) used.push(`ns:kit:a:outbox:${next}`), writes.push([`ns:kit:a:outbox:${next}`, `item ${next} ${'x'.repeat(next % 7)}`]);
              if (writes.length) writes.push(['ns:kit:a:outbox:meta', `{"head":${next - queued.length},"tail":${next}}`]);
              if (a.state || !writes.length) writes.push(['ns:state', `state ${models.length}`]);
              for (const [k, v] of writes) v === null ? model.delete(k) : model.set(k, v);
            }
            const n = models.push(model) - 1;
            const p = Promise.resolve('queue' in a ? log.commit(writes) : log.compact!());
            settling.push(p.then(() => void (finished = Math.max(finished, n))));
          } else if ('read' in a) {
            const from = finished;
            // Mostly the items queued longest (those a commit spills) or last (in the record just written), as an outbox's load reads them.
            const queued = [...models[models.length - 1]!.keys()].filter((k) => /outbox:\d/.test(k));
            const pick = a.read % 3;
            const key = pick < 2 && queued.length ? (pick ? queued[queued.length - 1]! : queued[(a.read >> 2) % Math.min(2, queued.length)]!) : used[a.read % used.length]!;
            reads.push(
              Promise.resolve(log.getItem(key)).then((v) => {
                // Done before it began, or under way (begun before it ended).
                const allowed = models.slice(from, models.length).map((m) => m.get(key) ?? null);
                if (!allowed.includes(v ?? null)) wrong.push(`${key}: ${v} (after commit ${from}: ${allowed[0]})`);
              }),
            );
          } else if (s.calls.length) await s.answer(a.answer % s.calls.length);
        }
        await s.drain();
        await Promise.all([...settling, ...reads]);
        expect(wrong).toEqual([]);
        expect(storedView(s.map)).toEqual(models[models.length - 1]);
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  it('a read of a key stored one per key by an earlier version, answered after a commit wrote the key, does not bring the old value back', async () => {
    const s = heldStorage(new Map([['ns:kit:a:outbox:meta', 'old index']]), multi);
    const log = segmentLog(s.adapter);
    // The launch loads the segments (none), then the read looks for the key as earlier versions stored it.
    const read = log.getItem('ns:kit:a:outbox:meta');
    await s.until((c) => c.key === 'ns:kit:a:outbox:meta');
    // A commit writes the key while that read's answer is on its way.
    const commit = log.commit([['ns:kit:a:outbox:meta', 'new index']]);
    await s.until((c) => c.key === 'ns:kit:a:outbox:meta');
    s.calls.push(s.calls.shift()!);
    await s.drain();
    await commit;
    expect(await read).toBe('old index');
    // The next commit must not write the old value back over the new one.
    const next = log.commit([['ns:state', 's1']]);
    await s.drain();
    await next;
    const fresh = heldStorage(new Map(s.map), multi);
    const again = segmentLog(fresh.adapter).getItem('ns:kit:a:outbox:meta');
    await fresh.drain();
    expect(await again).toBe('new index');
  });
});
