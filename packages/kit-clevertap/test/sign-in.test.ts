/**
 * A sign-in sends a profile item in the live session, which opens it at CleverTap (its first item):
 * such a session must be concluded even when it has no events, whichever run ends it.
 */
import type { CleverTapEventItem, CleverTapUploadItem } from '@sessionhub/kit-clevertap';
import { describe, expect, it } from 'vitest';
import { Device } from './harness';

const isConcluded = (i: CleverTapUploadItem): i is CleverTapEventItem => i.type === 'event' && i.evtName === 'Session Concluded';

/** Per CleverTap session id `s` that got items: how many `Session Concluded` it got. */
function concludedPerSession(items: readonly CleverTapUploadItem[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const item of items) if (item.s) counts[item.s] = (counts[item.s] ?? 0) + (isConcluded(item) ? 1 : 0);
  return counts;
}

const once = (counts: Record<number, number>): Record<number, number> => Object.fromEntries(Object.keys(counts).map((s) => [s, 1]));

describe('a sign-in in a session without events', () => {
  it('concludes the session after a kill right after the sign-in\'s commit (the next run ends it)', async () => {
    const d = new Device({ kit: { sessionConcluded: true } });
    const { hub } = await d.launch();
    d.clock.advance(2_000);
    hub.startNewSession(); // nothing sent of it yet
    d.clock.advance(1_000);
    hub.setUser('ann'); // its page and the profile: CleverTap has it now
    // The process dies after the burst's first storage write.
    await Promise.resolve();
    d.storage.kill();
    await d.forceQuit();
    d.clock.advance(120_000);
    await d.launch();
    await d.finish();
    const items = d.net.items();
    const profile = items.find((i) => i.type === 'profile')!;
    expect(profile.s).toBeGreaterThan(0);
    const counts = concludedPerSession(items);
    expect(Object.keys(counts)).toHaveLength(3);
    expect(counts).toEqual(once(counts));
    // The signed-in session's: its one item's time, a length of 0.
    const c = items.filter(isConcluded).find((i) => i.s === profile.s)!;
    expect([c.ep, c.evtData['Session Length']]).toEqual([profile.ep, 0]);
  });
});
