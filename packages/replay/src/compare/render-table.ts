import type { ColumnReport, CompareReport } from './report';

/** A duration for people: 42 s, 3 min 5 s, 2 h 10 min. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (Math.abs(s) < 60) return `${s} s`;
  const m = Math.trunc(s / 60);
  if (Math.abs(m) < 60) return `${m} min${s % 60 ? ` ${Math.abs(s % 60)} s` : ''}`;
  const h = Math.trunc(m / 60);
  return `${h} h${m % 60 ? ` ${Math.abs(m % 60)} min` : ''}`;
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const signed = (n: number): string => (n > 0 ? `+${int(n)}` : n === 0 ? '0' : `−${int(-n)}`);
const signedDuration = (ms: number): string => (ms > 0 ? `+${formatDuration(ms)}` : ms === 0 ? '0' : `−${formatDuration(-ms)}`);
const pct = (part: number, whole: number): string => (whole === 0 ? '' : ` (${part >= 0 ? '+' : '−'}${Math.abs((100 * part) / whole).toFixed(1)} %)`);

function pad(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd());
}

/** Where a column's count difference comes from, in words, largest first. */
export function explainDifference(c: ColumnReport): string {
  const d = c.difference;
  if (!d) return '';
  const names: Record<string, string> = { timeoutGaps: 'gaps between the timeouts', restarts: 'app restarts', userChanges: 'user changes', neutralEvents: 'session-neutral events' };
  const parts = Object.entries(d.byCause)
    .filter(([, n]) => n !== 0)
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
    .map(([k, n]) => `${signed(n)} ${names[k]}`);
  const time = `time ${signedDuration(d.boundariesMs)} from session boundaries, ${signedDuration(d.measurementMs)} from how length is measured`;
  return `${c.label}: ${parts.length ? parts.join(', ') : 'same count'}; ${time}`;
}

/** What the median and p90 are: approximate, and by how much (the table and the page say it the same way). */
export function quantileNote(report: CompareReport): string {
  const pctError = +(report.quantileRelativeError * 100).toFixed(3);
  return `median and p90: within ${pctError} % of the exact values (a quantile sketch); counts and totals are exact`;
}

/** The terminal table of a comparison, with a line per vendor saying where the difference comes from. */
export function renderCompareTable(report: CompareReport): string {
  const canonical = report.columns[0]!;
  const rows: string[][] = [['', 'sessions', 'per user', 'median', 'p90', 'total time', 'vs SessionHub']];
  for (const c of report.columns) {
    rows.push([
      c.id === 'canonical' ? `${c.label} (canonical)` : `${c.label} (own SDK)`,
      int(c.sessions),
      c.sessionsPerUser.toFixed(2),
      formatDuration(c.medianMs),
      formatDuration(c.p90Ms),
      formatDuration(c.totalMs),
      c.difference ? `${signed(c.difference.sessions)}${pct(c.difference.sessions, canonical.sessions)}` : '',
    ]);
  }
  const { input, devices } = report;
  const lines = [
    `${int(input.records)} records from ${int(devices.total)} devices (${int(devices.mobile)} mobile, ${int(devices.web)} web), ${int(report.users)} users; ` +
      `${int(input.skipped)} line${input.skipped === 1 ? '' : 's'} skipped`,
    `SessionHub: ${report.canonicalConfig.sessionTimeoutS} s timeout, resumeOnRelaunch ${report.canonicalConfig.resumeOnRelaunch}; sessions live at the end of the log are counted (open: ${int(canonical.openAtEnd)})`,
    '',
    ...pad(rows),
    quantileNote(report),
  ];
  const explained = report.columns.filter((c) => c.difference).map(explainDifference);
  if (explained.length) lines.push('', 'Where the differences come from:', ...explained.map((l) => `  ${l}`));
  return `${lines.join('\n')}\n`;
}
