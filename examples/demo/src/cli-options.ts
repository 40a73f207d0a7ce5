/** `pnpm demo [--timeout <s>] [--seed <n>] [--json] [--help]` */
import { parseArgs } from 'node:util';
import { TIMEOUT_RANGE } from './life';

export interface DemoOptions {
  /** The canonical session timeout, whole seconds. */
  readonly timeout: number;
  /** A random life from this seed instead of the scripted one; null for the scripted life. */
  readonly seed: number | null;
  /** Machine-readable output (one JSON document on stdout), no colours. */
  readonly json: boolean;
  readonly help: boolean;
}

export const USAGE = `Usage: pnpm demo [--timeout <seconds>] [--seed <n>] [--json]

Runs an app's life with SessionHub and the Braze, Snowplow and CleverTap kits against local
stand-ins for the vendors' collectors (127.0.0.1 only), on an accelerated clock, then shows what
each vendor received and whether all of them counted the same sessions, events and lengths.

  --timeout <s>  the session timeout in whole seconds, ${TIMEOUT_RANGE.min}–${TIMEOUT_RANGE.max} (default 60)
  --seed <n>     play a random life from this seed (an integer) instead of the scripted story
  --json         print one JSON document (for CI and scripts) instead of the timeline
  --help         this text

Exit code 0 when every vendor agrees with SessionHub, 1 when anything was lost or misaligned,
2 for a usage mistake.`;

/** Parses the arguments; throws an Error whose message says what is wrong. */
export function parseDemoOptions(argv: readonly string[]): DemoOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      timeout: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const timeout = values.timeout === undefined ? 60 : Number(values.timeout);
  if (!Number.isInteger(timeout) || timeout < TIMEOUT_RANGE.min || timeout > TIMEOUT_RANGE.max) {
    throw new Error(`--timeout must be a whole number of seconds from ${TIMEOUT_RANGE.min} to ${TIMEOUT_RANGE.max} (got ${values.timeout})`);
  }
  const seed = values.seed === undefined ? null : Number(values.seed);
  if (seed !== null && !Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer (got ${values.seed})`);
  return { timeout, seed, json: values.json ?? false, help: values.help ?? false };
}
