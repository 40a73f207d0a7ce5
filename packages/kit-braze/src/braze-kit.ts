import { checkKitOptions, type Kit, type KitContext, type SessionTimeouts } from '@sessionhub/core';
import { createOutbox, type Outbox } from '@sessionhub/delivery';
import { BRAZE_WIRE_SDK_VERSION, BrazeKitConfigError, checkBrazeKitOptions, type BrazeKitOptions } from './braze-kit-options';
import { brazeDevice } from './braze-device';
import { customEvent, sessionAttributesEvent, sessionEndEvent, sessionStartEvent } from './braze-mapping';
import { brazeQueued, type BrazeOutboxItem, type BrazeQueuedItem } from './braze-outbox-item';
import { brazeDataUrl, brazeRefusal, brazeRequest, type BrazeRequestSettings } from './braze-request';
import { brazeWebSdkSessionEnd, readBrazeWebSdk } from './braze-web-sdk-state';
import { brazeWebSdkHandOver } from './braze-web-sdk-handover';
import { timeoutAlignment } from './braze-timeouts';
import { message } from './braze-messages';
import type { BrazeSdkEvent } from './braze-wire';

/**
 * A kit that sends the canonical session to Braze's SDK data API as Braze's Web SDK writes it: `ss`
 * at each session start (sent at once), `ce` for each event, `se` at each session end, the `device`
 * on the first request and after each user change, all through a durable outbox
 * (`@sessionhub/delivery`). Invalid options throw {@link BrazeKitConfigError} naming the option.
 *
 * @example
 * const hub = createHub({
 *   sessionTimeout: 60,
 *   kits: [brazeKit({ apiKey: 'YOUR-APP-API-KEY', baseUrl: 'sdk.iad-01.braze.com' })],
 * });
 */
export function brazeKit(options: BrazeKitOptions): Kit {
  checkKitOptions(() => checkBrazeKitOptions(options), BrazeKitConfigError);
  const o = options;
  const name = o.name ?? 'braze';
  const settings: BrazeRequestSettings = {
    url: brazeDataUrl(o.baseUrl)!,
    apiKey: o.apiKey.trim(),
    sdkVersion: o.sdkVersion ?? BRAZE_WIRE_SDK_VERSION,
    sdkFlavor: o.sdkFlavor,
    appVersion: o.appVersion,
  };
  let context: KitContext | undefined;
  let outbox: Outbox<BrazeQueuedItem> | undefined;
  let mismatch: string | null = null;
  /** The `config.time` of Braze's latest answer that had one: `respond_with.config.config_time`. */
  let configTime = 0;
  /** The device id Braze's Web SDK left in this browser, adopted; empty: the hub's. */
  let adopted = '';
  /**
   * The device of items stored without their own (stored `base`, from the first reset on; before it,
   * and for what a previous version stored, the device id current at init); empty: not read yet.
   */
  let base = '';
  /** Whether the outbox loaded an item of the base device. */
  let based = false;
  /** clear() ran, and nothing was queued since: the device info goes with the next item. */
  let cleared = false;
  const device = { device: { ...brazeDevice(), ...o.device } };
  const deviceJson = JSON.stringify(device);
  // One closure for every mapping warning, so the event path allocates none.
  const warn = (message: string): void => context?.logger.warn(message);
  /**
   * Queues under the device id current now, fixed for the item: a reset never moves it to the new
   * device. A full storage may drop custom events (`ce`) only: never a session's `ss` or `se`, nor the device.
   */
  const queue = (item: BrazeOutboxItem): void => {
    if (!outbox) return;
    if (cleared) {
      // The first item after a deletion or an opt-out: the device goes first, as on a new install's first request.
      cleared = false;
      void context!.storage.set('device', deviceJson);
      if (item != device) queue(device);
    }
    const d = adopted || context!.deviceId;
    outbox.enqueue(brazeQueued(item, d, (base ||= d)), (item as { event?: BrazeSdkEvent }).event?.name != 'ce');
  };
  const enqueue = (event: BrazeSdkEvent | null | undefined): void => void (event && queue({ event }));

  /**
   * hub.reset(): items are queued under the hub's new device id from now on (a Web SDK device id
   * adopted before is dropped for good, in every tab); those queued before keep theirs. The base
   * device is stored at the first reset, so what is stored without a device id still loads under
   * it. The new device gets its device info, as a new install.
   */
  const forgetDevice = (): void => {
    // (Written at each reset: it is the same value until the launch that forgets it.)
    void context?.storage.set('base', base);
    adopted = '';
    void context?.storage.set('deviceId', '');
    brazeWebSdkHandOver(settings.apiKey, '0');
    queue(device);
  };

  const compareTimeouts = (timeouts: SessionTimeouts, when: string): void => {
    if (!context) return;
    const { logger } = context;
    const alignment = timeoutAlignment(timeouts, o);
    logger.debug(`${when}: ${alignment.summary}`);
    if (alignment.mismatch && alignment.mismatch != mismatch) logger.warn(alignment.mismatch);
    else if (!alignment.mismatch && mismatch) logger.info(message(323, when));
    mismatch = alignment.mismatch;
  };

  return {
    name,

    async init(ctx) {
      context = ctx;
      outbox = createOutbox<BrazeQueuedItem>({
        // The kit's storage, logger and clock (the outbox reads only the options it knows).
        ...ctx,
        name,
        transport: o.transport,
        // Each item goes under the device id it was queued under, and a request carries one.
        batchKey: (queued) => queued.d,
        buildRequest: (items, sentAt, info) => brazeRequest(items, sentAt, info, items[0]!.d, settings, configTime),
        // Stored as the Web SDK's event (or the device) in JSON, made once when queued.
        encode: (item) => item.json,
        // Items stored without a device id belong to the base device (loaded after it is known).
        decode: (value) => ((based ||= !(value as { d?: string }).d), brazeQueued(value as BrazeOutboxItem, base)),
        // Braze answers some refusals (a wrong API key) with 200 and an error body.
        refusal(body) {
          let answer;
          // (An empty body is no JSON: not parsed, as a throw is slow.)
          try {
            answer = body && JSON.parse(body);
          } catch {}
          configTime = answer?.config?.time ?? configTime;
          return brazeRefusal(answer, settings.apiKey, settings.url);
        },
        // 75 items is the per-request cap Braze documents for its `/users/track` API (the closest
        // published Braze limit); 60 000 bytes keeps a batch, with its envelope, inside the browser's
        // 64 KiB keepalive budget, so a page-hide flush can carry it.
        maxBatchItems: 75,
        maxBatchBytes: 60_000,
        flushIntervalMs: o.flushIntervalMs,
      });
      compareTimeouts(ctx.timeouts, 'init');
      // Moving off Braze's Web SDK: its device stays Braze's device (in every tab), and what it left
      // is sent once per browser storage, its open session's se included, unless it still runs in
      // this app (brazePlatform 'web'). Never after a deletion, an opt-out or a reset.
      // Read together: one round trip on an asynchronous storage (AsyncStorage), not three.
      const [b, kept, sent] = (await Promise.all(['base', 'deviceId', 'device'].map((k) => ctx.storage.get(k)))) as [string | null, string | null, string | null];
      base = b ?? '';
      const handedOver = brazeWebSdkHandOver(settings.apiKey);
      if (kept === null) {
        const sdk = handedOver == '0' ? undefined : readBrazeWebSdk(settings.apiKey);
        adopted = sdk?.deviceId ?? '';
        void ctx.storage.set('deviceId', adopted);
        if (sdk && !handedOver && o.brazePlatform != 'web') [...sdk.events, brazeWebSdkSessionEnd(sdk)].forEach(enqueue);
      } else adopted = kept;
      // (Also when an earlier version adopted it: that one sent what the SDK left.)
      if (!handedOver && adopted) brazeWebSdkHandOver(settings.apiKey, '1');
      base ||= adopted || ctx.deviceId;
      // A tab's kit that was not told of a reset (its page was closed then) forgets the SDK's device now.
      if (handedOver == '0' && adopted) forgetDevice();
      const d = adopted || ctx.deviceId;
      // The device goes once to Braze, as the Web SDK sends it: when it is new or changed since last sent.
      if (sent != deviceJson) {
        queue(device);
        void ctx.storage.set('device', deviceJson);
      }
      await outbox.load();
      // No item left of the device before a reset: its id is forgotten, and items stop naming the device.
      if (!based && base != d) {
        base = d;
        void ctx.storage.remove('base');
      }
    },

    onSessionStart(record) {
      enqueue(sessionStartEvent(record));
      // At once, as the Web SDK's openSession and changeUser: Braze's session-start triggers wait for it.
      void outbox?.flush();
    },

    onEvent(record) {
      enqueue(customEvent(record, warn));
    },

    onSessionEnd(record) {
      if (o.sessionAttributes == 'custom-event') {
        enqueue(sessionAttributesEvent(record, o.sessionAttributesEventName ?? 'session_attributes', warn));
      }
      enqueue(sessionEndEvent(record));
    },

    onUserChange(record) {
      // The Web SDK sends the device again after each changeUser (there is no logout in Braze).
      if (record.userId !== null) queue(device);
    },

    onBackground() {
      // The app may be suspended, or the page unloaded, next. The page-hide flush writes the queue to
      // storage now, before the hub persists its state after this callback (so a kill right after
      // cannot keep a session's end in the hub state but lose its se), and sends what fits with
      // requests that outlive the page; flush() sends the rest.
      outbox?.flushOnPageHide();
      void outbox?.flush();
    },

    onPageHide() {
      // Browsers: the page may be gone next. Writes the queue now and sends what fits in the
      // keepalive budget with requests that outlive the page; the rest goes on the next visit.
      outbox?.flushOnPageHide();
    },

    onConfigChange(timeouts) {
      compareTimeouts(timeouts, 'config change');
    },

    flush: () => outbox?.flush(),

    shutdown: () => outbox?.shutdown(),

    onReset: forgetDevice,

    // Opt-out or deletion: the outbox, the adopted device id and the record of the device info sent
    // (the next item brings it again). The Web SDK's device id is never adopted again in this browser.
    async clear() {
      adopted = base = '';
      brazeWebSdkHandOver(settings.apiKey, '0');
      await outbox?.clear();
      await context?.storage.remove('base');
      await context?.storage.remove('deviceId');
      await context?.storage.remove('device');
      cleared = true;
    },

    // Before init, none (the hub reports the kit as initializing).
    getHealth: () => outbox?.health(),
  };
}
