#!/usr/bin/env node
// Verifies each published package's exports map against what it built: publint (package.json
// rules) and arethetypeswrong (ESM + CJS + types resolve under node16 and bundlers).
// Runs after `pnpm build`. Exits non-zero on the first problem, with the tools' own report.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const packages = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name))
  .filter((dir) => !JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private);

let failed = false;
for (const dir of packages) {
  const name = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name;
  for (const [tool, args] of [
    ['publint', ['--strict']],
    // node16 and bundlers here; node10 (through typesVersions) is checked from the tarballs by check-tarballs.mjs.
    ['attw', ['--pack', '.', '--profile', 'node16']],
  ]) {
    try {
      execFileSync('pnpm', ['exec', tool, ...args], { cwd: dir, stdio: 'pipe' });
    } catch (error) {
      failed = true;
      console.error(`✗ ${name}: ${tool} found problems\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    }
  }
  if (!failed) console.log(`✓ ${name}: exports map (publint, attw)`);
}
process.exit(failed ? 1 : 0);
