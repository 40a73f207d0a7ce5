import type { HttpRequest } from '@sessionhub/delivery';
import { PAYLOAD_DATA_SCHEMA } from './iglu';
import type { TrackerPayload } from './tracker-payload';

const ENVELOPE_HEAD = '{"schema":"' + PAYLOAD_DATA_SCHEMA + '","data":[';
const ENVELOPE_TAIL = ']}';
const HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'content-type': 'application/json; charset=utf-8' });

/** Bytes of the envelope around the items. */
export const ENVELOPE_BYTES = ENVELOPE_HEAD.length + ENVELOPE_TAIL.length;

/** Bytes `"stm":"<13 digits>",` adds to an item, plus the comma between items. */
const STM_AND_SEPARATOR_BYTES = '"stm":"0000000000000",'.length + 1;

/** Bytes an item adds to a POST body. */
export function payloadSize(item: TrackerPayload): number {
  return item.bytes + STM_AND_SEPARATOR_BYTES;
}

/**
 * The POST of a batch: the `payload_data` 1-0-4 envelope around the items, each stamped with
 * `stm` = `sentAt` (the send time, so a retry carries its own). The items' JSON is spliced in, never
 * re-serialized.
 */
export function trackerRequest(endpoint: string, items: readonly TrackerPayload[], sentAt: number): HttpRequest {
  const stm = '{"stm":"' + String(Math.round(sentAt)) + '",';
  let body = ENVELOPE_HEAD;
  for (let i = 0; i < items.length; i++) {
    if (i > 0) body += ',';
    body += stm + (items[i] as TrackerPayload).json.slice(1);
  }
  return { url: endpoint, method: 'POST', headers: HEADERS, body: body + ENVELOPE_TAIL };
}
