import { concludeSession, decodeLedger, EMPTY_LEDGER, encodeLedger, nextSessionId, openSession, type SessionLedger } from '../src/session-ledger';
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
        let ledger: SessionLedger = EMPTY_LEDGER;
        let previous = 0;
        times.forEach((t, i) => {
          const r = openSession(ledger, `S${i}`, t, null);
          ledger = concludeSession(r.ledger, `S${i}`);
          expect(r.entry.s).toBeGreaterThan(previous);
          expect(r.entry.s).toBeGreaterThanOrEqual(Math.floor(t / 1000));
          previous = r.entry.s;
        });
      }),
    );
  });

  it('equal the start second when sessions start in different, increasing seconds', () => {
    let ledger: SessionLedger = EMPTY_LEDGER;
    for (const [i, t] of [T0, T0 + 1_000, T0 + 60_500].entries()) {
      const r = openSession(ledger, `S${i}`, t, null);
      ledger = r.ledger;
      expect(r.entry.s).toBe(Math.floor(t / 1000));
    }
  });

  it('give two sessions starting in the same second different ids', () => {
    const a = openSession(EMPTY_LEDGER, 'A', T0 + 100, null);
    const b = openSession(a.ledger, 'B', T0 + 900, 800);
    expect(b.entry.s).toBe(a.entry.s + 1);
    expect(b.entry.lsl).toBe(1);
  });

  it('are recomputed identically from the ledger as it was before the session (a lost write)', () => {
    fc.assert(
      fc.property(startTimes, fc.nat(), (times, k) => {
        let ledger: SessionLedger = EMPTY_LEDGER;
        const i = k % times.length;
        let before: SessionLedger = EMPTY_LEDGER;
        let issued = 0;
        times.forEach((t, j) => {
          if (j === i) before = ledger;
          const r = openSession(ledger, `S${j}`, t, null);
          if (j === i) issued = r.entry.s;
          ledger = concludeSession(r.ledger, `S${j}`);
        });
        // The write of session i never landed: the next run sees `before` and recomputes.
        const decoded = decodeLedger(encodeLedger(before));
        expect(typeof decoded).not.toBe('string');
        expect(openSession(decoded as SessionLedger, `S${i}`, times[i]!, null).entry.s).toBe(issued);
      }),
    );
  });

  it('return the known entry for a known session', () => {
    const a = openSession(EMPTY_LEDGER, 'A', T0, 5_000);
    const again = openSession(a.ledger, 'A', T0 + 99_000, null);
    expect(again.entry).toBe(a.entry);
    expect(again.ledger).toBe(a.ledger);
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
        let ledger: SessionLedger = EMPTY_LEDGER;
        times.forEach((t, i) => {
          ledger = openSession(ledger, `S${i}`, t, i * 1_000).ledger;
          if (conclude[i]) ledger = concludeSession(ledger, `S${i}`);
        });
        const decoded = decodeLedger(encodeLedger(ledger)) as SessionLedger;
        expect(decoded.last).toBe(ledger.last);
        expect([...decoded.sessions]).toEqual([...ledger.sessions]);
        expect(decoded.sessions.size).toBeLessThanOrEqual(8);
      }),
    );
  });

  it('refuses what is not a ledger, with a reason', () => {
    for (const text of ['', 'null', '{"v":2,"last":1,"sessions":[]}', '{"v":1,"last":-1,"sessions":[]}', '{"v":1,"last":5,"sessions":[["a",6,0,0]]}', '{"v":1,"last":5,"sessions":[["a",1,0,2]]}', '{"v":1,"last":5,"sessions":{}}']) {
      expect(typeof decodeLedger(text)).toBe('string');
    }
  });
});
