#!/usr/bin/env node
// Runs the bench: makes sure the workspace packages it measures are built (their dist/ is what an
// app imports), compiles bench/src with esbuild (Node 20 cannot run TypeScript by itself), then runs
// it in a fresh Node with --expose-gc (the memory figures need explicit collections).
//
//   node run.mjs [all|size|speed|engine|memory|compare] [--check] [--json] [--quick]
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const packagesDir = join(here, '..', 'packages');

/** Newest modification time (ms) of the files under a directory, 0 when it does not exist. */
function newest(dir) {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

// Packages whose dist/ is missing or older than their src/: build them (only those) first, so a
// fresh clone works and a stale dist never gets measured. In CI `pnpm build` ran before: nothing to do.
const stale = [];
for (const name of readdirSync(packagesDir)) {
  const dir = join(packagesDir, name);
  if (!existsSync(join(dir, 'src', 'index.ts')) || !existsSync(join(dir, 'package.json'))) continue;
  const built = existsSync(join(dir, 'dist', 'index.js')) ? statSync(join(dir, 'dist', 'index.js')).mtimeMs : 0;
  if (built < newest(join(dir, 'src'))) stale.push(`./packages/${name}`);
}
if (stale.length > 0) {
  process.stderr.write(`bench: building ${stale.join(', ')} (dist missing or older than src)\n`);
  // Topological order comes from pnpm: core before delivery before the kits.
  const filters = stale.flatMap((p) => ['--filter', p]);
  // The build's output goes to stderr: stdout carries only the figures (`--json` can be piped).
  const build = spawnSync('pnpm', [...filters, 'run', 'build'], { cwd: join(here, '..'), stdio: ['ignore', 2, 'inherit'] });
  if (build.status !== 0) {
    process.stderr.write('bench: the build failed; nothing was measured\n');
    process.exit(build.status ?? 1);
  }
}

await esbuild.build({
  entryPoints: [join(here, 'src', 'main.ts')],
  outfile: join(here, 'dist', 'main.mjs'),
  bundle: true,
  // Workspace packages and the SDKs stay imports: Node resolves them as an app would (our dist/).
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'inline',
  logLevel: 'warning',
});

const run = spawnSync(process.execPath, ['--expose-gc', join(here, 'dist', 'main.mjs'), ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
