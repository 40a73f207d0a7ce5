import { expect, it } from 'vitest';
import { createHub } from '@sessionhub/core';
import { brazeKit } from '@sessionhub/kit-braze';
import { manualClock, recordingLogger, recordingTransport } from '@sessionhub/testing';

const API_KEY = 'b1a2c3d4-secret-api-key';

it('logs no debug or info line by default; with debug: true, every request body as sent with the API key redacted', async () => {
  for (const debug of [false, true]) {
    const logger = recordingLogger();
    const transport = recordingTransport();
    const hub = createHub({ clock: manualClock().now, logger, debug, kits: [brazeKit({ apiKey: API_KEY, baseUrl: 'sdk.iad-01.braze.com', transport })] });
    await hub.start();
    hub.logEvent('song_played', { genre: 'jazz' });
    await hub.flush();
    expect(transport.requests.length).toBeGreaterThan(0);
    expect(transport.requests[0]!.body).toContain(API_KEY); // the key is really in what is sent
    const posts = logger.at('debug').filter((l) => l.includes('outbox braze: POST https://sdk.iad-01.braze.com/api/v3/data/'));
    if (debug) {
      expect(posts).toHaveLength(transport.requests.length);
      expect(posts.every((post) => post.includes('"api_key":"[redacted]"'))).toBe(true);
      // The session start goes at once, alone; the event in the next request.
      expect(posts.at(-1)).toContain('song_played');
    } else {
      expect([...logger.at('debug'), ...logger.at('info')]).toEqual([]);
    }
    expect(logger.lines.join('\n')).not.toContain(API_KEY);
    await hub.shutdown();
  }
});
