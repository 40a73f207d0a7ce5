import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHub, memoryStorage, namespacedStorage, resilientStorage } from '@sessionhub/core';
import { fileStorage } from '@sessionhub/core/node';
import { dyingStorage, manualClock, recordingKit } from '@sessionhub/testing';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'sessionhub-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('fileStorage', () => {
  it('round-trips keys of any shape and leaves no temp files behind', () => {
    const dir = tempDir();
    const s = fileStorage(dir);
    expect(s.getItem('missing')).toBeNull();
    s.setItem('sessionhub:kit:braze:item/1', 'a');
    s.setItem('sessionhub:kit:braze:item/1', 'b');
    expect(s.getItem('sessionhub:kit:braze:item/1')).toBe('b');
    expect(fileStorage(dir).getItem('sessionhub:kit:braze:item/1')).toBe('b');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    s.removeItem('sessionhub:kit:braze:item/1');
    s.removeItem('never-existed');
    expect(s.getItem('sessionhub:kit:braze:item/1')).toBeNull();
  });

  it('lets a second process recover the first one’s session', async () => {
    const dir = tempDir();
    const clock = manualClock();
    const first = createHub({ storage: fileStorage(dir), clock: clock.now, logger: console });
    await first.start();
    first.logEvent('a');
    await first.flush();
    const kit = recordingKit();
    clock.advance(5000);
    const second = createHub({ storage: fileStorage(dir), clock: clock.now, kits: [kit], logger: console });
    await second.start();
    expect(kit.ends()).toEqual([expect.objectContaining({ reason: 'recovered', eventCount: 1 })]);
  });
});

describe('resilientStorage', () => {
  // Changed on purpose (issue 20, item 4): it used to switch to memory for the rest of the run after
  // the first failure, so a relaunch after the outage cleared recovered a stale state.
  it('reports a failure once, keeps unsaved writes readable in memory, and writes them to the real storage once it works again', async () => {
    const real = dyingStorage();
    const onFailure = vi.fn();
    const safe = resilientStorage(real, onFailure);
    await safe.set('a', '1');
    expect(real.getItem('a')).toBe('1');
    expect(safe.degraded).toBe(false);
    real.fail();
    await safe.set('b', '2');
    await safe.set('c', '3');
    await safe.remove('a');
    expect(onFailure).toHaveBeenCalledTimes(1);
    expect(String(onFailure.mock.calls[0]![0])).toMatch(/storage failed \(.*QuotaExceededError.*retrying/);
    expect(safe.degraded).toBe(true);
    expect(await safe.get('b')).toBe('2');
    expect(await safe.get('a')).toBeNull();
    real.recover();
    await safe.settled!();
    expect(safe.degraded).toBe(false);
    expect(real.snapshot()).toEqual(new Map([['b', '2'], ['c', '3']]));
    expect(onFailure).toHaveBeenCalledTimes(1);
  });

  it('namespaces keys per kit', async () => {
    const backing = memoryStorage();
    const safe = resilientStorage(backing, () => {});
    await namespacedStorage(safe, 'x:').set('k', 'v');
    expect(backing.getItem('x:k')).toBe('v');
    expect(await namespacedStorage(safe, 'y:').get('k')).toBeNull();
  });
});
