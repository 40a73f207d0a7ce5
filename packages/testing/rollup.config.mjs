import { packageConfig } from '../../rollup.package.mjs';

export default packageConfig(import.meta.dirname, {"index": "src/index.ts", "server": "src/server.ts", "node": "src/node.ts", "chromium": "src/chromium.ts", "msw": "src/msw.ts"});
