import { packageConfig } from '../../rollup.package.mjs';

export default packageConfig(
  import.meta.dirname,
  { index: 'src/index.ts', node: 'src/node.ts', browser: 'src/browser.ts' },
  {
    // Private members of SessionHub (hub.ts) and KitHost (kit-host.ts) that nothing but their own
    // class reads, and the segment log's group fields, shortened in dist/ (~150 B min+gz of every app). Not `state`, `options`, `storage`,
    // `kits` and the like: other objects have members of those names.
    privateMembers: [
      'stateKey', 'optedOut', 'emitter', 'startPromise', 'deliveryQueue', 'delivering', 'unsubscribeLifecycle', 'kitsStarted',
      'lastTime', 'clockProblem', 'droppedBeforeStart', 'begin', 'startKits', 'runPending', 'onLifecycle', 'pageHideNow',
      'initializeKit', 'engineConfig', 'listenerProblem', 'purge', 'drain', 'armTimer', 'persistNow', 'invoke',
      'command', 'stamp', 'tracing', 'timerAt', 'liveSession', 'buffer',
      // The segment log's bookkeeping of a group (segment-log.ts), read by nothing else.
      'live', 'where', 'gone', 'full',
    ],
  },
);
