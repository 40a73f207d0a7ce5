/**
 * `pnpm bench` / `pnpm size`: see bench/README.md.
 *
 *   main.mjs [all|size|speed|node|engine|memory|storage|compare] [--check] [--json] [--quick]
 *
 * all      size (with the vendor SDKs), speed, engine, memory and storage
 * storage  storage operations and bytes written per event (localStorage-, AsyncStorage-like, Node journal),
 *          and the round trips of a launch, and of commits after an outage, on an AsyncStorage-like store
 * node     createNodeHub + the kits on file storage: events/s and each logEvent's blocking time (also in speed)
 * size     size; with --check only SessionHub's bundles, and exit 1 when one is over its budget, or for
 *          a bundle not within its budget yet, over its ceiling (bench/size-ceilings.json) (CI)
 * memory   heap per queued payload and per live session: the median of 5 fresh processes (1 with --quick)
 * hermes   the hub and the kits per event in a Hermes CLI (React Native's engine): the HERMES
 *          environment variable's, else the hermes-engine-cli devDependency's (0.12)
 * --json   one JSON document on stdout instead of the tables
 * --quick  fewer rounds and events (a smoke run; figures are noisier)
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { medianMemory, MEMORY_RUNS, renderMemory, runMemory, type MemoryResult } from './memory/memory-bench';
import { renderStorageOps, runStorageOps, type StorageOpsRow } from './memory/storage-ops';
import { renderDrainRoundTrips, renderLaunchRoundTrips, runDrainRoundTrips, runLaunchRoundTrips, type DrainRow, type LaunchRow } from './memory/async-storage-round-trips';
import { machine } from './report/machine';
import { renderSize, runSizeBench, type SizeResult } from './size/size-bench';
import { renderCompare, runCompareBench, type CompareResult } from './speed/compare-replay';
import { renderEngine, runEngineReplay, type EngineResult } from './speed/engine-replay';
import { hermesCli } from '../../scripts/hermes';
import { renderHermes, runHermes, type HermesResult } from './speed/hermes-hub';
import { renderNodeHub, runNodeHub, type NodeHubResult } from './speed/node-hub';
import { renderThroughput, runThroughput, type ThroughputResult } from './speed/throughput';
import { availableKits, type AvailableKits } from './workload/vendor-kits';

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');

const SECTIONS = ['all', 'size', 'speed', 'node', 'engine', 'memory', 'storage', 'compare', 'hermes'] as const;
type Section = (typeof SECTIONS)[number];

interface Args {
  readonly section: Section;
  readonly check: boolean;
  readonly json: boolean;
  readonly quick: boolean;
  /** Internal: one memory run in this process (what each fresh process of the memory section does). */
  readonly once: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const unknownFlag = [...flags].find((f) => !['--check', '--json', '--quick', '--once'].includes(f));
  const positional = argv.filter((a) => !a.startsWith('--'));
  const section = (positional[0] ?? 'all') as Section;
  if (unknownFlag || positional.length > 1 || !SECTIONS.includes(section)) {
    process.stderr.write(`usage: bench [${SECTIONS.join('|')}] [--check] [--json] [--quick]\n`);
    process.exit(2);
  }
  return { section, check: flags.has('--check'), json: flags.has('--json'), quick: flags.has('--quick'), once: flags.has('--once') };
}

/**
 * The memory section, each run in a process of its own (a heap that ran anything else first would
 * free it while being measured), median of {@link MEMORY_RUNS}: one run's heap figure moves by
 * ±5 % with when V8 compiles and collects.
 */
function memoryInFreshProcesses(args: Args): MemoryResult {
  const runs = Array.from({ length: args.quick ? 1 : MEMORY_RUNS }, () => {
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), 'memory', '--json', '--once', ...(args.quick ? ['--quick'] : [])], {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (child.status !== 0) throw new Error(`the memory bench failed (exit ${child.status})`);
    return (JSON.parse(child.stdout) as { memory: MemoryResult }).memory;
  });
  return medianMemory(runs);
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const wants = (s: Section): boolean => args.section === 'all' || args.section === s;
  const report: {
    machine: ReturnType<typeof machine>;
    command: string;
    size?: SizeResult;
    throughput?: ThroughputResult;
    nodeHub?: NodeHubResult;
    engine?: EngineResult;
    memory?: MemoryResult;
    storage?: readonly StorageOpsRow[];
    launch?: readonly LaunchRow[];
    drain?: DrainRow;
    compare?: CompareResult;
    hermes?: HermesResult;
  } = { machine: machine(), command: ['pnpm bench', ...process.argv.slice(2)].join(' ') };
  const print = (text: string): void => {
    if (!args.json) process.stdout.write(text + '\n\n');
  };
  print(`SessionHub bench — ${report.machine.summary}`);
  let failed = false;

  if (wants('size')) {
    const size = await runSizeBench(benchDir, { peers: !args.check });
    report.size = size;
    print(renderSize(size));
    if (args.check) {
      for (const s of size.sessionhub) {
        if (!s.passes) {
          failed = true;
          const limit = s.ceiling === null ? `budget ${s.budget}` : `ceiling ${s.ceiling} (budget ${s.budget})`;
          process.stderr.write(`size check failed: ${s.name} is ${s.gzipped} bytes min+gz, over its ${limit}\n`);
        } else if (s.ceiling !== null && s.withinBudget) {
          process.stderr.write(`size: ${s.name} is within its budget now; remove its ceiling from bench/size-ceilings.json\n`);
        } else if (s.ceiling !== null && s.gzipped < s.ceiling - 200) {
          process.stderr.write(`size: ${s.name} shrank to ${s.gzipped} bytes; lower its ceiling (${s.ceiling}) in bench/size-ceilings.json\n`);
        }
      }
    }
  }

  let kits: AvailableKits | undefined;
  const vendorKits = async (): Promise<AvailableKits> => (kits ??= await availableKits());
  if (wants('speed')) {
    report.throughput = await runThroughput(await vendorKits(), args);
    print(renderThroughput(report.throughput));
  }
  if (wants('speed') || args.section === 'node') {
    report.nodeHub = await runNodeHub(await vendorKits(), args);
    print(renderNodeHub(report.nodeHub));
  }
  if (wants('engine')) {
    report.engine = await runEngineReplay(args);
    print(renderEngine(report.engine));
  }
  if (wants('memory')) {
    report.memory = args.once ? await runMemory(await vendorKits(), args) : memoryInFreshProcesses(args);
    print(renderMemory(report.memory));
  }

  if (wants('storage')) {
    report.storage = await runStorageOps(await vendorKits(), args);
    print(renderStorageOps(report.storage));
    report.launch = await runLaunchRoundTrips(await vendorKits());
    print(renderLaunchRoundTrips(report.launch));
    report.drain = await runDrainRoundTrips(await vendorKits());
    print(renderDrainRoundTrips(report.drain));
  }

  if (wants('compare')) {
    report.compare = await runCompareBench(args);
    print(renderCompare(report.compare));
  }

  if (wants('hermes')) {
    report.hermes = await runHermes(benchDir, process.env.HERMES || hermesCli(), args);
    print(renderHermes(report.hermes));
  }

  if (args.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
