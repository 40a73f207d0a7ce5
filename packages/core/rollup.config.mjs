import { packageConfig } from '../../rollup.package.mjs';

export default packageConfig(import.meta.dirname, {"index": "src/index.ts", "node": "src/node.ts", "browser": "src/browser.ts"});
