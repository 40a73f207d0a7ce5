import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { createHub, SessionHubConfigError, type EventRecord } from '@sessionhub/core';
import { manualClock, recordingKit } from '@sessionhub/testing';

const quiet = () => ({ debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() });

describe('beforeSend', () => {
  it("a kit's hook that edits nested attributes in place changes neither the other kits nor the app's listeners", async () => {
    const a = recordingKit('a', {
      beforeSend: (record) => {
        delete (record.attributes.user as Record<string, unknown>).email;
        (record.attributes.tags as string[]).push('seen');
        return record;
      },
    });
    const b = recordingKit('b');
    const hub = createHub({ logger: quiet(), kits: [a, b] });
    const heard: EventRecord[] = [];
    hub.on('event', (r) => heard.push(r));
    await hub.start();
    hub.logEvent('checkout', { user: { email: 'a@b.example', plan: 'pro' }, tags: ['x'] });
    expect(a.events()[0]!.attributes).toEqual({ user: { plan: 'pro' }, tags: ['x', 'seen'] });
    for (const record of [b.events()[0]!, heard[0]!]) expect(record.attributes).toEqual({ user: { email: 'a@b.example', plan: 'pro' }, tags: ['x'] });
  });

  it('the hub hook changes or drops events for every kit; the app\'s listeners see the original', async () => {
    const a = recordingKit('a');
    const b = recordingKit('b');
    const hub = createHub({
      logger: quiet(),
      kits: [a, b],
      beforeSend: (record) => {
        if (record.name === 'secret') return null;
        const { email: _dropped, ...attributes } = record.attributes;
        return { ...record, name: record.name === 'old_name' ? 'new_name' : record.name, attributes };
      },
    });
    const heard: EventRecord[] = [];
    hub.on('event', (r) => heard.push(r));
    await hub.start();
    hub.logEvent('old_name', { email: 'a@b.example', plan: 'pro' });
    hub.logEvent('secret');
    for (const kit of [a, b]) {
      expect(kit.events().map((e) => [e.name, e.attributes])).toEqual([['new_name', { plan: 'pro' }]]);
    }
    expect(heard.map((e) => [e.name, e.attributes])).toEqual([['old_name', { email: 'a@b.example', plan: 'pro' }], ['secret', {}]]);
  });

  it('a kit hook applies to that kit only, after the hub hook, and a hook editing in place changes no other kit', async () => {
    const order: string[] = [];
    const a = recordingKit('a', {
      beforeSend(record) {
        order.push(`a:${record.name}`);
        (record.attributes as Record<string, unknown>).plan = 'edited in place';
        return record.name === 'only_b' ? null : record;
      },
    });
    const b = recordingKit('b');
    const hub = createHub({ logger: quiet(), kits: [a, b], beforeSend: (r) => (order.push(`hub:${r.name}`), r) });
    await hub.start();
    hub.logEvent('x', { plan: 'pro' });
    hub.logEvent('only_b');
    expect(order).toEqual(['hub:x', 'a:x', 'hub:only_b', 'a:only_b']);
    expect(a.events().map((e) => e.name)).toEqual(['x']);
    expect(a.events()[0]!.attributes).toEqual({ plan: 'edited in place' });
    expect(b.events().map((e) => [e.name, e.attributes])).toEqual([['x', { plan: 'pro' }], ['only_b', {}]]);
  });

  it('a throwing (or non-returning) hook drops the event, is counted like a failing kit, and nothing else notices', async () => {
    const logger = quiet();
    const failing = recordingKit('failing', { beforeSend: () => undefined as unknown as null });
    const other = recordingKit('other');
    let hubThrows = false;
    const hub = createHub({
      logger,
      kits: [failing, other],
      beforeSend: (r) => {
        if (hubThrows) throw new Error('hook broke');
        return r;
      },
    });
    await hub.start();
    expect(hub.logEvent('e1')).toBe(true);
    expect(failing.events()).toEqual([]);
    expect(other.events().map((e) => e.name)).toEqual(['e1']);
    expect(hub.getKitHealth().failing).toMatchObject({ errors: 1, lastError: expect.stringMatching(/^beforeSend: .*beforeSend must return the record or null/) });
    hubThrows = true;
    expect(hub.logEvent('e2')).toBe(true);
    expect(other.events().map((e) => e.name)).toEqual(['e1']);
    expect(hub.getKitHealth().other).toMatchObject({ errors: 1, lastError: 'hub beforeSend: Error: hook broke' });
    expect(hub.getKitHealth().failing!.errors).toBe(2);
  });

  it('no hook can make a kit miss a session start or end (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('drop', 'throw', 'keep', 'rename'), { minLength: 1, maxLength: 12 }), async (plan) => {
        const clock = manualClock(1_000_000);
        let i = 0;
        const hook = (r: EventRecord): EventRecord | null => {
          const what = plan[i++ % plan.length];
          if (what === 'throw') throw new Error('boom');
          return what === 'drop' ? null : what === 'rename' ? { ...r, name: 'renamed' } : r;
        };
        const kit = recordingKit('k', { beforeSend: hook });
        const hub = createHub({ logger: quiet(), clock: clock.now, kits: [kit], beforeSend: hook });
        await hub.start();
        for (let n = 0; n < plan.length; n++) {
          hub.logEvent(`e${n}`);
          if (n % 3 === 2) hub.startNewSession();
        }
        hub.endSession();
        const starts = kit.starts().map((s) => s.sessionId);
        expect(starts.length).toBeGreaterThan(0);
        expect(kit.ends().map((e) => e.sessionId)).toEqual(starts);
      }),
      { numRuns: 40 },
    );
  });

  it('must be a function', () => {
    expect(() => createHub({ beforeSend: 'nope' as never })).toThrow(SessionHubConfigError);
  });
});
