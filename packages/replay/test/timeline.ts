/** Hand-made timelines for the model and comparison tests: compact lines in seconds from T0. */
import type { LogRecord, LogLineType, Platform } from '../src/log/log-record';
import { INITIAL_MODEL_STATE, type ClosedSession, type VendorModel } from '../src/models/model';

export const T0 = Date.UTC(2026, 2, 14, 9, 0, 0);

export interface LineSpec {
  /** Seconds from T0. */
  readonly at: number;
  readonly type: LogLineType;
  readonly name?: string;
  readonly userId?: string | null;
  readonly neutral?: boolean;
  readonly platform?: Platform;
  readonly deviceId?: string;
}

/** Lines as records, numbered from 1. */
export function records(lines: readonly LineSpec[], deviceId = 'd1'): LogRecord[] {
  return lines.map((l, i) => ({
    line: i + 1,
    deviceId: l.deviceId ?? deviceId,
    t: T0 + l.at * 1000,
    type: l.type,
    name: l.type === 'event' ? (l.name ?? 'tap') : null,
    attributes: {},
    affectsSession: !l.neutral,
    platform: l.platform ?? null,
    userId: l.userId,
  }));
}

export const ev = (at: number, extra: Partial<LineSpec> = {}): LineSpec => ({ at, type: 'event', ...extra });
export const fg = (at: number, extra: Partial<LineSpec> = {}): LineSpec => ({ at, type: 'foreground', ...extra });
export const bg = (at: number, extra: Partial<LineSpec> = {}): LineSpec => ({ at, type: 'background', ...extra });
export const launch = (at: number, extra: Partial<LineSpec> = {}): LineSpec => ({ at, type: 'launch', ...extra });

/** A session in seconds from T0: [start, end, length]. */
export type Secs = [start: number, end: number, length: number];

const secs = (c: ClosedSession): Secs => [(c.start - T0) / 1000, (c.end - T0) / 1000, c.length / 1000];

/** Runs a model over lines: the sessions it closed, then the one live at the end (if any). */
export function runModel(model: VendorModel, lines: readonly LineSpec[]): { closed: Secs[]; live: Secs | null; started: number } {
  let state = INITIAL_MODEL_STATE;
  const closed: Secs[] = [];
  let started = 0;
  for (const r of records(lines)) {
    const before = state;
    const frozen = JSON.stringify(before);
    state = model.step(state, r);
    // Pure: the input state is never modified.
    if (JSON.stringify(before) !== frozen) throw new Error(`${model.id} modified its input state`);
    closed.push(...state.closed.map(secs));
    started += state.started;
  }
  const last = model.finish(state);
  return { closed, live: last && secs(last), started };
}
