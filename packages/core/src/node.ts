/**
 * @sessionhub/core/node — SessionHub for servers and CLIs: {@link createNodeHub} (the `platform: 'node'`
 * preset with graceful shutdown), {@link nodeDefaults}, {@link journalStorage}, {@link fileStorage}, {@link gracefulShutdown}.
 * @packageDocumentation
 */
export { fileStorage, fileStorageKeys } from './node/file-storage';
export { journalStorage } from './node/journal-storage';
export type { Durability, JournalStorage, JournalStorageOptions } from './node/journal-storage';
export { headlessLifecycle } from './node/headless-lifecycle';
export { nodeDefaults } from './node/node-defaults';
export { stderrLogger } from './node/stderr-logger';
export type { NodeDefaultsOptions } from './node/node-defaults';
export { gracefulShutdown } from './node/graceful-shutdown';
export type { GracefulShutdownOptions, ShutsDown } from './node/graceful-shutdown';
export { createNodeHub } from './node/node-hub';
export type { NodeHubOptions } from './node/node-hub';
