// The example of docs/kits/snowplow.md, compiled and run: the docs include the regions below verbatim
// (the docs checker compares them), and the test checks that the example does what the page says.
import { afterAll, expect, it, vi } from 'vitest';
import { mockedCollector } from '@sessionhub/testing/node';
import { acceptedEvents } from './harness';
import { clientSession, decodeTrackerRequest } from './iglu-validator';

// The collector the example names, answered by the msw collector; the example itself is unchanged app code.
const collector = mockedCollector({ origins: { snowplow: 'https://collector.example.com' } });
const debug = vi.spyOn(console, 'debug').mockImplementation(() => undefined);
const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
afterAll(() => {
  collector.close();
  vi.restoreAllMocks();
});

// #region example
import { createHub } from '@sessionhub/core';
import { snowplowKit } from '@sessionhub/kit-snowplow';

const hub = createHub({
  sessionTimeout: 60,
  kits: [
    snowplowKit({
      collectorUrl: 'https://collector.example.com', // events go to …/com.snowplowanalytics.snowplow/tp2
      appId: 'music-app',
      events: { song_played: 'iglu:com.example/song_played/jsonschema/1-0-0' }, // the rest: structured events
      globalEntities: [{ schema: 'iglu:com.snowplowanalytics.mobile/application/jsonschema/1-0-0', data: { version: '2.4.1', build: '241' } }],
      // Per-event entities, computed from the event (like the trackers' context generators):
      entitiesFor: (event) =>
        typeof event.attributes.screen === 'string'
          ? [{ schema: 'iglu:com.snowplowanalytics.mobile/screen/jsonschema/1-0-0', data: { name: event.attributes.screen, id: event.eventId } }]
          : null,
    }),
  ],
});
await hub.start();

hub.setUser('user-42');
hub.logEvent('song_played', { genre: 'jazz', seconds: 212, screen: 'player' });
hub.logEvent('share', { category: 'social', label: 'whatsapp', value: 1 }); // no schema: a structured event
// #endregion

// #region end
await hub.flush(); // sends now; otherwise within 10 s, or when the app goes to the background
// #endregion

it('sends what docs/kits/snowplow.md says it sends', async () => {
  const requests = collector.accepted('snowplow');
  const events = [...acceptedEvents(requests.map((r) => ({ events: decodeTrackerRequest({ url: r.url, method: 'POST', headers: r.headers, body: r.rawBody }), accepted: true }))).values()];
  // No lifecycle adapter in the example: no foreground at launch (there is no lifecycle information).
  expect(events.map((e) => e.event?.schema ?? `se:${e.item.se_ac}`)).toEqual([
    'se:session_start',
    'iglu:com.example/song_played/jsonschema/1-0-0',
    'se:share',
  ]);
  const [start, song, share] = events;
  // The session started at launch: sent first, so Snowplow counts it.
  expect(start!.item).toMatchObject({ se_ca: 'sessionhub', se_ac: 'session_start', se_la: 'launch' });
  expect(song!.item).toMatchObject({ p: 'mob', aid: 'music-app', tna: 'sessionhub', uid: 'user-42' });
  expect(song!.event!.data).toEqual({ genre: 'jazz', seconds: 212, screen: 'player' });
  expect(song!.entities.map((e) => e.schema)).toEqual([
    'iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-2',
    'iglu:com.snowplowanalytics.mobile/application/jsonschema/1-0-0',
    'iglu:com.snowplowanalytics.mobile/screen/jsonschema/1-0-0',
  ]);
  expect(share!.item).toMatchObject({ e: 'se', se_ca: 'social', se_ac: 'share', se_la: 'whatsapp', se_va: '1' });
  const session = hub.getSession()!;
  expect(clientSession(song!)).toEqual({
    userId: hub.getDeviceId(),
    sessionId: session.id,
    sessionIndex: 1,
    previousSessionId: null,
    firstEventId: song!.item.eid,
    firstEventTimestamp: new Date(Number(song!.item.dtm)).toISOString(),
    storageMechanism: 'LOCAL_STORAGE',
    eventIndex: 1,
  });
  expect(clientSession(share!)?.eventIndex).toBe(2);
  // No warning, and at the default log level no debug line either.
  expect(debug).not.toHaveBeenCalled();
  expect(warn).not.toHaveBeenCalled();
  await hub.shutdown();
});
