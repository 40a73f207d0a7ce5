import { describe, expect, it, vi } from 'vitest';
import { messageFormat, MESSAGES_DOC } from '../src/message-format';
import { createHub, type HubOptions } from '../src/index';
import { SessionHubConfigError } from '../src/errors';

const TEXTS = { 12: (got: string, max: number) => `must be at most ${max}, got ${got}`, 7: () => 'no values' };

describe('messageFormat', () => {
  it('prints the full text in development builds', () => {
    const message = messageFormat(TEXTS);
    expect(message(12, 'a string of 300 characters', 255)).toBe('must be at most 255, got a string of 300 characters');
    expect(message(7)).toBe('no values');
  });

  it('prints the code, the values and the docs link in production builds (no texts)', () => {
    const message = messageFormat<typeof TEXTS>(undefined);
    expect(message(12, 'a string of 300 characters', 255)).toBe(`SH012 (a string of 300 characters; 255) ${MESSAGES_DOC}#sh012`);
    expect(message(7)).toBe(`SH007 ${MESSAGES_DOC}#sh007`);
  });

  it('keeps the full texts under vitest (NODE_ENV "test"): a setup error says what to fix', () => {
    expect(() => createHub({ logLevel: 'loud' as never })).toThrow(
      new SessionHubConfigError('logLevel', `option "logLevel" must be 'debug', 'info', 'warn', 'error' or 'silent' (got a string of 4 characters)`),
    );
  });

  it('in production (NODE_ENV "production" when core loads), a setup error and a warning carry the code, the value and the docs link', async () => {
    vi.stubEnv('NODE_ENV', 'production');
    vi.resetModules();
    try {
      const core = await import('../src/index');
      let thrown: unknown;
      try {
        core.createHub({ logLevel: 'loud' as never });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(core.SessionHubConfigError);
      expect((thrown as InstanceType<typeof core.SessionHubConfigError>).option).toBe('logLevel');
      expect((thrown as Error).message).toBe(`SessionHub setup: option "logLevel" SH006 (a string of 4 characters) ${MESSAGES_DOC}#sh006`);
      // Every option's setup error carries its code: a symbol is wrong for each of them (the type holds the list complete).
      const s = Symbol('wrong');
      const wrong: Record<keyof HubOptions, symbol> = {
        sessionTimeout: s, foregroundTimeout: s, maxSessionDuration: s, logLevel: s, resumeOnRelaunch: s, newSessionOnUserChange: s, newSessionOnLogin: s,
        debug: s, excludedEvents: s, storage: s, clock: s, logger: s, kits: s, namespace: s, lifecycle: s, generateId: s, beforeSend: s, optOut: s,
      };
      for (const [name, value] of Object.entries(wrong)) {
        expect(() => core.createHub({ [name]: value }), name).toThrow(new RegExp(`^SessionHub setup: option "${name}" SH\\d{3}( |$)`));
      }
      const warnings: unknown[][] = [];
      const logger = { debug() {}, info() {}, warn: (...a: unknown[]) => void warnings.push(a), error() {} };
      const hub = core.createHub({ logger, clock: () => 1_000_000 });
      await hub.start();
      expect(hub.logEvent('x'.repeat(300))).toBe(false);
      expect(warnings).toEqual([['[sessionhub]', `SH048 (255; a string of 300 characters) ${MESSAGES_DOC}#sh048`]]);
      await hub.shutdown();
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});
