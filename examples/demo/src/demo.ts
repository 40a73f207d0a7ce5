/**
 * `pnpm demo`: one canonical session, forwarded to Braze, Snowplow and CleverTap, staying aligned
 * through everything that normally makes vendor numbers drift.
 *
 * Starts the vendors' collectors on 127.0.0.1 (`@sessionhub/testing/server`), plays an app's life in
 * real child processes (app.ts) on an accelerated clock — the last one is killed with SIGKILL
 * mid-session, another stopped with SIGTERM — then reads back what each collector received in each
 * vendor's own format and compares it with SessionHub's sessions. Exits 1 when anything was lost or
 * misaligned, so it doubles as a smoke test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '@sessionhub/testing';
import { startCollectorServer } from '@sessionhub/testing/server';
import { align } from './alignment';
import { addRecord, emptyLife } from './canonical-life';
import { parseDemoOptions, USAGE, type DemoOptions } from './cli-options';
import { batchWindowMs, randomLife, scriptedLife } from './life';
import { NO_COLOURS, paintFor } from './paint';
import { demoJson } from './report-json';
import { runApp, type RunReport } from './run-app';
import { clockTime, duration, renderAlignment, renderRun, renderSessions, renderVerdict } from './timeline';
import { renderCompareEnding } from './compare-ending';
import { brazeView, clevertapView, receivedItems, snowplowView } from './vendor-views';

const APP_SCRIPT = fileURLToPath(new URL('./app.js', import.meta.url));

async function main(options: DemoOptions): Promise<number> {
  const started = performance.now();
  const runs = options.seed === null ? scriptedLife(options.timeout) : randomLife(options.timeout, seededRandom(options.seed));
  const collectors = await startCollectorServer();
  const dir = mkdtempSync(join(tmpdir(), 'sessionhub-demo-'));
  const paint = options.json ? NO_COLOURS : paintFor(process.stdout);
  const say = (lines: string[]): void => {
    if (!options.json) process.stdout.write(`${lines.join('\n')}\n`);
  };
  try {
    const first = runs[0]!.steps[0]!.t;
    const last = runs.at(-1)!.steps.at(-1)!.t;
    say([
      paint.bold('SessionHub demo') + ' · one canonical session, forwarded to Braze, Snowplow and CleverTap',
      paint.dim(
        `collectors on ${collectors.url} (loopback) · session timeout ${options.timeout} s · ` +
          `${options.seed === null ? 'the scripted life' : `a random life (seed ${options.seed})`} · ` +
          `${clockTime(first)}–${clockTime(last)} of virtual time (${duration(last - first)}), accelerated · state in ${dir}`,
      ),
    ]);
    const life = emptyLife();
    const reports: RunReport[] = [];
    const { collector } = collectors;
    for (const run of runs) {
      const before = collector.requests.length;
      const report = await runApp(APP_SCRIPT, { dir, collectorUrl: collectors.url, sessionTimeout: options.timeout, batchWindowMs: batchWindowMs(options.timeout) }, run, (record) => addRecord(life, record));
      reports.push(report);
      say(renderRun(report, reports.length, receivedItems(collector.requests.slice(before)), paint));
    }
    const alignment = align(life, {
      braze: brazeView(collector.received('braze'), collector.accepted('braze')),
      snowplow: snowplowView(collector.received('snowplow'), collector.accepted('snowplow')),
      clevertap: clevertapView(collector.received('clevertap'), collector.accepted('clevertap')),
    });
    const runProblems = reports.flatMap((r, i) => r.problems.map((p) => `run ${i + 1}: ${p}`));
    const elapsedMs = Math.round(performance.now() - started);
    const ok = alignment.ok && runProblems.length === 0;
    if (options.json) {
      const json = demoJson({
        life: options.seed === null ? 'scripted' : 'random',
        seed: options.seed,
        sessionTimeout: options.timeout,
        runs: reports,
        alignment,
        runProblems,
        elapsedMs,
      });
      process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    } else {
      say([...renderSessions(alignment, paint), ...renderAlignment(alignment, paint), ...renderVerdict(alignment, runProblems, elapsedMs, paint)]);
      // The ending: the same life as each vendor's own SDK would have counted it.
      say(renderCompareEnding(runs, options.timeout, alignment, paint));
    }
    return ok ? 0 : 1;
  } finally {
    await collectors.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

let options: DemoOptions;
try {
  options = parseDemoOptions(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(`${USAGE}\n`);
} else {
  process.exitCode = await main(options).catch((error: unknown) => {
    process.stderr.write(`the demo failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    return 1;
  });
}
