/**
 * @sessionhub/replay — `sessionhub compare` and `sessionhub replay`: sessionize an event log with the
 * canonical engine and with each vendor SDK's own session rules, and replay it server-side.
 * @packageDocumentation
 */
export type { LineProblem, LogLineType, LogRecord, ParsedLine, Platform } from './log/log-record';
export { describeProblem } from './log/log-record';
export { parseRecord } from './log/parse-record';
export { parseTimestamp } from './log/timestamp';
export { CSV_COLUMNS } from './log/csv';
export { LineParser, formatFromName, openSource, readLines, readLog } from './log/read-log';
export type { LogFormat, LogSource, ReadLogOptions } from './log/read-log';
export { BadLineError, BadLines } from './log/bad-lines';
export type { OnError } from './log/bad-lines';
export { changesUser, engineInput, engineInputs } from './engine-inputs';

export type { ClosedSession, ModelState, Vendor, VendorModel } from './models/model';
export { INITIAL_MODEL_STATE } from './models/model';
export { VENDORS, vendorModels } from './models/index';
export type { VendorModelOptions } from './models/index';
export { BRAZE_MOBILE_TIMEOUT_MS, BRAZE_WEB_MINIMUM_MS, BRAZE_WEB_TIMEOUT_MS, brazeMobileModel, brazeWebModel } from './models/braze';
export type { BrazeMobileClock } from './models/braze';
export { SNOWPLOW_TIMEOUT_MS, snowplowMobileModel, snowplowWebModel } from './models/snowplow';
export { CLEVERTAP_SESSIONLESS_EVENTS, CLEVERTAP_TIMEOUT_MS, clevertapModel } from './models/clevertap';
export { MPARTICLE_MOBILE_TIMEOUT_MS, MPARTICLE_WEB_TIMEOUT_MS, mparticleMobileModel, mparticleWebModel } from './models/mparticle';

export { Comparison } from './compare/comparison';
export type { ComparisonOptions, DeviceTimeline, TimelineSession } from './compare/comparison';
export { CAUSES, LengthSketch, QUANTILE_RELATIVE_ERROR, Tally, quantile } from './compare/tally';
export type { Cause } from './compare/tally';
export { HISTOGRAM_EDGES_MS, compareReport } from './compare/report';
export type { ColumnReport, CompareReport, Difference, Histogram } from './compare/report';
export { explainDifference, formatDuration, renderCompareTable } from './compare/render-table';
export { renderCompareHtml } from './compare/render-html';
export { compareLog } from './compare/run-compare';
export type { CompareLogOptions } from './compare/run-compare';

export { GENERATED_CSV_HEADER, formatLine, generateLog } from './generate';
export type { GenerateOptions, GeneratedLine } from './generate';
export { main } from './cli-main';
export { UsageError, UserError } from './user-error';

export { Replayer } from './replay/replayer';
export type { DeviceReplayState, ReplayCounts, ReplayOutput, ReplaySink } from './replay/replayer';
export { replayEventId, replayKitId, replaySessionId } from './replay/replay-ids';
export { CheckpointError, readCheckpoint, writeCheckpoint } from './replay/checkpoint';
export type { Checkpoint } from './replay/checkpoint';
export { NdjsonFileSink } from './replay/ndjson-sink';
export { replayLog } from './replay/run-replay';
export type { ReplayLogOptions, ReplayResult } from './replay/run-replay';
export { partitionOf } from './partition';
export { KitsSink, kitsFromConfig, readKitsConfig } from './replay/kits-sink';
export type { KitsConfig } from './replay/kits-sink';
