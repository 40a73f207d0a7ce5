#!/usr/bin/env node
// Builds the packages whose dist/ is missing or older than what it is built from (the package's
// src/, package.json and rollup config, and the shared rollup recipe and tsconfig), and skips the
// rest, so `pnpm demo` and `pnpm example:web` start in seconds when nothing changed. `pnpm build`
// still builds everything. No dependency order is needed: each bundle keeps its @sessionhub/*
// imports external, so a package's dist/ depends on its own sources only.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const shared = ['rollup.package.mjs', 'tsconfig.base.json'].map((f) => join(root, f));

/** The newest modification time under `path` (a file or a directory), 0 if it does not exist. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const started = Date.now();
const built = [];
const fresh = [];
for (const name of readdirSync(join(root, 'packages')).sort()) {
  const dir = join(root, 'packages', name);
  if (!existsSync(join(dir, 'package.json'))) continue;
  const { scripts } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (!scripts?.build) continue;
  const inputs = Math.max(newest(join(dir, 'src')), newest(join(dir, 'package.json')), newest(join(dir, 'rollup.config.mjs')), ...shared.map((f) => newest(f)));
  // A build writes every output at its end: the newest output dates the last build.
  if (newest(join(dir, 'dist')) > inputs) {
    fresh.push(name);
    continue;
  }
  // Chunks of an older build (their names carry a hash) must not linger beside the new ones.
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  execFileSync('pnpm', ['run', 'build'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  built.push(name);
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(`build: ${built.length ? `built ${built.join(', ')}` : 'nothing to build'}${fresh.length ? `; up to date: ${fresh.join(', ')}` : ''} (${seconds} s)`);
