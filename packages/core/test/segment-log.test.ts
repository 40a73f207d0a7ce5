import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StorageAdapter } from '@sessionhub/core';
import { roundTripStorage, storedView } from '@sessionhub/testing';
import { SEGMENTS, SPILL_CHARS, segmentLog } from '../src/storage/segment-log';

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

/** A compaction of what `adapter` holds, killed after `killAfter` writes (the writes after those are lost). */
function compactKilledAfter(adapter: StorageAdapter, killAfter: number, spillChars?: number): void {
  let writes = 0;
  const dying: StorageAdapter = {
    getItem: adapter.getItem,
    setItem: (k, v) => void (writes++ < killAfter && adapter.setItem(k, v)),
    removeItem: (k) => void (writes++ < killAfter && adapter.removeItem(k)),
  };
  const compacting = segmentLog(dying, spillChars);
  compacting.getItem('ns:state');
  compacting.compact!();
}

// (One key percent-encoded in records: a space and a '%'.)
const keys = ['ns:state', 'ns:kit:a:outbox:meta', 'ns:kit:a:outbox:1', 'ns:kit:a:outbox:2', 'ns:kit:b:x', 'ns:kit:b:y %', 'ns:optOut'];
const write = fc.tuple(fc.constantFrom(...keys), fc.option(fc.string({ maxLength: 12 }), { nil: null, freq: 3 }));

describe('segment log', () => {
  it('reads back what every commit left, from a fresh instance, in a few segment keys — whatever the commits, and each record past the storage\'s inlineLimit', () => {
    fc.assert(
      fc.property(fc.array(fc.array(write, { minLength: 1, maxLength: 5 }), { maxLength: 60 }), fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 300 })), (commits, inlineLimit) => {
        const { map, adapter } = countingMap();
        Object.assign(adapter, { inlineLimit });
        const log = segmentLog(adapter);
        const model = new Map<string, string>();
        for (const writes of commits) {
          const last = new Map(writes);
          log.commit([...last]);
          for (const [k, v] of last) v === null ? model.delete(k) : model.set(k, v);
          // A relaunch (a fresh log over what is stored, with or without the limit) sees exactly the model.
          for (const fresh of [segmentLog(adapter), segmentLog({ ...adapter, inlineLimit: 0 })]) {
            for (const k of keys) expect(fresh.getItem(k)).toBe(model.get(k) ?? null);
          }
          // iOS's AsyncStorage: a record of more than inlineLimit characters is a file of its own, never a rewrite of its manifest.
          for (const [k, v] of map) if (k.includes(':seg:')) expect(v.length).toBeGreaterThan(inlineLimit);
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

  describe('spills: what an outage leaves in the segments is moved out once, not carried round again and again', () => {
    /** An outage's commits: each queues `items` new items and the state; from `deliverFrom` on, each delivers the oldest `deliver`. */
    function outage(spillChars: number, commits: number, deliverFrom = Infinity, deliver = 0) {
      const { map, ops, adapter } = countingMap();
      let written = 0;
      const counted: StorageAdapter = { ...adapter, setItem: (k, v) => void ((written += v.length), adapter.setItem(k, v)) };
      const log = segmentLog(counted, spillChars);
      const model = new Map<string, string>();
      let oldest = 0;
      let next = 0;
      for (let n = 0; n < commits; n++) {
        const writes: Array<[string, string | null]> = [];
        if (n >= deliverFrom) for (let i = 0; i < deliver && oldest < next; i++) writes.push([`ns:kit:a:outbox:${oldest++}`, null]);
        else for (let i = 0; i < 3; i++, next++) writes.push([`ns:kit:a:outbox:${next}`, `{"at":${n},"item":"${'x'.repeat(480)}${next}"}`]);
        writes.push(['ns:state', `{"clock":${n},"eventIndex":${n}}`]);
        log.commit(writes);
        for (const [k, v] of writes) v === null ? model.delete(k) : model.set(k, v);
      }
      return { map, ops, model, written, queued: next };
    }

    it('while nothing is delivered, each queued item is written a few times, not once every 16 commits; once delivered, every spill is gone', () => {
      const carried = outage(Infinity, 800);
      const spilled = outage(SPILL_CHARS, 800);
      // Measured (500-character items, 3 a commit): 13.4 KB written per item carried round (the queue's
      // 1/16 rewritten at every commit), 2.3 KB spilled; no write over ~9.5 KB (79 KB carried).
      expect(carried.written / carried.queued).toBeGreaterThan(10_000);
      expect(spilled.written / spilled.queued).toBeLessThan(3_000);
      expect(Math.max(...[...spilled.map.values()].map((v) => v.length))).toBeLessThan(2 * SPILL_CHARS);
      expect(Math.max(...[...carried.map.values()].map((v) => v.length))).toBeGreaterThan(50_000);
      expect(storedView(spilled.map)).toEqual(spilled.model);
      expect([...spilled.map.keys()].some((k) => k.startsWith('ns:spill:'))).toBe(true);
      const fresh = segmentLog(countingMap(spilled.map).adapter);
      for (const [k, v] of spilled.model) expect(fresh.getItem(k)).toBe(v);

      const recovered = outage(SPILL_CHARS, 1100, 800, 12);
      expect(recovered.model.size).toBe(1);
      expect(storedView(recovered.map)).toEqual(recovered.model);
      expect([...recovered.map.keys()].filter((k) => !/^ns:seg:\d+$/.test(k))).toEqual([]);
    });

    it.each([
      ['getItem and removeItem', false],
      ['multiGet and multiRemove: one call of the native module each time', true],
    ])('on an asynchronous storage (AsyncStorage-like), a launch reads the spills together, and a commit removes those delivered together: a few round trips, not one or two per spill; with %s', async (_name, multi) => {
      const storage = roundTripStorage(undefined, { multi });
      const log = segmentLog(storage);
      let next = 0;
      for (let n = 0; n < 300; n++) {
        const writes: Array<[string, string | null]> = [['ns:state', `{"clock":${n}}`]];
        for (let i = 0; i < 3; i++, next++) writes.unshift([`ns:kit:a:outbox:${next}`, `{"at":${n},"item":"${'x'.repeat(480)}${next}"}`]);
        await log.commit(writes);
      }
      const spills = [...storage.snapshot().keys()].filter((k) => k.startsWith('ns:spill:')).length;
      expect(spills).toBeGreaterThan(10);

      // A relaunch: the segments, then the spills they list, then what a kill may have left.
      const relaunched = roundTripStorage(storage.snapshot(), { multi });
      const fresh = segmentLog(relaunched);
      expect(await fresh.getItem('ns:kit:a:outbox:0')).toContain('"at":0,');
      expect(relaunched.roundTrips).toBeLessThanOrEqual(3);
      // A call per key read (16 segments, the spills, the keys a kill may have left), or one per round trip.
      if (multi) expect(relaunched.calls).toBe(relaunched.roundTrips);
      else expect(relaunched.calls).toBeGreaterThan(16 + spills);

      // Everything delivered in one commit: every spill goes, in a few round trips.
      relaunched.resetCounts();
      await fresh.commit([...Array.from({ length: next }, (_, i): [string, null] => [`ns:kit:a:outbox:${i}`, null]), ['ns:state', '{"clock":300}']]);
      expect(relaunched.roundTrips).toBeLessThanOrEqual(4);
      // The record, the spills read, then removed: three calls, or two per spill.
      if (multi) expect(relaunched.calls).toBeLessThanOrEqual(4);
      else expect(relaunched.calls).toBeGreaterThan(2 * spills);
      await fresh.commit([['ns:state', '{"clock":301}']]);
      expect([...relaunched.snapshot().keys()].filter((k) => !/^ns:seg:\d+$/.test(k))).toEqual([]);
      expect(storedView(relaunched.snapshot())).toEqual(new Map([['ns:state', '{"clock":301}']]));
    });

    it.each([
      ['localStorage-like (answers at once)', false, false],
      ['AsyncStorage-like (answers with promises: reads made together)', true, false],
      ['AsyncStorage (answers with promises; multiGet, multiRemove: a kill may fall between two of its keys)', true, true],
    ])('reads back what every commit left, and, killed after any write of a commit, what the commit before left — whatever the commits, compactions and freeing (spilling at every chance): %s', async (_name, async, multi) => {
      const items = Array.from({ length: 10 }, (_, i) => `ns:kit:a:outbox:${i}`);
      const all = ['ns:state', 'ns:kit:a:outbox:meta', ...items];
      const step = fc.tuple(fc.constantFrom(...all), fc.option(fc.string({ maxLength: 8 }), { nil: null, freq: 4 }));
      /** The storage over `map`: each write applied when called (a kill after it keeps it), its answer a promise when `async`. */
      const over = (map: Map<string, string>, written: () => void = () => {}): StorageAdapter => {
        const answer = <T>(v: T): T | Promise<T> => (async ? Promise.resolve(v) : v);
        const store: StorageAdapter = {
          getItem: (k) => answer(map.get(k) ?? null),
          setItem: (k, v) => answer(void (map.set(k, v), written())),
          removeItem: (k) => answer(void (map.delete(k), written())),
        };
        if (multi) {
          // In reverse: a native module need not answer in the order asked.
          store.multiGet = (keys) => answer(keys.map((k) => [k, map.get(k) ?? null] as const).reverse());
          store.multiRemove = (keys) => answer(void keys.forEach((k) => (map.delete(k), written())));
        }
        return store;
      };
      /** What a fresh log over (a copy of) `stored` reads back: a relaunch. */
      const readAll = async (stored: Map<string, string>, spillChars: number) => {
        const fresh = segmentLog(over(new Map(stored)), spillChars);
        const values = new Map<string, string>();
        for (const k of all) {
          const v = await fresh.getItem(k);
          if (v != null) values.set(k, v);
        }
        return values;
      };
      await fc.assert(
        fc.asyncProperty(fc.array(fc.array(step, { minLength: 1, maxLength: 4 }), { minLength: 20, maxLength: 90 }), fc.constantFrom(1, 30), fc.array(fc.nat({ max: 89 }), { maxLength: 4 }), fc.array(fc.nat({ max: 89 }), { maxLength: 4 }), async (commits, spillChars, compactAt, freeAt) => {
          const map = new Map<string, string>();
          // Every write, in order: a kill after any of them leaves the storage as it was then.
          const history: Array<Map<string, string>> = [];
          const log = segmentLog(over(map, () => history.push(new Map(map))), spillChars);
          let model = new Map<string, string>();
          for (const [n, writes] of commits.entries()) {
            // Rewriting what is stored (compaction at a deletion, freeing room when full: a synchronous
            // storage's) changes no value, whatever a kill leaves.
            for (const [at, rewrite] of [[compactAt, () => log.compact!()], [freeAt, () => (async ? undefined : log.free!([]))]] as const) {
              if (!at.includes(n)) continue;
              history.length = 0;
              await rewrite();
              for (const stored of history) expect(storedView(stored)).toEqual(model);
            }
            const before = model;
            model = new Map(model);
            const last = new Map(writes);
            for (const [k, v] of last) v === null ? model.delete(k) : model.set(k, v);
            history.length = 0;
            const start = new Map(map);
            await log.commit([...last]);
            // The record itself is the write that commits: before it, the storage reads as before.
            const record = history.findIndex((stored, i) => [...stored.keys()].some((k) => k.startsWith('ns:seg:') && stored.get(k) !== (history[i - 1] ?? start).get(k)));
            for (const [i, stored] of history.entries()) {
              const expected = record >= 0 && i >= record ? model : before;
              expect(await readAll(stored, spillChars)).toEqual(expected);
              expect(storedView(stored)).toEqual(expected);
            }
          }
          expect(await readAll(map, spillChars)).toEqual(model);
        }),
      );
    });

    it('a removal that hides a spilled value is written again as its segment comes round, for as long as the spill holds the value', () => {
      const { map, adapter } = countingMap();
      const log = segmentLog(adapter, 1);
      log.commit([['ns:kit:a:outbox:1', 'delivered soon'], ['ns:kit:a:outbox:2', 'queued long'], ['ns:state', 's0']]);
      for (let n = 1; n <= SEGMENTS; n++) log.commit([['ns:state', `s${n}`]]);
      // Both items were moved into a spill when their segment came round; one is delivered now.
      expect([...map.keys()]).toContain('ns:spill:0');
      log.commit([['ns:kit:a:outbox:1', null]]);
      for (let n = 0; n < 3 * SEGMENTS; n++) {
        log.commit([['ns:state', `t${n}`]]);
        const fresh = segmentLog(countingMap(map).adapter, 1);
        expect(fresh.getItem('ns:kit:a:outbox:1')).toBeNull();
        expect(fresh.getItem('ns:kit:a:outbox:2')).toBe('queued long');
      }
      // Once the spill holds no latest value, it goes, and so do the removals that hid it.
      log.commit([['ns:kit:a:outbox:2', null]]);
      log.commit([['ns:state', 'u']]);
      expect([...map.keys()].filter((k) => k.includes('spill'))).toEqual([]);
      expect(storedView(map)).toEqual(new Map([['ns:state', 'u']]));
    });

    it('on an asynchronous storage (AsyncStorage), spills are written, read back and removed alike', async () => {
      const map = new Map<string, string>();
      const later = <T>(f: () => T): Promise<T> => new Promise((done) => setImmediate(() => done(f())));
      const adapter: StorageAdapter = {
        getItem: (k) => later(() => map.get(k) ?? null),
        setItem: (k, v) => later(() => void map.set(k, v)),
        removeItem: (k) => later(() => void map.delete(k)),
      };
      const log = segmentLog(adapter, 1);
      const model = new Map<string, string>();
      for (let n = 0; n < 3 * SEGMENTS; n++) {
        const writes: Array<[string, string | null]> = [[`ns:kit:a:outbox:${n}`, `item ${n}`], ['ns:state', `s${n}`]];
        if (n % 4 === 3) writes.push([`ns:kit:a:outbox:${n - 3}`, null]);
        await log.commit(writes);
        for (const [k, v] of writes) v === null ? model.delete(k) : model.set(k, v);
      }
      expect([...map.keys()].some((k) => k.startsWith('ns:spill:'))).toBe(true);
      const fresh = segmentLog(adapter, 1);
      for (let n = 0; n < 3 * SEGMENTS; n++) expect(await fresh.getItem(`ns:kit:a:outbox:${n}`)).toBe(model.get(`ns:kit:a:outbox:${n}`) ?? null);
      expect(storedView(map)).toEqual(model);
      // Delivered, the spills go.
      const removals: Array<[string, null]> = [...model.keys()].filter((k) => k.includes('outbox')).map((k) => [k, null]);
      await fresh.commit(removals);
      await fresh.commit([['ns:state', 'done']]);
      expect([...map.keys()].filter((k) => !k.startsWith('ns:seg:'))).toEqual([]);
      expect(storedView(map)).toEqual(new Map([['ns:state', 'done']]));
    });

    it('a kill between a spill and the record that lists it leaves a spill nothing reads; the next launch removes it', () => {
      const { map, adapter } = countingMap();
      const log = segmentLog(adapter, 1);
      for (let n = 0; n < SEGMENTS; n++) log.commit([[`ns:kit:a:outbox:${n}`, `item ${n}`], ['ns:state', `s${n}`]]);
      // The next commit overwrites segment 0, whose item is still queued: it spills it first. Killed there:
      let kill = false;
      const dying: StorageAdapter = { ...adapter, setItem: (k, v) => void (kill || (adapter.setItem(k, v), (kill = k.startsWith('ns:spill:')))) };
      const before = new Map(map);
      segmentLog(dying, 1).commit([['ns:kit:a:outbox:16', 'item 16'], ['ns:state', 's16']]);
      expect([...map.keys()].filter((k) => !before.has(k))).toEqual(['ns:spill:0']);
      expect(storedView(map)).toEqual(storedView(before));
      const relaunched = segmentLog(adapter, 1);
      expect(relaunched.getItem('ns:kit:a:outbox:0')).toBe('item 0');
      expect(map.has('ns:spill:0')).toBe(false);
      void log;
    });
  });

  it('compaction killed after any of its writes during an outage: the next launch removes every spill it left (they hold deleted data)', () => {
    for (let killAfter = 0; killAfter <= 30; killAfter++) {
      const { map, adapter } = countingMap();
      const log = segmentLog(adapter, 1);
      // Two kits queue while the network is down: everything spills.
      for (let n = 0; n < 40; n++) log.commit([[`ns:kit:a:outbox:${n}`, `item ${n}`], [`ns:kit:b:outbox:${n}`, `item ${n}`], ['ns:state', `s${n}`]]);
      // Kit a's data is deleted; kit b's queue stays, so spills holding both stay too.
      log.commit(Array.from({ length: 40 }, (_, n): [string, null] => [`ns:kit:a:outbox:${n}`, null]));
      const spills = (): string[] => [...map.keys()].filter((k) => k.startsWith('ns:spill:'));
      expect(spills().length).toBeGreaterThan(10);
      const model = storedView(map);
      compactKilledAfter(adapter, killAfter, 1);
      // The next launch: before the compacted record (killed at once), the spills are the queue's; after it, none is left.
      const relaunched = segmentLog(adapter, 1);
      expect(relaunched.getItem('ns:kit:b:outbox:39')).toBe('item 39');
      expect(relaunched.getItem('ns:kit:a:outbox:0')).toBeNull();
      expect(storedView(map)).toEqual(model);
      if (killAfter > 0) expect(spills()).toEqual([]);
    }
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
      compactKilledAfter(adapter, killAfter);
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
