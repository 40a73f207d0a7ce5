import { SessionHubConfigError } from '@sessionhub/core';
import { createOutbox, deliveryOptionsProblem, type OutboxOptions, type SendInfo } from '@sessionhub/delivery';
import { dyingStorage, manualClock, manualTimers, settle } from '@sessionhub/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildRequest, item, recordingLogger, safeStorage, scriptedTransport, type TestItem } from './harness';

function setup(options: Partial<OutboxOptions<TestItem>> = {}) {
  const clock = manualClock();
  const timers = manualTimers(clock);
  const logger = recordingLogger();
  const raw = dyingStorage();
  const storage = safeStorage(raw, logger);
  const net = scriptedTransport(clock.now);
  const outbox = createOutbox<TestItem>({
    name: 'kit',
    storage,
    logger,
    clock: clock.now,
    timers,
    transport: net.transport,
    buildRequest,
    random: () => 0.5,
    ...options,
  });
  const storedItems = (): number[] =>
    [...raw.snapshot()].filter(([k]) => /^outbox:\d+$/.test(k)).map(([, v]) => (JSON.parse(v) as { item: TestItem }).item.n);
  return { clock, timers, logger, raw, net, outbox, storedItems };
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('enqueue and persistence', () => {
  it('returns at once, sends nothing by itself, and persists before the request goes out', async () => {
    const t = setup();
    let storedAtSend: number[] = [];
    const send = t.net.transport;
    const outbox = createOutbox<TestItem>({
      name: 'kit', storage: safeStorage(t.raw), clock: t.clock.now, timers: t.timers, buildRequest,
      transport: (request, options) => ((storedAtSend = t.storedItems()), send(request, options)),
    });
    await outbox.load();
    expect([outbox.enqueue(item(0)), outbox.enqueue(item(1)), outbox.enqueue(item(2))]).toEqual([true, true, true]);
    expect(t.net.sent).toHaveLength(0);
    expect(outbox.health()).toMatchObject({ queued: 3, inFlight: 0 });
    await outbox.flush();
    expect(storedAtSend.sort()).toEqual([0, 1, 2]);
    // Removed only once acknowledged.
    expect(t.storedItems()).toEqual([]);
    expect(outbox.health()).toMatchObject({ queued: 0, delivered: 3 });
  });

  it('keeps items persisted while the vendor fails, and removes them only after a 2xx', async () => {
    const t = setup();
    await t.outbox.load();
    t.net.answer(500, new Error('offline'), 503);
    range(0, 5).forEach((n) => t.outbox.enqueue(item(n)));
    await t.outbox.flush();
    for (let i = 0; i < 3; i++) {
      expect(t.storedItems().sort()).toEqual(range(0, 5));
      await t.timers.advance(t.timers.nextAt()! - t.clock.now());
    }
    expect(t.net.sent).toHaveLength(4);
    expect(t.outbox.health()).toMatchObject({ delivered: 5, retried: 15, lastError: 'HTTP 503' });
    // The removal joins the next commit (a second at most): here the one made when a flush ends.
    expect(t.storedItems().sort()).toEqual(range(0, 5));
    await t.outbox.flush();
    expect(t.storedItems()).toEqual([]);
  });

  it('refuses an item that is not JSON-serializable, with a warning and a counter, and keeps going', async () => {
    const t = setup();
    await t.outbox.load();
    const circular: Record<string, unknown> = { eid: 'x' };
    circular.self = circular;
    expect(t.outbox.enqueue(circular as unknown as TestItem)).toBe(false);
    expect(t.outbox.enqueue({ eid: 'big', n: 10n } as unknown as TestItem)).toBe(false);
    expect(t.outbox.enqueue(item(1))).toBe(true);
    await t.outbox.flush();
    expect(t.net.batches()).toEqual([[1]]);
    expect(t.outbox.health().dropped).toEqual({ invalid: 2 });
    expect(t.logger.warnings).toEqual(Array(2).fill('outbox kit: dropped 1 item(s) (invalid): not JSON-serializable'));
  });

  it('refuses an item whose JSON is longer than 262,144 characters (a record Android could not read back), with a warning and a counter, before and after load', async () => {
    const t = setup();
    // The JSON of `{"eid":"e","n":n,"pad":"…"}`, `extra` characters longer than the bound.
    const sized = (n: number, extra: number): TestItem => ({ eid: 'e', n, pad: 'x'.repeat(262_144 - JSON.stringify({ eid: 'e', n, pad: '' }).length + extra) });
    expect(JSON.stringify(sized(0, 0)).length).toBe(262_144);
    expect(t.outbox.enqueue(sized(1, 1))).toBe(false);
    await t.outbox.load();
    expect([t.outbox.enqueue(sized(0, 0)), t.outbox.enqueue(sized(2, 3_000_000)), t.outbox.enqueue(item(3))]).toEqual([true, false, true]);
    await t.outbox.flush();
    expect(t.net.batches().flat()).toEqual([0, 3]);
    expect(t.outbox.health().dropped).toEqual({ 'too-large': 2 });
    expect(t.logger.warnings).toEqual([
      'outbox kit: dropped 1 item(s) (too-large): its JSON takes 262145 characters, over the 262144 an item may take',
      'outbox kit: dropped 1 item(s) (too-large): its JSON takes 3262144 characters, over the 262144 an item may take',
    ]);
  });

  it('queues items enqueued before load, after the stored ones', async () => {
    const raw = dyingStorage();
    const first = setup();
    const a = createOutbox<TestItem>({ name: 'kit', storage: safeStorage(raw), buildRequest, transport: () => new Promise(() => undefined), timers: first.timers, clock: first.clock.now });
    await a.load();
    a.enqueue(item(0));
    a.enqueue(item(1));
    await settle();
    const second = setup();
    const b = createOutbox<TestItem>({ name: 'kit', storage: safeStorage(raw.survivor()), buildRequest, transport: second.net.transport, timers: second.timers, clock: second.clock.now });
    b.enqueue(item(2)); // before load: load starts by itself
    await b.flush();
    expect(second.net.batches()).toEqual([[0, 1, 2]]);
  });
});

describe('batching', () => {
  it('waits flushIntervalMs (default 10 s) from the oldest item, then sends one batch', async () => {
    const t = setup();
    await t.outbox.load();
    t.outbox.enqueue(item(0));
    await t.timers.advance(5000);
    t.outbox.enqueue(item(1));
    await t.timers.advance(4999);
    expect(t.net.sent).toHaveLength(0);
    await t.timers.advance(1);
    expect(t.net.batches()).toEqual([[0, 1]]);
    expect(t.net.sent[0]!.at).toBe(manualClock().now() + 10_000);
  });

  it('sends a full batch at once and the remainder after the interval', async () => {
    const t = setup({ maxBatchItems: 10 });
    await t.outbox.load();
    range(0, 25).forEach((n) => t.outbox.enqueue(item(n)));
    await t.timers.advance(0);
    expect(t.net.batches()).toEqual([range(0, 10), range(10, 20)]);
    await t.timers.advance(10_000);
    expect(t.net.batches()).toEqual([range(0, 10), range(10, 20), range(20, 25)]);
  });

  it('flush() sends everything now, batch after batch, and resolves when done', async () => {
    const t = setup();
    await t.outbox.load();
    range(0, 250).forEach((n) => t.outbox.enqueue(item(n)));
    await t.outbox.flush();
    expect(t.net.batches()).toEqual([range(0, 100), range(100, 200), range(200, 250)]);
    expect(t.outbox.health()).toMatchObject({ queued: 0, delivered: 250 });
  });

  it('never puts items with different batchKey values in one request', async () => {
    const key = (i: TestItem) => (i.n < 3 || i.n >= 5 ? 'a' : 'b');
    const t = setup({ batchKey: key });
    await t.outbox.load();
    range(0, 7).forEach((n) => t.outbox.enqueue(item(n)));
    await t.outbox.flush();
    expect(t.net.batches()).toEqual([range(0, 3), range(3, 5), range(5, 7)]);
  });

  it('respects the item and byte limits, keeps order, and fills each request as far as the limits allow', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 1000 }),
        async (sizes, maxBatchItems, maxBatchBytes) => {
          const t = setup({ maxBatchItems, maxBatchBytes, sizeOf: (i) => i.pad!.length });
          await t.outbox.load();
          sizes.forEach((size, n) => t.outbox.enqueue(item(n, 'x'.repeat(size))));
          await t.outbox.flush();
          const batches = t.net.batches();
          expect(batches.flat()).toEqual(range(0, sizes.length));
          for (const [b, batch] of batches.entries()) {
            const bytes = batch.reduce((sum, n) => sum + sizes[n]!, 0);
            expect(batch.length).toBeLessThanOrEqual(maxBatchItems);
            if (batch.length > 1) expect(bytes).toBeLessThanOrEqual(maxBatchBytes);
            const next = batches[b + 1]?.[0];
            if (next !== undefined) expect(batch.length === maxBatchItems || bytes + sizes[next]! > maxBatchBytes).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('measures items in UTF-8 bytes of their JSON by default', async () => {
    // Each item's JSON is 41 bytes in UTF-8 ("é" is 2 bytes) but 39 characters: two fit in 80 characters, not in 80 bytes.
    const t = setup({ maxBatchBytes: 80 });
    await t.outbox.load();
    const json = JSON.stringify(item(0, 'éé' + 'x'.repeat(9)));
    expect([json.length, Buffer.byteLength(json)]).toEqual([39, 41]);
    range(0, 3).forEach((n) => t.outbox.enqueue(item(n, 'éé' + 'x'.repeat(9))));
    await t.outbox.flush();
    expect(t.net.batches()).toEqual([[0], [1], [2]]);
  });
  it('asks sizeOf only when a batch could pass the byte limit (3 bytes per character of JSON bound it until then)', async () => {
    const asked: number[] = [];
    // {"eid":"e-0","n":0} is 20 characters: 60 bytes at most, 20 measured.
    const t = setup({ maxBatchBytes: 130, sizeOf: (i) => (asked.push(i.n), 20) });
    await t.outbox.load();
    range(0, 2).forEach((n) => t.outbox.enqueue(item(n)));
    await t.outbox.flush();
    expect(asked).toEqual([]);
    range(2, 9).forEach((n) => t.outbox.enqueue(item(n)));
    await t.outbox.flush();
    // 2 + 3 + 4: the third item's bound passes 130, and then the measured sizes decide (six fit).
    expect(t.net.batches()).toEqual([[0, 1], range(2, 8), [8]]);
    expect(asked.length).toBeGreaterThan(0);
  });

  it('measures an item as JSON when sizeOf throws', async () => {
    const t = setup({ maxBatchBytes: 30, sizeOf: () => { throw new Error('kit bug'); } });
    await t.outbox.load();
    range(0, 3).forEach((n) => t.outbox.enqueue(item(n)));
    await t.outbox.flush();
    // {"eid":"e-0","n":0} is 20 bytes: one per request under a 30-byte limit.
    expect(t.net.batches()).toEqual([[0], [1], [2]]);
  });
});

describe('send info', () => {
  it('tells buildRequest the attempt number, the previous send time and whether it is a page-hide flush', async () => {
    const infos: SendInfo[] = [];
    const t = setup({ buildRequest: (items, sentAt, info) => (infos.push(info), buildRequest(items, sentAt, info)) });
    await t.outbox.load();
    t.net.answer(500, 503);
    t.outbox.enqueue(item(0));
    const start = t.clock.now();
    await t.outbox.flush();
    await t.timers.advance(500);
    await t.timers.advance(1000);
    t.outbox.enqueue(item(1));
    t.outbox.flushOnPageHide();
    expect(infos).toEqual([
      { attempt: 1, previousSentAt: null, keepalive: false },
      { attempt: 2, previousSentAt: start, keepalive: false },
      { attempt: 3, previousSentAt: start + 500, keepalive: false },
      { attempt: 1, previousSentAt: start + 1500, keepalive: true },
    ]);
  });
});

describe('send info (a page hide)', () => {
  it('gives as the previous send time only a request that was sent, not a page-hide batch built too large to go', async () => {
    const infos: SendInfo[] = [];
    // An envelope of 800 bytes the batch's own measure does not count: the first batch built is over
    // the budget, and is halved until it fits.
    const t = setup({
      keepaliveMaxBytes: 2_000,
      buildRequest: (items, sentAt, info) => {
        const request = buildRequest(items, sentAt, info);
        return { ...request, headers: { build: String(infos.push(info) - 1) }, body: request.body + ' '.repeat(800) };
      },
    });
    await t.outbox.load();
    range(0, 8).forEach((n) => t.outbox.enqueue(item(n, 'p'.repeat(300))));
    t.outbox.flushOnPageHide();
    const sentInfo = (i: number): SendInfo => infos[+t.net.sent[i]!.request.headers!.build!]!;
    expect(t.net.sent).toHaveLength(1);
    expect(infos.length).toBeGreaterThan(1);
    expect(sentInfo(0).previousSentAt).toBeNull();
    const pageHide = t.net.sent[0]!.at;
    t.clock.advance(1000);
    await settle();
    await t.outbox.flush();
    expect(sentInfo(1).previousSentAt).toBe(pageHide);
  });
});

describe('retry', () => {
  it('backs off exponentially with full jitter, doubling up to the cap', async () => {
    const draws: number[] = [];
    const t = setup({ random: () => (draws.push(0), 0.5) });
    await t.outbox.load();
    t.net.answer(...Array<number>(12).fill(500));
    t.outbox.enqueue(item(0));
    await t.outbox.flush();
    for (let i = 0; i < 12; i++) await t.timers.advance(t.timers.nextAt()! - t.clock.now());
    const gaps = t.net.sent.slice(1).map((s, i) => s.at - t.net.sent[i]!.at);
    expect(gaps).toEqual(range(1, 13).map((k) => Math.floor(0.5 * Math.min(300_000, 1000 * 2 ** (k - 1)))));
    expect(draws).toHaveLength(12);
    expect(t.outbox.health()).toMatchObject({ delivered: 1, retried: 12 });
  });

  it.each([
    ['503 with Retry-After in seconds', { status: 503, retryAfter: '120' }, 120_000],
    ['429 with an HTTP date', { status: 429, retryAfter: new Date(manualClock().now() + 90_000).toUTCString() }, 90_000],
  ])('honours %s: no attempt before it, one right after', async (_, answer, wait) => {
    const t = setup();
    await t.outbox.load();
    t.net.answer(answer);
    t.outbox.enqueue(item(0));
    await t.outbox.flush();
    await t.timers.advance(wait - 1);
    // An explicit flush does not override the vendor's Retry-After either, nor does a page hide.
    await t.outbox.flush();
    t.outbox.flushOnPageHide();
    await t.timers.advance(0);
    expect(t.net.sent).toHaveLength(1);
    await t.timers.advance(1);
    expect(t.net.sent.map((s) => s.at)).toEqual([manualClock().now(), manualClock().now() + wait]);
  });

  it.each([
    ['0', '0'],
    ['an HTTP date past', 'Wed, 21 Oct 2015 07:28:00 GMT'],
    ['no HTTP date ("soon 5", which Date.parse reads)', 'soon 5'],
  ])('backs off after a 503 whose Retry-After asks for no wait (%s), and flush() resolves after that one attempt', async (_, retryAfter) => {
    const t = setup();
    await t.outbox.load();
    // The vendor is overloaded and answers every request so, 50 times.
    t.net.answer(...Array.from({ length: 50 }, () => ({ status: 503, retryAfter })));
    t.outbox.enqueue(item(0));
    await t.outbox.flush();
    expect(t.net.sent).toHaveLength(1);
    // The backoff's first wait (random 0.5 of 1 s), then the next one (of 2 s).
    await t.timers.advance(499);
    expect(t.net.sent).toHaveLength(1);
    await t.timers.advance(1);
    expect(t.net.sent).toHaveLength(2);
    await t.timers.advance(1000);
    expect(t.net.sent.map((s) => s.at - t.net.sent[0]!.at)).toEqual([0, 500, 1500]);
  });

  it('flush() resolves after a failed attempt even when the backoff drawn is 0 (the pump goes on alone)', async () => {
    const t = setup({ random: () => 0 });
    await t.outbox.load();
    t.net.answer(500, 500, 500);
    t.outbox.enqueue(item(0));
    await t.outbox.flush();
    expect(t.net.sent.length).toBeLessThan(4);
    await settle();
    await t.timers.advance(0);
    expect(t.outbox.health()).toMatchObject({ delivered: 1, queued: 0 });
  });

  it.each(['UTC', 'Asia/Kolkata', 'America/New_York'])(
    'honours a Retry-After in asctime form (GMT without saying so) with the device in %s',
    async (zone) => {
      const was = process.env.TZ;
      process.env.TZ = zone;
      try {
        const t = setup();
        await t.outbox.load();
        const at = new Date(t.clock.now() + 45_000);
        const [day, month] = at.toUTCString().split(/,? /);
        const time = at.toISOString().slice(11, 19);
        t.net.answer({ status: 503, retryAfter: `${day} ${month!.length == 3 ? month : at.toUTCString().split(' ')[2]} ${String(at.getUTCDate()).padStart(2, ' ')} ${time} ${at.getUTCFullYear()}` });
        t.outbox.enqueue(item(0));
        await t.outbox.flush();
        await t.timers.advance(44_999);
        expect(t.net.sent).toHaveLength(1);
        await t.timers.advance(1);
        expect(t.net.sent).toHaveLength(2);
        expect(t.logger.warnings).toEqual([]);
      } finally {
        if (was === undefined) delete process.env.TZ;
        else process.env.TZ = was;
      }
    },
  );

  it('with backoff bounds of Infinity, a failure waits for the next flush, whatever random() draws (0 included)', async () => {
    for (const r of [0, 0.5]) {
      const t = setup({ retryBaseMs: Infinity, retryMaxMs: Infinity, random: () => r });
      await t.outbox.load();
      t.net.answer(500, 500, 500);
      t.outbox.enqueue(item(0));
      await t.outbox.flush();
      await t.timers.advance(3_600_000);
      expect(t.net.sent).toHaveLength(1);
      await t.outbox.flush();
      await t.timers.advance(0);
      expect(t.net.sent).toHaveLength(2);
    }
  });

  it.each([
    ['99999999 seconds', '99999999'],
    ['an HTTP date in year 9999', 'Fri, 31 Dec 9999 23:59:59 GMT'],
  ])('caps a Retry-After of %s at 1 hour, with a warning saying the wait (issue 20, item 5)', async (_, retryAfter) => {
    const t = setup();
    await t.outbox.load();
    t.net.answer({ status: 429, retryAfter });
    t.outbox.enqueue(item(0));
    await t.outbox.flush();
    await t.timers.advance(3_600_000 - 1);
    expect(t.net.sent).toHaveLength(1);
    await t.timers.advance(1);
    expect(t.net.sent).toHaveLength(2);
    expect(t.logger.warnings).toEqual([expect.stringMatching(/HTTP 429 asks to wait \d+ s \(Retry-After: .*\); waiting 3600 s/)]);
  });

  it('uses the backoff when a 500 carries Retry-After (only 429 and 503 are honoured)', async () => {
    const t = setup();
    await t.outbox.load();
    t.net.answer({ status: 500, retryAfter: '3600' });
    t.outbox.enqueue(item(0));
    await t.outbox.flush();
    await t.timers.advance(500);
    expect(t.net.sent).toHaveLength(2);
  });

  it('flush() skips the backoff (a last chance before suspension)', async () => {
    const t = setup();
    await t.outbox.load();
    t.net.answer(500, 500, 500);
    t.outbox.enqueue(item(0));
    await t.outbox.flush();
    await t.timers.advance(500);
    await t.timers.advance(1000);
    expect(t.net.sent).toHaveLength(3);
    // Now 2 s of backoff are pending; flush tries at once.
    await t.outbox.flush();
    expect(t.net.sent).toHaveLength(4);
    expect(t.outbox.health().delivered).toBe(1);
  });

  it('drops a batch refused with a 4xx (other than 408/429) with a warning, and retries 408 and 429', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 400, max: 499 }), async (status) => {
        const t = setup({ maxBatchItems: 2 });
        await t.outbox.load();
        t.net.answer(status);
        range(0, 4).forEach((n) => t.outbox.enqueue(item(n)));
        await t.outbox.flush();
        await t.timers.advance(1000);
        const h = t.outbox.health();
        expect(h.lastError).toBe(`HTTP ${status}`);
        if (status === 408 || status === 429) {
          expect(t.net.batches()).toEqual([[0, 1], [0, 1], [2, 3]]);
          expect(h).toMatchObject({ delivered: 4, retried: 2, dropped: {} });
          expect(t.logger.warnings).toEqual([]);
        } else {
          expect(t.net.batches()).toEqual([[0, 1], [2, 3]]);
          expect(h).toMatchObject({ delivered: 2, retried: 0, dropped: { rejected: 2 } });
          expect(t.logger.warnings).toEqual([expect.stringContaining(`outbox kit: dropped 2 item(s) (rejected): HTTP ${status}`)]);
          expect(t.storedItems()).toEqual([]);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('with refusal, a 2xx whose body it refuses is dropped as rejected, never retried, with one warning while the reason repeats', async () => {
    const refusal = (body: string): string | null => (JSON.parse(body || '{}') as { error?: string }).error ?? null;
    const t = setup({ maxBatchItems: 1, refusal });
    await t.outbox.load();
    const refused = { status: 200, body: '{"error":"invalid_api_key"}' };
    t.net.answer(refused, refused, { status: 200, body: '{}' }, { status: 201 }, refused);
    range(0, 5).forEach((n) => t.outbox.enqueue(item(n)));
    await t.outbox.flush();
    await t.timers.advance(60_000);
    expect(t.net.batches()).toEqual([[0], [1], [2], [3], [4]]);
    expect(t.net.sent.every((s) => s.readBody)).toBe(true);
    const h = t.outbox.health();
    expect(h).toMatchObject({ delivered: 2, retried: 0, dropped: { rejected: 3 }, lastError: 'HTTP 200: invalid_api_key' });
    // Items 0 and 1 in a row: one warning; item 4, after deliveries but for the same reason as the last error: none.
    expect(t.logger.warnings).toEqual(['outbox kit: dropped 1 item(s) (rejected): HTTP 200: invalid_api_key']);
    expect(t.storedItems()).toEqual([]);
  });

  it('without refusal the body is not asked for, and a refusal that throws leaves the 2xx a delivery', async () => {
    const plain = setup();
    await plain.outbox.load();
    plain.outbox.enqueue(item(0));
    await plain.outbox.flush();
    expect(plain.net.sent.map((s) => s.readBody)).toEqual([false]);
    const t = setup({ refusal: () => { throw new Error('bug'); } });
    await t.outbox.load();
    t.net.answer({ status: 200, body: 'not json' });
    t.outbox.enqueue(item(0));
    await t.outbox.flush();
    expect(t.outbox.health()).toMatchObject({ delivered: 1, dropped: {}, lastError: null });
  });

  it('aborts a request left unanswered for requestTimeoutMs and retries it', async () => {
    const t = setup({ requestTimeoutMs: 5000 });
    await t.outbox.load();
    t.net.answer('hang');
    t.outbox.enqueue(item(0));
    void t.outbox.flush();
    await t.timers.advance(4999);
    expect(t.outbox.health()).toMatchObject({ inFlight: 1, lastError: null });
    await t.timers.advance(1);
    expect(t.net.sent[0]!.signal!.aborted).toBe(true);
    expect(t.outbox.health()).toMatchObject({ inFlight: 0, retried: 1, lastError: 'Error: no answer in 5000 ms' });
    await t.timers.advance(500);
    expect(t.outbox.health()).toMatchObject({ queued: 0, delivered: 1 });
  });

  it('keeps its one wake-up while its instant stays the same: one timer for a queue waiting out its flush interval, not one per burst', async () => {
    const clock = manualClock();
    const inner = manualTimers(clock);
    let set = 0;
    const timers = { setTimeout: (callback: () => void, ms: number) => (set++, inner.setTimeout(callback, ms)), clearTimeout: inner.clearTimeout };
    const t = setup({ timers, clock: clock.now, flushIntervalMs: 10_000 });
    await t.outbox.load();
    for (let n = 0; n < 5; n++) {
      t.outbox.enqueue(item(n));
      await settle();
      clock.advance(1000);
    }
    expect(set).toBe(1);
    expect(t.net.sent).toHaveLength(0);
    await inner.advance(5000);
    expect(t.net.sent.map((s) => s.items.length)).toEqual([5]);
  });

  it('never hands its timers a delay longer than one can wait (2^31 − 1 ms; longer fires at once), whatever durations it accepts', async () => {
    const MAX = 2 ** 31 - 1;
    // Each duration at the longest it accepts: Infinity, else the longest a timer waits.
    const longest = Object.fromEntries(
      (['flushIntervalMs', 'maxAgeMs', 'retryBaseMs', 'retryMaxMs', 'requestTimeoutMs'] as const).map((option) => [option, deliveryOptionsProblem({ [option]: Infinity }) ? MAX : Infinity]),
    );
    const clock = manualClock();
    const inner = manualTimers(clock);
    const delays: number[] = [];
    const timers = { setTimeout: (callback: () => void, ms: number) => (delays.push(ms), inner.setTimeout(callback, ms)), clearTimeout: inner.clearTimeout };
    const t = setup({ ...longest, timers, clock: clock.now });
    await t.outbox.load();
    t.net.answer(500, 'hang');
    t.outbox.enqueue(item(0));
    await settle(); // waits for company (the flush interval)
    await t.outbox.flush(); // fails: backs off
    void t.outbox.flush(); // unanswered: the request timeout runs
    await settle();
    expect(t.net.sent).toHaveLength(2);
    expect(delays.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...delays)).toBeLessThanOrEqual(MAX);
    // The request is still waiting for its answer, not aborted at once.
    await inner.advance(60_000);
    expect(t.net.sent[1]!.signal?.aborted ?? false).toBe(false);
    expect(t.outbox.health()).toMatchObject({ inFlight: 1, lastError: 'HTTP 500' });
  });

  it('gives a transport that reads its signal only after the timeout an aborted one, and times out one that never reads it', async () => {
    const options: { signal?: AbortSignal }[] = [];
    const t = setup({ requestTimeoutMs: 5000, transport: (_request, o) => (options.push(o), new Promise(() => {})) });
    await t.outbox.load();
    t.outbox.enqueue(item(0));
    void t.outbox.flush();
    await t.timers.advance(5000);
    expect(t.outbox.health()).toMatchObject({ inFlight: 0, retried: 1, lastError: 'Error: no answer in 5000 ms' });
    expect(options[0]!.signal!.aborted).toBe(true);
  });
});

describe('limits', () => {
  it('drops items older than maxAgeMs with a warning and a counter, never earlier', async () => {
    const t = setup({ maxAgeMs: 60_000, retryMaxMs: 1000, random: () => 0.999 });
    await t.outbox.load();
    t.net.answer(...Array<number>(1000).fill(500));
    t.outbox.enqueue(item(0));
    t.outbox.enqueue(item(1));
    await t.timers.advance(30_000);
    t.outbox.enqueue(item(2));
    await t.timers.advance(29_000);
    expect(t.outbox.health()).toMatchObject({ queued: 3, dropped: {} });
    await t.timers.advance(1000);
    expect(t.outbox.health()).toMatchObject({ queued: 1, dropped: { expired: 2 } });
    expect(t.storedItems()).toEqual([2]);
    expect(t.logger.warnings).toEqual([expect.stringContaining('dropped 2 item(s) (expired)')]);
    await t.timers.advance(30_000);
    expect(t.outbox.health()).toMatchObject({ queued: 0, dropped: { expired: 3 } });
  });

  it('drops items that failed maxAttempts times, with a warning and a counter', async () => {
    const t = setup({ maxAttempts: 3 });
    await t.outbox.load();
    t.net.answer(500, new Error('offline'), 503);
    t.outbox.enqueue(item(0));
    await t.outbox.flush();
    await t.timers.advance(60_000);
    expect(t.net.sent).toHaveLength(3);
    expect(t.outbox.health()).toMatchObject({ queued: 0, retried: 3, delivered: 0, dropped: { attempts: 1 } });
    expect(t.logger.warnings).toEqual([expect.stringContaining('dropped 1 item(s) (attempts): HTTP 503 after 3 attempts')]);
  });

  it('bounds the queue at maxQueueItems, dropping the oldest first with a warning and a counter', async () => {
    const t = setup({ maxQueueItems: 5 });
    await t.outbox.load();
    range(0, 8).forEach((n) => t.outbox.enqueue(item(n)));
    await settle();
    expect(t.outbox.health()).toMatchObject({ queued: 5, dropped: { overflow: 3 } });
    expect(t.logger.warnings).toEqual(['outbox kit: dropped 3 item(s) (overflow): over maxQueueItems (5)']);
    expect(t.storedItems().sort()).toEqual([3, 4, 5, 6, 7]);
    await t.outbox.flush();
    expect(t.net.batches()).toEqual([[3, 4, 5, 6, 7]]);
  });

  it('never drops an item in flight to make room', async () => {
    const t = setup({ maxQueueItems: 3, maxBatchItems: 2 });
    await t.outbox.load();
    t.net.answer('hang');
    range(0, 3).forEach((n) => t.outbox.enqueue(item(n)));
    void t.outbox.flush();
    await settle();
    expect(t.outbox.health().inFlight).toBe(2);
    t.outbox.enqueue(item(3));
    t.outbox.enqueue(item(4));
    await settle();
    expect(t.outbox.health()).toMatchObject({ queued: 3, inFlight: 2, dropped: { overflow: 2 } });
    await t.timers.advance(30_000);
    await t.outbox.flush();
    expect(t.net.batches()).toEqual([[0, 1], [0, 1], [4]]);
  });

  it('drops a batch whose buildRequest throws (build-failed) and goes on with the next', async () => {
    let calls = 0;
    const t = setup({
      maxBatchItems: 1,
      buildRequest: (items, sentAt, info) => {
        if (calls++ === 0) throw new Error('kit bug');
        return buildRequest(items, sentAt, info);
      },
    });
    await t.outbox.load();
    t.outbox.enqueue(item(0));
    t.outbox.enqueue(item(1));
    await t.outbox.flush();
    expect(t.net.batches()).toEqual([[1]]);
    expect(t.outbox.health().dropped).toEqual({ 'build-failed': 1 });
    expect(t.logger.warnings).toEqual([expect.stringContaining('buildRequest threw: Error: kit bug')]);
  });

  it('keeps going when buildRequest or the transport throws a value String() cannot print', async () => {
    const unprintable = Object.create(null) as object;
    let calls = 0;
    const t = setup({
      maxBatchItems: 1,
      buildRequest: (items, sentAt, info) => {
        if (calls++ === 0) throw unprintable;
        return buildRequest(items, sentAt, info);
      },
      transport: (request, options) => (calls === 2 ? Promise.reject(unprintable) : t.net.transport(request, options)),
    });
    await t.outbox.load();
    t.outbox.enqueue(item(0));
    t.outbox.enqueue(item(1));
    t.outbox.enqueue(item(2));
    await t.outbox.flush();
    await t.outbox.flush();
    expect(t.net.batches()).toEqual([[1], [2]]);
    expect(t.outbox.health()).toMatchObject({ delivered: 2, retried: 1, dropped: { 'build-failed': 1 }, lastError: 'an unprintable value' });
    expect(t.logger.warnings[0]).toContain('buildRequest threw: an unprintable value');
  });

  it('takes a transport that answers without a promise, and null for the logger and clock (their defaults)', async () => {
    const t = setup({ transport: (() => ({ status: 200 })) as never, logger: null as never, clock: null as never });
    await t.outbox.load();
    expect(t.outbox.enqueue(item(0))).toBe(true);
    await t.outbox.flush();
    expect(t.outbox.health()).toMatchObject({ delivered: 1, retried: 0, queued: 0, lastError: null });
  });

  it('throws a SessionHubConfigError naming the option for invalid options', () => {
    const base = { name: 'kit', storage: safeStorage(), buildRequest };
    const bad: [string, Record<string, unknown>][] = [
      ['outbox.name', { name: '' }],
      ['outbox.storage', { storage: undefined }],
      ['outbox.buildRequest', { buildRequest: 'no' }],
      ['outbox.maxBatchItems', { maxBatchItems: 0 }],
      ['outbox.maxBatchBytes', { maxBatchBytes: Number.NaN }],
      ['outbox.flushIntervalMs', { flushIntervalMs: -1 }],
      ['outbox.maxAgeMs', { maxAgeMs: '1d' }],
      ['outbox.maxQueueItems', { maxQueueItems: 0 }],
      ['outbox.requestTimeoutMs', { requestTimeoutMs: 0 }],
      ['outbox.requestTimeoutMs', { requestTimeoutMs: Infinity }],
      ['outbox.requestTimeoutMs', { requestTimeoutMs: 2 ** 31 }],
      ['outbox.transport', { transport: 'fetch' }],
      ['outbox.random', { random: 0.5 }],
      ['outbox.timers', { timers: { setTimeout } }],
      ['outbox.maxQueueItems', { maxQueueItems: 100_001 }],
      // Read at the first enqueue: refused at creation, where enqueue (which never throws) would throw.
      ['outbox.clock', { clock: 1_767_225_600_000 }],
      ['outbox.logger', { logger: console.warn }],
    ];
    for (const [option, override] of bad) {
      const attempt = () => createOutbox({ ...base, ...override } as unknown as OutboxOptions<TestItem>);
      expect(attempt).toThrow(SessionHubConfigError);
      expect(attempt).toThrow(expect.objectContaining({ option }) as Error);
    }
    expect(() => createOutbox({ ...base, flushIntervalMs: 0, maxAttempts: Infinity, transport: undefined })).not.toThrow();
    // null is the default, as for the hub's options.
    expect(() => createOutbox({ ...base, maxQueueItems: 100_000, clock: null, logger: null } as unknown as OutboxOptions<TestItem>)).not.toThrow();
  });

  it('checks a kit user\'s delivery settings as createOutbox does, so a kit can refuse them when it is created', () => {
    expect(deliveryOptionsProblem({})).toBeUndefined();
    expect(deliveryOptionsProblem({ maxQueueItems: 1, flushIntervalMs: 0, maxAttempts: Infinity, transport: () => undefined, random: Math.random, timers: { setTimeout, clearTimeout }, retryMaxMs: undefined })).toBeUndefined();
    expect(deliveryOptionsProblem({ maxQueueItems: 0 })).toBe('maxQueueItems must be a number from 1 to 100000');
    expect(deliveryOptionsProblem({ flushIntervalMs: '10s' })).toBe('flushIntervalMs must be a number ≥ 0');
    expect(deliveryOptionsProblem({ requestTimeoutMs: Infinity })).toBe('requestTimeoutMs must be a number from 1 to 2147483647');
    expect(deliveryOptionsProblem({ requestTimeoutMs: 2 ** 31 - 1 })).toBeUndefined();
    // A relaunch reads at most 100,000 items: a larger bound would lose the oldest unsaid.
    expect(deliveryOptionsProblem({ maxQueueItems: 100_001 })).toBe('maxQueueItems must be a number from 1 to 100000');
    expect(deliveryOptionsProblem({ transport: 'fetch' })).toBe('transport must be a function');
    expect(deliveryOptionsProblem({ timers: null })).toBe('timers must have setTimeout and clearTimeout');
    expect(deliveryOptionsProblem({ retries: 3 })).toBe('"retries" is not a delivery setting');
    expect(deliveryOptionsProblem([])).toBe('must be an object of outbox settings');
    // Every setting createOutbox refuses, this refuses too, with the same words.
    for (const [option, value] of [['maxBatchItems', 0], ['maxBatchBytes', Number.NaN], ['retryBaseMs', -1], ['keepaliveMaxBytes', -1], ['requestTimeoutMs', 0], ['requestTimeoutMs', 2 ** 31]] as const) {
      const problem = deliveryOptionsProblem({ [option]: value });
      expect(problem, option).toMatch(new RegExp(`^${option} must be`));
      expect(() => createOutbox({ name: 'kit', storage: safeStorage(), buildRequest, [option]: value })).toThrow(`outbox kit: ${problem}`);
    }
  });
});

describe('time is data', () => {
  it('sends nothing when timers fire early: the clock decides', async () => {
    const t = setup();
    await t.outbox.load();
    t.outbox.enqueue(item(0));
    await settle();
    await t.timers.fireAll();
    expect(t.net.sent).toHaveLength(0);
    t.net.answer(500);
    await t.timers.advance(10_000);
    expect(t.net.sent).toHaveLength(1);
    await t.timers.fireAll();
    await t.timers.fireAll();
    expect(t.net.sent).toHaveLength(1);
    await t.timers.advance(500);
    expect(t.net.sent).toHaveLength(2);
  });

  it('does not stretch a wait when the clock moves backwards', async () => {
    const t = setup();
    await t.outbox.load();
    t.outbox.enqueue(item(0));
    await settle();
    t.clock.set(t.clock.now() - 3_600_000);
    // A real timer is monotonic: it fires 10 s later although the wall clock now reads an hour earlier.
    await t.timers.advance(10_000);
    await t.timers.fireAll();
    expect(t.net.sent).toHaveLength(0);
    // The jump counted as no time passed: the item goes 10 s after the clock was seen going back, not an hour later.
    await t.timers.advance(10_000);
    expect(t.net.sent).toHaveLength(1);
  });

  it('never sends before the interval or the backoff, whatever fires the timers; every item ends delivered once', async () => {
    const op = fc.oneof(
      fc.record({ enqueue: fc.integer({ min: 1, max: 7 }) }),
      fc.record({ advance: fc.integer({ min: 0, max: 20_000 }) }),
      fc.constant({ fireEarly: true }),
    );
    const answerOf = (answers: number[], i: number): number => answers[i] ?? 200;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), fc.array(fc.constantFrom(200, 500, 503), { maxLength: 40 }), async (ops, answers) => {
        const t = setup({ maxBatchItems: 5 });
        await t.outbox.load();
        t.net.answer(...answers);
        const enqueuedAt: number[] = [];
        for (const o of ops) {
          if ('enqueue' in o) {
            for (let i = 0; i < o.enqueue; i++) {
              enqueuedAt.push(t.clock.now());
              t.outbox.enqueue(item(enqueuedAt.length - 1));
            }
          } else if ('advance' in o) await t.timers.advance(o.advance);
          else await t.timers.fireAll();
          await settle();
        }
        for (let i = 0; i < 100 && t.outbox.health().queued > 0; i++) await t.timers.advance(60_000);

        let failures = 0;
        const seen = new Set<number>();
        const delivered: number[] = [];
        t.net.sent.forEach((s, i) => {
          const first = s.items[0]!.n;
          // A first attempt of a batch that is not full waits out the interval from its oldest item.
          if (!seen.has(first) && s.items.length < 5) expect(s.at).toBeGreaterThanOrEqual(enqueuedAt[first]! + 10_000);
          // After a failure, the next attempt waits out the backoff (random fixed at 0.5).
          if (failures > 0) expect(s.at - t.net.sent[i - 1]!.at).toBeGreaterThanOrEqual(Math.floor(0.5 * Math.min(300_000, 1000 * 2 ** (failures - 1))));
          s.items.forEach((it) => seen.add(it.n));
          if (answerOf(answers, i) === 200) {
            failures = 0;
            delivered.push(...s.items.map((it) => it.n));
          } else failures++;
        });
        expect(delivered).toEqual(range(0, enqueuedAt.length));
        const h = t.outbox.health();
        expect(h).toMatchObject({ queued: 0, inFlight: 0, delivered: enqueuedAt.length, dropped: {} });
        expect(h.retried).toBe(t.net.sent.filter((_, i) => answerOf(answers, i) !== 200).reduce((sum, s) => sum + s.items.length, 0));
      }),
      { numRuns: 80 },
    );
  });
});

describe('shutdown and page hide', () => {
  it('shutdown sends what is queued, then stops: later items stay persisted for the next run', async () => {
    const t = setup();
    await t.outbox.load();
    range(0, 3).forEach((n) => t.outbox.enqueue(item(n)));
    await t.outbox.shutdown();
    expect(t.net.batches()).toEqual([[0, 1, 2]]);
    expect(t.timers.pending).toBe(0);
    t.outbox.enqueue(item(3));
    await t.timers.advance(60_000);
    await t.outbox.flush();
    expect(t.net.sent).toHaveLength(1);
    expect(t.storedItems()).toEqual([3]);
  });

  it('flushOnPageHide sends keepalive requests within 64 KB; the rest stays persisted and goes later', async () => {
    const t = setup({ maxBatchBytes: 20_000 });
    await t.outbox.load();
    const pad = 'p'.repeat(1000);
    range(0, 100).forEach((n) => t.outbox.enqueue(item(n, pad)));
    t.outbox.flushOnPageHide();
    const keepalive = t.net.sent.filter((s) => s.keepalive);
    expect(keepalive.length).toBeGreaterThan(1);
    const bytes = keepalive.reduce((sum, s) => sum + Buffer.byteLength(s.request.body!), 0);
    expect(bytes).toBeLessThanOrEqual(65_536);
    expect(bytes).toBeGreaterThan(60_000);
    const sentEarly = keepalive.flatMap((s) => s.items.map((i) => i.n));
    expect(sentEarly).toEqual(range(0, sentEarly.length));
    // Everything was persisted (the unsent part must survive the page).
    expect(t.storedItems().sort((a, b) => a - b)).toEqual(range(0, 100));
    // The page survived (bfcache): the answers came, the rest goes by the normal path, nothing twice.
    await settle();
    await t.outbox.flush();
    const all = t.net.sent.flatMap((s) => s.items.map((i) => i.n));
    expect(all).toEqual(range(0, 100));
    expect(t.outbox.health()).toMatchObject({ queued: 0, delivered: 100 });
  });

  it('flushOnPageHide leaves an item in flight alone and counts keepalive bytes still in flight', async () => {
    const t = setup({ maxBatchItems: 1, keepaliveMaxBytes: 300 });
    await t.outbox.load();
    t.net.answer('hang', 'hang', 'hang');
    range(0, 6).forEach((n) => t.outbox.enqueue(item(n)));
    await settle();
    expect(t.net.batches()).toEqual([[0]]);
    t.outbox.flushOnPageHide();
    const first = t.net.sent.slice(1).map((s) => s.items[0]!.n);
    expect(first.length).toBeGreaterThan(0);
    t.outbox.flushOnPageHide();
    // The budget is spent by requests still in flight: nothing more goes.
    expect(t.net.sent.slice(1).map((s) => s.items[0]!.n)).toEqual(first);
    expect(t.net.sent.slice(1).every((s) => s.keepalive)).toBe(true);
  });
});

describe('page hide: age and the page\'s keepalive budget', () => {
  it('drops what has waited maxAgeMs at a page hide, though no timer ran since (a laptop woken, a frozen tab)', async () => {
    const t = setup({ maxAgeMs: 60_000, flushIntervalMs: 3_600_000 });
    await t.outbox.load();
    t.outbox.enqueue(item(0));
    t.outbox.enqueue(item(1));
    await settle();
    t.clock.advance(30_000);
    t.outbox.enqueue(item(2));
    await settle();
    t.clock.advance(30_000);
    t.outbox.flushOnPageHide();
    expect(t.net.batches()).toEqual([[2]]);
    expect(t.outbox.health().dropped).toEqual({ expired: 2 });
    expect(t.logger.warnings).toEqual([expect.stringContaining('(expired)')]);
  });

  it("shares the page's keepalive budget between outboxes: three kits' page-hide requests stay within 64 KB together", async () => {
    const clock = manualClock();
    const timers = manualTimers(clock);
    const net = scriptedTransport(clock.now);
    net.answer(...Array<'hang'>(60).fill('hang'));
    const outboxes = ['a', 'b', 'c'].map((name) =>
      createOutbox<TestItem>({ name, storage: safeStorage(dyingStorage()), logger: recordingLogger(), clock: clock.now, timers, transport: net.transport, buildRequest, maxBatchBytes: 20_000 }),
    );
    for (const outbox of outboxes) {
      await outbox.load();
      range(0, 40).forEach((n) => outbox.enqueue(item(n, 'p'.repeat(1000))));
    }
    await settle();
    for (const outbox of outboxes) outbox.flushOnPageHide();
    // (Each outbox's first batch went at once, full, and hangs: the page hide sends what follows.)
    const bytes = net.sent.filter((s) => s.keepalive).reduce((sum, s) => sum + Buffer.byteLength(s.request.body!), 0);
    expect(bytes).toBeLessThanOrEqual(65_536);
    expect(bytes).toBeGreaterThan(60_000);
    // The requests end (here: they time out), and the whole budget is the page's again.
    await timers.advance(30_000);
    await settle();
    const before = net.sent.length;
    net.answer(...Array<'hang'>(60).fill('hang'));
    outboxes[2]!.flushOnPageHide();
    // (All of its 40 items: 42 KB, which the others' requests in flight would have left no room for.)
    expect(net.sent.slice(before).flatMap((s) => s.items.map((i) => i.n))).toEqual(range(0, 40));
    await timers.advance(30_000);
    await settle();
  });
});

describe('clear', () => {
  it.each([
    ['while the send waits for the storage', true],
    ['in the moment the storage settles, before the send goes on', false],
  ])('never sends a batch that clear() dropped %s; items queued after go as usual', async (_, clearFirst) => {
    const t = setup();
    // The storage settles only when told (a slow commit), so clear() comes while the send waits for it.
    let release = (): void => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const outbox = createOutbox<TestItem>({
      name: 'kit', storage: Object.assign(safeStorage(t.raw), { settled: () => held }), clock: t.clock.now, timers: t.timers, transport: t.net.transport, buildRequest,
    });
    await outbox.load();
    range(0, 3).forEach((n) => outbox.enqueue(item(n)));
    const flushed = outbox.flush();
    await settle();
    expect(outbox.health()).toMatchObject({ queued: 3, inFlight: 3 });
    let cleared: Promise<void>;
    if (clearFirst) {
      cleared = outbox.clear();
      release();
    } else {
      release(); // the send's wait ends first: it goes on before clear() has dropped anything
      cleared = outbox.clear();
    }
    await Promise.all([flushed, cleared]);
    expect(t.net.sent).toHaveLength(0);
    expect(t.storedItems()).toEqual([]);
    expect(outbox.health()).toMatchObject({ queued: 0, inFlight: 0, delivered: 0 });
    outbox.enqueue(item(3));
    await outbox.flush();
    expect(t.net.batches()).toEqual([[3]]);
  });

  it('sends nothing from the moment clear() is called until it has dropped the queue: not at a page hide, not what its load finds', async () => {
    const t = setup();
    await t.outbox.load();
    range(0, 3).forEach((n) => t.outbox.enqueue(item(n)));
    const cleared = t.outbox.clear();
    // The page goes, and the app flushes, while the clear is under way.
    t.outbox.flushOnPageHide();
    const flushed = t.outbox.flush();
    await Promise.all([cleared, flushed]);
    await settle();
    expect(t.net.sent).toHaveLength(0);
    expect(t.outbox.health()).toMatchObject({ queued: 0, delivered: 0 });
    // Nor when clear() waits for the queue to load: what an earlier run left, due at once, stays unsent.
    const raw = dyingStorage();
    const earlier = createOutbox<TestItem>({ name: 'kit', storage: safeStorage(raw), clock: t.clock.now, timers: t.timers, transport: t.net.transport, buildRequest });
    await earlier.load();
    range(0, 3).forEach((n) => earlier.enqueue(item(n)));
    await settle();
    const next = createOutbox<TestItem>({ name: 'kit', storage: safeStorage(raw), clock: t.clock.now, timers: t.timers, transport: t.net.transport, buildRequest });
    await next.clear();
    await settle();
    expect(t.net.sent).toHaveLength(0);
    expect(next.health()).toMatchObject({ queued: 0, delivered: 0 });
  });

});
