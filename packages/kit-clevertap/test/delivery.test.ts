/**
 * Delivery through the shared outbox and the default fetch transport to the msw CleverTap collector
 * of @sessionhub/testing: the wire as the collector decodes it, and retries under faults.
 */
import { fetchTransport } from '@sessionhub/delivery';
import { cleverTapGuid, type CleverTapMetaHeader, type CleverTapUploadItem } from '@sessionhub/kit-clevertap';
import { KIT_VERSION_CODE } from '../src/version';
import { type Fault } from '@sessionhub/testing';
import { vendorCollector } from '@sessionhub/testing/msw';
import fc from 'fast-check';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNT, Device, type HubSetup } from './harness';

const ORIGIN = 'https://eu1.clevertap-prod.com';
const collector = vendorCollector({ origins: { clevertap: ORIGIN } });
const server = setupServer(...collector.handlers);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
beforeEach(() => collector.reset());

/** A device whose kit sends with fetch to the real CleverTap EU endpoint, which msw answers. */
function device(setup: HubSetup = {}): Device {
  return new Device({ ...setup, transport: fetchTransport, kit: { region: 'eu1', os: 'Android', ...setup.kit } });
}

/** The items the collector took in, in order. */
function acceptedItems(): CleverTapUploadItem[] {
  return collector.accepted('clevertap').flatMap((r) => (r.body as unknown[]).slice(1) as CleverTapUploadItem[]);
}

/** Flushes, moving the clock past any backoff or Retry-After, until the kit's queue is empty. */
async function drain(d: Device, limit = 100): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await d.hub.flush();
    if (d.hub.getKitHealth().clevertap!.delivery!.queued === 0) return;
    d.clock.advance(60_000);
  }
  throw new Error('the queue did not drain');
}

/**
 * A fixed little story: two sessions, a neutral event, a sign-in. No background: a background sends
 * at once with page-hide (keepalive) requests beside the queue's own, which would take the scripted
 * faults meant for the queue.
 */
async function story(d: Device): Promise<void> {
  await d.launch();
  d.hub.logEvent('play', { track: 't1' });
  d.clock.advance(5_000);
  d.hub.logEvent('Identity Set');
  d.hub.setUser('user-7');
  d.clock.advance(5_000);
  d.hub.startNewSession();
  d.hub.logEvent('pause');
  d.hub.endSession();
}

const label = (i: CleverTapUploadItem): string => (i.type === 'event' ? i.evtName : i.type === 'profile' ? `profile:${i.profile.Identity}` : 'page');

/** Items in a fixed order, to compare what arrived regardless of the order requests were sent in. */
const sorted = (items: CleverTapUploadItem[]): string[] => items.map((i) => JSON.stringify(i)).sort();

describe('delivery to the msw CleverTap collector', () => {
  it('posts /a1 as CleverTap expects: query, headers, meta header first, then the items', async () => {
    const d = device();
    await story(d);
    await drain(d);
    const [request] = collector.accepted('clevertap');
    expect(request).toBeDefined();
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/a1');
    expect(request!.query).toEqual({ os: 'Android', t: String(KIT_VERSION_CODE), z: ACCOUNT.accountId, ts: expect.stringMatching(/^\d{10}$/) });
    expect(request!.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'x-clevertap-account-id': ACCOUNT.accountId,
      'x-clevertap-token': ACCOUNT.token,
    });
    const [header] = request!.body as [CleverTapMetaHeader];
    expect(header).toMatchObject({ type: 'meta', g: cleverTapGuid(d.hub.getDeviceId()!), id: ACCOUNT.accountId });
    expect(acceptedItems().map(label)).toEqual(['App Launched', 'play', 'Identity Set', 'profile:user-7', 'App Launched', 'pause']);
    await d.hub.shutdown();
  });

  it('retries 5xx answers and dropped connections until CleverTap takes the batch, losing and reordering nothing', async () => {
    const d = device();
    collector.failNext({ type: 'status', status: 500 });
    collector.failNext({ type: 'network-error' });
    collector.failNext({ type: 'status', status: 502 });
    await story(d);
    await drain(d);
    expect(collector.received('clevertap').map((r) => r.status)).toEqual([500, null, 502, 200]);
    expect(acceptedItems()).toHaveLength(6);
    // Every attempt carried the same items; only ts (send time) may differ.
    const bodies = collector.received('clevertap').map((r) => JSON.stringify((r.body as unknown[]).slice(1)));
    expect(new Set(bodies).size).toBe(1);
    expect(d.hub.getKitHealth().clevertap!.delivery).toMatchObject({ delivered: 6, retried: 18, queued: 0 });
    await d.hub.shutdown();
  });

  it('waits out a Retry-After on 503 and 429 before sending again', async () => {
    const d = device();
    collector.failNext({ type: 'status', status: 503, retryAfter: 30 });
    collector.failNext({ type: 'status', status: 429, retryAfter: 30 });
    await story(d);
    await d.hub.flush();
    await d.hub.flush(); // within the vendor's 30 s: nothing is sent
    expect(collector.received('clevertap')).toHaveLength(1);
    d.clock.advance(31_000);
    await d.hub.flush();
    expect(collector.received('clevertap').map((r) => r.status)).toEqual([503, 429]);
    d.clock.advance(31_000);
    await d.hub.flush();
    expect(collector.received('clevertap').map((r) => r.status)).toEqual([503, 429, 200]);
    await d.hub.shutdown();
  });

  it('drops a batch CleverTap refuses (4xx) and says so in the health', async () => {
    const d = device();
    collector.failNext({ type: 'status', status: 400 });
    await story(d);
    await drain(d);
    expect(acceptedItems()).toHaveLength(0);
    expect(d.hub.getKitHealth().clevertap!.delivery).toMatchObject({ dropped: { rejected: 6 }, queued: 0, lastError: 'HTTP 400' });
    await d.hub.shutdown();
  });

  it('what is not yet accepted survives a force-quit and is sent by the next run', async () => {
    const d = device();
    collector.failNext({ type: 'status', status: 500 }, { times: 2 });
    await story(d);
    await d.hub.flush();
    await d.forceQuit();
    await d.launch(true);
    await drain(d);
    expect(acceptedItems().map(label)).toEqual(['App Launched', 'play', 'Identity Set', 'profile:user-7', 'App Launched', 'pause']);
    await d.hub.shutdown();
  });

  it('under random faults, CleverTap ends up with exactly the items a fault-free network gets', async () => {
    const faults: Fault[] = [
      { type: 'status', status: 500 },
      { type: 'status', status: 503, retryAfter: 2 },
      { type: 'status', status: 429 },
      { type: 'network-error' },
    ];
    const step = fc.oneof(
      fc.record({ t: fc.constant('event' as const), name: fc.constantFrom('a', 'b', 'Identity Set'), n: fc.integer({ min: 0, max: 9 }) }),
      fc.record({ t: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 200_000 }) }),
      fc.constant({ t: 'background' as const }),
      fc.constant({ t: 'foreground' as const }),
      fc.constant({ t: 'flush' as const }),
    );
    let faultsSeen = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), fc.integer({ min: 1, max: 1_000_000 }), async (steps, seed) => {
        const runOnce = async (failureRate: number): Promise<CleverTapUploadItem[]> => {
          collector.reset();
          collector.setFaults({ failureRate, seed, mix: faults });
          const d = device({ sessionTimeout: 60 });
          await d.launch();
          for (const s of steps) {
            if (s.t === 'event') d.hub.logEvent(s.name, { n: s.n });
            else if (s.t === 'advance') d.clock.advance(s.ms);
            else if (s.t === 'background') d.run.lifecycle.background();
            else if (s.t === 'foreground') d.run.lifecycle.foreground();
            else await d.hub.flush();
          }
          d.hub.endSession();
          await drain(d, 500);
          await d.hub.shutdown();
          faultsSeen += collector.received('clevertap').filter((r) => !r.accepted).length;
          return acceptedItems();
        };
        const clean = await runOnce(0);
        const faulty = await runOnce(0.4);
        // Everything arrives exactly once. Page-hide requests on background go beside the queue's,
        // so under faults the order of requests may differ; each item carries its own s and ep.
        expect(sorted(faulty)).toEqual(sorted(clean));
      }),
      { numRuns: 15 },
    );
    expect(faultsSeen).toBeGreaterThan(0);
  });
});
