import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@sessionhub/core';
import { startCollectorServer, type CollectorServer } from '@sessionhub/testing/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KitsSink, kitsFromConfig } from '../src/replay/kits-sink';
import { replaySessionId } from '../src/replay/replay-ids';
import { storedOutboxes } from '../src/replay/stored-outboxes';
import { replayLog } from '../src/replay/run-replay';
import { bg, ev, fg, launch, records } from './timeline';

let collectors: CollectorServer;
const dir = mkdtempSync(join(tmpdir(), 'sessionhub-kits-'));
beforeAll(async () => {
  collectors = await startCollectorServer();
});
afterAll(async () => {
  await collectors?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('replay --kits delivers the canonical sessions through the real Braze, Snowplow and CleverTap kits and their outboxes', async () => {
  const log = join(dir, 'log.ndjson');
  const lines = records([launch(0), ev(5), ev(20), bg(30), launch(600), ev(610)], 'phone-1');
  writeFileSync(log, lines.map((r) => `${JSON.stringify({ deviceId: r.deviceId, timestamp: r.t, type: r.type, ...(r.name ? { name: r.name } : {}) })}\n`).join(''));
  const make = kitsFromConfig({
    braze: { apiKey: 'replay-key', baseUrl: collectors.url },
    snowplow: { collectorUrl: collectors.url, appId: 'replay' },
    clevertap: { accountId: 'TEST-000-0001', token: 'token', endpoint: collectors.url },
  });
  const sink = new KitsSink(make, join(dir, 'state'), silentLogger, 60);
  const result = await replayLog(log, { out: sink, checkpoint: join(dir, 'state'), engine: { excludedEvents: sink.sessionNeutralEvents() } });
  expect(result.counts).toMatchObject({ sessionsStarted: 2, sessionsEnded: 1, events: 3 });
  expect(sink.errors).toBe(0);
  const { collector } = collectors;
  // Braze: the first session's start and end and the second's start, under the derived ids.
  const braze = collector.accepted('braze').flatMap((r) => ((r.body as { events?: { name: string; session_id?: string }[] }).events ?? []));
  const first = replaySessionId('phone-1', 1);
  const second = replaySessionId('phone-1', 2);
  expect(braze.filter((e) => e.name === 'ss').map((e) => e.session_id)).toEqual([first, second]);
  expect(braze.filter((e) => e.name === 'se').map((e) => e.session_id)).toEqual([first]);
  expect(collector.accepted('snowplow').length).toBeGreaterThan(0);
  expect(collector.accepted('clevertap').length).toBeGreaterThan(0);
});

it('records delivered again after a crash carry the same ids, those the kits make themselves included (Snowplow session and lifecycle events)', async () => {
  const log = join(dir, 'crash.ndjson');
  const text = records([launch(0), ev(5), bg(30), fg(100), launch(600), ev(610)], 'phone-2').map((r) => `${JSON.stringify({ deviceId: r.deviceId, timestamp: r.t, type: r.type, ...(r.name ? { name: r.name } : {}) })}\n`);
  const state = join(dir, 'crash-state');
  const make = kitsFromConfig({ snowplow: { collectorUrl: collectors.url, appId: 'replay' } });
  const run = async (): Promise<void> => {
    const sink = new KitsSink(make, state, silentLogger, 60);
    await replayLog(log, { out: sink, checkpoint: state, engine: { excludedEvents: sink.sessionNeutralEvents() } });
  };
  writeFileSync(log, text.slice(0, 2).join(''));
  await run();
  // The checkpoint as it was before the next run: a SIGKILL after delivering, before checkpointing.
  const before = readFileSync(join(state, 'checkpoint.json'));
  writeFileSync(log, text.join(''));
  const delivered = async (): Promise<string[]> => {
    collectors.collector.reset();
    await run();
    return collectors.collector
      .accepted('snowplow')
      .flatMap((r) => (r.body as { data: { e: string; eid: string; se_ac?: string }[] }).data)
      .map((item) => `${item.e} ${item.se_ac ?? ''} ${item.eid}`);
  };
  const first = await delivered();
  writeFileSync(join(state, 'checkpoint.json'), before);
  const again = await delivered();
  // Session starts and ends, foregrounds and backgrounds, events: all four lines' records, twice.
  // The last four lines: background, foreground (a new session: 70 s away), launch (another), event.
  expect(first.filter((i) => i.startsWith('se session_'))).toHaveLength(4);
  expect(first.filter((i) => i.startsWith('ue '))).toHaveLength(3);
  expect(first.every((i) => /-5[\da-f]{3}-/.test(i))).toBe(true);
  expect(again).toEqual(first);
});

it('what an earlier run left in the outboxes (a vendor was down) is sent by the next run, whether or not its devices have new lines', async () => {
  const log = join(dir, 'down.ndjson');
  writeFileSync(log, records([launch(0), ev(5), bg(30)], 'phone-3').map((r) => `${JSON.stringify({ deviceId: r.deviceId, timestamp: r.t, type: r.type, ...(r.name ? { name: r.name } : {}) })}\n`).join(''));
  const state = join(dir, 'down-state');
  const run = async (collectorUrl: string): Promise<KitsSink> => {
    const sink = new KitsSink(kitsFromConfig({ snowplow: { collectorUrl, appId: 'replay' } }), state, silentLogger, 60);
    await replayLog(log, { out: sink, checkpoint: state });
    return sink;
  };
  // Nothing listens on port 1: every request is refused, and the items stay on disk.
  await run('http://127.0.0.1:1');
  expect([...storedOutboxes(join(state, 'kits'), ['snowplow'])]).toEqual([['phone-3', ['snowplow']]]);
  collectors.collector.reset();
  // A run stopped (SIGINT) before it began sending leaves them for the next.
  await new KitsSink(kitsFromConfig({ snowplow: { collectorUrl: collectors.url, appId: 'replay' } }), state, silentLogger, 60).open(AbortSignal.abort());
  expect(collectors.collector.requests).toHaveLength(0);
  // The log has no new line: phone-3's kits are only loaded because their outbox holds items.
  const next = await run(collectors.url);
  expect(next.storedDevices).toBe(1);
  const sent = collectors.collector.accepted('snowplow').flatMap((r) => (r.body as { data: { se_ac?: string }[] }).data.map((i) => i.se_ac ?? 'ue'));
  expect(sent).toEqual(expect.arrayContaining(['session_start', 'ue']));
  expect(storedOutboxes(join(state, 'kits'), ['snowplow']).size).toBe(0);
  // And the run after that finds nothing left.
  expect((await run(collectors.url)).storedDevices).toBe(0);
});

it('a kits config with a mistake fails at setup with the kit\'s own message', () => {
  expect(() => kitsFromConfig({ braze: { apiKey: '', baseUrl: 'x' } })).toThrow(/apiKey/);
  expect(() => kitsFromConfig({ segment: {} } as never)).toThrow('unknown kit "segment"');
});

it('a kit named without options (null, false, a string) is refused, not left out silently', () => {
  for (const options of [null, false, 0, 'x', []]) {
    expect(() => kitsFromConfig({ braze: options } as never)).toThrow(`the kits config gives braze ${JSON.stringify(options)}: give its options as an object, or leave braze out`);
  }
});
