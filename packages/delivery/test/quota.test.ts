/**
 * A full Web Storage (issue 14): a hub on a localStorage-like storage with a quota (the shared fake
 * `quotaStorage`, which throws QuotaExceededError past a character budget), two kits with outboxes
 * and the collector down. When a commit does not fit, the oldest plain events go, never a session's
 * start or end nor the hub's state, the commit is written, and nothing falls back to memory. Then the
 * page is reloaded, the collector comes back, and what was kept is sent once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHub, type Kit, type SessionHub } from '@sessionhub/core';
import { pageStorage } from '@sessionhub/core/browser';
import { createOutbox, type Outbox, type Transport } from '@sessionhub/delivery';
import { manualClock, manualTimers, quotaStorage, recordingLogger, settle, type QuotaStorage } from '@sessionhub/testing';

interface Hit {
  readonly k: 'start' | 'end' | 'event';
  readonly id: string;
  readonly pad?: string;
}

/** What one kit's collector took. */
type Wire = Hit[];

/** A kit whose outbox queues session starts and ends (kept when storage is full) and events (not kept). */
function hitsKit(name: string, transport: Transport): Kit {
  let outbox: Outbox<Hit>;
  return {
    name,
    async init(context) {
      const clock = manualClock(context.clock());
      outbox = createOutbox<Hit>({
        name,
        storage: context.storage,
        logger: context.logger,
        clock: context.clock,
        transport,
        // Nothing is sent before the test flushes: the queue only grows, so what a full storage drops is plain to see.
        timers: manualTimers(clock),
        maxBatchItems: 10_000,
        maxBatchBytes: 100_000_000,
        buildRequest: (hits) => ({ url: `https://collector.example/${name}`, method: 'POST', headers: {}, body: JSON.stringify(hits) }),
      });
      await outbox.load();
    },
    onSessionStart: (record) => void outbox.enqueue({ k: 'start', id: record.sessionId }, true),
    onEvent: (record) => void outbox.enqueue({ k: 'event', id: record.name, pad: String(record.attributes.pad ?? '') }),
    onSessionEnd: (record) => void outbox.enqueue({ k: 'end', id: record.sessionId }, true),
    flush: () => outbox.flush(),
    shutdown: () => outbox.shutdown(),
    getHealth: () => outbox.health(),
  };
}

const KITS = ['a', 'b'] as const;

type Step = { readonly t: 'events'; readonly n: number; readonly pad: number } | { readonly t: 'end' } | { readonly t: 'reload' };

/** One page load on `storage`: a hub whose kits send to `wire` while `up()`, and to nothing once the page is gone. */
async function openPage(storage: QuotaStorage, clock: ReturnType<typeof manualClock>, wire: Record<string, Wire>, up: () => boolean) {
  const logger = recordingLogger();
  const failures: string[] = [];
  let alive = true;
  const transport = (name: string): Transport => async (request) => {
    if (!alive || !up()) return { status: 503 };
    wire[name]!.push(...(JSON.parse(request.body!) as Hit[]));
    return { status: 200 };
  };
  const page = pageStorage(() => storage, 'sessionhub:', (problem) => failures.push(problem));
  const hub: SessionHub = createHub({ storage: page, clock: clock.now, logger, sessionTimeout: 600, kits: KITS.map((name) => hitsKit(name, transport(name))) });
  await hub.start();
  return {
    hub,
    logger,
    failures,
    page,
    /** The page is gone (its later calls reach neither storage nor network). */
    close: () => void (alive = false),
  };
}

/** The quota warnings' counts of events dropped. */
const droppedIn = (warnings: readonly string[]): number =>
  warnings.reduce((n, w) => n + Number(/storage is full: dropped the (\d+) oldest/.exec(w)?.[1] ?? 0), 0);

/**
 * Runs `steps` page after page on one quota storage (`die`: the storage keeps only the first so many
 * writes, a page killed there), then a last page with the collector up that ends the session and
 * sends everything. Returns what each kit received, the events logged in order, and what was said.
 */
async function run(budget: number, steps: readonly Step[], die?: number) {
  const storage0 = quotaStorage(budget);
  let storage = storage0;
  if (die !== undefined) storage.die(die);
  const clock = manualClock();
  const wire: Record<string, Wire> = { a: [], b: [] };
  let up = false;
  const logged: string[] = [];
  const warnings: string[] = [];
  const failures: string[] = [];
  let page = await openPage(storage, clock, wire, () => up);
  const leave = async (): Promise<void> => {
    await settle();
    warnings.push(...page.logger.at('warn'));
    failures.push(...page.failures);
    page.close();
    // The next page load finds what the storage holds (all of it, or what it kept before it died).
    storage = storage.survivor();
  };
  for (const step of steps) {
    clock.advance(1000);
    if (step.t === 'events') {
      for (let i = 0; i < step.n; i++) {
        const name = `e${logged.length}`;
        logged.push(name);
        page.hub.logEvent(name, { pad: 'x'.repeat(step.pad) });
      }
    } else if (step.t === 'end') page.hub.endSession();
    else {
      await leave();
      page = await openPage(storage, clock, wire, () => up);
    }
    await settle();
  }
  await leave();
  up = true;
  clock.advance(1000);
  page = await openPage(storage, clock, wire, () => up);
  page.hub.endSession();
  await page.hub.flush();
  await page.hub.shutdown();
  warnings.push(...page.logger.at('warn'));
  failures.push(...page.failures);
  return { wire, logged, warnings, failures, storage: storage0 };
}

/** Every session that started at a kit ended there exactly once, and none ended that did not start. */
function sessionsWhole(wire: Wire): string[] {
  const count = (k: Hit['k']) => wire.filter((h) => h.k === k).reduce((m, h) => m.set(h.id, (m.get(h.id) ?? 0) + 1), new Map<string, number>());
  const starts = count('start');
  const ends = count('end');
  const problems: string[] = [];
  for (const [id, n] of starts) if (n !== 1 || ends.get(id) !== 1) problems.push(`session ${id}: ${n} start(s), ${ends.get(id) ?? 0} end(s)`);
  for (const [id, n] of ends) if (!starts.has(id)) problems.push(`session ${id}: ${n} end(s) without a start`);
  return problems;
}

const sessionIds = (wire: Wire): string[] => wire.filter((h) => h.k === 'start').map((h) => h.id);

const steps = fc.array(
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ t: fc.constant('events' as const), n: fc.integer({ min: 1, max: 8 }), pad: fc.integer({ min: 0, max: 400 }) }) },
    { weight: 1, arbitrary: fc.constant({ t: 'end' as const }) },
    { weight: 1, arbitrary: fc.constant({ t: 'reload' as const }) },
  ),
  { minLength: 1, maxLength: 40 },
);

describe('a full Web Storage', () => {
  it('drops the oldest plain events to make room, never a session start or end, and stays durable (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 30_000, max: 60_000 }), steps, async (budget, script) => {
        const { wire, logged, warnings, failures, storage } = await run(budget, script);
        // Never fell back to memory: what was kept survived every reload.
        expect(failures).toEqual([]);
        expect(storage.used).toBeLessThanOrEqual(budget);
        let missing = 0;
        for (const name of KITS) {
          expect(sessionsWhole(wire[name]!), name).toEqual([]);
          // Every session reached every kit.
          expect(wire[name]!.filter((h) => h.k === 'start').map((h) => h.id)).toEqual(sessionIds(wire.a!));
          expect(sessionIds(wire.a!).length).toBeGreaterThan(0);
          const events = wire[name]!.filter((h) => h.k === 'event').map((h) => h.id);
          // Each at most once, in order, and the newest ones: whatever went was older than all that stayed.
          expect(events, name).toEqual(logged.slice(logged.length - events.length));
          missing += logged.length - events.length;
        }
        // One warning per time room was made, naming how many went; nothing else was dropped.
        expect(droppedIn(warnings)).toBe(missing);
        expect(warnings.filter((w) => /storage|outbox/.test(w) && !/storage is full: dropped the \d+ oldest queued events/.test(w))).toEqual([]);
      }),
      { numRuns: 40 },
    );
  }, 60_000);

  it('made room: a storage far smaller than the queue still keeps every session', async () => {
    const script: Step[] = [];
    for (let i = 0; i < 30; i++) script.push({ t: 'events', n: 5, pad: 300 }, ...(i % 10 == 9 ? [{ t: 'end' } as const, { t: 'reload' } as const] : []));
    const { wire, logged, warnings, failures, storage } = await run(30_000, script);
    expect(failures).toEqual([]);
    expect(storage.refused).toBeGreaterThan(0);
    const events = wire.a!.filter((h) => h.k === 'event').map((h) => h.id);
    // 150 events of ~330 characters per kit did not fit in 30,000: most went, the newest stayed.
    expect(events.length).toBeGreaterThan(10);
    expect(events.length).toBeLessThan(logged.length / 2);
    expect(events).toEqual(logged.slice(-events.length));
    expect(sessionsWhole(wire.a!)).toEqual([]);
    expect(sessionIds(wire.b!)).toEqual(sessionIds(wire.a!));
    expect(sessionIds(wire.a!).length).toBeGreaterThanOrEqual(4);
    expect(warnings.length).toBeGreaterThan(0);
  });

  it('a page killed at any write while it makes room loses no session start or end, and sends nothing twice', async () => {
    const script: Step[] = [];
    for (let i = 0; i < 12; i++) script.push({ t: 'events', n: 4, pad: 300 }, ...(i % 4 == 3 ? [{ t: 'end' } as const] : []));
    const whole = await run(20_000, script);
    expect(whole.storage.refused).toBeGreaterThan(0);
    expect(droppedIn(whole.warnings)).toBeGreaterThan(0);
    const writes = whole.storage.writes;
    const problems: string[] = [];
    for (let k = 0; k <= writes; k++) {
      const { wire, logged } = await run(20_000, script, k);
      for (const name of KITS) {
        for (const p of sessionsWhole(wire[name]!)) problems.push(`killed after write ${k}: ${name}: ${p}`);
        const events = wire[name]!.filter((h) => h.k === 'event').map((h) => h.id);
        if (new Set(events).size !== events.length) problems.push(`killed after write ${k}: ${name}: an event sent twice`);
        if (events.some((e) => !logged.includes(e))) problems.push(`killed after write ${k}: ${name}: an event never logged`);
      }
    }
    expect(problems).toEqual([]);
  }, 60_000);
});
