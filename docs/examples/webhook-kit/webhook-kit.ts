/**
 * The wiring half of the example kit (docs/writing-a-kit.md): options checked at setup, one durable
 * outbox created in `init`, each record mapped and queued, flush / page hide / clear / shutdown /
 * health forwarded.
 */
import { SessionHubConfigError, type Kit } from '@sessionhub/core';
import { createOutbox, type Outbox, type Transport } from '@sessionhub/delivery';
import { eventItem, sessionEndItem, sessionStartItem, webhookBatch, type WebhookItem } from './webhook-mapping';

/** Options of {@link webhookKit}. */
export interface WebhookKitOptions {
  /** Where batches are posted, e.g. `https://collect.example.com/sessions`. */
  readonly url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** How long an item may wait for company, ms. Default 10 000. */
  readonly flushIntervalMs?: number;
  /** HTTP transport (tests, custom networking). Default: fetch. */
  readonly transport?: Transport;
}

/** A setup mistake in {@link webhookKit}'s options: `option` names it, the message says what to fix. */
export class WebhookKitConfigError extends SessionHubConfigError {
  constructor(option: string, problem: string) {
    super(option, `webhookKit: option "${option}" ${problem}`);
  }
}

/**
 * A kit that posts SessionHub's sessions and events to your own endpoint as JSON batches
 * (`{ sentAt, deviceId, items: [session_start | event | session_end] }`), through a durable outbox.
 *
 * @example
 * const hub = createHub({ kits: [webhookKit({ url: 'https://collect.example.com/sessions' })] });
 */
export function webhookKit(options: WebhookKitOptions): Kit {
  // Setup mistakes throw now, while the developer is looking; runtime calls never throw.
  if (typeof options?.url !== 'string' || !/^https?:\/\/[^\s]+$/.test(options.url)) {
    throw new WebhookKitConfigError('url', `must be an http(s) URL, e.g. "https://collect.example.com/sessions" (got ${JSON.stringify(options?.url)})`);
  }
  const { url, token, flushIntervalMs = 10_000, transport } = options;
  if (!(typeof flushIntervalMs === 'number' && flushIntervalMs >= 0)) throw new WebhookKitConfigError('flushIntervalMs', 'must be a number of milliseconds ≥ 0');
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;

  let outbox: Outbox<WebhookItem> | null = null;
  // Before init resolves the hub buffers callbacks, so `outbox` is set whenever they run.
  // `keep`: never dropped to make room when storage is full (a session's start and end).
  const enqueue = (item: WebhookItem, keep?: boolean): void => void outbox?.enqueue(item, keep);

  return {
    name: 'webhook',
    async init(context) {
      outbox = createOutbox<WebhookItem>({
        name: 'webhook',
        storage: context.storage,
        logger: context.logger,
        clock: context.clock,
        flushIntervalMs,
        ...(transport ? { transport } : {}),
        buildRequest: (items, sentAt) => ({ url, method: 'POST', headers, body: JSON.stringify(webhookBatch(items, sentAt, context.deviceId)) }),
      });
      await outbox.load(); // what a killed process left unsent goes first
    },
    onSessionStart: (start) => enqueue(sessionStartItem(start), true),
    onEvent: (event) => enqueue(eventItem(event)),
    onSessionEnd: (end) => enqueue(sessionEndItem(end), true),
    // The app may be suspended next: send what is queued while it can.
    onBackground: () => void outbox?.flush(),
    // The page may be going: requests that outlive it (keepalive), within the browser's budget.
    onPageHide: () => outbox?.flushOnPageHide(),
    // An opt-out or a deletion (hub.clearStoredData()): what is queued is dropped, never sent.
    clear: async () => outbox?.clear(),
    flush: async () => outbox?.flush(),
    shutdown: async () => outbox?.shutdown(),
    getHealth: () => outbox?.health(),
  };
}
