import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createHub, silentLogger, type StorageAdapter } from '../src/index';
import { journalStorage } from '../src/node/journal-storage';
import * as codec from '../src/storage/record-codec';

// The field-by-field comparison, counted (it behaves as it does unmocked).
vi.mock('../src/storage/record-codec', async (original) => {
  const m = await original<typeof codec>();
  return { ...m, patchOf: vi.fn(m.patchOf) };
});

/** An AsyncStorage-like store whose writes stay pending until `release()`: commits queue behind them. */
function gatedStorage() {
  const map = new Map<string, string>();
  const pending: Array<() => void> = [];
  let gated = false;
  const adapter: StorageAdapter = {
    getItem: async (k) => map.get(k) ?? null,
    setItem: (k, v) => {
      map.set(k, v);
      return gated ? new Promise<void>((r) => pending.push(r)) : Promise.resolve();
    },
    removeItem: async (k) => void map.delete(k),
  };
  const release = (): void => pending.splice(0).forEach((r) => r());
  return { map, adapter, release, gate: (on: boolean) => void ((gated = on) || release()) };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe("the state's patch, known by its hub's encoder", () => {
  it('travels with each hub\'s write: two hubs committing interleaved in one process each take their own, with no comparison', async () => {
    let now = 1_767_225_600_000;
    const stores = [gatedStorage(), gatedStorage()];
    const hubs = stores.map((s) => createHub({ clock: () => now, logger: silentLogger, storage: s.adapter, kits: [] }));
    for (const hub of hubs) await hub.start();
    // The session's first event, going to the background and back change runs of fields (the first
    // event's id, the foreground flag and counts): those states are compared, as they should be.
    for (const step of ['logEvent', 'background', 'foreground'] as const) {
      for (const hub of hubs) step == 'logEvent' ? hub.logEvent('first') : hub[step]();
      await tick();
    }
    const compared = vi.mocked(codec.patchOf);
    const states = (): unknown[] => compared.mock.calls.filter(([, value]) => value.startsWith('{"version"'));
    expect(states().length).toBeGreaterThan(0);
    compared.mockClear();
    for (const s of stores) s.gate(true);
    for (let i = 0; i < 6; i++) {
      now += 1000;
      // Both hubs commit in the same task; each one's record waits behind its own write still pending,
      // while the other hub's encoder runs.
      for (const hub of hubs) hub.logEvent('song_played');
      await tick();
      for (const s of stores) s.release();
      await tick();
    }
    for (const s of stores) s.gate(false);
    for (const hub of hubs) await hub.flush();
    // Only the clock, the last activity, the event index and the last event's time moved: each
    // state went to storage as the patch its own encoder knew, none compared field by field.
    expect(states()).toEqual([]);
    for (const s of stores) {
      const records = [...s.map.values()].join('');
      expect(records.match(/^~state /gm)?.length).toBeGreaterThanOrEqual(6);
    }
    // And what each stored reads back as its own hub's state.
    for (const [i, s] of stores.entries()) {
      const again = createHub({ clock: () => now, logger: silentLogger, storage: s.adapter, kits: [], resumeOnRelaunch: true });
      await again.start();
      expect(again.getSession()?.id).toBe(hubs[i]!.getSession()?.id);
      expect(again.getSession()?.eventIndex).toBe(7);
    }
  });
  it("is taken by the Node journal too: each hub's state appended as the patch its encoder knew", async () => {
    let now = 1_767_225_600_000;
    const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'sessionhub-known-patch-')));
    const stores = dirs.map((d) => journalStorage(d, { durability: 'none' }));
    try {
      const hubs = stores.map((storage) => createHub({ clock: () => now, logger: silentLogger, storage, kits: [] }));
      for (const hub of hubs) await hub.start();
      for (const hub of hubs) hub.logEvent('first');
      await tick();
      const compared = vi.mocked(codec.patchOf);
      compared.mockClear();
      for (let i = 0; i < 6; i++) {
        now += 1000;
        for (const hub of hubs) hub.logEvent('song_played');
        await tick();
      }
      expect(compared.mock.calls.filter(([, value]) => value.startsWith('{"version"'))).toEqual([]);
      for (const [i, d] of dirs.entries()) {
        expect(readFileSync(join(d, 'sessionhub.journal'), 'utf8').match(/^~sessionhub:state /gm)?.length).toBeGreaterThanOrEqual(6);
        stores[i]!.close();
        const again = createHub({ clock: () => now, logger: silentLogger, storage: journalStorage(d, { durability: 'none' }), kits: [], resumeOnRelaunch: true });
        await again.start();
        expect(again.getSession()?.id).toBe(hubs[i]!.getSession()?.id);
        expect(again.getSession()?.eventIndex).toBe(7);
        await again.shutdown();
      }
    } finally {
      for (const s of stores) s.close();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });
});
