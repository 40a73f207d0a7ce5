/**
 * @sessionhub/core/browser — SessionHub in web pages: the page lifecycle, localStorage persistence
 * with a memory fallback, browser defaults, and one session shared by every tab of an origin.
 * @packageDocumentation
 */
export { BROWSER_DEFAULTS, createBrowserHub } from './browser/browser-hub';
export type { BrowserHubOptions } from './browser/browser-hub';
export { browserLifecycle } from './browser/page-lifecycle';
export type { BrowserLifecycleOptions, PageDocument, PageWindow } from './browser/page-lifecycle';
export { pageStorage } from './browser/web-storage';
export type { PageStorage, WebStorageLike } from './browser/web-storage';
export type { LockManagerLike, PageEventLike, StorageEventSource } from './browser/tab-session';
