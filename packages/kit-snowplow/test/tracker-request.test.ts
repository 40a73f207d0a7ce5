import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPayloadMapper, payloadSize, resolveSnowplowOptions, trackerRequest } from '@sessionhub/kit-snowplow/protocol';
import { ENVELOPE_BYTES } from '../src/tracker-request';
import { decodeTrackerRequest } from './iglu-validator';
import { eventRecord, T0 } from './records';

const URL_TP2 = 'https://collector.test/com.snowplowanalytics.snowplow/tp2';

describe('trackerRequest', () => {
  const mapper = createPayloadMapper(resolveSnowplowOptions({ collectorUrl: 'https://collector.test', appId: 'a', encodeBase64: false }), {
    newId: () => '00000000-0000-4000-8000-000000000000',
    report: () => undefined,
  });

  it('POSTs the payload_data envelope with stm stamped at send time, items otherwise unchanged', () => {
    const items = [mapper.event(eventRecord({ attributes: { label: 'ü' } })), mapper.event(eventRecord({ eventId: 'c3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d' }))];
    const first = trackerRequest(URL_TP2, items, T0 + 1);
    const retry = trackerRequest(URL_TP2, items, T0 + 2);
    expect(first).toMatchObject({ url: URL_TP2, method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' } });
    const a = decodeTrackerRequest(first);
    const b = decodeTrackerRequest(retry);
    expect(a.map((e) => e.item.stm)).toEqual([String(T0 + 1), String(T0 + 1)]);
    expect(b.map((e) => e.item.stm)).toEqual([String(T0 + 2), String(T0 + 2)]);
    expect(a.map(({ item: { stm: _, ...rest } }) => rest)).toEqual(items.map((i) => JSON.parse(i)));
    expect(b.map(({ item: { stm: _, ...rest } }) => rest)).toEqual(a.map(({ item: { stm: _, ...rest } }) => rest));
  });

  it('payloadSize adds up to the body\'s UTF-8 bytes, so the outbox\'s byte limit is the POST\'s', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 50 }), { minLength: 1, maxLength: 20 }), (labels) => {
        const items = labels.map((label) => mapper.event(eventRecord({ attributes: { label } })));
        const body = trackerRequest(URL_TP2, items, T0).body!;
        const sum = items.reduce((n, item) => n + payloadSize(item), 0);
        // No comma after the last item.
        expect(ENVELOPE_BYTES + sum - 1).toBe(Buffer.byteLength(body));
      }),
      { numRuns: 100 },
    );
  });
});
