// Shared rollup recipe: every package builds ESM + CJS + bundled .d.ts/.d.cts from src/.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import esbuild from 'rollup-plugin-esbuild';
import dts from 'rollup-plugin-dts';

/**
 * @param {string} dir package directory (import.meta.dirname of the caller)
 * @param {Record<string,string>} entries output name -> source file, e.g. { index: 'src/index.ts' }
 */
export function packageConfig(dir, entries) {
  const pkg = JSON.parse(readFileSync(resolve(dir, 'package.json'), 'utf8'));
  const deps = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies });
  // Dependencies (and their subpaths, e.g. lodash-es/sortBy) stay external; node: builtins too.
  const external = (id) => id.startsWith('node:') || deps.some((d) => id === d || id.startsWith(d + '/'));
  const input = Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, resolve(dir, v)]));
  return [
    {
      input,
      external,
      plugins: [esbuild({ target: 'es2020', tsconfig: resolve(dir, '../../tsconfig.base.json') })],
      output: [
        { dir: resolve(dir, 'dist'), format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js', sourcemap: true },
        { dir: resolve(dir, 'dist'), format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs', sourcemap: true, exports: 'named' },
      ],
    },
    ...['d.ts', 'd.cts'].map((ext) => ({
      input,
      external,
      plugins: [dts({ tsconfig: resolve(dir, '../../tsconfig.base.json') })],
      output: { dir: resolve(dir, 'dist'), format: 'es', entryFileNames: `[name].${ext}`, chunkFileNames: `chunks/[name]-[hash].${ext}` },
    })),
  ];
}
