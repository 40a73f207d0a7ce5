import { describe, expect, it, vi } from 'vitest';
import { createHub, type Kit, type KitContext } from '@sessionhub/core';
import { idSource } from '../src/id-source';

const logger = () => ({ debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() });
const UUID_V4 = /^[\da-f]{8}-[\da-f]{4}-4[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/;

describe('the id source', () => {
  it('gives UUIDs v4 by default, across draws of random bytes', () => {
    const next = idSource(logger());
    const ids = Array.from({ length: 200 }, next);
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(200);
  });

  it('uses generateId, and a UUID (one warning) for each id it fails to give', () => {
    const log = logger();
    let n = 0;
    const next = idSource(log, () => {
      n += 1;
      if (n === 2) throw new Error('seed exhausted');
      return n === 3 ? (42 as unknown as string) : `id-${n}`;
    });
    expect(next()).toBe('id-1');
    expect(next()).toMatch(UUID_V4);
    expect(next()).toMatch(UUID_V4);
    expect(next()).toBe('id-4');
    expect(log.warn).toHaveBeenCalledTimes(1);
  });

  it('is the one source of the hub and its kits: generateId reaches every kit in its context', async () => {
    let n = 0;
    let context: KitContext | undefined;
    const kit: Kit = { name: 'k', init: (c) => void (context = c) };
    const hub = createHub({ logger: logger(), kits: [kit], generateId: () => `id-${++n}` });
    await hub.start();
    expect(hub.getDeviceId()).toBe('id-1');
    const before = n;
    expect(context!.generateId()).toBe(`id-${before + 1}`);
  });
});
