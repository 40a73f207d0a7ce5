import { utf8Length, type HttpRequest } from '@sessionhub/delivery';
import { nodeBuffer } from './node-buffer';
import { PAYLOAD_DATA_SCHEMA } from './iglu';
import type { TrackerPayload } from './tracker-payload';

const HEAD = '{"schema":"' + PAYLOAD_DATA_SCHEMA + '","data":[';

/** Bytes of the envelope around the items. */
export const ENVELOPE_BYTES = HEAD.length + 2;

/**
 * Bytes an item adds to a POST body: its JSON, `"stm":"<13 digits>",` and the comma between items.
 * (Node counts UTF-8 natively, 4 times faster than the portable scan of a ~1 KB item.)
 */
export const payloadSize = (item: TrackerPayload): number => (nodeBuffer ? nodeBuffer.byteLength(item) : utf8Length(item)) + 23;

/**
 * The POST of a batch: the `payload_data` 1-0-4 envelope around the items, each stamped with
 * `stm` = `sentAt` (the send time, so a retry carries its own). The items' JSON is spliced in, never
 * re-serialized.
 */
export function trackerRequest(url: string, items: readonly TrackerPayload[], sentAt: number): HttpRequest {
  const stm = '{"stm":"' + Math.round(sentAt) + '",';
  return {
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: HEAD + items.map((item) => stm + item.slice(1)).join() + ']}',
  };
}
