/** Delivery defaults fitting Snowplow: the mobile trackers' POST limit (40 000 bytes), emit range (25 events), event store size (1000) and age (30 days). */
export const SNOWPLOW_DELIVERY_DEFAULTS = Object.freeze({
  maxBatchItems: 25,
  maxBatchBytes: 40_000,
  maxQueueItems: 1000,
  maxAgeMs: 2_592_000_000,
});
