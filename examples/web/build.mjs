// Builds the example's server (src/serve.ts) into dist/ for `pnpm example:web`; the page itself is
// bundled from source when the server starts.
import { build } from 'esbuild';

await build({
  entryPoints: { serve: 'src/serve.ts' },
  absWorkingDir: import.meta.dirname,
  outdir: 'dist',
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
});
