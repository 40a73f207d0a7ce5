/**
 * The kit in a context built by hand (the kit run alone, or hosted by something other than the hub),
 * whose storage offers only what every `SafeStorage` has (get, set, remove), not the hub's `setLater`:
 * its ledger (session ids, which sessions it concluded) must still be saved, or an end delivered
 * again after a relaunch is concluded twice.
 */
import type { KitContext, SafeStorage, SessionEndRecord, SessionStartRecord } from '@sessionhub/core';
import { clevertapKit, type CleverTapUploadItem } from '@sessionhub/kit-clevertap';
import { recordingTransport } from '@sessionhub/testing';
import { describe, expect, it } from 'vitest';
import { ACCOUNT, NO_TIMERS, settle, T0 } from './harness';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** get / set / remove over a map, nothing more. */
function plainStorage(): SafeStorage & { readonly values: Map<string, string> } {
  const values = new Map<string, string>();
  return {
    values,
    degraded: false,
    get: async (key) => values.get(key) ?? null,
    set: async (key, value) => void values.set(key, value),
    remove: async (key) => void values.delete(key),
  };
}

const context = (storage: SafeStorage): KitContext => ({
  deviceId: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b',
  timeouts: { sessionTimeout: 60, foregroundTimeout: null, maxSessionDuration: null },
  logger: silent,
  storage,
  clock: () => T0,
  generateId: () => 'id',
  reportError() {},
});

const start: SessionStartRecord = {
  sessionId: 'S1',
  sessionIndex: 1,
  previousSessionId: null,
  startTime: T0,
  userId: null,
  deviceId: 'd',
  trigger: 'launch',
  isFirstSession: true,
  previousSessionStartTime: null,
  previousSessionDuration: null,
};

const end: SessionEndRecord = {
  sessionId: 'S1',
  sessionIndex: 1,
  previousSessionId: null,
  previousSessionDuration: null,
  startTime: T0,
  endTime: T0 + 30_000,
  duration: 30_000,
  foregroundDuration: 30_000,
  eventCount: 0,
  lastActivity: T0 + 30_000,
  firstEventId: null,
  firstEventTime: null,
  lastEventTime: null,
  attributes: {},
  userId: null,
  deviceId: 'd',
  reason: 'manual',
  trigger: 'launch',
  userChangeTime: null,
  signIn: null,
};

describe('the kit on a storage without setLater', () => {
  it('saves its ledger, so an end delivered again after a relaunch is not concluded twice', async () => {
    const storage = plainStorage();
    const transport = recordingTransport();
    const kit = () => clevertapKit({ ...ACCOUNT, sessionConcluded: true, delivery: { transport, timers: NO_TIMERS } });
    const first = kit();
    await first.init!(context(storage));
    first.onSessionStart!(start); // its page: the session's s
    first.onSessionEnd!(end); // concluded
    await first.flush!();
    await settle();
    expect(JSON.parse(storage.values.get('session-ids') ?? 'null')).toMatchObject({ sessions: [['S1', Math.floor(T0 / 1000), 0, 1, 1, T0]] });
    // The next run: the end comes again (the state saying it ended was lost).
    const next = kit();
    await next.init!(context(storage));
    next.onSessionEnd!(end);
    await next.flush!();
    await settle();
    const items = transport.requests.flatMap((r) => (JSON.parse(r.body) as CleverTapUploadItem[]).slice(1));
    expect(items.map((i) => (i.type === 'event' ? i.evtName : i.type))).toEqual(['page', 'Session Concluded']);
  });
});
