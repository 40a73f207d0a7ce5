import { packageConfig } from '../../rollup.package.mjs';

export default packageConfig(import.meta.dirname, { index: 'src/index.ts' }, {
  // The request builder's setup (upload-request.ts) that only the kit hands it: never stored nor sent.
  privateMembers: ['firstRequest'],
});
