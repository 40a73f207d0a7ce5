/**
 * The storage's setup and its recovery: a storage adapter whose members throw when read is a setup
 * mistake (SessionHubConfigError); a storage that fails and works again says so at the level it said
 * it failed.
 */
import { describe, expect, it } from 'vitest';
import { createHub, SessionHubConfigError, type LogLevel, type StorageAdapter } from '@sessionhub/core';
import { dyingStorage, recordingLogger } from '@sessionhub/testing';

/** A run whose storage fails for a while and then works again; what was logged and emitted. */
async function outageAndRecovery(logLevel?: LogLevel): Promise<string> {
  const storage = dyingStorage();
  const logger = recordingLogger();
  const hub = createHub({ storage, logger, ...(logLevel && { logLevel }) });
  const warnings: string[] = [];
  hub.on('warning', (w) => void warnings.push(w.message));
  await hub.start();
  hub.logEvent('saved');
  await hub.flush();
  storage.fail();
  hub.logEvent('kept_in_memory');
  await hub.flush();
  storage.recover();
  hub.logEvent('after_recovery');
  await hub.flush();
  return [...logger.lines, ...warnings].join('\n');
}

describe('once the storage works again, "storage works again" is logged (docs/troubleshooting.md)', () => {
  it('control: at logLevel "info" the recovery is logged (the message exists)', async () => {
    const out = await outageAndRecovery('info');
    expect(out).toMatch(/storage failed/);
    expect(out).toMatch(/storage works again/);
  });

  it('at the default log level ("warn"), where "storage failed" is printed, the recovery is logged too', async () => {
    const out = await outageAndRecovery();
    expect(out).toMatch(/storage failed/);
    expect(out).toMatch(/storage works again/);
  });
});

/** A storage with the three methods whose `prop` getter throws (a Proxy or an accessor). */
function storageThrowingOn(prop: string): StorageAdapter {
  const map = new Map<string, string>();
  const storage = {
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
  };
  Object.defineProperty(storage, prop, { get: () => { throw new Error(`reading ${prop} failed`); }, enumerable: true });
  return storage;
}

describe('only setup mistakes throw, and as a SessionHubConfigError (docs/sessions.md)', () => {
  it.each(['notice', 'commit', 'whenFull'])('createHub with a storage whose `%s` getter throws throws a SessionHubConfigError', (prop) => {
    let thrown: unknown;
    try {
      createHub({ storage: storageThrowingOn(prop), logger: recordingLogger() });
    } catch (error) {
      thrown = error;
    }
    // Either no throw (the hub copes) or a SessionHubConfigError (SH003: "the options could not be read"); never a plain Error.
    if (thrown !== undefined) expect(thrown).toBeInstanceOf(SessionHubConfigError);
  });
});
