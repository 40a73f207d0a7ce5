import { packageConfig } from '../../rollup.package.mjs';

export default packageConfig(
  import.meta.dirname,
  { index: 'src/index.ts' },
  {
    // Members of an outbox's queued entries (outbox.ts) that nothing outside the outbox and its
    // batching reads, and the sequence number of an entry and a loaded item (not `at`, `item` or `keep`,
    // which are stored fields), shortened in dist/.
    privateMembers: ['flying', 'attempts', 'seq', 'size', 'key', 'saveIndex', 'writeNow', 'items', 'put'],
  },
);
