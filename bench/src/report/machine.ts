import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';

/** The machine the figures come from: they mean little without it. */
export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly v8: string;
  readonly memoryGB: number;
  readonly date: string;
  /** 1-minute load average when the run started: above the CPU count, other processes competed for them. */
  readonly loadAverage: number;
  readonly summary: string;
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) return match[1]!.trim();
  } catch {
    // not Linux: fall through
  }
  return 'unknown CPU';
}

export function machine(): Machine {
  const cpus = availableParallelism();
  const model = cpuModel();
  const memoryGB = Math.round(totalmem() / 2 ** 30);
  const date = new Date().toISOString().slice(0, 10);
  const loadAverage = Math.round(loadavg()[0]! * 10) / 10;
  return {
    cpus,
    cpuModel: model,
    node: process.version,
    v8: process.versions.v8,
    memoryGB,
    date,
    loadAverage,
    summary: `${cpus} CPU(s), ${model}, ${memoryGB} GB, Node ${process.version}, ${date}, load average ${loadAverage} at start`,
  };
}
