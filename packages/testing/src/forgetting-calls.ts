import type { SessionHub } from '@sessionhub/core';

/**
 * The three ways an app makes the hub forget the device (a deletion, an opt-out and back in, a
 * reset), each as `[its name, what it calls]`: for tests that everything a kit keeps of the device
 * (and of a vendor SDK it took over) is forgotten after each.
 */
export const FORGETTING_CALLS: ReadonlyArray<readonly [string, (hub: SessionHub) => Promise<void>]> = [
  ['clearStoredData()', (hub) => hub.clearStoredData()],
  ['an opt-out (and back in)', async (hub) => (await hub.setOptOut(true), await hub.setOptOut(false))],
  ['reset()', (hub) => hub.reset()],
];
