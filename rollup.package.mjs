// Shared rollup recipe: every package builds ESM + CJS + bundled .d.ts/.d.cts from src/.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { transform } from 'esbuild';
import esbuild from 'rollup-plugin-esbuild';
import dts from 'rollup-plugin-dts';

/**
 * Shortens the named private members in the built chunks (esbuild's mangleProps): bytes every app
 * ships, where minifiers keep property names. List only members that nothing outside the package
 * reads: never a kit's, an option's, a stored field's, anything serialized, an export, nor a
 * property of an object the app, a dependency or Node hands in (`process.env`, a storage adapter,
 * `fs.open` in CommonJS output, …). The chunks of a format are mangled one after the other with one
 * cache, so a name gets the same short name in every chunk: shared chunks first (the bulk of the
 * code: esbuild picks the names that compress best for the code it sees first). A private member may be a property in
 * one chunk only (the build fails if it is in a second one, or in none: a stale list); a shared
 * member (an internal interface between the package's own chunks, e.g. core's hub and its browser
 * tabs) may be in several. What counts is what esbuild mangles (properties, not a local variable or
 * a word in a comment or string of the same spelling).
 */
function manglePrivate(names, shared = []) {
  const all = [...names, ...shared];
  const pattern = new RegExp(`^(?:${all.join('|')})$`);
  /** format → name → the chunk it is used in */
  const owners = new Map();
  /** format → the mangle cache its chunks share, and each chunk's turn */
  const caches = new Map();
  return {
    name: 'mangle-private',
    async renderChunk(code, chunk, output, meta) {
      const owner = owners.get(output.format) ?? owners.set(output.format, new Map()).get(output.format);
      // Shared chunks (the bulk of the code, e.g. core's hub) first, then the entries: the names
      // the most code uses are chosen with the most code in view.
      let state = caches.get(output.format);
      if (!state) {
        const order = Object.values(meta.chunks).sort((a, b) => a.isEntry - b.isEntry || (a.fileName < b.fileName ? -1 : 1));
        const turns = new Map();
        let previous = Promise.resolve();
        for (const { fileName } of order) {
          let done;
          const turn = { wait: previous, done: () => done() };
          previous = new Promise((resolve) => (done = resolve));
          turns.set(fileName, turn);
        }
        caches.set(output.format, (state = { cache: {}, turns }));
      }
      const turn = state.turns.get(chunk.fileName);
      await turn.wait;
      const done = turn.done;
      try {
        const exported = chunk.exports.filter((name) => all.includes(name));
        if (exported.length) throw new Error(`mangle-private: ${exported.join(', ')} exported by ${chunk.fileName}; take them off the list`);
        // The names that are properties in this chunk (a fresh cache lists only those).
        const used = Object.keys((await transform(code, { loader: 'js', mangleProps: pattern, mangleCache: {} })).mangleCache ?? {});
        if (used.length === 0) return null;
        const result = await transform(code, { loader: 'js', mangleProps: pattern, mangleCache: state.cache, sourcemap: true, sourcefile: chunk.fileName });
        Object.assign(state.cache, result.mangleCache);
        for (const name of used) {
          const other = owner.get(name);
          if (other && other !== chunk.fileName && !shared.includes(name)) throw new Error(`mangle-private: "${name}" is in ${other} and ${chunk.fileName}; take it off the list`);
          owner.set(name, chunk.fileName);
        }
        return { code: result.code, map: result.map };
      } finally {
        done();
      }
    },
    generateBundle(output) {
      const missing = all.filter((name) => !owners.get(output.format)?.has(name));
      if (missing.length) this.error(`mangle-private: ${missing.join(', ')} not found in any chunk; take them off the list`);
    },
  };
}

/**
 * Folds each ESM chunk's constants into the code that reads them (esbuild's syntax minification,
 * names and layout kept): `entry[PAGES]` ships as `entry[4]`. An app's bundler cannot do it: a
 * module with imports may be re-entered by a cycle before its constants are set, so esbuild keeps
 * every module-level `const` of a package's dist (~30 B min+gz in a kit). Imports are set aside
 * while folding (with them esbuild keeps the constants too), and the export list (it names imports
 * too), and put back.
 */
function foldConstants() {
  return {
    name: 'fold-constants',
    async renderChunk(code, chunk, output) {
      if (output.format !== 'es') return null;
      const lines = code.split('\n');
      let n = 0;
      while (n < lines.length && /^(?:#!.*|import\b[^;]*;)$/.test(lines[n])) n++;
      let end = lines.length;
      while (end > n && (lines[end - 1] === '' || /^export \{[^;]*\};$/.test(lines[end - 1]))) end--;
      // esbuild folds only the constants declared before any other statement (a function declared
      // earlier could read one before it is set): the numeric (literals and their arithmetic), boolean
      // and null ones move to the front of the first line, so the lines esbuild reads are the chunk's
      // (its source map points at them).
      const number = String.raw`-?\d[\d.]*(?:e-?\d+)?`;
      const numeric = new RegExp(String.raw`^const [\w$]+ = (?:${number}(?: (?:\*\*|[-+*/]) ${number})*|true|false|null);$`);
      const body = lines.slice(n, end);
      const constants = body.filter((line) => numeric.test(line));
      const rest = body.map((line) => (numeric.test(line) ? '' : line));
      if (constants.length) rest[0] = [...constants, rest[0]].join(' ');
      const result = await transform(rest.join('\n'), { loader: 'js', format: 'esm', target: 'es2020', minifySyntax: true, sourcemap: true, sourcefile: chunk.fileName });
      // The map's lines start after the imports: shift them by as many lines.
      const map = JSON.parse(result.map);
      map.mappings = ';'.repeat(n) + map.mappings;
      return { code: [...lines.slice(0, n), result.code.trimEnd(), ...lines.slice(end)].join('\n'), map };
    },
  };
}

/**
 * @param {string} dir package directory (import.meta.dirname of the caller)
 * @param {Record<string,string>} entries output name -> source file, e.g. { index: 'src/index.ts' }
 * @param {{ privateMembers?: string[], sharedMembers?: string[] }} [options] see manglePrivate
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
        ...(options.privateMembers?.length ? [manglePrivate(options.privateMembers, options.sharedMembers)] : []),
        foldConstants(),
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
