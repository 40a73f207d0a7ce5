import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_TIMEOUT_MS, parseCommand } from '../src/cli-args';
import { UsageError } from '../src/user-error';

describe('--timeout', () => {
  it('is checked in the unit the engine uses: whole ms, finite, at most the span of dates, so a checkpoint holds it exactly', () => {
    const seconds = fc.oneof(
      fc.double({ noNaN: true }).map(String),
      fc.integer({ min: -10, max: 1e6 }).map(String),
      fc.constantFrom('1e308', '8.64e12', '8.64e12.5', '8640000000000.001', '8640000000000.0005', '0.9995', '1', '', ' ', 'Infinity', '1e-3'),
    );
    fc.assert(
      fc.property(seconds, (text) => {
        let ms: number;
        try {
          const command = parseCommand(['compare', 'log.ndjson', `--timeout=${text}`]);
          ms = (command as { timeoutMs: number }).timeoutMs;
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
          expect((error as Error).message).toBe(`--timeout must be a number of seconds from 1 to 8640000000000, got ${JSON.stringify(text)}`);
          return;
        }
        expect(Number.isSafeInteger(ms)).toBe(true);
        expect(ms).toBeGreaterThanOrEqual(1000);
        expect(ms).toBeLessThanOrEqual(MAX_TIMEOUT_MS);
        expect(JSON.parse(JSON.stringify({ ms }))).toEqual({ ms });
        expect(ms).toBe(Math.round(Number(text) * 1000));
      }),
      { numRuns: 1000 },
    );
    expect(() => parseCommand(['replay', 'log.ndjson', '--out', 'o', '--timeout', '1e308'])).toThrow(UsageError);
    // Number() reads these as 16, 3 and 7: no one means seconds or counts so.
    for (const text of ['0x10', '0b11', '0o7']) {
      for (const args of [['compare', 'log.ndjson', '--timeout'], ['compare', 'log.ndjson', '--sample'], ['replay', 'log.ndjson', '--out', 'o', '--checkpoint-every']]) {
        expect(() => parseCommand([...args, text]), `${args.at(-1)} ${text}`).toThrow(/must be/);
        // The same value in decimal is taken.
        expect(() => parseCommand([...args, String(Number(text))])).not.toThrow();
      }
    }
    expect(parseCommand(['compare', 'log.ndjson'])).toMatchObject({ timeoutMs: 60_000 });
  });
});
