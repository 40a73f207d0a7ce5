import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHub, logsDebug, prefixedLogger, SessionHubConfigError, silentLogger, type Kit, type LogLevel } from '@sessionhub/core';
import { createBrowserHub } from '@sessionhub/core/browser';
import { manualClock, recordingLogger } from '@sessionhub/testing';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** A kit that logs one line at each level at init, as kits log their setup. */
const chattyKit = (): Kit => ({
  name: 'chatty',
  init({ logger }) {
    for (const level of LEVELS) logger[level](`${level} at init`);
  },
});

describe('log levels', () => {
  it('default "warn": no debug or info line from a kit at init, warnings and errors shown', async () => {
    const logger = recordingLogger();
    const hub = createHub({ clock: manualClock().now, logger, kits: [chattyKit()] });
    await hub.start();
    hub.logEvent('x');
    expect(logger.lines).toEqual(['warn [sessionhub:chatty] warn at init', 'error [sessionhub:chatty] error at init']);
    await hub.shutdown();
  });

  it('each level shows itself and the levels after it, "silent" nothing (hub, kits, browser preset)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<LogLevel>('debug', 'info', 'warn', 'error', 'silent'), fc.boolean(), async (logLevel, browser) => {
        const logger = recordingLogger();
        const options = { clock: manualClock().now, logger, logLevel, kits: [chattyKit()] };
        const hub = browser ? createBrowserHub({ ...options, storage: null, lifecycle: null, locks: null, storageEvents: null }) : createHub(options);
        await hub.start();
        hub.logEvent(''); // an invalid call: one warning from the hub itself
        const shown = LEVELS.slice(['debug', 'info', 'warn', 'error', 'silent'].indexOf(logLevel));
        const kitLines = logger.lines.filter((l) => l.includes('[sessionhub:chatty]'));
        expect(kitLines).toEqual(shown.map((level) => `${level} [sessionhub:chatty] ${level} at init`));
        const hubWarnings = logger.lines.filter((l) => l.startsWith('warn [sessionhub] '));
        expect(hubWarnings.length > 0).toBe(shown.includes('warn'));
        expect(logger.lines.filter((l) => l.startsWith('debug [sessionhub] ')).length > 0).toBe(logLevel === 'debug');
        await hub.shutdown();
      }),
      { numRuns: 30 },
    );
  });

  it('refuses a level that is not one of the five, naming the option', () => {
    for (const logLevel of ['verbose', 'WARN', 3, null]) {
      expect(() => createHub({ logLevel: logLevel as never })).toThrow(SessionHubConfigError);
      expect(() => createHub({ logLevel: logLevel as never })).toThrow(/option "logLevel" must be 'debug', 'info', 'warn', 'error' or 'silent'/);
    }
    expect(() => createHub({ debug: 'yes' as never })).toThrow(/option "debug" must be a boolean/);
  });

  it('debug: true logs every canonical record the kits receive, whatever logLevel says', async () => {
    const logger = recordingLogger();
    const clock = manualClock();
    const hub = createHub({ clock: clock.now, logger, logLevel: 'error', debug: true });
    await hub.start();
    hub.logEvent('song_played', { genre: 'jazz' });
    hub.setSessionAttribute('level', '11');
    hub.setUser('user-42');
    hub.background();
    clock.advance(61_000); // past the 60 s timeout: the session ends, coming back starts another
    hub.foreground();
    await hub.shutdown();
    const records = logger.lines.filter((l) => l.startsWith('debug [sessionhub] ')).map((l) => l.split(' ')[2]);
    // No lifecycle adapter: no lifecycle information, so no foreground record at launch.
    expect(records.slice(0, 5)).toEqual(['sessionStart:', 'event:', 'sessionAttributeChange:', 'userChange:', 'background:']);
    expect(records.slice(5)).toEqual(expect.arrayContaining(['sessionEnd:', 'sessionStart:', 'foreground:']));
    const event = logger.lines.find((l) => l.includes(' event: '))!;
    expect(JSON.parse(event.slice(event.indexOf('{')))).toMatchObject({ name: 'song_played', attributes: { genre: 'jazz' } });
  });

  it('logsDebug tells whether a debug line would print', () => {
    const sink = recordingLogger();
    expect(logsDebug(prefixedLogger(sink, 'p', 'debug'))).toBe(true);
    for (const level of ['info', 'warn', 'error', 'silent'] as const) expect(logsDebug(prefixedLogger(sink, 'p', level))).toBe(false);
    expect(logsDebug(silentLogger)).toBe(false);
    expect(logsDebug(console)).toBe(true); // a logger of the app's own prints what it is given
  });
});
