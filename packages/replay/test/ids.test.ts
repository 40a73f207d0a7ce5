import fc from 'fast-check';
import { v5 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { replayEventId, replayKitId, replaySessionId } from '../src/replay/replay-ids';

const NAMESPACE = '6b1c5a3e-2f0d-4c47-9a8e-3d5b7f1e2c90';

describe('replay ids', () => {
  it("are uuid's v5 of the device and the index, for any device id (unicode and long ones included)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme', maxLength: 300 }), fc.uuid()), fc.nat(), (deviceId, n) => {
        expect(replaySessionId(deviceId, n)).toBe(v5(`${deviceId}\nsession\n${n}`, NAMESPACE));
        expect(replayEventId(deviceId, n)).toBe(v5(`${deviceId}\nline\n${n}`, NAMESPACE));
        expect(replayKitId(deviceId, n, 'snowplow', 2)).toBe(v5(`${deviceId}\nkit\nsnowplow\n${n}\n2`, NAMESPACE));
      }),
      { numRuns: 300 },
    );
  });
});
