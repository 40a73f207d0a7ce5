import { packageConfig } from '../../rollup.package.mjs';

export default packageConfig(import.meta.dirname, { index: 'src/index.ts' }, {
  // The request builder's setup (upload-request.ts) that only the kit hands it, and the kit's live
  // session and an item's stamp (clevertap-kit.ts, upload-items.ts): never stored nor sent. (The
  // live session's id and previous length are named apart from `id` and `lsl`, fields the requests
  // send, so that they can be shortened.)
  privateMembers: ['firstRequest', 'entry', 'first', 'fresh', 'events', 'start', 'session', 'previousLength'],
});
