/**
 * The app: one process of the demo's app life, started by demo.ts with an IPC channel. It runs a
 * SessionHub made by `createNodeHub` (file storage in a directory that outlives the process, graceful
 * shutdown on SIGTERM) with the Braze, Snowplow and CleverTap kits pointed at the local collectors,
 * on a virtual clock the demo moves step by step. It reports every hub record back to the demo.
 *
 * The virtual clock jumps, so nothing waits for a timer: the hub decides from timestamps when it is
 * next called (a session that expired in the background ends at its last activity either way), and
 * an outbox sends when the app backgrounds or shuts down, or when its oldest item has waited the
 * batching window by the time something new is queued or the app relaunches.
 */
import type { Logger, SessionHub } from '@sessionhub/core';
import { createNodeHub } from '@sessionhub/core/node';
import { brazeKit } from '@sessionhub/kit-braze';
import { clevertapKit } from '@sessionhub/kit-clevertap';
import { snowplowKit } from '@sessionhub/kit-snowplow';
import { DEMO_SCHEMAS, DEMO_VENDOR_IDS } from './demo-setup';
import type { AppConfig, AppStep, FromApp, QueueFigures, ToApp } from './protocol';

const config = JSON.parse(process.argv[2] ?? '{}') as AppConfig;

let now = 0;
const clock = (): number => now;

const send = (message: FromApp): void => {
  process.send?.(message);
};

const logger: Logger = {
  debug() {},
  info() {},
  warn: (...args: unknown[]) => send({ type: 'log', level: 'warn', text: args.map(String).join(' ') }),
  error: (...args: unknown[]) => send({ type: 'log', level: 'error', text: args.map(String).join(' ') }),
};

let hub: SessionHub | null = null;
let stepIndex = -1;

function createAppHub(): SessionHub {
  const created = createNodeHub({
    dir: config.dir,
    clock,
    logger,
    sessionTimeout: config.sessionTimeout,
    // A mobile app: a relaunch after the process died closes the old session (the default off Node).
    resumeOnRelaunch: false,
    kits: [
      brazeKit({
        apiKey: DEMO_VENDOR_IDS.brazeApiKey,
        baseUrl: config.collectorUrl,
        sessionAttributes: 'custom-event',
        flushIntervalMs: config.batchWindowMs,
      }),
      snowplowKit({
        collectorUrl: config.collectorUrl,
        appId: DEMO_VENDOR_IDS.snowplowAppId,
        catchAllSchema: DEMO_SCHEMAS.appEvent,
        sessionEvents: { start: DEMO_SCHEMAS.sessionStart, end: DEMO_SCHEMAS.sessionEnd },
        delivery: { flushIntervalMs: config.batchWindowMs },
      }),
      clevertapKit({
        accountId: DEMO_VENDOR_IDS.clevertapAccountId,
        token: DEMO_VENDOR_IDS.clevertapToken,
        endpoint: config.collectorUrl,
        os: 'Android',
        // The demo's account has no Session Analytics: the kit concludes each session itself.
        sessionConcluded: true,
        delivery: { flushIntervalMs: config.batchWindowMs },
      }),
    ],
  });
  created.on('sessionStart', (record) => send({ type: 'record', step: stepIndex, hub: { kind: 'sessionStart', record } }));
  created.on('sessionEnd', (record) => send({ type: 'record', step: stepIndex, hub: { kind: 'sessionEnd', record } }));
  created.on('event', (record) => send({ type: 'record', step: stepIndex, hub: { kind: 'event', record } }));
  return created;
}

async function perform(step: AppStep): Promise<void> {
  now = step.t;
  if (step.kind === 'launch') {
    hub = createAppHub();
    await hub.start({ inBackground: !step.foreground });
    return;
  }
  if (!hub) throw new Error(`the life must launch the app before "${step.kind}"`);
  switch (step.kind) {
    case 'event':
      hub.logEvent(step.name, step.attributes, { affectsSession: !step.neutral });
      return;
    case 'set-attribute':
      hub.setSessionAttribute(step.key, step.value);
      return;
    case 'increment-attribute':
      hub.incrementSessionAttribute(step.key, step.by);
      return;
    case 'background':
      hub.background();
      return;
    case 'foreground':
      hub.foreground();
      return;
    case 'user':
      hub.setUser(step.userId);
      return;
    case 'shutdown':
      await hub.shutdown();
      return;
  }
}

const queues = (): QueueFigures => {
  const out: Record<string, { queued: number; inFlight: number }> = {};
  for (const [name, health] of Object.entries(hub?.getKitHealth() ?? {})) {
    out[name] = { queued: health.delivery?.queued ?? 0, inFlight: health.delivery?.inFlight ?? 0 };
  }
  return out;
};

/** Lets storage writes and request callbacks run. */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Waits until no kit has a request in flight (what a kill then leaves behind is exactly what is queued). */
async function settle(): Promise<QueueFigures> {
  for (let i = 0; i < 2000; i++) {
    await tick();
    const figures = queues();
    if (Object.values(figures).every((q) => q.inFlight === 0)) return figures;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return queues();
}

process.on('message', (message: ToApp) => {
  if (message.type !== 'run') return;
  void (async () => {
    for (const [index, step] of message.steps.entries()) {
      stepIndex = index;
      await perform(step);
      await tick();
      send({ type: 'step-done', step: index });
    }
    if (message.settleAtEnd) send({ type: 'settled', queues: await settle() });
    if (message.steps.at(-1)?.kind === 'shutdown') process.disconnect();
  })().catch((error: unknown) => {
    send({ type: 'log', level: 'error', text: `the app failed: ${error instanceof Error ? error.stack : String(error)}` });
    process.exitCode = 1;
    process.disconnect();
  });
});

send({ type: 'ready' });
