import { packageConfig } from '../../rollup.package.mjs';

export default packageConfig(
  import.meta.dirname,
  { index: 'src/index.ts', node: 'src/node.ts', browser: 'src/browser.ts' },
  {
    // Private members of SessionHub (hub.ts) and the kit host (kit-host.ts) that nothing but their own
    // code reads, and the segment log's group fields, shortened in dist/ (~230 B min+gz of every app). Not `state`, `options`, `storage`,
    // `kits` and the like: other objects have members of those names (so the hub's own are `ownState`
    // and `pipeline`); nor a built-in's (`env` of
    // `process.env`, `entries` of `Object.entries`), nor an export (a CommonJS chunk reads them as properties).
    privateMembers: [
      'stateKey', 'optedOut', 'emitter', 'startPromise', 'deliveryQueue', 'delivering', 'unsubscribeLifecycle', 'kitsStarted',
      'lastTime', 'runTimeoutMs', 'clockProblem', 'droppedBeforeStart', 'listen', 'startKits', 'runPending', 'onLifecycle',
      'initializeKit', 'engineConfig', 'purge', 'drain', 'armTimer', 'persistNow',
      'command', 'stamp', 'tracing', 'timerAt', 'liveSession', 'buffer',
      'phase', 'pending', 'timer', 'shared', 'launch', 'reject', 'stateNow', 'submitInput', 'runInput',
      'publish', 'kitHost', 'opts', 'hubLogger', 'engineEnv', 'choiceKey', 'optChain', 'choiceAt', 'choiceBefore', 'foregroundAt',
      'launchedInForeground', 'ownState',
      // The kit host's (kit-host.ts), called by the hub alone, and its entries' bookkeeping.
      'names', 'initialize', 'whenReady', 'dispatch', 'runAll', 'pageHide', 'queuedItems', 'health',
      'neutral', 'started', 'ready', 'kit', 'loaded', 'clearing', 'disown', 'owe', 'waited', 'kitStatus', 'callCount', 'errorCount', 'lastFailure',
      // A tab's place (its slot and page, browser/shared-record.ts: the page id alone is stored), and of a commit in memory (tab-session.ts)
      // the pages it took calls from, whether it carries what earlier pages of the slot owed, whether it goes in the slot's own write.
      'slot', 'handed', 'carrying', 'inSlot',
      // The resolved options' engine configuration (config.ts), read by the hub alone.
      'engine',
      // The segment log's bookkeeping of a group (segment-log.ts), read by nothing else.
      'live', 'where', 'gone', 'full', 'spills', 'heldBy', 'hiddenAt',
      // The commit pipeline's members that only the hub calls (commit-pipeline.ts; not the ones kits' storage passes on).
      'writeLast', 'touch', 'hold', 'release', 'label', 'blind',
      // The hub's way to stop (hub.ts), private.
      'stopping',
    ],
    // The hub's interface with its browser tabs (shared-session.ts: a SharedSession and its host),
    // between core's own chunks: the same short name in each.
    sharedMembers: ['ownPrefix', 'noteQueued', 'deliver', 'changed', 'cleared', 'view', 'resume', 'submit', 'makeId', 'nowMs', 'alert',
      'commitPage', 'caughtUp', 'clearTabs', 'closeTab', 'hidden', 'pipeline', 'kitsQueued'],
  },
);
