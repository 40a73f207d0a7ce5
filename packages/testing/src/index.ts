/**
 * @sessionhub/testing — fakes for tests, examples and SDK users: a manual clock, a manual lifecycle,
 * a storage that can die like a force-quit process, recording kits, and the vendor collectors.
 * @packageDocumentation
 */
export { manualClock } from './manual-clock';
export type { ManualClock } from './manual-clock';
export { manualLifecycle } from './manual-lifecycle';
export type { ManualLifecycle } from './manual-lifecycle';
export { dyingStorage } from './dying-storage';
export type { DyingStorage } from './dying-storage';
export { recordingKit, throwingKit } from './recording-kit';
export type { RecordedCall, RecordingKit } from './recording-kit';
