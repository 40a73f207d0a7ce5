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

describe.each([
  ['getItem', false],
  ['multiGet', true],
])('segment log on an asynchronous storage: reads while a commit is under way (%s)', (_name, multi) => {
  it('a read of a value being moved into a spill, made while the record that leaves it out is being written, answers the value (not null)', async () => {
    const s = heldStorage(undefined, multi);
    const log = segmentLog(s.adapter, 1);
    // Segment 0 holds an item still queued; the next 15 commits fill the others.
    let done = log.commit([['ns:kit:a:outbox:0', 'item 0'], ['ns:state', 's0']]);
    await s.drain();
    await done;
    for (let n = 1; n < SEGMENTS; n++) {
      done = log.commit([['ns:state', `s${n}`]]);
      await s.drain();
      await done;
    }
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
    let done = log.commit([['ns:kit:a:outbox:0', 'item 0'], ['ns:state', 's0']]);
    await s.drain();
    await done;
    for (let n = 1; n < SEGMENTS; n++) {
      done = log.commit([['ns:state', `s${n}`]]);
      await s.drain();
      await done;
    }
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
    done = log.commit([['ns:kit:a:outbox:1', 'item 1'], ['ns:state', 's16']]);
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
});
