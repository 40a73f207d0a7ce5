import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Comparison, compareLog, formatLine, generateLog, readLog, replayLog } from '@sessionhub/replay';
import { int, renderTable, spread } from '../report/table';
import { median, runRounds, type Timing } from './rounds';

/** Figures of one way of reading a log, from interleaved rounds. */
export interface CompareTiming extends Timing {
  /** Median of the rounds' events per second of CPU time (user + system) of this process. */
  readonly eventsPerCpuSecond: number;
}

export interface CompareResult {
  readonly log: { readonly lines: number; readonly devices: number; readonly bytes: number };
  readonly timings: readonly CompareTiming[];
  /**
   * Memory per device after a comparison of `devices` generated devices (heap + array buffers, after
   * full collections), bytes: one row per lines-per-device figure (10, then 100: the 10 M-over-100k
   * workload of #19), since what a comparison keeps per session grows with the lines.
   */
  readonly memory: readonly { readonly devices: number; readonly linesPerDevice: number; readonly canonicalOnly: number; readonly allModels: number }[];
  /** The 10 M-line run, or null with --quick. */
  readonly scale: { readonly lines: number; readonly devices: number; readonly seconds: number; readonly cpuSeconds: number; readonly generateSeconds: number } | null;
}

/** Writes a generated log to `path` (NDJSON), resolving when it is on disk. */
async function writeLog(path: string, devices: number, events: number): Promise<void> {
  const out = createWriteStream(path);
  let chunk = '';
  for (const line of generateLog({ devices, events, seed: 1 })) {
    chunk += `${formatLine(line, 'ndjson')}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = '';
    }
  }
  out.write(chunk);
  await new Promise<void>((r) => out.end(() => r()));
}

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('the memory figures need node --expose-gc (pnpm bench passes it)');
  for (let i = 0; i < 3; i++) collect();
};

/** The JS heap plus typed arrays' memory (outside the heap, where the model columns and session lengths live). */
const used = (): number => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

/** Memory per device of a comparison fed `lines` generated lines from `devices` devices. */
function heapPerDevice(devices: number, lines: number, vendors: boolean): number {
  gc();
  const before = used();
  const c = new Comparison({ vendors });
  for (const l of generateLog({ devices, events: lines, seed: 2 })) {
    c.add({ line: 0, deviceId: l.deviceId, t: l.timestamp, type: l.type, name: l.name ?? null, attributes: l.attributes ?? {}, affectsSession: l.affectsSession ?? true, platform: null, userId: l.userId });
  }
  gc();
  const after = used();
  if (c.deviceCount !== devices) throw new Error(`expected ${devices} devices, saw ${c.deviceCount}`);
  return (after - before) / devices;
}

/**
 * `sessionhub compare` and `replay` speed, from an NDJSON file on disk as the CLI reads it: the
 * canonical engine alone, with every vendor model, and a replay writing NDJSON; then memory per device
 * at 10 and 100 lines per device; then 10 M lines over 100k devices end to end.
 */
export async function runCompareBench(options: { quick: boolean }): Promise<CompareResult> {
  const lines = options.quick ? 100_000 : 1_000_000;
  const devices = options.quick ? 1_000 : 10_000;
  const dir = mkdtempSync(join(tmpdir(), 'sessionhub-bench-compare-'));
  try {
    const log = join(dir, 'log.ndjson');
    await writeLog(log, devices, lines);
    const bytes = statSync(log).size;
    const quiet = { warn: () => undefined };
    const cpu = new Map<string, number[]>();
    const timed = (name: string, round: () => Promise<unknown>) => ({
      name,
      events: lines,
      round: async () => {
        const start = cpuSeconds();
        await round();
        const list = cpu.get(name) ?? [];
        list.push(lines / (cpuSeconds() - start));
        cpu.set(name, list);
      },
    });
    let parsed = 0;
    const contenders = [
      timed('read + parse only (no sessions)', async () => {
        parsed = 0;
        for await (const batch of readLog(log)) parsed += batch.length;
        if (parsed !== lines) throw new Error(`parsed ${parsed} of ${lines} lines`);
      }),
      timed('compare --canonical-only', () => compareLog(log, { vendors: false, ...quiet })),
      timed('compare (canonical + 4 vendors)', () => compareLog(log, quiet)),
      timed('replay --out (NDJSON records)', () => replayLog(log, { out: join(dir, 'records.ndjson') })),
    ];
    const rounds = await runRounds(contenders, { warmup: 1, rounds: options.quick ? 2 : 3 });
    // The first round of each was the warm-up: drop it from the CPU figures too.
    const timings = rounds.map((t) => ({ ...t, eventsPerCpuSecond: median(cpu.get(t.name)!.slice(1)) }));

    const memDevices = options.quick ? 10_000 : 100_000;
    const memory = [10, 100].map((linesPerDevice) => ({
      devices: memDevices,
      linesPerDevice,
      canonicalOnly: heapPerDevice(memDevices, memDevices * linesPerDevice, false),
      allModels: heapPerDevice(memDevices, memDevices * linesPerDevice, true),
    }));

    let scale: CompareResult['scale'] = null;
    if (!options.quick) {
      rmSync(log);
      const big = join(dir, 'big.ndjson');
      const g = performance.now();
      await writeLog(big, 100_000, 10_000_000);
      const generateSeconds = (performance.now() - g) / 1000;
      const start = performance.now();
      const cpu0 = cpuSeconds();
      const report = await compareLog(big, quiet);
      if (report.input.records !== 10_000_000) throw new Error(`compared ${report.input.records} records`);
      scale = { lines: 10_000_000, devices: 100_000, seconds: (performance.now() - start) / 1000, cpuSeconds: cpuSeconds() - cpu0, generateSeconds };
    }
    return { log: { lines, devices, bytes }, timings, memory, scale };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function renderCompare(r: CompareResult): string {
  const head = `sessionhub compare / replay: an NDJSON log of ${int(r.log.lines)} lines (${int(r.log.bytes / 1e6)} MB) from ${int(r.log.devices)} devices (sessionhub generate, seed 1),
read from a file as the CLI does; interleaved rounds after a warm-up; median. events/s of wall time, and of this process's CPU time
(user + system: what one core does when the machine is shared).`;
  const table = renderTable(
    ['run', 'events/s (wall)', 'events/s (CPU)', 'ns/event', 'spread'],
    r.timings.map((t) => [t.name, int(t.eventsPerSecond), int(t.eventsPerCpuSecond), int(t.nsPerEvent), spread(t.spread)]),
  );
  const mem = renderTable(
    ['memory per device: heap + array buffers (node --expose-gc, after full collections)', 'devices', 'bytes/device'],
    r.memory.flatMap((m) => [
      [`canonical engine only, ${int(m.linesPerDevice)} lines per device`, int(m.devices), int(m.canonicalOnly)],
      [`canonical + 4 vendor models, ${int(m.linesPerDevice)} lines per device`, int(m.devices), int(m.allModels)],
    ]),
  );
  const scale = r.scale
    ? `${int(r.scale.lines)} lines over ${int(r.scale.devices)} devices, compare with all models from a file: ${r.scale.seconds.toFixed(1)} s (${r.scale.cpuSeconds.toFixed(1)} s CPU); ` +
      `writing the log with sessionhub generate took ${r.scale.generateSeconds.toFixed(1)} s`
    : '(10 M-line run skipped with --quick)';
  return [head, '', table, '', mem, '', scale].join('\n');
}
