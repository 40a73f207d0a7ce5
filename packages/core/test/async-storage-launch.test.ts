import { describe, expect, it } from 'vitest';
import { createHub, silentLogger, type SessionHub } from '@sessionhub/core';
import { manualClock, recordingLogger, roundTripStorage, type ManualClock, type RoundTripStorage } from '@sessionhub/testing';
import { outboxKit } from './kill-harness';

/**
 * A launch on an asynchronous storage (AsyncStorage over React Native's bridge) waits for each round
 * trip it makes after another's answer: the hub's records, then each kit's queue. These tests count
 * them, and the reads of each key, on a store that answers the calls made together in one round trip.
 */
const KITS = ['a', 'b', 'c'] as const;
const answering = (status: number) => (): Promise<{ status: number }> => Promise.resolve({ status });
/** Lets the store answer everything under way (a few round trips). */
const idle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
};

/** A hub with three kits whose collector answers `status` (down by default); `start()` counted from a fresh count. */
async function launch(storage: RoundTripStorage, clock: ManualClock, status = 503): Promise<SessionHub> {
  const hub = createHub({ storage, clock: clock.now, logger: silentLogger, kits: KITS.map((name) => outboxKit(name, answering(status))) });
  storage.resetCounts();
  await hub.start();
  return hub;
}

/** Items each kit holds queued, as its health reports them. */
const queued = (hub: SessionHub): number[] => KITS.map((name) => hub.getKitHealth()[name]?.delivery?.queued ?? -1);

/** Reads of the segment keys. */
const segmentReads = (storage: RoundTripStorage): number => [...storage.reads].reduce((sum, [key, n]) => sum + (key.includes(':seg:') ? n : 0), 0);

/**
 * With `multiGet` and `multiRemove` (AsyncStorage has them), each round trip is one call of the
 * native module (one query, run after the others on its queue); with `getItem` alone, one call per key.
 */
const calls = (storage: RoundTripStorage, multi: boolean): void => {
  if (multi) expect(storage.calls).toBe(storage.roundTrips);
  else expect(storage.calls).toBeGreaterThan(2 * storage.roundTrips);
};

describe.each([
  ['getItem, setItem, removeItem', false],
  ['multiGet and multiRemove too, as AsyncStorage', true],
])('a launch on an asynchronous storage (AsyncStorage-like) with %s', (_name, multi) => {
  it('a first launch: a handful of round trips', async () => {
    const storage = roundTripStorage(undefined, { multi });
    const hub = await launch(storage, manualClock());
    // The opt-out key, the segments (together), the kits' keys, their queues' indexes, the launch's commit.
    expect(storage.roundTrips).toBeLessThanOrEqual(6);
    expect(segmentReads(storage)).toBe(16);
    calls(storage, multi);
    await hub.shutdown();
  });

  it('a relaunch with queues in every segment: the segments in one round trip, read once each, the items found in them', async () => {
    const clock = manualClock();
    const before = roundTripStorage(undefined, { multi });
    const first = await launch(before, clock);
    // Offline: every item stays queued, spread over every segment key (one record per burst).
    for (let n = 0; n < 40; n++) {
      clock.advance(1000);
      first.logEvent(`e${n}`);
      await idle();
    }
    await first.flush();
    await idle();
    const held = queued(first);
    expect(held.every((n) => n > 40)).toBe(true);
    const keys = [...before.snapshot().keys()];
    expect(keys.filter((k) => k.includes(':seg:'))).toHaveLength(16);

    // The app is killed; the next launch reads what the store holds.
    const after = roundTripStorage(before.snapshot(), { multi });
    const second = await launch(after, clock);
    // Everything queued is still there, with the recovered session's end and the new session's start.
    expect(queued(second)).toEqual(held.map((n) => n + 2));
    // Each once, and again the one the launch's commit overwrites (its items are carried into the new record).
    expect(segmentReads(after)).toBe(17);
    // Segments and spills together, the kits' keys, the indexes, the recovered session's commit.
    expect(after.roundTrips).toBeLessThanOrEqual(8);
    calls(after, multi);
    await second.shutdown();
  });

  it('a relaunch after everything was delivered: the removals the records hold are looked for in one round trip, not one each', async () => {
    const clock = manualClock();
    const before = roundTripStorage(undefined, { multi });
    const first = await launch(before, clock, 200);
    for (let n = 0; n < 40; n++) {
      clock.advance(1000);
      first.logEvent(`e${n}`);
      // Each burst sent and removed on its own.
      await first.flush();
      await idle();
    }
    expect(queued(first)).toEqual([0, 0, 0]);
    const after = roundTripStorage(before.snapshot(), { multi });
    const second = await launch(after, clock, 200);
    // The records hold the removals of the items delivered lately: each key is looked for (the layout of
    // earlier versions, one key per item, may still hold it after a kill), all in one round trip.
    const looked = [...after.reads.keys()].filter((k) => k.includes(':outbox:') && !k.endsWith(':meta'));
    expect(looked.length).toBeGreaterThan(20);
    expect(after.roundTrips).toBeLessThanOrEqual(6);
    calls(after, multi);
    await second.shutdown();
  });
});

describe('AsyncStorage failing', () => {
  it('a multiRemove that rejects with an array of errors, as AsyncStorage does: the warning names the error, the launch goes on', async () => {
    const clock = manualClock();
    const before = roundTripStorage(undefined, { multi: true });
    const first = await launch(before, clock, 200);
    clock.advance(1000);
    first.logEvent('e');
    await first.flush();
    await idle();
    // A kill left an item's key of the one-key-per-item layout behind, which the records say was removed.
    const stored = before.snapshot();
    const removed = [...stored.values()].flatMap((record) => [...record.matchAll(/^-(kit:a:outbox:\d+)$/gm)].map((m) => m[1]!));
    expect(removed.length).toBeGreaterThan(0);
    stored.set(`sessionhub:${removed[0]}`, '{"t":"event","id":"left over"}');
    const after = roundTripStorage(stored, { multi: true });
    // AsyncStorage's multiRemove rejects with the array its native module answered.
    after.multiRemove = () => Promise.reject([Object.assign(new Error('database or disk is full'), { key: removed[0] })]);
    const logger = recordingLogger();
    const second = createHub({ storage: after, clock: clock.now, logger, kits: KITS.map((name) => outboxKit(name, answering(200))) });
    await second.start();
    expect(second.getSession()).not.toBeNull();
    expect(logger.at('warn').join('\n')).toMatch(/Error: database or disk is full/);
    expect(logger.at('warn').join('\n')).not.toMatch(/an array/);
    await second.shutdown();
    await first.shutdown();
  });
});
