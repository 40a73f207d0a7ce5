// Shared rollup recipe: every package builds ESM + CJS + bundled .d.ts/.d.cts from src/.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { transform } from 'esbuild';
import esbuild from 'rollup-plugin-esbuild';
import dts from 'rollup-plugin-dts';

/**
 * Shortens the named private members in the built chunks (esbuild's mangleProps): bytes every app
 * ships, where minifiers keep property names. Each chunk is mangled on its own, so a name may be a
 * property in one chunk only: the build fails if one is a property in a second chunk (or in none, a
 * stale list). What counts is what esbuild mangles (properties, not a local variable or a word in a
 * comment or string of the same spelling). List only members that nothing outside their class
 * reads: never a kit's, an option's, a stored field's, anything serialized, nor a property of an
 * object the app or another chunk hands in (`process.env`, a storage adapter, …).
 */
function manglePrivate(names) {
  const pattern = new RegExp(`^(?:${names.join('|')})$`);
  /** format → name → the chunk it is used in */
  const owners = new Map();
  return {
    name: 'mangle-private',
    async renderChunk(code, chunk, output) {
      const owner = owners.get(output.format) ?? owners.set(output.format, new Map()).get(output.format);
      const result = await transform(code, { loader: 'js', mangleProps: pattern, mangleCache: {}, sourcemap: true, sourcefile: chunk.fileName });
      const used = Object.keys(result.mangleCache ?? {});
      for (const name of used) {
        const other = owner.get(name);
        if (other && other !== chunk.fileName) throw new Error(`mangle-private: "${name}" is in ${other} and ${chunk.fileName}; take it off the list`);
        owner.set(name, chunk.fileName);
      }
      if (used.length === 0) return null;
      return { code: result.code, map: result.map };
    },
    generateBundle(output) {
      const missing = names.filter((name) => !owners.get(output.format)?.has(name));
      if (missing.length) this.error(`mangle-private: ${missing.join(', ')} not found in any chunk; take them off the list`);
    },
  };
}

/**
 * @param {string} dir package directory (import.meta.dirname of the caller)
 * @param {Record<string,string>} entries output name -> source file, e.g. { index: 'src/index.ts' }
 * @param {{ privateMembers?: string[] }} [options] privateMembers: see manglePrivate
 */
export function packageConfig(dir, entries, options = {}) {
  const pkg = JSON.parse(readFileSync(resolve(dir, 'package.json'), 'utf8'));
  const deps = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies });
  // Dependencies (and their subpaths, e.g. lodash-es/sortBy) stay external; node: builtins too.
  const external = (id) => id.startsWith('node:') || deps.some((d) => id === d || id.startsWith(d + '/'));
  const input = Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, resolve(dir, v)]));
  return [
    {
      input,
      external,
      plugins: [
        esbuild({ target: 'es2020', tsconfig: resolve(dir, '../../tsconfig.base.json') }),
        ...(options.privateMembers?.length ? [manglePrivate(options.privateMembers)] : []),
      ],
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
