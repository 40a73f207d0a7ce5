import { packageConfig } from '../../rollup.package.mjs';

export default packageConfig(import.meta.dirname, { index: 'src/index.ts', cli: 'src/cli.ts' });
