/**
 * The demo's last table: its own life given to `sessionhub compare` (@sessionhub/replay), so it
 * ends by showing what each vendor's own SDK would have counted, against the sessions all three
 * received through SessionHub.
 */
import { Comparison, compareReport, renderCompareTable, type LogRecord } from '@sessionhub/replay';
import type { Alignment } from './alignment';
import type { Paint } from './paint';
import type { AppRun } from './protocol';
import { duration } from './timeline';

/** The app's life as a compare log: one device; what a log line cannot say is counted in `left`. */
export function lifeLog(runs: readonly AppRun[]): { records: LogRecord[]; left: string[] } {
  const records: LogRecord[] = [];
  const left: string[] = [];
  // A sign-in has no line of its own in a log: it rides on the next line (userId applies before it).
  let user: string | null | undefined;
  const push = (t: number, type: LogRecord['type'], event?: { name: string; attributes: Readonly<Record<string, unknown>>; neutral?: boolean }): void => {
    records.push({
      line: records.length + 1,
      deviceId: 'demo-phone',
      t,
      type,
      name: event?.name ?? null,
      attributes: event?.attributes ?? {},
      affectsSession: !event?.neutral,
      platform: 'mobile',
      userId: user,
    });
    user = undefined;
  };
  for (const run of runs) {
    for (const step of run.steps) {
      switch (step.kind) {
        case 'launch':
          if (step.foreground) push(step.t, 'launch');
          else left.push('a launch in the background (a log line is a launch in the foreground)');
          break;
        case 'event':
          push(step.t, 'event', step);
          break;
        case 'foreground':
        case 'background':
          push(step.t, step.kind);
          break;
        case 'user':
          user = step.userId;
          break;
        // Session attributes and shutdowns are not session boundaries.
      }
    }
  }
  return { records, left };
}

/** The compare table of the demo's life, and how it stands against what the vendors received. */
export function renderCompareEnding(runs: readonly AppRun[], timeoutS: number, alignment: Alignment, paint: Paint): string[] {
  const { records, left } = lifeLog(runs);
  const comparison = new Comparison({ engine: { sessionTimeoutMs: timeoutS * 1000 } });
  for (const r of records) comparison.add(r);
  const report = compareReport(comparison, { lines: records.length, skipped: 0 });
  const received = alignment.totals.canonical;
  return [
    '',
    paint.bold("sessionhub compare on this demo's own life") + paint.dim(' — what each vendor SDK would have counted with its own session rules'),
    ...renderCompareTable(report)
      .trimEnd()
      .split('\n')
      .map((l) => (l ? `  ${l}` : l)),
    '',
    `  Through SessionHub, Braze, Snowplow and CleverTap each received ${received.sessions} sessions (${duration(received.lengthMs)} of ended sessions): one number, not four.` +
      (left.length ? paint.dim(` (Not in the log: ${left.length} × ${left[0]}; the session it ended is counted open above.)`) : ''),
  ];
}
