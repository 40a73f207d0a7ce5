import { packageConfig } from '../../rollup.package.mjs';

export default packageConfig(import.meta.dirname, { index: "src/index.ts" }, {
  // A queued item's fields made at enqueue (braze-outbox-item.ts) that only the kit and its request
  // builder read: never stored (the outbox stores `json`'s text) nor handed out; and the timeouts
  // report the kit logs (braze-timeouts.ts).
  privateMembers: ["json", "ss", "user", "summary", "mismatch"],
});
