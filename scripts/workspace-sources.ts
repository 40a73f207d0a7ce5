/**
 * For tests that bundle a program with esbuild (a child process to kill, a page for Chromium, the
 * demo): resolves `@sessionhub/<pkg>[/<entry>]` to that package's TypeScript source, as vitest's
 * aliases do, so no `pnpm build` is needed first. Repository-internal: never shipped.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const packagesDir = fileURLToPath(new URL('../packages/', import.meta.url));

export const workspaceSources: Plugin = {
  name: 'workspace-sources',
  setup(b) {
    b.onResolve({ filter: /^@sessionhub\/[a-z-]+(\/[a-z-]+)?$/ }, (args) => {
      const [, pkg, entry] = /^@sessionhub\/([a-z-]+)(?:\/([a-z-]+))?$/.exec(args.path)!;
      return { path: resolve(packagesDir, pkg!, 'src', `${entry ?? 'index'}.ts`) };
    });
  },
};

/**
 * Bundles a program for a Node child process (ESM, node20, the workspace's sources inlined):
 * `entry` is a file path, or source text with the folder its imports resolve from.
 */
export async function bundleForNode(entry: string | { contents: string; resolveDir: string }, outfile: string): Promise<void> {
  await build({
    ...(typeof entry === 'string' ? { entryPoints: [entry] } : { stdin: { ...entry, loader: 'ts' as const } }),
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [workspaceSources],
    logLevel: 'silent',
  });
}

/** Bundles a page script for Chromium (ESM, ES2020, the workspace's sources inlined) and returns its text. */
export async function bundleForBrowser(contents: string, resolveDir: string): Promise<string> {
  const bundle = await build({
    stdin: { contents, resolveDir, loader: 'js' },
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    target: 'es2020',
    plugins: [workspaceSources],
    logLevel: 'silent',
  });
  return bundle.outputFiles[0]!.text;
}
