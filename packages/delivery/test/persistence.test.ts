import { namespacedStorage, type SafeStorage } from '@sessionhub/core';
import { createOutbox, type HttpResponse, type OutboxOptions } from '@sessionhub/delivery';
import { dyingStorage, manualClock, manualTimers, settle, storedView, type DyingStorage } from '@sessionhub/testing';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { buildRequest, item, recordingLogger, safeStorage, scriptedTransport, type Answer, type TestItem } from './harness';

/** One run of an app: an outbox over `raw` with its own clock, timers, transport and logger. */
function launch(raw: DyingStorage, options: Partial<OutboxOptions<TestItem>> = {}, start?: number) {
  const clock = manualClock(start);
  const timers = manualTimers(clock);
  const logger = recordingLogger();
  const net = scriptedTransport(clock.now);
  const storage = options.storage ?? safeStorage(raw, logger);
  const outbox = createOutbox<TestItem>({ name: 'kit', logger, clock: clock.now, timers, transport: net.transport, buildRequest, random: () => 0.5, ...options, storage });
  return { clock, timers, logger, net, outbox };
}

/** The manual clock's start: stored items are recent. */
const T = manualClock().now();
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
const delivered = (run: ReturnType<typeof launch>, answers: Answer[] = []): number[] =>
  run.net.sent.flatMap((s, i) => ((answers[i] ?? 200) === 200 ? s.items.map((it) => it.n) : []));

describe('force-quit and relaunch', () => {
  it('sends after relaunch what was in flight when the app died', async () => {
    const raw = dyingStorage();
    const first = launch(raw, { maxBatchItems: 10 });
    await first.outbox.load();
    first.net.answer(200, 'hang');
    range(0, 25).forEach((n) => first.outbox.enqueue(item(n)));
    void first.outbox.flush();
    await settle();
    // Batch 0-9 acknowledged, 10-19 in flight: the app is killed now.
    expect(first.net.batches()).toEqual([range(0, 10), range(10, 20)]);
    raw.kill();

    const second = launch(raw.survivor(), { maxBatchItems: 10 });
    await second.outbox.load();
    expect(second.outbox.health().queued).toBe(15);
    await second.outbox.flush();
    expect(second.net.batches()).toEqual([range(10, 20), range(20, 25)]);
    // The very same items (same event ids) are resent, none invented.
    expect(second.net.sent[0]!.items.map((i) => i.eid)).toEqual(first.net.sent[1]!.items.map((i) => i.eid));
  });

  it('loses nothing, whenever the app dies (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60 }),
        fc.array(fc.constantFrom<Answer>(200, 200, 500, 'hang', new Error('offline')), { maxLength: 15 }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 1, max: 10 }),
        async (count, answers, steps, maxBatchItems) => {
          const raw = dyingStorage();
          const first = launch(raw, { maxBatchItems, requestTimeoutMs: 1000 });
          await first.outbox.load();
          first.net.answer(...answers);
          range(0, count).forEach((n) => first.outbox.enqueue(item(n)));
          await settle();
          void first.outbox.flush();
          for (let i = 0; i < steps; i++) await first.timers.advance(700);
          raw.kill();
          // Late answers to the dead run change nothing on disk.
          await first.timers.advance(60_000);

          const second = launch(raw.survivor(), { maxBatchItems });
          await second.outbox.load();
          await second.outbox.flush();
          const all = [...delivered(first, answers), ...delivered(second)];
          expect(new Set(all)).toEqual(new Set(range(0, count)));
          // What the second run sends, it sends in order.
          const resent = delivered(second);
          expect(resent).toEqual([...resent].sort((a, b) => a - b));
          expect(second.outbox.health()).toMatchObject({ queued: 0, dropped: {} });
        },
      ),
      { numRuns: 120 },
    );
  });

  it('sends at once after a relaunch what an earlier run left, not a flush interval later', async () => {
    const raw = dyingStorage();
    const first = launch(raw);
    await first.outbox.load();
    first.net.answer(500); // its one attempt fails, then the page is closed within the backoff
    range(0, 3).forEach((n) => first.outbox.enqueue(item(n)));
    void first.outbox.flush();
    await settle();
    first.outbox.enqueue(item(3)); // queued, its flush interval not over: never attempted
    await settle();
    raw.kill();

    const second = launch(raw.survivor(), {}, first.clock.now() + 500);
    await second.outbox.load();
    await settle();
    // No flush(), no time passing: our own backoff starts afresh with the run.
    expect(second.net.batches()).toEqual([[0, 1, 2, 3]]);
    expect(second.net.sent[0]!.at).toBe(first.clock.now() + 500);
    // Items queued in this run wait for company as usual.
    second.outbox.enqueue(item(4));
    await second.timers.advance(9_999);
    expect(second.net.batches()).toHaveLength(1);
    await second.timers.advance(1);
    expect(second.net.batches()).toEqual([[0, 1, 2, 3], [4]]);
  });

  it('a vendor’s Retry-After outlives a relaunch, and a clock moved back never stretches it', async () => {
    for (const offset of [30_000, -3_600_000]) {
      const raw = dyingStorage();
      const first = launch(raw);
      await first.outbox.load();
      first.net.answer({ status: 429, retryAfter: '120' });
      first.outbox.enqueue(item(0));
      await first.outbox.flush();
      await settle();
      raw.kill();

      const second = launch(raw.survivor(), {}, first.clock.now() + offset);
      const start = second.clock.now();
      await second.outbox.load();
      await second.outbox.flush(); // an explicit flush never skips the vendor's wait
      expect(second.net.sent).toEqual([]);
      // 120 s from the 429: 90 s left after 30 s; after the clock moved back, at most the 120 s it asked for.
      const left = offset > 0 ? 90_000 : 120_000;
      await second.timers.advance(left - 1);
      expect(second.net.sent).toEqual([]);
      await second.timers.advance(1);
      expect(second.net.batches()).toEqual([[0]]);
      expect(second.net.sent[0]!.at - start).toBe(left);
      expect(second.net.sent[0]!.request.headers?.['X-Attempt']).toBe('1');
    }
  });

  it('reads a stored index without a vendor wait, and ignores a malformed one', async () => {
    for (const wait of ['', ',"wait":"soon"', ',"wait":[1,null]']) {
      const raw = dyingStorage([
        ['outbox:meta', `{"head":0,"tail":1${wait}}`],
        ['outbox:0', `{"at":${T},"item":{"eid":"e-0","n":0}}`],
      ]);
      const run = launch(raw);
      await run.outbox.load();
      await settle();
      expect(run.net.batches()).toEqual([[0]]);
    }
  });

  it('finds items written after the last index update (killed between the two writes)', async () => {
    const raw = dyingStorage([
      ['outbox:meta', '{"head":3,"tail":4}'],
      ['outbox:3', `{"at":${T - 2},"item":{"eid":"e-3","n":3}}`],
      ['outbox:4', `{"at":${T - 1},"item":{"eid":"e-4","n":4}}`],
      ['outbox:5', `{"at":${T},"item":{"eid":"e-5","n":5}}`],
    ]);
    const run = launch(raw);
    run.outbox.enqueue(item(6));
    await run.outbox.flush();
    expect(run.net.batches()).toEqual([[3, 4, 5, 6]]);
    await settle();
    expect([...raw.snapshot()]).toEqual([['outbox:meta', '{"head":7,"tail":7}']]);
  });

  it('skips corrupt and missing items with a warning and sends the rest in order', async () => {
    const raw = dyingStorage([
      ['outbox:meta', '{"head":0,"tail":5}'],
      ['outbox:0', `{"at":${T - 2},"item":{"eid":"e-0","n":0}}`],
      ['outbox:1', `{"at":${T - 2},"item":{"eid":"e-1"`],
      ['outbox:3', '"just a string"'],
      ['outbox:4', `{"at":${T - 1},"item":{"eid":"e-4","n":4}}`],
    ]);
    const run = launch(raw);
    await run.outbox.load();
    expect(run.logger.warnings).toEqual([expect.stringContaining('skipping unreadable item 1'), expect.stringContaining('skipping unreadable item 3')]);
    await run.outbox.flush();
    expect(run.net.batches()).toEqual([[0, 4]]);
    await settle();
    expect([...raw.snapshot().keys()]).toEqual(['outbox:meta']);
  });

  it('starts empty, with a warning, when the queue index is unreadable', async () => {
    const run = launch(dyingStorage([['outbox:meta', 'garbage']]));
    await run.outbox.load();
    expect(run.logger.warnings).toEqual([expect.stringContaining('unreadable queue index')]);
    run.outbox.enqueue(item(1));
    await run.outbox.flush();
    expect(run.net.batches()).toEqual([[1]]);
  });

  it('drops stored items that are too old when they are loaded', async () => {
    const now = Date.UTC(2026, 0, 2);
    const raw = dyingStorage([
      ['outbox:meta', '{"head":0,"tail":2}'],
      ['outbox:0', `{"at":${now - 90_000_000},"item":{"eid":"e-0","n":0}}`],
      ['outbox:1', `{"at":${now - 1000},"item":{"eid":"e-1","n":1}}`],
    ]);
    const run = launch(raw, {}, now);
    await run.outbox.load();
    await run.outbox.flush();
    expect(run.net.batches()).toEqual([[1]]);
    expect(run.outbox.health().dropped).toEqual({ expired: 1 });
  });

  it('keeps at most maxQueueItems of what earlier runs stored, oldest dropped', async () => {
    const raw = dyingStorage();
    const first = launch(raw);
    first.net.answer(...Array<Answer>(10).fill('hang'));
    range(0, 8).forEach((n) => first.outbox.enqueue(item(n)));
    await first.outbox.load();
    await settle();
    const second = launch(raw.survivor(), { maxQueueItems: 3 });
    await second.outbox.load();
    await second.outbox.flush();
    expect(second.net.batches()).toEqual([[5, 6, 7]]);
    expect(second.outbox.health().dropped).toEqual({ overflow: 5 });
    expect(second.logger.warnings).toEqual([expect.stringContaining('dropped 5 item(s) (overflow)')]);
  });
});

describe('storage', () => {
  it('writes O(1) per enqueue: one key per item, however long the queue', async () => {
    const raw = dyingStorage();
    let bytes = 0;
    const counting: DyingStorage = { ...raw, setItem: (k, v) => ((bytes += k.length + v.length), raw.setItem(k, v)) };
    const run = launch(raw, { storage: safeStorage(counting), maxQueueItems: 5000 });
    run.net.answer(...Array<Answer>(100).fill(new Error('offline')));
    await run.outbox.load();
    const perItem = JSON.stringify({ at: run.clock.now(), item: item(1000) }).length + 'outbox:1000'.length;
    for (let n = 0; n < 4000; n++) {
      run.outbox.enqueue(item(n));
      // Every enqueue in its own burst: the worst case for coalescing.
      if (n % 2 === 0) await settle();
    }
    await settle();
    // Items plus a short index per burst; a whole-queue rewrite would be ~2000 times more.
    expect(bytes).toBeLessThan(4000 * (perItem + 40));
    // The items alone: nothing was removed, so no index is needed (loading finds them from 0 on).
    expect(raw.snapshot().size).toBe(4000);
    expect(raw.snapshot().has('outbox:meta')).toBe(false);
  });

  it('writes the index only once the items and removals it describes have landed', async () => {
    // A storage whose removals land late (an async storage completing out of order): a kill before
    // they land must not find an index whose head has already moved past them.
    const raw = dyingStorage();
    const calls: string[] = [];
    const landing: (() => void)[] = [];
    const lagging: DyingStorage = {
      ...raw,
      setItem: (k, v) => (calls.push(`set ${k}${k === 'outbox:meta' ? ' ' + v : ''}`), raw.setItem(k, v)),
      removeItem: (k) => new Promise<void>((resolve) => landing.push(() => (raw.removeItem(k), calls.push(`removed ${k}`), resolve()))),
    };
    const run = launch(raw, { storage: safeStorage(lagging), maxBatchItems: 2 });
    await run.outbox.load();
    range(0, 5).forEach((n) => run.outbox.enqueue(item(n)));
    // Sends wait for earlier writes to land: land them as they come until the flush is done.
    let flushed = false;
    const flushing = run.outbox.flush().then(() => (flushed = true));
    for (let rounds = 0; rounds < 50 && !(flushed && landing.length === 0); rounds++) {
      await settle();
      landing.splice(0).forEach((land) => land());
    }
    await flushing;
    await settle();
    expect(run.net.batches()).toEqual([[0, 1], [2, 3], [4]]);
    // Every index written comes after the writes and removals of the range it declares.
    calls.forEach((call, i) => {
      const meta = /^set outbox:meta (.*)$/.exec(call);
      if (!meta) return;
      const { head, tail } = JSON.parse(meta[1]!) as { head: number; tail: number };
      const before = calls.slice(0, i);
      for (let seq = 0; seq < head; seq++) expect(before, `index ${meta[1]} before item ${seq} was removed`).toContain(`removed outbox:${seq}`);
      for (let seq = head; seq < tail; seq++) expect(before, `index ${meta[1]} before item ${seq} was written`).toContain(`set outbox:${seq}`);
    });
    expect(calls.at(-1)).toBe('set outbox:meta {"head":5,"tail":5}');
    expect([...raw.snapshot().keys()]).toEqual(['outbox:meta']);
  });

  it('removes what outboxes delivered with the next commit, within a second, or when a flush ends (issue 14)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const raw = dyingStorage();
      const shared = safeStorage(raw);
      // B's collector answers when the test says so.
      const answers: Array<() => void> = [];
      const slow = (): Promise<HttpResponse> => new Promise((resolve) => answers.push(() => resolve({ status: 200 })));
      const a = launch(raw, { storage: namespacedStorage(shared, 'sessionhub:kit:a:'), maxBatchItems: 2 });
      const b = launch(raw, { storage: namespacedStorage(shared, 'sessionhub:kit:b:'), maxBatchItems: 2, transport: slow });
      await Promise.all([a.outbox.load(), b.outbox.load()]);
      await settle();
      const stored = (): string[] => [...storedView(raw.snapshot()).keys()].filter((k) => /outbox:\d/.test(k)).sort();
      const before = raw.writes;
      // Full batches: both go out at once, after the one commit of this burst.
      [0, 1].forEach((n) => (a.outbox.enqueue(item(n)), b.outbox.enqueue(item(n))));
      await settle();
      expect(raw.writes - before).toBe(1);
      expect(a.outbox.health().delivered).toBe(2);
      answers.shift()!();
      await settle();
      expect(b.outbox.health().delivered).toBe(2);
      // Both removals wait for the next commit …
      expect(raw.writes - before).toBe(1);
      expect(stored()).toHaveLength(4);
      // … which the next enqueue makes: one write holds the removals and the new item.
      a.outbox.enqueue(item(9));
      await settle();
      expect(raw.writes - before).toBe(2);
      expect(stored()).toEqual(['sessionhub:kit:a:outbox:2']);

      // Without a next commit, removals wait a second at most, and go in one commit.
      [2, 3].forEach((n) => b.outbox.enqueue(item(n)));
      a.outbox.enqueue(item(10));
      await settle();
      answers.shift()!();
      await settle();
      expect([a.outbox.health().delivered, b.outbox.health().delivered]).toEqual([4, 4]);
      const writes = raw.writes;
      await vi.advanceTimersByTimeAsync(999);
      expect(stored()).toHaveLength(4);
      await vi.advanceTimersByTimeAsync(1);
      expect(stored()).toEqual([]);
      expect(raw.writes - writes).toBe(1);

      // A flush (the app going to the background: no event may follow) commits them when it ends.
      [4, 5].forEach((n) => b.outbox.enqueue(item(n)));
      await settle();
      const flushed = b.outbox.flush();
      await settle();
      answers.shift()!();
      await flushed;
      await settle();
      expect(stored()).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("a kit's next request commits its own delivered batch's removal first, while it waits; never another kit's (issue 14)", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const raw = dyingStorage();
      const shared = safeStorage(raw);
      const a = launch(raw, { storage: namespacedStorage(shared, 'sessionhub:kit:a:'), maxBatchItems: 2 });
      const b = launch(raw, { storage: namespacedStorage(shared, 'sessionhub:kit:b:'), maxBatchItems: 2 });
      await Promise.all([a.outbox.load(), b.outbox.load()]);
      await settle();
      const stored = (): string[] => [...storedView(raw.snapshot()).keys()].filter((k) => /outbox:\d/.test(k)).sort();
      // Four items: two batches in a row, the first one's removal committed before the second goes.
      range(0, 4).forEach((n) => a.outbox.enqueue(item(n)));
      await settle();
      expect(a.net.batches()).toEqual([[0, 1], [2, 3]]);
      expect(stored()).toEqual(['sessionhub:kit:a:outbox:2', 'sessionhub:kit:a:outbox:3']);
      // The next enqueue's commit carries the second removal; B then delivers, its removal waiting.
      a.outbox.enqueue(item(4));
      await settle();
      [0, 1].forEach((n) => b.outbox.enqueue(item(n)));
      await settle();
      expect(b.outbox.health().delivered).toBe(2);
      expect(stored()).toEqual(['sessionhub:kit:a:outbox:4', 'sessionhub:kit:b:outbox:0', 'sessionhub:kit:b:outbox:1']);
      // A's next request (its flush interval): its own removal is committed already, so no commit,
      // and B's removal goes on waiting for the next one.
      const writes = raw.writes;
      await a.timers.advance(a.timers.nextAt()! - a.clock.now());
      expect(a.net.batches()).toEqual([[0, 1], [2, 3], [4]]);
      expect(raw.writes).toBe(writes);
      expect(stored()).toEqual(['sessionhub:kit:a:outbox:4', 'sessionhub:kit:b:outbox:0', 'sessionhub:kit:b:outbox:1']);
      await vi.advanceTimersByTimeAsync(1000);
      expect(stored()).toEqual([]);
      expect(raw.writes).toBe(writes + 1);
    } finally {
      vi.useRealTimers();
    }
  });

  // Changed on purpose (issue 14): 50 items and the index used to be 51 writes. Appends leave the
  // stored index as it is (loading finds them past its tail), so a burst of enqueues is its items.
  it('coalesces the writes of one synchronous burst, and appends do not rewrite the index', async () => {
    const raw = dyingStorage();
    const run = launch(raw);
    await run.outbox.load();
    // The index load writes belongs to no burst of enqueues.
    await settle();
    const before = raw.writes;
    range(0, 50).forEach((n) => run.outbox.enqueue(item(n)));
    await settle();
    expect(raw.writes - before).toBe(50);
    // And a relaunch finds all of them.
    const relaunched = launch(raw.survivor());
    await relaunched.outbox.load();
    expect(relaunched.outbox.health().queued).toBe(50);
  });

  // Changed on purpose (issue 20, item 4): the outbox used to fall back to memory for the rest of the
  // run and keep sending. A relaunch after the outage cleared then read the older saved state and
  // sent its sessions' ends again. Now the real storage is retried, and nothing new is sent until saved.
  it('when storage fails after working: warns once, sends nothing unsaved (a page hide neither), retries, and delivers once it works again', async () => {
    const raw = dyingStorage();
    const run = launch(raw);
    await run.outbox.load();
    run.outbox.enqueue(item(0));
    await run.outbox.flush();
    expect(run.net.batches()).toEqual([[0]]);
    raw.fail();
    expect(() => range(1, 5).forEach((n) => run.outbox.enqueue(item(n)))).not.toThrow();
    await run.outbox.flush();
    run.outbox.enqueue(item(5));
    await run.outbox.flush();
    // Nor at a page hide (a background's flush in the kits).
    run.outbox.flushOnPageHide();
    await run.timers.advance(0);
    expect(run.net.batches()).toEqual([[0]]);
    expect(run.logger.warnings).toEqual([expect.stringContaining('QuotaExceededError')]);
    raw.recover();
    await run.outbox.flush();
    expect(run.net.batches()).toEqual([[0], [1, 2, 3, 4, 5]]);
    expect(run.outbox.health()).toMatchObject({ delivered: 6, queued: 0 });
    // What was kept in memory reached the storage: the next launch finds the queue empty and the index current.
    const next = launch(raw.survivor());
    await next.outbox.load();
    expect(next.outbox.health().queued).toBe(0);
  });

  it('a saved wait is capped at 1 hour on reload, and a corrupt one is reported, not obeyed (issue 20, item 5)', async () => {
    const stored = (wait: unknown) =>
      dyingStorage([
        ['outbox:meta', JSON.stringify({ head: 0, tail: 1, wait })],
        ['outbox:0', JSON.stringify({ at: T, item: item(0) })],
      ]);
    const long = launch(stored([T, T + 100_000_000_000]));
    await long.outbox.load();
    await long.outbox.flush();
    expect(long.net.sent).toHaveLength(0);
    await long.timers.advance(3_600_000);
    expect(long.net.batches()).toEqual([[0]]);
    const corrupt = launch(stored(['soon', null]));
    await corrupt.outbox.load();
    await corrupt.outbox.flush();
    expect(corrupt.net.batches()).toEqual([[0]]);
    expect(corrupt.logger.warnings).toEqual([expect.stringContaining('unreadable saved Retry-After wait')]);
  });

  it('keeps running when storage is unavailable from the start', async () => {
    const raw = dyingStorage();
    raw.fail(new Error('SecurityError: localStorage is disabled'));
    const run = launch(raw);
    await run.outbox.load();
    range(0, 3).forEach((n) => run.outbox.enqueue(item(n)));
    await run.outbox.flush();
    expect(run.net.batches()).toEqual([[0, 1, 2]]);
    expect(run.logger.warnings).toEqual([expect.stringContaining('SecurityError')]);
  });

  it('survives a storage that breaks its contract and rejects', async () => {
    const reject = () => Promise.reject(new Error('broken adapter'));
    const broken: SafeStorage = { degraded: false, get: reject, set: reject, remove: reject };
    const run = launch(dyingStorage(), { storage: broken });
    await run.outbox.load();
    run.outbox.enqueue(item(0));
    await run.outbox.flush();
    expect(run.net.batches()).toEqual([[0]]);
    expect(run.logger.warnings.some((w) => w.includes('load failed: Error: broken adapter'))).toBe(true);
    expect(run.logger.warnings.some((w) => w.includes('write failed: Error: broken adapter'))).toBe(true);
  });

  it('works over an asynchronous storage (AsyncStorage-like)', async () => {
    const raw = dyingStorage(undefined, { async: true });
    const first = launch(raw);
    first.net.answer('hang');
    await first.outbox.load();
    range(0, 5).forEach((n) => first.outbox.enqueue(item(n)));
    void first.outbox.flush();
    await settle();
    raw.kill();
    const second = launch(raw.survivor());
    await second.outbox.load();
    await second.outbox.flush();
    expect(second.net.batches()).toEqual([range(0, 5)]);
  });
});
