import { relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

/** One bundle to measure: an entry module's source, as an app would write it. */
export interface BundleSpec {
  /** Row name in the table. */
  readonly name: string;
  /** The entry module's source (ESM), e.g. `export { createHub } from '@sessionhub/core';`. */
  readonly entry: string;
  /** Packages left out of the bundle (those an app already ships with another row). */
  readonly external?: readonly string[];
}

/** A module's share of the minified output, from esbuild's metafile. */
export interface ModuleShare {
  /** Path relative to the resolve directory, `node_modules/.pnpm/...` shortened to the package path. */
  readonly module: string;
  /** Minified bytes this module contributes (before gzip). */
  readonly bytes: number;
}

/** What a bundle weighs. */
export interface BundleFigure {
  readonly name: string;
  /** Minified bytes of every chunk (lazily imported ones included): what the app ships. */
  readonly minified: number;
  /** gzip -9 bytes of every chunk, each compressed on its own (as a server sends them). */
  readonly gzipped: number;
  /** gzip -9 bytes of the chunks loaded at start: the entry and, transitively, its static imports. */
  readonly gzippedInitial: number;
  readonly chunks: number;
  /** The largest contributors, largest first (at most {@link MODULES_LISTED}). */
  readonly modules: readonly ModuleShare[];
}

/**
 * The one way every row is bundled, ours and the vendors' alike: esbuild, browser platform, ESM,
 * minified, code splitting (so an SDK's lazy chunks show up as such), ES2020 (our packages' target),
 * production `process.env.NODE_ENV`.
 */
export const BUNDLE_SETTINGS = {
  bundle: true,
  write: false,
  minify: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2020',
  splitting: true,
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'none',
  logLevel: 'silent',
} as const satisfies esbuild.BuildOptions;

/** Modules listed per bundle (an SDK bundles hundreds). */
export const MODULES_LISTED = 25;

const ENTRY_NAMESPACE = 'bench-entry';
const OUT_DIR = 'size-out';

/**
 * Bundles `spec.entry` as if it were a file in `resolveDir` (whose node_modules hold the packages)
 * and measures the result. Rejects when esbuild cannot bundle it.
 */
export async function measureBundle(spec: BundleSpec, resolveDir: string, conditions: readonly string[] = []): Promise<BundleFigure> {
  const result = await esbuild.build({
    ...BUNDLE_SETTINGS,
    entryPoints: [`${ENTRY_NAMESPACE}:${spec.name}`],
    absWorkingDir: resolveDir,
    // Never written (write: false); esbuild needs a directory to name the chunks.
    outdir: OUT_DIR,
    conditions: [...conditions],
    external: [...(spec.external ?? [])],
    metafile: true,
    plugins: [
      {
        name: 'virtual-entry',
        setup(build) {
          build.onResolve({ filter: new RegExp(`^${ENTRY_NAMESPACE}:`) }, (args) => ({ path: args.path, namespace: ENTRY_NAMESPACE }));
          build.onLoad({ filter: /.*/, namespace: ENTRY_NAMESPACE }, () => ({ contents: spec.entry, loader: 'js', resolveDir }));
        },
      },
    ],
  });
  const outputs = result.metafile.outputs;
  const js = Object.keys(outputs).filter((path) => path.endsWith('.js'));
  const entry = js.find((path) => outputs[path]!.entryPoint !== undefined);
  if (!entry) throw new Error(`${spec.name}: esbuild produced no entry chunk`);
  // The chunks loaded at start: the entry and, transitively, its static imports.
  const initial = new Set<string>();
  const visit = (path: string): void => {
    if (initial.has(path)) return;
    initial.add(path);
    for (const imported of outputs[path]!.imports) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(entry);
  let minified = 0;
  let gzipped = 0;
  let gzippedInitial = 0;
  for (const file of result.outputFiles) {
    const path = relative(resolveDir, file.path);
    if (!outputs[path] || !path.endsWith('.js')) continue;
    const size = gzipSync(file.contents, { level: 9 }).length;
    minified += file.contents.length;
    gzipped += size;
    if (initial.has(path)) gzippedInitial += size;
  }
  const shares = new Map<string, number>();
  for (const path of js) {
    for (const [input, { bytesInOutput }] of Object.entries(outputs[path]!.inputs)) {
      const module = shortModulePath(input);
      shares.set(module, (shares.get(module) ?? 0) + bytesInOutput);
    }
  }
  const modules = [...shares]
    .filter(([, bytes]) => bytes > 0)
    .map(([module, bytes]) => ({ module, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, MODULES_LISTED);
  return { name: spec.name, minified, gzipped, gzippedInitial, chunks: js.length, modules };
}

/** `../node_modules/.pnpm/uuid@11.1.0/node_modules/uuid/dist/esm-browser/v4.js` → `uuid/dist/esm-browser/v4.js`. */
function shortModulePath(input: string): string {
  const i = input.lastIndexOf('node_modules/');
  if (i >= 0) return input.slice(i + 'node_modules/'.length);
  return input.replace(/^(\.\.\/)+/, '');
}
