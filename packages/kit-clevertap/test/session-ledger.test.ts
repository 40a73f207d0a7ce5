import { CONCLUDED, decodeLedger, emptyLedger, ID, LSL, nextSessionId, S, sessionEntry, type SessionLedger } from '../src/session-ledger';

/** The ledger as the kit stores it. */
const encodeLedger = (ledger: SessionLedger): string => JSON.stringify(ledger);
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const T0 = Date.UTC(2026, 0, 1);

/** Start times that cluster in the same seconds and sometimes go back (clock changes). */
const startTimes = fc.array(fc.integer({ min: -5_000, max: 5_000 }), { minLength: 1, maxLength: 60 }).map((steps) => {
  let t = T0;
  return steps.map((d) => (t += d));
});

describe('session ids', () => {
  it('are strictly increasing and never before the session start second, whatever the start times', () => {
    fc.assert(
      fc.property(startTimes, (times) => {
        const ledger = emptyLedger();
        let previous = 0;
        times.forEach((t, i) => {
          const entry = sessionEntry(ledger, `S${i}`, t, 0);
          entry[CONCLUDED] = 1;
          expect(entry[S]).toBeGreaterThan(previous);
          expect(entry[S]).toBeGreaterThanOrEqual(Math.floor(t / 1000));
          expect(ledger.last).toBe(entry[S]);
          previous = entry[S];
        });
      }),
    );
  });

  it('equal the start second when sessions start in different, increasing seconds', () => {
    const ledger = emptyLedger();
    for (const [i, t] of [T0, T0 + 1_000, T0 + 60_500].entries()) {
      expect(sessionEntry(ledger, `S${i}`, t, 0)[S]).toBe(Math.floor(t / 1000));
    }
  });

  it('give two sessions starting in the same second different ids', () => {
    const ledger = emptyLedger();
    const a = sessionEntry(ledger, 'A', T0 + 100, 0);
    const b = sessionEntry(ledger, 'B', T0 + 900, 1);
    expect(b[S]).toBe(a[S] + 1);
    expect(b[LSL]).toBe(1);
    expect(a[LSL]).toBe(0);
  });

  it('are recomputed identically from the ledger as it was before the session (a lost write)', () => {
    fc.assert(
      fc.property(startTimes, fc.nat(), (times, k) => {
        const ledger = emptyLedger();
        const i = k % times.length;
        let before = '';
        let issued = 0;
        times.forEach((t, j) => {
          if (j === i) before = encodeLedger(ledger);
          const entry = sessionEntry(ledger, `S${j}`, t, 0);
          if (j === i) issued = entry[S];
          entry[CONCLUDED] = 1;
        });
        // The write of session i never landed: the next run sees `before` and recomputes.
        const decoded = decodeLedger(before);
        expect(decoded).not.toBeNull();
        expect(sessionEntry(decoded!, `S${i}`, times[i]!, 0)[S]).toBe(issued);
      }),
    );
  });

  it('return the known entry for a known session', () => {
    const ledger = emptyLedger();
    const a = sessionEntry(ledger, 'A', T0, 5);
    const stored = encodeLedger(ledger);
    const again = sessionEntry(ledger, 'A', T0 + 99_000, 0);
    expect(again).toBe(a);
    expect(a).toEqual(['A', T0 / 1000, 5, 0, 1, T0]);
    expect(encodeLedger(ledger)).toBe(stored);
  });

  it('nextSessionId is the start second unless that is not after the last id', () => {
    expect(nextSessionId(0, T0 + 1_999)).toBe(T0 / 1000 + 1);
    expect(nextSessionId(T0 / 1000 + 5, T0)).toBe(T0 / 1000 + 6);
  });
});

describe('ledger storage', () => {
  it('round-trips through its encoding', () => {
    fc.assert(
      fc.property(startTimes, fc.array(fc.boolean()), (times, conclude) => {
        const ledger = emptyLedger();
        times.forEach((t, i) => {
          const entry = sessionEntry(ledger, `S${i}`, t, i);
          if (conclude[i]) entry[CONCLUDED] = 1;
        });
        const decoded = decodeLedger(encodeLedger(ledger)) as SessionLedger;
        expect(decoded.last).toBe(ledger.last);
        expect(decoded.sessions).toEqual(ledger.sessions);
        expect(decoded.sessions.length).toBeLessThanOrEqual(8);
        // The latest sessions are kept, oldest first.
        expect(decoded.sessions.map((e) => e[ID])).toEqual(times.map((_, i) => `S${i}`).slice(-8));
      }),
    );
  });

  it('reads the stored text of version 1 and goes on from it', () => {
    const text = '{"v":1,"last":1767268802,"sessions":[["S1",1767268800,0,1],["S2",1767268802,14,0]]}';
    const ledger = decodeLedger(text);
    expect(ledger).toEqual({
      v: 2,
      last: 1767268802,
      g: '',
      ids: [],
      f: 0,
      sessions: [
        ['S1', 1767268800, 0, 1, 1, 1767268800_000],
        ['S2', 1767268802, 14, 0, 1, 1767268802_000],
      ],
    });
    expect(sessionEntry(ledger!, 'S3', 1767268802_500, 7)).toEqual(['S3', 1767268803, 7, 0, 1, 1767268802_500]);
  });

  it('reads the stored text of version 2 and writes it back byte for byte', () => {
    const text = '{"v":2,"last":1767268802,"g":"__a","ids":[["u1","__a"],["u2","__b"]],"f":1767268800,"sessions":[["S2",1767268802,14,0,2,1767268802500]],"x":1}';
    expect(encodeLedger(decodeLedger(text)!)).toBe(text);
  });

  it('refuses what is not a ledger', () => {
    const v2 = (over: string) => `{"v":2,"last":5,"g":"","ids":[],"f":0,"sessions":[],${over}}`;
    expect(decodeLedger(v2('"y":0'))).not.toBeNull();
    for (const text of [v2('"g":1'), v2('"ids":[[1,"g"]]'), v2('"f":-1'), v2('"sessions":[["a",1,0,0,0,1]]'), v2('"sessions":[["a",1,0,0,1]]'), '{"v":3,"last":1,"sessions":[]}']) {
      expect(decodeLedger(text)).toBeNull();
    }
    for (const text of ['', 'null', '{"v":1,"last":-1,"sessions":[]}', '{"v":1,"last":5,"sessions":[["a",6,0,0]]}', '{"v":1,"last":5,"sessions":[["a",1,0,2]]}', '{"v":1,"last":5,"sessions":{}}', '{"v":1,"last":5,"sessions":[[1,1,0,0]]}']) {
      expect(decodeLedger(text)).toBeNull();
    }
  });
});
