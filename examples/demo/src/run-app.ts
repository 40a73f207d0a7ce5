/**
 * Plays one run of the app's life in a real child process and ends it as the run says: SIGKILL (for
 * real: no handler runs), SIGTERM (the Node runtime's graceful shutdown) or a clean exit.
 */
import { fork } from 'node:child_process';
import { journalStorage } from '@sessionhub/core/node';
import type { AppConfig, AppRun, FromApp, HubRecord, QueueFigures, ToApp } from './protocol';

/** What happened during one run, for the timeline. */
export interface RunReport {
  readonly run: AppRun;
  readonly pid: number;
  /** The hub records of each step (by step index). */
  readonly records: HubRecord[][];
  /** Warnings and errors the app's logger printed. */
  readonly logs: Array<{ level: 'warn' | 'error'; text: string }>;
  /** The kits' queues when the demo ended the process (after the last step, nothing in flight). */
  queuesAtEnd: QueueFigures | null;
  /** Outbox items left in the storage directory once the process was gone, per kit. */
  leftOnDisk: Record<string, number>;
  exit: { code: number | null; signal: NodeJS.Signals | null };
  /** What went wrong with the process itself (not the vendors' data). */
  readonly problems: string[];
}

/** Longest a run may take before the demo gives up on it (it normally takes well under a second). */
const RUN_TIMEOUT_MS = 30_000;

/** Outbox items the kits left in `dir` (the Node preset's journal: keys `<ns>:kit:<kit>:outbox:<n>`), read as the next run will. */
export function outboxItemsOnDisk(dir: string, kits: readonly string[] = []): Record<string, number> {
  // Every kit that reported a queue, with 0 when it left nothing.
  const counts: Record<string, number> = Object.fromEntries(kits.map((kit) => [kit, 0]));
  const storage = journalStorage(dir);
  for (const key of storage.keys()) {
    const match = /^[^:]+:kit:([^:]+):outbox:\d+$/.exec(key);
    if (match) counts[match[1]!] = (counts[match[1]!] ?? 0) + 1;
  }
  storage.close();
  return counts;
}

export function runApp(appScript: string, config: AppConfig, run: AppRun, onRecord: (record: HubRecord) => void): Promise<RunReport> {
  return new Promise((resolve) => {
    const child = fork(appScript, [JSON.stringify(config)], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const report: RunReport = {
      run,
      pid: child.pid ?? 0,
      records: run.steps.map(() => []),
      logs: [],
      queuesAtEnd: null,
      leftOnDisk: {},
      exit: { code: null, signal: null },
      problems: [],
    };
    const guard = setTimeout(() => {
      report.problems.push(`the app did not finish within ${RUN_TIMEOUT_MS / 1000} s and was killed`);
      child.kill('SIGKILL');
    }, RUN_TIMEOUT_MS);

    child.on('message', (message: FromApp) => {
      switch (message.type) {
        case 'ready': {
          const start: ToApp = { type: 'run', steps: run.steps, settleAtEnd: run.ending !== 'exit' };
          child.send(start);
          return;
        }
        case 'record':
          report.records[Math.max(0, message.step)]?.push(message.hub);
          onRecord(message.hub);
          return;
        case 'log':
          report.logs.push({ level: message.level, text: message.text });
          if (message.level === 'error') report.problems.push(`the app logged an error: ${message.text}`);
          return;
        case 'settled':
          report.queuesAtEnd = message.queues;
          child.kill(run.ending === 'kill' ? 'SIGKILL' : 'SIGTERM');
          return;
        case 'step-done':
          return;
      }
    });

    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      report.exit = { code, signal };
      report.leftOnDisk = outboxItemsOnDisk(config.dir, Object.keys(report.queuesAtEnd ?? {}));
      const left = Object.values(report.leftOnDisk).reduce((a, b) => a + b, 0);
      if (run.ending === 'kill' && signal !== 'SIGKILL') report.problems.push(`expected the app to die by SIGKILL, it exited with ${signal ?? `code ${code}`}`);
      if (run.ending === 'sigterm' && signal !== 'SIGTERM') {
        report.problems.push(`expected the graceful shutdown to end by SIGTERM (as the process would have), it exited with ${signal ?? `code ${code}`}`);
      }
      if (run.ending === 'exit' && code !== 0) report.problems.push(`expected exit code 0, got ${signal ?? `code ${code}`}`);
      if (run.ending !== 'kill' && left > 0) report.problems.push(`${left} outbox item(s) were still on disk after a graceful stop`);
      if (stderr.trim()) report.problems.push(`the app wrote to stderr:\n${stderr.trim()}`);
      resolve(report);
    });
  });
}
