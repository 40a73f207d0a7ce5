/**
 * @sessionhub/core/node — Node-only pieces: file storage.
 * @packageDocumentation
 */
export { fileStorage } from './node/file-storage';
