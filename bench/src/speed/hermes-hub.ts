import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { lowerForHermes, parsesClasses } from '../../../scripts/hermes';
import { int, renderTable } from '../report/table';
import { median } from './rounds';

/** One configuration of the workload in Hermes. */
interface HermesSetup {
  readonly name: string;
  readonly kits: readonly string[];
  readonly encodeBase64: boolean;
  readonly storage?: 'none';
}

export interface HermesRow {
  readonly name: string;
  /** CPU time is not available from the CLI: wall time of the round over its events (median round), µs. */
  readonly usPerEvent: number;
  /** Bytes the Hermes heap allocated per event (`js_totalAllocatedBytes`), median round. */
  readonly bytesPerEvent: number;
  /** Garbage collections per 1,000 events, median round. */
  readonly gcsPer1000: number;
}

export interface HermesResult {
  /** `hermes -version`'s release line, e.g. `Hermes release version: 0.12.0`. */
  readonly version: string;
  /** Whether that Hermes parses class syntax (else Babel lowered classes too). */
  readonly classes: boolean;
  readonly rows: readonly HermesRow[];
}

const SETUPS: readonly HermesSetup[] = [
  { name: 'hub alone (no kit)', kits: [], encodeBase64: true },
  { name: 'hub → Braze', kits: ['braze'], encodeBase64: true },
  { name: 'hub → CleverTap', kits: ['clevertap'], encodeBase64: true },
  { name: 'hub → Snowplow (cx, ue_px: base64url, the mobile default)', kits: ['snowplow'], encodeBase64: true },
  { name: 'hub → Snowplow (co, ue_pr: plain JSON)', kits: ['snowplow'], encodeBase64: false },
  { name: 'hub → 3 kits', kits: ['braze', 'clevertap', 'snowplow'], encodeBase64: true },
  { name: 'hub alone, on a storage whose commit does nothing', kits: [], encodeBase64: true, storage: 'none' },
  { name: 'hub → 3 kits, on a storage whose commit does nothing', kits: ['braze', 'clevertap', 'snowplow'], encodeBase64: true, storage: 'none' },
];

/**
 * The workload (src/hermes/hermes-app.ts) in a Hermes CLI at `hermes`: the built packages bundled by
 * esbuild, then transformed by React Native's Babel preset as Metro transforms a release build.
 */
export async function runHermes(benchDir: string, hermes: string, options: { quick: boolean }): Promise<HermesResult> {
  const version = /Hermes release version: .*/.exec(spawnSync(hermes, ['-version'], { encoding: 'utf8' }).stdout)?.[0];
  if (!version) throw new Error(`${hermes} -version printed no Hermes release version`);
  const bundled = await esbuild.build({
    entryPoints: [join(benchDir, 'src', 'hermes', 'hermes-app.ts')],
    absWorkingDir: benchDir,
    bundle: true,
    write: false,
    platform: 'neutral',
    mainFields: ['module', 'main'],
    format: 'iife',
    target: 'es2020',
    define: { 'process.env.NODE_ENV': '"production"' },
    // (Silent as the size bench: core's dist has a bare `import "uuid"` esbuild warns about and drops.)
    logLevel: 'error',
  });
  // React Native's own Babel preset, as Metro applies it to every module of a release build
  // (scripts/hermes.ts says how): classes lowered too for a Hermes that does not parse them.
  const dir = mkdtempSync(join(tmpdir(), 'sessionhub-hermes-'));
  try {
    const classes = parsesClasses(hermes);
    const lowered = lowerForHermes(bundled.outputFiles[0]!.text, classes);
    const rows = SETUPS.map((setup): HermesRow => {
      const settings = { kits: setup.kits, encodeBase64: setup.encodeBase64, storage: setup.storage ?? 'memory', warmup: options.quick ? 100 : 500, events: options.quick ? 200 : 1000, rounds: options.quick ? 3 : 7 };
      const file = join(dir, 'app.js');
      writeFileSync(file, `globalThis.HERMES_BENCH = ${JSON.stringify(settings)};\n${lowered}`);
      const run = spawnSync(hermes, ['-w', file], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
      const lines = run.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { us?: number; bytes?: number; gcs?: number; delivered?: number; queued?: number; error?: string });
      const failure = lines.find((l) => l.error)?.error;
      if (run.status !== 0 || failure || lines.length !== settings.rounds) {
        throw new Error(`hermes ${setup.name}: ${failure ?? `exit ${run.status}, ${lines.length} rounds`}\n${run.stderr.slice(0, 2000)}`);
      }
      // Everything sent was delivered (a workload whose requests failed would measure a growing queue).
      const last = lines[lines.length - 1]!;
      if (setup.kits.length && (!last.delivered || last.queued)) throw new Error(`hermes ${setup.name}: not delivered (${JSON.stringify(last)})`);
      return {
        name: setup.name,
        usPerEvent: median(lines.map((l) => l.us!)),
        bytesPerEvent: median(lines.map((l) => l.bytes!)),
        gcsPer1000: median(lines.map((l) => (l.gcs! * 1000) / settings.events)),
      };
    });
    return { version, classes, rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function renderHermes(result: HermesResult): string {
  return [
    `Hermes (${result.version}, its CLI; React Native's engine): the hub and kits on memory storage, one event per turn of the event loop,\n` +
      `sessions of 25 rolling over, every payload acknowledged at once; the built packages bundled, then React Native's Babel preset (release, Hermes profile${result.classes ? '' : ', and classes lowered: this Hermes predates them'}).\n` +
      'Wall time per event (the CLI reports no CPU time), median of the rounds; heap bytes allocated per event and collections, from HermesInternal.',
    renderTable(
      ['pipeline', 'µs/event', 'KB allocated/event', 'GCs per 1,000 events'],
      result.rows.map((r) => [r.name, r.usPerEvent.toFixed(0), (r.bytesPerEvent / 1000).toFixed(1), int(r.gcsPer1000)]),
    ),
  ].join('\n\n');
}
