import { packageConfig } from '../../rollup.package.mjs';

export default packageConfig(import.meta.dirname, {"index": "src/index.ts", "protocol": "src/protocol.ts"});
