/** What the kill tests share: a kit over a real outbox, the check of what kits received, fake time. */
import { vi } from 'vitest';
import type { Kit } from '@sessionhub/core';
import type { RecordingTransport } from '@sessionhub/testing';
// By path: delivery depends on core, so core does not list it.
import { createOutbox, type Outbox } from '../../delivery/src/index';

/** What the kill tests' outbox kits queue: a session's start or end (its id), or an event (its name). */
export type Item = { t: 'start' | 'end' | 'event'; id: string };
export type Send = RecordingTransport | (() => Promise<{ status: number }>);

/**
 * A kit over a real durable outbox (`@sessionhub/delivery`): what it committed is what a relaunch
 * sends. `slowMs`: its init waits that long first (remote config, a cold storage).
 */
export function outboxKit(name: string, transport: Send, slowMs = 0): Kit {
  let outbox: Outbox<Item>;
  const put = (t: Item['t'], id: string): void => void outbox.enqueue({ t, id }, t !== 'event');
  return {
    name,
    async init(context) {
      if (slowMs) await new Promise((resolve) => setTimeout(resolve, slowMs));
      outbox = createOutbox<Item>({
        name,
        storage: context.storage,
        clock: context.clock,
        transport: transport as never,
        flushIntervalMs: 3_600_000,
        buildRequest: (items) => ({ url: `https://collector.test/${name}`, method: 'POST', body: JSON.stringify(items) }),
      });
      await outbox.load();
    },
    onSessionStart: (r) => put('start', r.sessionId),
    onSessionEnd: (r) => put('end', r.sessionId),
    onEvent: (r) => put('event', r.name),
    onPageHide: () => outbox.flushOnPageHide(),
    flush: () => outbox.flush(),
    shutdown: () => outbox.shutdown(),
    clear: () => outbox.clear(),
    // Asked for before a slow init ends too.
    getHealth: () => outbox?.health(),
  };
}

/**
 * What the kits received that breaks "every session that starts ends exactly once at every kit, and
 * every event of a completed burst arrives" (`eventsOnce`: and none twice), each problem prefixed with
 * `at` (where the run was killed). `sent`: kit name → the items it received, in order.
 */
export function problemsOf(sent: Record<string, Item[]>, expectedEvents: readonly string[], at: string, eventsOnce = false): string[] {
  const problems: string[] = [];
  const sessions = Object.values(sent).map((items) => new Set(items.filter((i) => i.t !== 'event').map((i) => i.id)).size);
  if (new Set(sessions).size > 1) problems.push(`${at}: sessions per kit differ: ${sessions.join(', ')}`);
  for (const [kit, items] of Object.entries(sent)) {
    const count = (t: Item['t'], id: string) => items.filter((i) => i.t === t && i.id === id).length;
    for (const id of new Set(items.filter((i) => i.t !== 'event').map((i) => i.id))) {
      const starts = count('start', id);
      const ends = count('end', id);
      if (starts !== 1 || ends !== 1) problems.push(`${at}: kit ${kit}: session ${id.slice(0, 8)} started ${starts}, ended ${ends} times`);
    }
    if (eventsOnce) {
      for (const name of new Set(items.filter((i) => i.t === 'event').map((i) => i.id))) {
        if (count('event', name) > 1) problems.push(`${at}: kit ${kit} got ${name} ${count('event', name)} times`);
      }
    }
    for (const name of expectedEvents) if (!count('event', name)) problems.push(`${at}: kit ${kit} never got ${name}`);
  }
  return problems;
}

/** Drops every pending timer (vitest's clearAllTimers also resets the clock: it is kept). */
export function forgetTimers(): void {
  const now = Date.now();
  vi.clearAllTimers();
  vi.setSystemTime(now);
}

/** Lets commits, lock hand-overs and storage events run (and `ms` of time pass). */
export async function run(ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await vi.advanceTimersByTimeAsync(0);
}
