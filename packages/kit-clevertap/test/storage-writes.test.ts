/**
 * What the kit costs storage, counted as the bench counts it (bench/src/memory/storage-ops.ts): on a
 * localStorage-like store one operation is one setItem / removeItem; on an AsyncStorage-like one a
 * multiSet / multiRemove is one. The kit's ledger (session ids) joins the commit of the burst that
 * changed it, before the hub's state, and is not written when it did not change.
 */
import { createHub, silentLogger, type SessionHub, type StorageAdapter } from '@sessionhub/core';
import { clevertapKit } from '@sessionhub/kit-clevertap';
import { manualClock, manualLifecycle, type ManualClock, type ManualLifecycle } from '@sessionhub/testing';
import { describe, expect, it } from 'vitest';
import { ACCOUNT, NO_TIMERS, settle, T0 } from './harness';

/** Write operations, and the values they wrote (segment records: each names the keys it holds). */
interface Meter {
  ops: number;
  readonly written: string[];
}

function keyByKey(m: Meter): StorageAdapter {
  const inner = new Map<string, string>();
  return {
    getItem: (key) => inner.get(key) ?? null,
    setItem(key, value) {
      m.ops++;
      m.written.push(value);
      inner.set(key, value);
    },
    removeItem(key) {
      m.ops++;
      inner.delete(key);
    },
  };
}

function asyncStore(m: Meter): StorageAdapter {
  const inner = new Map<string, string>();
  const later = <T>(f: () => T): Promise<T> => Promise.resolve().then(f);
  const set = (key: string, value: string): void => void (m.written.push(value), inner.set(key, value));
  const store: StorageAdapter & { multiSet(pairs: Array<[string, string]>): Promise<void>; multiRemove(keys: string[]): Promise<void> } = {
    getItem: (key) => later(() => inner.get(key) ?? null),
    setItem: (key, value) => later(() => (m.ops++, set(key, value))),
    removeItem: (key) => later(() => void (m.ops++, inner.delete(key))),
    multiSet: (pairs) => later(() => void (m.ops++, pairs.forEach(([k, v]) => set(k, v)))),
    multiRemove: (keys) => later(() => void (m.ops++, keys.forEach((k) => inner.delete(k)))),
  };
  return store;
}

interface App {
  readonly hub: SessionHub;
  readonly clock: ManualClock;
  readonly lifecycle: ManualLifecycle;
  readonly m: Meter;
  /** Operations and written values of what `act` does, once everything it started is done. */
  count(act: () => unknown): Promise<{ ops: number; ledgerWrites: number }>;
}

async function app(make: (m: Meter) => StorageAdapter): Promise<App> {
  const m: Meter = { ops: 0, written: [] };
  const clock = manualClock(T0);
  const lifecycle = manualLifecycle('foreground');
  const hub = createHub({
    clock: clock.now,
    storage: make(m),
    lifecycle,
    logger: silentLogger,
    sessionTimeout: 600,
    kits: [clevertapKit({ ...ACCOUNT, sessionConcluded: true, delivery: { transport: async () => ({ status: 200 }), timers: NO_TIMERS } })],
  });
  await hub.start();
  hub.logEvent('a');
  await hub.flush();
  await settle();
  return {
    hub,
    clock,
    lifecycle,
    m,
    async count(act) {
      const ops = m.ops;
      const from = m.written.length;
      await act();
      await settle();
      await settle();
      return { ops: m.ops - ops, ledgerWrites: m.written.slice(from).filter((v) => v.includes('kit:clevertap:session-ids')).length };
    },
  };
}

describe.each([
  ['localStorage-like', keyByKey],
  ['AsyncStorage-like', asyncStore],
] as const)('the kit\'s storage writes on a %s store', (_, make) => {
  it('a background is one operation, the hub\'s state, with no ledger rewritten unchanged', async () => {
    const a = await app(make);
    a.clock.advance(1_000);
    expect(await a.count(() => a.lifecycle.background())).toEqual({ ops: 1, ledgerWrites: 0 });
    await a.hub.shutdown();
  });

  it('a burst that gives a session its CleverTap id is one commit: the ledger goes with the items and the state', async () => {
    const a = await app(make);
    a.clock.advance(1_000);
    // A new session, opened at CleverTap by its first event: its page, the event, the ledger, the state.
    expect(await a.count(() => (a.hub.startNewSession(), a.hub.logEvent('b')))).toEqual({ ops: 1, ledgerWrites: 1 });
    await a.hub.shutdown();
  });

  it('a flush with nothing new writes nothing', async () => {
    const a = await app(make);
    expect(await a.count(() => a.hub.flush())).toEqual({ ops: 0, ledgerWrites: 0 });
    await a.hub.shutdown();
  });
});
