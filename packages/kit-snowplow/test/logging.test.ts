import { expect, it } from 'vitest';
import { createHub } from '@sessionhub/core';
import { snowplowKit } from '@sessionhub/kit-snowplow';
import { manualClock, recordingLogger, recordingTransport } from '@sessionhub/testing';

it('logs no debug or info line by default; with debug: true, every request body as sent', async () => {
  for (const debug of [false, true]) {
    const logger = recordingLogger();
    const transport = recordingTransport();
    const hub = createHub({
      clock: manualClock().now,
      logger,
      debug,
      kits: [snowplowKit({ collectorUrl: 'https://collector.example.com', appId: 'my-app', delivery: { transport } })],
    });
    await hub.start();
    hub.logEvent('song_played', { genre: 'jazz' });
    await hub.flush();
    expect(transport.requests.length).toBeGreaterThan(0);
    const posts = logger.at('debug').filter((l) => l.includes('outbox snowplow: POST https://collector.example.com/com.snowplowanalytics.snowplow/tp2'));
    if (debug) {
      expect(posts).toHaveLength(transport.requests.length);
      expect(posts.join('\n')).toContain(JSON.stringify(JSON.parse(transport.requests[0]!.body)));
    } else {
      expect([...logger.at('debug'), ...logger.at('info')]).toEqual([]);
    }
    await hub.shutdown();
  }
});
