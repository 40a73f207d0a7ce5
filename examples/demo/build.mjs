// Builds the demo from src/ into dist/ (esbuild, one file per process), importing the built
// @sessionhub/* packages from node_modules as a user's app would: run `pnpm build` first.
import { build } from 'esbuild';

await build({
  entryPoints: { demo: 'src/demo.ts', app: 'src/app.ts' },
  absWorkingDir: import.meta.dirname,
  outdir: 'dist',
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
});
