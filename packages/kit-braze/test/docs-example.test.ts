// The example of docs/kits/braze.md, compiled and run: the docs include the regions below verbatim
// (the docs checker compares them), and the test checks that the example does what the page says.
import { afterAll, expect, it, vi } from 'vitest';
import { mockedCollector } from '@sessionhub/testing/node';
import type { BrazeRequestBody } from '@sessionhub/kit-braze';

// Braze's SDK endpoint, answered by the msw collector; the example itself is unchanged app code.
const collector = mockedCollector({ origins: { braze: 'https://sdk.iad-01.braze.com' } });
const debug = vi.spyOn(console, 'debug').mockImplementation(() => undefined);
const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
afterAll(() => {
  collector.close();
  vi.restoreAllMocks();
});

// #region example
import { createHub } from '@sessionhub/core';
import { brazeKit } from '@sessionhub/kit-braze';

const hub = createHub({
  sessionTimeout: 60,
  kits: [
    brazeKit({
      apiKey: 'YOUR-APP-IDENTIFIER-API-KEY', // Braze dashboard: Settings > App Settings
      baseUrl: 'sdk.iad-01.braze.com', // your cluster's SDK endpoint
      appVersion: '2.4.1',
      sessionAttributes: 'custom-event', // send session attributes at each session end
      brazeSessionTimeout: 60, // what your own Braze SDK uses, if it also runs
      brazePlatform: 'mobile',
    }),
  ],
});
await hub.start();

hub.setUser('user-42');
hub.logEvent('song_played', { genre: 'jazz', seconds: 212, released: new Date('2019-05-01') });
hub.setSessionAttribute('level', 3);
// #endregion

// #region end
hub.endSession(); // or: the session times out, or the app is killed and relaunched
await hub.flush(); // sends now; otherwise within 10 s, or when the app goes to the background
// #endregion

it('sends what docs/kits/braze.md says it sends', async () => {
  const bodies = collector.accepted('braze').map((r) => r.body as BrazeRequestBody);
  const events = bodies.flatMap((b) => b.events);
  expect(events.map((e) => (e.name === 'ce' ? (e.data as { n: string }).n : e.name))).toEqual(['ss', 'song_played', 'session_attributes', 'se']);
  expect(events[1]).toMatchObject({ user_id: 'user-42', data: { p: { genre: 'jazz', seconds: 212, released: '2019-05-01T00:00:00' } } });
  expect(events[2]).toMatchObject({ data: { p: { level: 3 } } });
  // The session start went at once with the device; the rest in one request, the device again after the sign-in.
  expect(bodies.map((b) => b.events.length)).toEqual([1, 3]);
  expect(bodies.map((b) => b.device?.time_zone)).toEqual([expect.any(String), expect.any(String)]);
  expect(bodies[1]).toMatchObject({ respond_with: { user_id: 'user-42', config: { config_time: 0 } } });
  expect(bodies[0]).toMatchObject({ api_key: 'YOUR-APP-IDENTIFIER-API-KEY', app_version: '2.4.1', sdk_version: '6.13.0', sdk_metadata: ['npm'] });
  // No mismatch warning (60 s here, 60 s in Braze), and at the default log level no debug line either.
  expect(debug).not.toHaveBeenCalled();
  expect(warn).not.toHaveBeenCalled();
  await hub.shutdown();
});
