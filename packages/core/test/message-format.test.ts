import { describe, expect, it } from 'vitest';
import { messageFormat, MESSAGES_DOC } from '../src/message-format';
import { createHub } from '../src/index';
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
});
