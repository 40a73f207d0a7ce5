/** The demo's human-readable output: the timeline of each run, the sessions beside each vendor, the alignment table. */
import type { Alignment, Totals, Vendor } from './alignment';
import { expectedLength, VENDORS } from './alignment';
import type { Paint } from './paint';
import type { AppStep } from './protocol';
import type { RunReport } from './run-app';
import type { VendorSession } from './vendor-views';

const VENDOR_NAMES: Record<Vendor, string> = { braze: 'Braze', snowplow: 'Snowplow', clevertap: 'CleverTap' };

/** `HH:MM:SS` of a virtual time (UTC). */
export const clockTime = (t: number): string => new Date(t).toISOString().slice(11, 19);

/** `2 min 10 s`, `45 s`, `1 h 5 min`, `0.5 s`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${ms / 1000} s`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h) return `${h} h${m ? ` ${m} min` : ''}`;
  if (m) return `${m} min${rest ? ` ${rest} s` : ''}`;
  return `${rest} s`;
}

const shortId = (id: string): string => (id.length > 12 ? `${id.slice(0, 8)}…` : id);

function attributes(value: Readonly<Record<string, unknown>> | null | undefined): string {
  const entries = Object.entries(value ?? {});
  return entries.length ? `{${entries.map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ')}}` : '{}';
}

function describeStep(step: AppStep): string {
  switch (step.kind) {
    case 'launch':
      return step.foreground ? 'launch' : 'launch in the background';
    case 'event':
      return `event ${step.name} ${attributes(step.attributes)}${step.neutral ? ' (session-neutral)' : ''}`;
    case 'set-attribute':
      return `session attribute ${step.key} = ${JSON.stringify(step.value)}`;
    case 'increment-attribute':
      return `increment session attribute ${step.key} by ${step.by}`;
    case 'background':
      return 'background';
    case 'foreground':
      return 'foreground';
    case 'user':
      return step.userId === null ? 'the user logs out' : `user → ${step.userId}`;
    case 'shutdown':
      return 'hub.shutdown()';
  }
}

const figures = (counts: Readonly<Record<string, number>>): string =>
  Object.entries(counts)
    .map(([kit, n]) => `${kit} ${n}`)
    .join(' · ') || 'none';

const sum = (counts: Readonly<Record<string, number>>): number => Object.values(counts).reduce((a, b) => a + b, 0);

/** The timeline of one run (the `number`th process of the app), with the items the collectors received meanwhile. */
export function renderRun(report: RunReport, number: number, received: Readonly<Record<string, number>>, paint: Paint): string[] {
  const lines: string[] = ['', paint.bold(`Run ${number}`) + paint.dim(` · process ${report.pid}`)];
  report.run.steps.forEach((step, i) => {
    const note = step.note ? paint.dim(` — ${step.note}`) : '';
    lines.push(`  ${paint.dim(clockTime(step.t))}  ${describeStep(step)}${note}`);
    for (const hub of report.records[i] ?? []) {
      if (hub.kind === 'sessionStart') {
        const s = hub.record;
        lines.push(`            ${paint.green(`▶ session ${s.sessionIndex} started`)} (${s.trigger}) ${paint.dim(s.sessionId)}`);
      } else if (hub.kind === 'sessionEnd') {
        const e = hub.record;
        lines.push(
          `            ${paint.cyan(`■ session ${e.sessionIndex} ended`)} at ${clockTime(e.endTime)} (${e.reason}) · ` +
            `${duration(e.duration)} · ${e.eventCount} events · ${attributes(e.attributes)}`,
        );
      }
    }
  });
  for (const log of report.logs) lines.push(`            ${(log.level === 'error' ? paint.red : paint.yellow)(`${log.level}: ${log.text}`)}`);
  const queued: Record<string, number> = {};
  for (const [kit, q] of Object.entries(report.queuesAtEnd ?? {})) queued[kit] = q.queued;
  const left = sum(report.leftOnDisk);
  if (report.run.ending === 'kill') {
    lines.push(`  ${paint.red('✖ SIGKILL')}: the process dies on the spot, mid-session, with ${sum(queued)} items queued (${figures(queued)}); ${left} stay on disk`);
  } else if (report.run.ending === 'sigterm') {
    lines.push(
      `  ${paint.yellow('⏹ SIGTERM')}: graceful shutdown with ${sum(queued)} items queued (${figures(queued)}): state saved, outboxes flushed; ` +
        `exited by ${report.exit.signal ?? `code ${report.exit.code}`}, ${left} items left on disk`,
    );
  } else {
    lines.push(`  ${paint.green('⏻ clean exit')} (code ${report.exit.code}), ${left} items left on disk`);
  }
  lines.push(`  ${paint.dim(`the collectors received ${sum(received)} items during this run (${figures(received)})`)}`);
  for (const problem of report.problems) lines.push(`  ${paint.red(`✗ ${problem}`)}`);
  return lines;
}

function vendorCell(vendor: Vendor, got: VendorSession | null, canonicalEvents: number, canonicalLength: number | null, paint: Paint, ok: boolean): string {
  const name = VENDOR_NAMES[vendor].padEnd(10);
  if (!got) return `      ${name}${paint.red('missing')}`;
  const events = `${got.events} events`;
  const length = got.ended && got.lengthMs !== null ? duration(got.lengthMs) : 'not ended';
  const what =
    vendor === 'braze' ? `session_id ${shortId(got.id)} · ss${got.ended ? ' · se' : ''}` :
    vendor === 'snowplow' ? `client_session ${shortId(got.id)}${got.started ? ' · start' : ''}${got.ended ? ' · end' : ''}` :
    `s ${got.id}${got.ended ? ' · Session Concluded' : ''}`;
  // Pad first, then paint: escape codes have no width on screen.
  const eventsText = got.events === canonicalEvents ? events.padEnd(10) : paint.red(events.padEnd(10));
  const lengthText = got.ended && got.lengthMs === canonicalLength ? length.padEnd(12) : paint.red(length.padEnd(12));
  return `      ${name}${what.padEnd(44)} ${eventsText} ${lengthText} ${ok ? paint.green('✓') : paint.red('✗')}`;
}

/** Each canonical session beside what every vendor's collector received for it. */
export function renderSessions(alignment: Alignment, paint: Paint): string[] {
  const lines = [
    '',
    paint.bold('Sessions: SessionHub, and what each vendor received'),
    paint.dim("  ✓: the vendor has the session, its start and end, and SessionHub's event count, length and session attributes"),
  ];
  for (const row of alignment.sessions) {
    const { start, end, events } = row.canonical;
    const ended = end ? `${clockTime(start.startTime)} → ${clockTime(end.endTime)}  ${duration(end.duration)}  ${end.reason}` : `${clockTime(start.startTime)} → (open)`;
    lines.push('', `  ${paint.bold(`#${start.sessionIndex}`)} ${start.sessionId}  ${ended}  ${events} events  ${attributes(end?.attributes)}`);
    for (const vendor of VENDORS) {
      const ok = !row.problems.some((p) => p.startsWith(`${VENDOR_NAMES[vendor]},`));
      lines.push(vendorCell(vendor, row.vendors[vendor], events, end ? expectedLength(vendor, row.canonical, end) : null, paint, ok));
    }
    for (const problem of row.problems) lines.push(`      ${paint.red(`✗ ${problem}`)}`);
  }
  return lines;
}

/** The alignment table: sessions, events and total length per vendor, differences in red. */
export function renderAlignment(alignment: Alignment, paint: Paint): string[] {
  const { totals } = alignment;
  const columns = ['canonical', ...VENDORS] as const;
  const header = ['', 'SessionHub', ...VENDORS.map((v) => VENDOR_NAMES[v])];
  const rows: Array<[string, (t: Totals) => string | number]> = [
    ['sessions', (t) => t.sessions],
    ['events in sessions', (t) => t.events],
    ['events outside sessions', (t) => t.eventsOutsideSessions],
    ['total session length', (t) => duration(t.lengthMs)],
  ];
  const width = [24, 12, 12, 12, 12];
  const lines = ['', paint.bold('Alignment'), `  ${header.map((h, i) => (i === 0 ? h.padEnd(width[0]!) : h.padStart(width[i]!))).join('')}`];
  for (const [label, read] of rows) {
    const reference = String(read(totals.canonical));
    const cells = columns.map((c, i) => {
      const text = String(read(totals[c])).padStart(width[i + 1]!);
      return text.trim() === reference ? text : paint.red(text);
    });
    const same = columns.every((c) => String(read(totals[c])) === reference);
    lines.push(`  ${label.padEnd(width[0]!)}${cells.join('')}  ${same ? paint.green('✓') : paint.red('✗')}`);
  }
  return lines;
}

/** The last words: all aligned, or every problem. */
export function renderVerdict(alignment: Alignment, runProblems: readonly string[], elapsedMs: number, paint: Paint): string[] {
  const t = alignment.totals.canonical;
  const problems = [...runProblems, ...alignment.problems];
  if (problems.length === 0) {
    return [
      '',
      paint.green(
        `✓ Braze, Snowplow and CleverTap all counted SessionHub's ${t.sessions} sessions, ${t.events + t.eventsOutsideSessions} events ` +
          `and ${duration(t.lengthMs)} of sessions; nothing lost, nothing misaligned.`,
      ) + paint.dim(` (${(elapsedMs / 1000).toFixed(1)} s)`),
    ];
  }
  return ['', paint.red(`✗ ${problems.length} problem${problems.length === 1 ? '' : 's'}:`), ...problems.map((p) => paint.red(`  - ${p}`))];
}
