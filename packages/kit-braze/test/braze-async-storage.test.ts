import { describe, expect, it } from 'vitest';
import { createHub, silentLogger } from '@sessionhub/core';
import { manualClock, roundTripStorage } from '@sessionhub/testing';
import { brazeKit } from '@sessionhub/kit-braze';

describe('brazeKit on an asynchronous storage (AsyncStorage-like)', () => {
  it('reads its keys at launch together: one round trip, not one after another', async () => {
    const storage = roundTripStorage();
    const hub = createHub({
      storage,
      clock: manualClock().now,
      logger: silentLogger,
      kits: [brazeKit({ apiKey: 'api-key', baseUrl: 'sdk.iad-01.braze.com', transport: () => Promise.resolve({ status: 200 }) })],
    });
    await hub.start();
    const trips = ['base', 'deviceId', 'device'].map((key) => storage.readIn(`sessionhub:kit:braze:${key}`));
    expect(trips[0]).toBeGreaterThan(0);
    expect(new Set(trips).size).toBe(1);
    await hub.shutdown();
  });
});
