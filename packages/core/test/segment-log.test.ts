import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StorageAdapter } from '@sessionhub/core';
import { storedView } from '@sessionhub/testing';
import { SEGMENTS, segmentLog } from '../src/storage/segment-log';

/** A localStorage-like map that counts write operations. */
function countingMap(initial?: Iterable<[string, string]>) {
  const map = new Map<string, string>(initial);
  const ops = { sets: 0, removes: 0 };
  const adapter: StorageAdapter = {
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void (ops.sets++, map.set(k, v)),
    removeItem: (k) => void (ops.removes++, map.delete(k)),
  };
  return { map, ops, adapter };
}

// (One key percent-encoded in records: a space and a '%'.)
const keys = ['ns:state', 'ns:kit:a:outbox:meta', 'ns:kit:a:outbox:1', 'ns:kit:a:outbox:2', 'ns:kit:b:x', 'ns:kit:b:y %', 'ns:optOut'];
const write = fc.tuple(fc.constantFrom(...keys), fc.option(fc.string({ maxLength: 12 }), { nil: null, freq: 3 }));

describe('segment log', () => {
  it('reads back what every commit left, from a fresh instance, in a few segment keys — whatever the commits', () => {
    fc.assert(
      fc.property(fc.array(fc.array(write, { minLength: 1, maxLength: 5 }), { maxLength: 60 }), (commits) => {
        const { map, adapter } = countingMap();
        const log = segmentLog(adapter);
        const model = new Map<string, string>();
        for (const writes of commits) {
          const last = new Map(writes);
          log.commit([...last]);
          for (const [k, v] of last) v === null ? model.delete(k) : model.set(k, v);
          // A relaunch (a fresh log over what is stored) sees exactly the model.
          const fresh = segmentLog(adapter);
          for (const k of keys) expect(fresh.getItem(k)).toBe(model.get(k) ?? null);
        }
        expect(storedView(map)).toEqual(model);
        expect([...map.keys()].filter((k) => k !== 'ns:optOut').length).toBeLessThanOrEqual(SEGMENTS);
      }),
    );
  });

  it('writes a value written again as a patch of the last; a fresh instance and storedView read every value back, whatever the commits (issue 14)', () => {
    fc.assert(
      // Past two rounds of the segments: the segment holding the state's whole value comes round, so
      // older segments keep patches whose chain starts in the record it overwrote.
      fc.property(fc.array(fc.tuple(fc.nat({ max: 3 }), fc.boolean(), fc.boolean()), { minLength: 2 * SEGMENTS + 1, maxLength: 3 * SEGMENTS + 5 }), (steps) => {
        const { map, adapter } = countingMap();
        const log = segmentLog(adapter);
        const model = new Map<string, string>();
        const used = new Set<string>(['ns:state']);
        let t = 1_764_900_000_000;
        steps.forEach(([moved, item, drop], n) => {
          t += 1000 * (moved + 1);
          const writes: Array<[string, string | null]> = [];
          if (drop) writes.push([`ns:kit:a:outbox:${n - 2}`, null]);
          if (item) writes.push([`ns:kit:a:outbox:${n}`, `{"at":${t},"item":{"n":${n}}}`]);
          // As the hub's state changes from event to event: a few numbers move on.
          writes.push(['ns:state', JSON.stringify({ deviceId: 'device-1', clock: t, session: { lastActivity: t, eventIndex: n, moved }, previous: null })]);
          log.commit(writes);
          for (const [k, v] of writes) used.add(k), v === null ? model.delete(k) : model.set(k, v);
          const fresh = segmentLog(adapter);
          for (const k of used) {
            expect(log.getItem(k)).toBe(model.get(k) ?? null);
            expect(fresh.getItem(k)).toBe(model.get(k) ?? null);
          }
          expect(storedView(map)).toEqual(model);
        });
        expect([...map.values()].some((record) => record.includes('~state '))).toBe(true);
      }),
    );
  });

  it('reads the segments the previous version wrote (every value whole), and writes the next value as a patch of them', () => {
    const state0 = '{"deviceId":"device-1","clock":1764900000000,"session":{"lastActivity":1764900000000,"eventIndex":3}}';
    const item = '{"at":1764900000000,"item":{"n":1}}';
    const { map, adapter } = countingMap([
      ['ns:seg:0', `0\n+kit:a:outbox:1 ${item.length}\n${item}`],
      ['ns:seg:1', `1\n+state ${state0.length}\n${state0}`],
    ]);
    const log = segmentLog(adapter);
    expect(log.getItem('ns:state')).toBe(state0);
    const state1 = state0.replace(/1764900000000/g, '1764900001000').replace('"eventIndex":3', '"eventIndex":4');
    log.commit([['ns:state', state1]]);
    // Known from the previous version's record, the state is not known to have been written twice: whole once more …
    expect(map.get('ns:seg:2')).toBe(`2\n+state ${state1.length}\n${state1}`);
    const state2 = state1.replace(/1764900001000/g, '1764900002000').replace('"eventIndex":4', '"eventIndex":5');
    log.commit([['ns:state', state2]]);
    // … then a patch.
    expect(map.get('ns:seg:3')).toBe('3\n~state 25\n1.h.2000,2.z.2000,3.d.5}}');
    const fresh = segmentLog(adapter);
    expect(fresh.getItem('ns:state')).toBe(state2);
    expect(fresh.getItem('ns:kit:a:outbox:1')).toBe(item);
    expect(storedView(map)).toEqual(new Map([['ns:kit:a:outbox:1', item], ['ns:state', state2]]));
  });

  it('a commit is one setItem, however many keys it sets or removes', () => {
    const { ops, adapter } = countingMap();
    const log = segmentLog(adapter);
    log.commit([['ns:kit:a:outbox:1', 'x'], ['ns:kit:b:outbox:1', 'y'], ['ns:state', 's1']]);
    log.commit([['ns:kit:a:outbox:1', null], ['ns:kit:b:outbox:1', null], ['ns:kit:a:outbox:2', 'z'], ['ns:state', 's2']]);
    expect(ops).toEqual({ sets: 2, removes: 0 });
  });

  it('reads what earlier versions stored one key each, and removes those keys once it holds their newer value', () => {
    const { map, adapter } = countingMap([
      ['ns:state', 'old state'],
      ['ns:kit:a:outbox:1', 'item 1'],
      ['ns:kit:a:outbox:2', 'item 2'],
    ]);
    const log = segmentLog(adapter);
    expect(log.getItem('ns:state')).toBe('old state');
    expect(log.getItem('ns:kit:a:outbox:1')).toBe('item 1');
    expect(log.getItem('ns:kit:a:outbox:2')).toBe('item 2');
    log.commit([['ns:kit:a:outbox:1', null], ['ns:state', 'new state']]);
    expect(map.has('ns:state')).toBe(false);
    expect(map.has('ns:kit:a:outbox:1')).toBe(false);
    const fresh = segmentLog(adapter);
    expect(fresh.getItem('ns:state')).toBe('new state');
    expect(fresh.getItem('ns:kit:a:outbox:1')).toBeNull();
    expect(fresh.getItem('ns:kit:a:outbox:2')).toBe('item 2');
  });

  it('a value still live when its segment comes round again is carried into the new record', () => {
    const { adapter } = countingMap();
    const log = segmentLog(adapter);
    log.commit([['ns:kit:a:outbox:1', 'undelivered']]);
    for (let i = 0; i < 3 * SEGMENTS; i++) log.commit([['ns:state', `s${i}`]]);
    expect(segmentLog(adapter).getItem('ns:kit:a:outbox:1')).toBe('undelivered');
  });

  it('compaction leaves nothing removed in storage', () => {
    const { map, adapter } = countingMap();
    const log = segmentLog(adapter);
    log.getItem('ns:state');
    log.commit([['ns:kit:a:user', 'user-1'], ['ns:state', 's1']]);
    log.commit([['ns:state', 's2']]);
    log.commit([['ns:kit:a:user', null]]);
    expect([...map.values()].some((v) => v.includes('user-1'))).toBe(true);
    log.compact!();
    expect([...map.values()].some((v) => v.includes('user-1'))).toBe(false);
    expect(storedView(map)).toEqual(new Map([['ns:state', 's2']]));
  });

  it('compaction killed after any of its writes leaves nothing deleted showing through', () => {
    for (let killAfter = 1; killAfter <= SEGMENTS + 1; killAfter++) {
      const { map, adapter } = countingMap();
      const log = segmentLog(adapter);
      // A value in a late segment, its removal in an earlier one (the ring came round between them).
      for (let n = 0; n < 11; n++) log.commit([['ns:state', `s${n}`]]);
      log.commit([['ns:kit:a:user', 'user-1']]);
      for (let n = 0; n < 4; n++) log.commit([['ns:state', `t${n}`]]);
      log.commit([['ns:kit:a:user', null]]);
      const model = storedView(map);
      let writes = 0;
      const dying: StorageAdapter = {
        getItem: adapter.getItem,
        setItem: (k, v) => void (writes++ < killAfter && adapter.setItem(k, v)),
        removeItem: (k) => void (writes++ < killAfter && adapter.removeItem(k)),
      };
      const compacting = segmentLog(dying);
      compacting.getItem('ns:state');
      compacting.compact!();
      expect(storedView(map)).toEqual(model);
      expect(segmentLog(adapter).getItem('ns:kit:a:user')).toBeNull();
    }
  });

  it('on an asynchronous storage, a commit that comes while one is under way follows it, and fails with it', async () => {
    const map = new Map<string, string>();
    const pending: Array<[string, string, () => void, (e: Error) => void]> = [];
    const adapter: StorageAdapter = {
      getItem: async (k) => map.get(k) ?? null,
      setItem: (k, v) => new Promise<void>((resolve, reject) => void pending.push([k, v, resolve, reject])),
      removeItem: async (k) => void map.delete(k),
    };
    const settle = async (ok: boolean) => {
      while (!pending.length) await new Promise((r) => setImmediate(r));
      const [k, v, resolve, reject] = pending.shift()!;
      ok ? (map.set(k, v), resolve()) : reject(new Error('QuotaExceededError'));
    };
    const log = segmentLog(adapter);
    const first = log.commit([['ns:kit:a:outbox:1', 'x']]);
    const second = log.commit([['ns:state', 'b']]);
    await settle(false);
    await expect(first).rejects.toThrow('QuotaExceededError');
    // Its writes were to come first: the second must not land without them.
    await expect(second).rejects.toThrow('QuotaExceededError');
    expect(pending).toEqual([]);
    const retry = log.commit([['ns:kit:a:outbox:1', 'x'], ['ns:state', 'b']]);
    await settle(true);
    await retry;
    const fresh = segmentLog(adapter);
    expect([await fresh.getItem('ns:state'), await fresh.getItem('ns:kit:a:outbox:1')]).toEqual(['b', 'x']);
  });
});
