import { expect, it } from 'vitest';
import { traceRequest } from '../src/request-trace';

it('redacts credentials in the query, the headers and the JSON body at any depth, and keeps the rest as sent', () => {
  const line = traceRequest({
    url: 'https://x.example/a1?os=Web&token=abc&api_key=def&ts=1',
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CleverTap-Token': 'abc', Authorization: 'Bearer abc' },
    body: JSON.stringify({ api_key: 'def', events: [{ name: 'e', data: { n: 1 } }], meta: [{ tk: 'abc', id: 'acct' }] }),
  });
  expect(line).toBe(
    'POST https://x.example/a1?os=Web&token=[redacted]&api_key=[redacted]&ts=1 ' +
      '{"Content-Type":"application/json","X-CleverTap-Token":"[redacted]","Authorization":"[redacted]"} ' +
      '{"api_key":"[redacted]","events":[{"name":"e","data":{"n":1}}],"meta":[{"tk":"[redacted]","id":"acct"}]}',
  );
  expect(line).not.toMatch(/abc|def/);
  // A body that is not JSON is shown as it is.
  expect(traceRequest({ url: 'https://x.example/p', method: 'POST', body: 'a=b' })).toBe('POST https://x.example/p a=b');
});
