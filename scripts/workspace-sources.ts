/**
 * For tests that bundle a program with esbuild (a child process to kill, a page for Chromium, the
 * demo): resolves `@sessionhub/<pkg>[/<entry>]` to that package's TypeScript source, as vitest's
 * aliases do, so no `pnpm build` is needed first. Repository-internal: never shipped.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';

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
