/**
 * A small Node app, run as a real child process by node-runtime.test.ts: a hub from createNodeHub with
 * one kit whose durable outbox posts to the loopback collector. It prints JSON lines on stdout
 * (`{"ready":…}` once its events are queued) and then behaves as the mode says:
 * - `server`: stays alive (an interval) until a signal arrives;
 * - `own-handler`: the same, but the app handles SIGINT itself (stops its interval, exit code 42);
 * - `cli`: logs its events and simply returns, so the event loop runs empty;
 * - `cli-debug`: the same with `debug: true` and the preset's own logger (which must keep stdout clean).
 * A mode ending in `+sessions` also sends each session start and end through the sink (items named
 * `session_start` / `session_end`, the end with its reason).
 * Usage: node child.mjs <mode> <dir> <collectorUrl> <shutdownTimeoutMs> <eventCount>
 */
import type { Kit, KitContext } from '@sessionhub/core';
import { createNodeHub } from '@sessionhub/core/node';
// By path: @sessionhub/delivery depends on core, so core does not list it as a dependency.
import { createOutbox, type Outbox } from '../../delivery/src/index';

const [modeArg = 'server', dir = '', collectorUrl = '', timeoutText = '5000', countText = '3'] = process.argv.slice(2);
const sessions = modeArg.endsWith('+sessions');
const mode = modeArg.replace('+sessions', '');

interface SinkItem {
  readonly id: string;
  readonly name: string;
  readonly sessionId: string | null;
  readonly reason?: string;
}

/** A kit that sends every event to the collector's Braze route, used here as a plain JSON sink. */
function sinkKit(): Kit {
  let outbox: Outbox<SinkItem> | undefined;
  return {
    name: 'sink',
    async init(context: KitContext) {
      outbox = createOutbox<SinkItem>({
        name: 'sink',
        storage: context.storage,
        logger: context.logger,
        clock: context.clock,
        // Only an explicit flush sends, so the test sees what the shutdown flushed.
        flushIntervalMs: 3_600_000,
        buildRequest: (items) => ({
          url: `${collectorUrl}/api/v3/data/`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ events: items }),
        }),
      });
      await outbox.load();
    },
    onEvent(event) {
      outbox?.enqueue({ id: event.eventId, name: event.name, sessionId: event.sessionId });
    },
    ...(sessions && {
      onSessionStart: (start) => outbox?.enqueue({ id: `start:${start.sessionId}`, name: 'session_start', sessionId: start.sessionId }),
      onSessionEnd: (end) => outbox?.enqueue({ id: `end:${end.sessionId}`, name: 'session_end', sessionId: end.sessionId, reason: end.reason }),
    }),
    flush: () => outbox?.flush(),
    shutdown: () => outbox?.shutdown(),
    getHealth: () => outbox!.health(),
  };
}

const print = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value)}\n`);

const logging = mode === 'cli-debug' ? { debug: true } : { logger: console };
const hub = createNodeHub({ dir, kits: [sinkKit()], shutdownTimeoutMs: Number(timeoutText), ...logging });
await hub.start();
const resumed = hub.getSession()?.id ?? null;
const count = Number(countText);
for (let i = 1; i <= count; i++) hub.logEvent('step', { i });
// Let the outbox write its items (write-behind) before saying they are queued.
await new Promise((resolve) => setImmediate(resolve));
print({ ready: true, resumed, sessionId: hub.getSession()?.id ?? null, queued: hub.getKitHealth().sink?.delivery?.queued ?? null });

if (mode === 'server' || mode === 'own-handler') {
  const keepAlive = setInterval(() => {}, 1000);
  if (mode === 'own-handler') {
    process.on('SIGINT', () => {
      clearInterval(keepAlive);
      process.exitCode = 42;
    });
  }
}
