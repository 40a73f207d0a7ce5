import type { EngineConfig } from '@sessionhub/core';
export { HISTOGRAM_EDGES_MS } from './tally';
import { VENDORS } from '../models/index';
import type { Vendor } from '../models/model';
import type { Comparison, DeviceTimeline } from './comparison';
import { CAUSES, HISTOGRAM_EDGES_MS, QUANTILE_RELATIVE_ERROR, type Cause, type Tally } from './tally';

/** How a column's session count differs from the canonical count, and why. */
export interface Difference {
  /** This column's sessions minus the canonical sessions. */
  readonly sessions: number;
  /**
   * The count difference by what the log showed where the two disagreed about a session start:
   * `timeoutGaps` (a gap between the two timeouts), `restarts` (an app launch), `userChanges`
   * (a line changing the user), `neutralEvents` (an event the canonical session ignores,
   * `affectsSession: false`). They sum to `sessions`.
   */
  readonly byCause: Readonly<Record<Cause, number>>;
  /** Total session time minus the canonical total, ms. */
  readonly totalMs: number;
  /** The part of `totalMs` from where sessions start and end (lengths measured start → last activity), ms. */
  readonly boundariesMs: number;
  /** The part of `totalMs` from measuring lengths differently (e.g. first → last event, a 10 s minimum), ms. */
  readonly measurementMs: number;
}

/** A length histogram: `counts[i]` sessions lasted from `edgesMs[i]` (inclusive) to `edgesMs[i + 1]`. */
export interface Histogram {
  readonly edgesMs: readonly number[];
  readonly counts: readonly number[];
}

/** One column of the report: the canonical sessions, or what one vendor's own SDK would count. */
export interface ColumnReport {
  /** `canonical`, or the vendor. */
  readonly id: 'canonical' | Vendor;
  readonly label: string;
  /** The rules applied, one line per platform. */
  readonly rules: readonly string[];
  readonly sessions: number;
  /** Sessions still live at the end of the log (included in `sessions`). */
  readonly openAtEnd: number;
  readonly sessionsPerUser: number;
  /** The median length, ms: within {@link CompareReport.quantileRelativeError} of the exact one (nearest rank). */
  readonly medianMs: number;
  /** The 90th percentile length, ms, within the same bound. */
  readonly p90Ms: number;
  readonly totalMs: number;
  /** Null for the canonical column. */
  readonly difference: Difference | null;
  readonly histogram: Histogram;
}

/** What `sessionhub compare` reports (also its `--json`). */
export interface CompareReport {
  readonly input: { readonly lines: number; readonly records: number; readonly skipped: number };
  readonly devices: { readonly total: number; readonly mobile: number; readonly web: number };
  readonly users: number;
  readonly canonicalConfig: { readonly sessionTimeoutS: number; readonly resumeOnRelaunch: boolean };
  /**
   * How far each column's `medianMs` and `p90Ms` may be from the exact nearest-rank quantile of
   * every session length, relative to it (0.01: 1 %). They come from a quantile sketch, so that a
   * comparison's memory does not grow with the sessions; counts, totals and histograms are exact.
   */
  readonly quantileRelativeError: number;
  readonly columns: readonly ColumnReport[];
  /** Sessions of the first devices, per column, for timelines. */
  readonly timelines: readonly DeviceTimeline[];
}

const LABELS: Record<Vendor, string> = { braze: 'Braze', snowplow: 'Snowplow', clevertap: 'CleverTap', mparticle: 'mParticle' };

function column(id: ColumnReport['id'], label: string, rules: string[], tally: Tally, users: number, canonical: Tally | null): ColumnReport {
  const byCause = Object.fromEntries(CAUSES.map((c, i) => [c, tally.causes[i]!])) as Record<Cause, number>;
  return {
    id,
    label,
    rules,
    sessions: tally.sessions,
    openAtEnd: tally.open,
    sessionsPerUser: users === 0 ? 0 : tally.sessions / users,
    medianMs: tally.lengths.quantile(0.5),
    p90Ms: tally.lengths.quantile(0.9),
    totalMs: tally.total,
    difference: canonical && {
      sessions: tally.sessions - canonical.sessions,
      byCause,
      totalMs: tally.total - canonical.total,
      boundariesMs: tally.spanTotal - canonical.total,
      measurementMs: tally.total - tally.spanTotal,
    },
    histogram: { edgesMs: HISTOGRAM_EDGES_MS, counts: [...tally.histogram] },
  };
}

/** The report of a finished comparison. */
export function compareReport(c: Comparison, input: { lines: number; skipped: number }): CompareReport {
  c.finish();
  const users = c.userCount;
  const config: EngineConfig = c.config;
  const platforms = c.platformCounts();
  const columns = [column('canonical', 'SessionHub', [`${config.sessionTimeoutMs / 1000} s timeout (canonical engine)`], c.canonical, users, null)];
  c.vendors.forEach((tally, i) => {
    const vendor = VENDORS[i]!;
    const rules = [`mobile: ${c.mobileModels[i]!.summary}`, `web: ${c.webModels[i]!.summary}`];
    columns.push(column(vendor, LABELS[vendor], rules, tally, users, c.canonical));
  });
  return {
    input: { lines: input.lines, records: c.records, skipped: input.skipped },
    devices: { total: c.deviceCount, mobile: platforms.mobile, web: platforms.web },
    users,
    canonicalConfig: { sessionTimeoutS: config.sessionTimeoutMs / 1000, resumeOnRelaunch: config.resumeOnRelaunch },
    quantileRelativeError: QUANTILE_RELATIVE_ERROR,
    columns,
    timelines: c.timelines,
  };
}
