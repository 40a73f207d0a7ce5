import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));

/**
 * The seed of every property under CI (see vitest.setup.ts): `FC_SEED` if set (to replay one that
 * fast-check printed), else, with `CI` set, the first 32 bits of the commit under test, so that a CI
 * run is reproducible (`.ci/run` here draws exactly what CI draws) and each commit still draws new
 * cases. Elsewhere none: a fresh seed per run, to find what a fixed one would not.
 */
function propertySeed(): string | undefined {
  if (process.env.FC_SEED) return process.env.FC_SEED;
  if (!process.env.CI) return undefined;
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: fileURLToPath(new URL('.', import.meta.url)), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return String(parseInt(head.slice(0, 8), 16) | 0);
  } catch {
    // Not a git checkout: a fresh seed, as elsewhere.
    return undefined;
  }
}
const seed = propertySeed();

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources, not dist/, so no build is needed before them.
    alias: [
      { find: /^@sessionhub\/([a-z-]+)\/([a-z-]+)$/, replacement: `${packagesDir}$1/src/$2.ts` },
      { find: /^@sessionhub\/([a-z-]+)$/, replacement: `${packagesDir}$1/src/index.ts` },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'docs/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    pool: 'forks',
    // fast-check's base size and seed for every property (see the file).
    setupFiles: ['./vitest.setup.ts'],
    env: seed === undefined ? {} : { FC_SEED: seed },
  },
});
