import type { DeviceTimeline } from './comparison';
import type { ColumnReport, CompareReport } from './report';
import { explainDifference, formatDuration, quantileNote } from './render-table';

const COLOURS: Record<string, string> = { canonical: '#1f6feb', braze: '#d4380d', snowplow: '#6f42c1', clevertap: '#c41d7f', mparticle: '#389e0d' };

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const int = (n: number): string => Math.round(n).toLocaleString('en-US');

function table(report: CompareReport): string {
  const head = ['', 'sessions', 'sessions per user', 'median length', 'p90 length', 'total time', 'difference from SessionHub'];
  const rows = report.columns.map(
    (c) =>
      `<tr data-column="${c.id}"><th>${escape(c.label)}${c.id === 'canonical' ? ' (canonical)' : ''}</th><td class="sessions">${int(c.sessions)}</td>` +
      `<td>${c.sessionsPerUser.toFixed(2)}</td><td>${formatDuration(c.medianMs)}</td><td>${formatDuration(c.p90Ms)}</td><td>${formatDuration(c.totalMs)}</td>` +
      `<td>${c.difference ? escape(explainDifference(c).replace(/^[^:]+: /, `${c.difference.sessions > 0 ? '+' : ''}${int(c.difference.sessions)} sessions: `)) : ''}</td></tr>`,
  );
  return `<table id="numbers"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** A bar chart of one column's session lengths. */
function histogram(c: ColumnReport): string {
  const w = 300;
  const h = 120;
  const n = c.histogram.counts.length;
  const max = Math.max(1, ...c.histogram.counts);
  const bw = w / n;
  const bars = c.histogram.counts
    .map((count, i) => {
      const bh = Math.round((count / max) * (h - 20));
      const label = `${formatDuration(c.histogram.edgesMs[i]!)}${i + 1 < n ? `–${formatDuration(c.histogram.edgesMs[i + 1]!)}` : '+'}: ${int(count)}`;
      return `<rect class="bar" x="${(i * bw + 1).toFixed(1)}" y="${h - 14 - bh}" width="${(bw - 2).toFixed(1)}" height="${bh}" fill="${COLOURS[c.id]}"><title>${escape(label)}</title></rect>`;
    })
    .join('');
  const axis = `<text x="0" y="${h - 2}" font-size="9">0</text><text x="${w / 2}" y="${h - 2}" font-size="9" text-anchor="middle">${formatDuration(c.histogram.edgesMs[Math.floor(n / 2)]!)}</text><text x="${w}" y="${h - 2}" font-size="9" text-anchor="end">${formatDuration(c.histogram.edgesMs[n - 1]!)}+</text>`;
  return `<figure class="histogram" data-column="${c.id}"><figcaption>${escape(c.label)}: ${int(c.sessions)} sessions, median ${formatDuration(c.medianMs)}</figcaption><svg viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img">${bars}${axis}</svg></figure>`;
}

/** One device: a lane per column, a rectangle per session. */
function timeline(t: DeviceTimeline, columns: readonly ColumnReport[]): string {
  const w = 900;
  const lane = 16;
  const left = 90;
  // The axis spans the sessions too, not only the lines: the engine starts a session at a line
  // earlier than the first (out of order), and Braze Web reports 10 s after a lone call.
  let first = t.first;
  let last = t.last;
  for (const c of columns) {
    for (const s of t.columns[c.id] ?? []) {
      first = Math.min(first, s.start);
      last = Math.max(last, s.end);
    }
  }
  const span = Math.max(1, last - first);
  const x = (ms: number): number => left + ((ms - first) / span) * (w - left - 10);
  const lanes = columns
    .map((c, i) => {
      const y = 4 + i * lane;
      const sessions = (t.columns[c.id] ?? [])
        .map((s) => `<rect class="session" x="${x(s.start).toFixed(1)}" y="${y}" width="${Math.max(1.5, x(s.end) - x(s.start)).toFixed(1)}" height="${lane - 5}" fill="${COLOURS[c.id]}"><title>${escape(`${c.label}: ${new Date(s.start).toISOString()} · ${formatDuration(s.end - s.start)}`)}</title></rect>`)
        .join('');
      return `<text x="0" y="${y + lane - 7}" font-size="11">${escape(c.label)}</text>${sessions}`;
    })
    .join('');
  const h = 8 + columns.length * lane;
  return `<figure class="timeline"><figcaption>${escape(t.deviceId)} (${t.platform ?? 'web'}) · ${new Date(first).toISOString()} → ${formatDuration(span)}</figcaption><svg viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img">${lanes}</svg></figure>`;
}

/** `compare --html`: one self-contained page (inline SVG and CSS, no script, no network). */
export function renderCompareHtml(report: CompareReport): string {
  const { input, devices } = report;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sessionhub compare</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}th:first-child{text-align:left}td:last-child{text-align:left;font-size:12px}figure{margin:1em 0}.histograms{display:flex;flex-wrap:wrap;gap:1em}figcaption{font-size:12px;color:#555}</style>
</head><body>
<h1>Sessions: SessionHub and each vendor's own SDK</h1>
<p id="summary">${int(input.records)} records from ${int(devices.total)} devices (${int(devices.mobile)} mobile, ${int(devices.web)} web), ${int(report.users)} users; ${int(input.skipped)} lines skipped. SessionHub: ${report.canonicalConfig.sessionTimeoutS} s timeout.</p>
${table(report)}
<p id="quantiles">${escape(quantileNote(report))}.</p>
<h2>Session lengths</h2>
<div class="histograms">${report.columns.map(histogram).join('')}</div>
<h2>Timelines of ${report.timelines.length} devices</h2>
${report.timelines.map((t) => timeline(t, report.columns)).join('\n')}
<h2>Rules</h2>
<ul>${report.columns.map((c) => `<li><b>${escape(c.label)}</b>: ${c.rules.map(escape).join('; ')}</li>`).join('')}</ul>
</body></html>
`;
}
