// The example of docs/kits/clevertap.md, compiled and run: the docs include the regions below verbatim
// (the docs checker compares them), and the test checks that the example does what the page says.
import { afterAll, expect, it, vi } from 'vitest';
import { mockedCollector } from '@sessionhub/testing/node';
import type { CleverTapEventItem, CleverTapMetaHeader, CleverTapUploadItem } from '@sessionhub/kit-clevertap';

// CleverTap's EU endpoint, answered by the msw collector; the example itself is unchanged app code.
const collector = mockedCollector({ origins: { clevertap: 'https://eu1.clevertap-prod.com' } });
const debug = vi.spyOn(console, 'debug').mockImplementation(() => undefined);
const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
afterAll(() => {
  collector.close();
  vi.restoreAllMocks();
});

// #region example
import { createHub } from '@sessionhub/core';
import { clevertapKit } from '@sessionhub/kit-clevertap';

const hub = createHub({
  sessionTimeout: 60,
  kits: [
    clevertapKit({
      accountId: 'W9R-486-4W5Z', // CleverTap dashboard: Settings > Project
      token: 'YOUR-ACCOUNT-TOKEN',
      region: 'eu1', // uploads go to https://eu1.clevertap-prod.com/a1
      os: 'Android',
      appFields: { Version: '2.4.1', Build: 241 },
    }),
  ],
});
await hub.start();

hub.logEvent('Product Viewed', { 'Product ID': 42, Category: 'shoes' });
hub.logEvent('Added To Cart', { 'Product ID': 42, Quantity: 1 });
hub.setUser('user-42'); // the first sign-in on this device: its profile keeps the device id
// #endregion

// #region end
hub.endSession(); // or: the session times out, or the app is killed and relaunched
await hub.flush(); // sends now; otherwise within 10 s, or when the app goes to the background
// #endregion

it('sends what docs/kits/clevertap.md says it sends', async () => {
  const [request, ...more] = collector.accepted('clevertap');
  expect(more).toHaveLength(0);
  expect(request!.query).toMatchObject({ os: 'Android', z: 'W9R-486-4W5Z' });
  const [header, ...items] = request!.body as [CleverTapMetaHeader, ...CleverTapUploadItem[]];
  expect(header).toMatchObject({ type: 'meta', af: { OS: 'Android', Version: '2.4.1', Build: 241 } });
  expect(header.g).toMatch(/^__[0-9a-f]{32}$/);
  const s = (items[0] as CleverTapEventItem).s;
  expect(items.map((i) => (i.type === 'event' ? i.evtName : i.type === 'profile' ? `profile ${i.profile.Identity}` : i.type))).toEqual([
    'App Launched',
    'Product Viewed',
    'Added To Cart',
    'profile user-42',
  ]);
  expect(items.every((i) => i.s === s && i.pg === 1 && i.f === true && i.lsl === 0)).toBe(true);
  expect(items[0]).toMatchObject({ evtData: header.af });
  expect(items[1]).toMatchObject({ evtData: { 'Product ID': 42, Category: 'shoes' } });
  expect(header).toMatchObject({ frs: true, l_ts: 0 });
  // Nothing to warn about, and at the default log level no debug line either.
  expect(debug).not.toHaveBeenCalled();
  expect(warn).not.toHaveBeenCalled();
  await hub.shutdown();
});
