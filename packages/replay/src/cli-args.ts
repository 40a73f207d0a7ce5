/** The `sessionhub` command line: commands, flags and the usage text. */
import { parseArgs } from 'node:util';
import { MAX_TIMESTAMP_MS } from './log/timestamp';
import { UsageError } from './user-error';

export { UsageError };

export const USAGE = `usage:
  sessionhub compare <log> [--json] [--html report.html] [options]
      sessionize <log> with SessionHub's engine and with each vendor SDK's own rules, and show
      where the numbers differ (a table; --json for JSON; --html for a self-contained report)
  sessionhub replay <log> (--out records.ndjson | --kits kits.json) [--checkpoint dir] [options]
      server-side sessionization: SessionHub's canonical records as NDJSON, or delivered through the
      kits (Braze, Snowplow, CleverTap; --kits needs --checkpoint, where their outboxes live); with
      --checkpoint the same command resumes where a stopped run stopped (SIGINT/SIGTERM stop after
      a checkpoint)
  sessionhub generate --devices N --events M --seed S [--out file] [--format ndjson|csv]
      write a realistic seeded log (M lines in all: events, launches, backgrounds and foregrounds) to --out or stdout

<log> is a path, or - for stdin; NDJSON or CSV with a header (by the name: .csv), gzip or not.
options:
  --timeout <s>              SessionHub's session timeout, 1 to 8640000000000 (default 60)
  --resume-on-relaunch       a launch continues a session that has not expired (web logs)
  --on-error stop|skip       a bad line stops the run (default), or is reported and skipped
  --format ndjson|csv        the log's format, when its name does not say
  --braze-mobile session-start|background
                             where Braze mobile counts its 10 s from (default session-start)
  --canonical-only           compare: SessionHub's sessions only (no vendor models)
  --sample <n>               compare --html: devices drawn on the timelines (default 12)
  --checkpoint-every <n>     replay: lines between checkpoints (default 100000)
`;

export interface CommonArgs {
  readonly log: string;
  /** `--timeout`, in the engine's unit: whole ms, finite. */
  readonly timeoutMs: number;
  readonly resumeOnRelaunch: boolean;
  readonly onError: 'stop' | 'skip';
  readonly format: 'ndjson' | 'csv' | null;
}

export type Command =
  | ({ readonly command: 'compare'; readonly json: boolean; readonly html: string | null; readonly brazeMobile: 'session-start' | 'background'; readonly canonicalOnly: boolean; readonly sample: number } & CommonArgs)
  | ({ readonly command: 'replay'; readonly out: string | null; readonly kits: string | null; readonly checkpoint: string | null; readonly checkpointEvery: number } & CommonArgs)
  | { readonly command: 'generate'; readonly devices: number; readonly events: number; readonly seed: number; readonly out: string | null; readonly format: 'ndjson' | 'csv' }
  | { readonly command: 'help' };

const OPTIONS = {
  json: { type: 'boolean' },
  html: { type: 'string' },
  timeout: { type: 'string' },
  'resume-on-relaunch': { type: 'boolean' },
  'on-error': { type: 'string' },
  format: { type: 'string' },
  'braze-mobile': { type: 'string' },
  'canonical-only': { type: 'boolean' },
  sample: { type: 'string' },
  out: { type: 'string' },
  kits: { type: 'string' },
  checkpoint: { type: 'string' },
  'checkpoint-every': { type: 'string' },
  devices: { type: 'string' },
  events: { type: 'string' },
  seed: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ALLOWED: Record<string, readonly string[]> = {
  compare: ['json', 'html', 'timeout', 'resume-on-relaunch', 'on-error', 'format', 'braze-mobile', 'canonical-only', 'sample'],
  replay: ['out', 'kits', 'checkpoint', 'checkpoint-every', 'timeout', 'resume-on-relaunch', 'on-error', 'format'],
  generate: ['devices', 'events', 'seed', 'out', 'format'],
};

/**
 * A number as a person types one: decimal, maybe with a fraction or an exponent. `Number` also takes
 * `0x10`, `0b11` and `0o7`, which no one means as seconds or counts.
 */
const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;

function number(name: string, text: string | undefined, fallback: number | null, min: number, integer: boolean): number {
  if (text === undefined) {
    if (fallback === null) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  const n = Number(text);
  if (!DECIMAL.test(text) || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${JSON.stringify(text)}`);
  }
  return n;
}

/** The longest `--timeout`: the span of dates, in ms (no two timestamps of a log are further apart than twice that). */
export const MAX_TIMEOUT_MS = MAX_TIMESTAMP_MS;

/**
 * `--timeout <s>` as the engine takes it: ms, rounded as the hub rounds its seconds. Checked in ms,
 * not seconds: `1e308` s is a finite number of seconds but Infinity ms, which a checkpoint cannot
 * hold (JSON writes it as null).
 */
function timeoutMs(text: string | undefined): number {
  if (text === undefined) return 60_000;
  const seconds = Number(text);
  const ms = Math.round(seconds * 1000);
  if (!DECIMAL.test(text) || !(seconds >= 1 && ms <= MAX_TIMEOUT_MS)) {
    throw new UsageError(`--timeout must be a number of seconds from 1 to ${MAX_TIMEOUT_MS / 1000}, got ${JSON.stringify(text)}`);
  }
  return ms;
}

/** A path flag's value: an empty one (`--html=`) names no file, and `--html` used to write none and succeed. */
function path(name: string, text: string | undefined): string | null {
  if (text === '') throw new UsageError(`--${name} needs a path, got ""`);
  return text ?? null;
}

function oneOf<T extends string>(name: string, text: string | undefined, values: readonly T[], fallback: T): T {
  if (text === undefined) return fallback;
  if (!(values as readonly string[]).includes(text)) throw new UsageError(`--${name} must be ${values.join(' or ')}, got ${JSON.stringify(text)}`);
  return text as T;
}

/** Parses `sessionhub`'s arguments (without `node` and the script). */
export function parseCommand(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values: v, positionals } = parsed;
  const command = positionals[0];
  if (v.help || command === undefined || command === 'help') return { command: 'help' };
  const allowed = ALLOWED[command];
  if (!allowed) throw new UsageError(`unknown command ${JSON.stringify(command)} (compare, replay or generate)`);
  const stray = Object.keys(v).find((k) => !allowed.includes(k));
  if (stray) throw new UsageError(`--${stray} does not apply to ${command}`);

  if (command === 'generate') {
    if (positionals.length > 1) throw new UsageError(`generate takes no log, got ${JSON.stringify(positionals[1])}`);
    return {
      command,
      devices: number('devices', v.devices, null, 1, true),
      events: number('events', v.events, null, 0, true),
      seed: number('seed', v.seed, null, 0, true),
      out: path('out', v.out),
      format: oneOf('format', v.format, ['ndjson', 'csv'] as const, 'ndjson'),
    };
  }
  if (positionals.length !== 2) throw new UsageError(`${command} takes one log (a path, or - for stdin)`);
  const common: CommonArgs = {
    log: positionals[1]!,
    timeoutMs: timeoutMs(v.timeout),
    resumeOnRelaunch: v['resume-on-relaunch'] ?? false,
    onError: oneOf('on-error', v['on-error'], ['stop', 'skip'] as const, 'stop'),
    format: v.format === undefined ? null : oneOf('format', v.format, ['ndjson', 'csv'] as const, 'ndjson'),
  };
  if (command === 'compare') {
    return {
      command,
      ...common,
      json: v.json ?? false,
      html: path('html', v.html),
      brazeMobile: oneOf('braze-mobile', v['braze-mobile'], ['session-start', 'background'] as const, 'session-start'),
      canonicalOnly: v['canonical-only'] ?? false,
      sample: number('sample', v.sample, 12, 0, true),
    };
  }
  const out = path('out', v.out);
  const kits = path('kits', v.kits);
  const checkpoint = path('checkpoint', v.checkpoint);
  if ((v.out === undefined) === (v.kits === undefined)) throw new UsageError('replay needs one of --out <file> (or - for stdout) and --kits <config>');
  if (v.kits !== undefined && v.checkpoint === undefined) throw new UsageError("--kits needs --checkpoint <dir>: the kits' outboxes keep what is not delivered yet there, across runs");
  if (v.checkpoint !== undefined && v.out === '-') throw new UsageError('--checkpoint needs --out to be a file: what was written to stdout after the last checkpoint could not be taken back');
  return {
    command: 'replay',
    ...common,
    out,
    kits,
    checkpoint,
    checkpointEvery: number('checkpoint-every', v['checkpoint-every'], 100_000, 1, true),
  };
}
