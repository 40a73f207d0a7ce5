// How an app uses the example kit (included in docs/writing-a-kit.md; compiled by the typecheck).
import { createHub } from '@sessionhub/core';
import { webhookKit } from './webhook-kit';

export async function startTracking(): Promise<void> {
  // #region usage
  const hub = createHub({
    sessionTimeout: 60,
    kits: [webhookKit({ url: 'https://collect.example.com/sessions', token: process.env.COLLECT_TOKEN })],
  });
  await hub.start();
  hub.logEvent('song_played', { genre: 'jazz' });
  // #endregion usage
}
