/**
 * @sessionhub/testing — fakes for tests, examples and SDK users: a manual clock and timers, a manual
 * lifecycle, a storage that can die like a force-quit process, recording kits, and the vendor
 * collectors (in memory here; msw handlers in `@sessionhub/testing/msw`, a loopback HTTP server in
 * `@sessionhub/testing/server`).
 * @packageDocumentation
 */
export { manualClock } from './manual-clock';
export type { ManualClock } from './manual-clock';
export { manualTimers, settle } from './manual-timers';
export type { ManualTimers } from './manual-timers';
export { manualLifecycle } from './manual-lifecycle';
export type { ManualLifecycle } from './manual-lifecycle';
export { dyingStorage } from './dying-storage';
export type { DyingStorage } from './dying-storage';
export { quotaStorage } from './quota-storage';
export type { QuotaStorage } from './quota-storage';
export { roundTripStorage } from './round-trip-storage';
export type { RoundTripStorage, RoundTripStorageOptions } from './round-trip-storage';
export { IOS_INLINE_LIMIT, iosAsyncStorage } from './ios-async-storage';
export type { IosAsyncStorage, IosFileOperation } from './ios-async-storage';
export { recordingKit, throwingKit } from './recording-kit';
export { recordingLogger } from './recording-logger';
export type { RecordingLogger } from './recording-logger';
export { recordingTransport } from './recording-transport';
export type { RecordedRequest, RecordingTransport } from './recording-transport';
export { fakeOrigin, tabHubOptions } from './fake-browser-origin';
export type { FakeOrigin, FakeTab, LeaveOptions } from './fake-browser-origin';
export type { RecordedCall, RecordingKit } from './recording-kit';

export { createCollector, CORS_HEADERS } from './collector';
export type { CollectedRequest, Collector, CollectorAnswer, FailNextOptions, IncomingRequest } from './collector';
export { DEFAULT_FAULT_MIX, describeFault } from './fault';
export type { Fault, FaultSettings } from './fault';
export { VENDOR_ROUTES, routeOf } from './vendor-routes';
export type { VendorName, VendorRoute } from './vendor-routes';
export { seededRandom } from './seeded-random';
export { storedView } from './stored-view';
export { FORGETTING_CALLS } from './forgetting-calls';
