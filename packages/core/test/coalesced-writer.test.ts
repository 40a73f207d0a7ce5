import { describe, expect, it } from 'vitest';
import { coalescedWriter } from '@sessionhub/core';

describe('coalescedWriter', () => {
  it('writes once per synchronous burst, with the latest value', async () => {
    let value = 0;
    const written: number[] = [];
    const w = coalescedWriter(() => void written.push(value));
    for (value = 1; value <= 5; value++) w.schedule();
    expect(written).toEqual([]);
    await Promise.resolve();
    await Promise.resolve();
    expect(written).toEqual([6]);
  });

  it('writes synchronously on flush with a synchronous store', () => {
    const written: string[] = [];
    const w = coalescedWriter(() => void written.push('now'));
    void w.flush();
    expect(written).toEqual(['now']);
  });

  it('never lets an older value land last when writes are slow', async () => {
    let value = 'a';
    const landed: string[] = [];
    const pending: Array<() => void> = [];
    const w = coalescedWriter(() => {
      const v = value;
      return new Promise<void>((resolve) => pending.push(() => (landed.push(v), resolve())));
    });
    const first = w.flush();
    value = 'b';
    const second = w.flush();
    value = 'c';
    const third = w.flush();
    expect(second).toBe(first);
    expect(third).toBe(first);
    while (pending.length) {
      pending.shift()?.();
      await Promise.resolve();
      await Promise.resolve();
    }
    await first;
    expect(landed).toEqual(['a', 'c']);
  });
});
