import { expect, it } from 'vitest';
import { createHub } from '@sessionhub/core';
import type { HttpRequest, Transport } from '@sessionhub/delivery';
import { clevertapKit } from '@sessionhub/kit-clevertap';
import { manualClock, recordingLogger, recordingTransport } from '@sessionhub/testing';

const TOKEN = 'secret-account-token';

it('logs no debug or info line by default; with debug: true, every request body as sent with the token redacted', async () => {
  for (const debug of [false, true]) {
    const logger = recordingLogger();
    const requests: HttpRequest[] = [];
    const recording = recordingTransport();
    const transport: Transport = (request, options) => (requests.push(request), recording(request, options));
    const hub = createHub({ clock: manualClock().now, logger, debug, kits: [clevertapKit({ accountId: 'TEST-123-456', token: TOKEN, delivery: { transport } })] });
    await hub.start();
    hub.logEvent('song_played', { genre: 'jazz' });
    await hub.flush();
    expect(recording.requests.length).toBeGreaterThan(0);
    // The token is really sent: in the body's meta header and in a request header.
    expect(recording.requests[0]!.body).toContain(TOKEN);
    expect(Object.values(requests[0]!.headers ?? {})).toContain(TOKEN);
    const posts = logger.at('debug').filter((l) => l.includes('outbox clevertap: POST https://eu1.clevertap-prod.com/a1?'));
    if (debug) {
      expect(posts).toHaveLength(recording.requests.length);
      expect(posts[0]).toContain('"X-CleverTap-Token":"[redacted]"');
      expect(posts[0]).toContain('"tk":"[redacted]"');
      expect(posts[0]).toContain('song_played');
    } else {
      expect([...logger.at('debug'), ...logger.at('info')]).toEqual([]);
    }
    expect(logger.lines.join('\n')).not.toContain(TOKEN);
    await hub.shutdown();
  }
});
