/** The demo's machine-readable result (`--json`): what CI and the demo's own test read. */
import type { Alignment, Totals, Vendor } from './alignment';
import { cleverTapLength } from './alignment';
import type { RunReport } from './run-app';
import type { VendorSession } from './vendor-views';

export interface DemoJson {
  /** True when every vendor agrees with SessionHub and every run ended as planned. */
  readonly ok: boolean;
  readonly life: 'scripted' | 'random';
  readonly seed: number | null;
  /** Seconds. */
  readonly sessionTimeout: number;
  readonly runs: ReadonlyArray<{
    readonly pid: number;
    readonly ending: 'kill' | 'sigterm' | 'exit';
    readonly exit: { readonly code: number | null; readonly signal: string | null };
    readonly queuedAtEnd: Readonly<Record<string, number>> | null;
    readonly leftOnDisk: Readonly<Record<string, number>>;
    readonly steps: number;
  }>;
  readonly sessions: ReadonlyArray<{
    readonly index: number;
    readonly id: string;
    readonly trigger: string;
    readonly startTime: string;
    readonly endTime: string | null;
    readonly reason: string | null;
    readonly durationMs: number | null;
    /** CleverTap's Session Length (its first event to its last), ms; null when CleverTap has no session for it. */
    readonly cleverTapLengthMs: number | null;
    readonly events: number;
    readonly attributes: Readonly<Record<string, unknown>> | null;
    readonly vendors: Readonly<Record<Vendor, VendorSession | null>>;
    readonly problems: readonly string[];
  }>;
  readonly totals: Readonly<Record<'canonical' | Vendor, Totals>>;
  readonly problems: readonly string[];
  readonly elapsedMs: number;
}

export function demoJson(input: {
  life: 'scripted' | 'random';
  seed: number | null;
  sessionTimeout: number;
  runs: readonly RunReport[];
  alignment: Alignment;
  runProblems: readonly string[];
  elapsedMs: number;
}): DemoJson {
  const problems = [...input.runProblems, ...input.alignment.problems];
  return {
    ok: problems.length === 0,
    life: input.life,
    seed: input.seed,
    sessionTimeout: input.sessionTimeout,
    runs: input.runs.map((r) => ({
      pid: r.pid,
      ending: r.run.ending,
      exit: r.exit,
      queuedAtEnd: r.queuesAtEnd ? Object.fromEntries(Object.entries(r.queuesAtEnd).map(([kit, q]) => [kit, q.queued])) : null,
      leftOnDisk: r.leftOnDisk,
      steps: r.run.steps.length,
    })),
    sessions: input.alignment.sessions.map(({ canonical, canonical: { start, end, events }, vendors, problems: own }) => ({
      index: start.sessionIndex,
      id: start.sessionId,
      trigger: start.trigger,
      startTime: new Date(start.startTime).toISOString(),
      endTime: end ? new Date(end.endTime).toISOString() : null,
      reason: end?.reason ?? null,
      durationMs: end?.duration ?? null,
      cleverTapLengthMs: end ? cleverTapLength(canonical) : null,
      events,
      attributes: end?.attributes ?? null,
      vendors,
      problems: own,
    })),
    totals: input.alignment.totals,
    problems,
    elapsedMs: input.elapsedMs,
  };
}
