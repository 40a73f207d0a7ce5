import type { EventRecord, SessionEndRecord, UserChangeRecord } from '@sessionhub/core';
import { eventProperties, NOTHING_LEFT, propertyValue, UNSUPPORTED_VALUE } from '../src/event-properties';
import { LSL, S, type LedgerEntry } from '../src/session-ledger';
import { eventItem, profileItem, sessionConcludedItem } from '../src/upload-items';
import fc from 'fast-check';

/** The event CleverTap raises at the end of a session. */
const SESSION_CONCLUDED = 'Session Concluded';
import { describe, expect, it } from 'vitest';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const entry: LedgerEntry = ['S1', Math.floor(T0 / 1000), 42, 0];

function event(over: Partial<EventRecord> = {}): EventRecord {
  return {
    eventId: 'e1',
    name: 'song_played',
    attributes: { genre: 'jazz' },
    timestamp: T0 + 1_999,
    sessionId: 'S1',
    sessionIndex: 3,
    eventIndex: 4,
    sessionStartTime: T0,
    userId: null,
    deviceId: 'd',
    inForeground: true,
    affectsSession: true,
    previousSessionId: null,
    firstEventId: 'e0',
    firstEventTime: T0,
    ...over,
  };
}

function end(over: Partial<SessionEndRecord> = {}): SessionEndRecord {
  return {
    sessionId: 'S1',
    sessionIndex: 1,
    previousSessionId: null,
    startTime: T0,
    endTime: T0 + 61_234,
    duration: 61_234,
    foregroundDuration: 61_234,
    eventCount: 5,
    lastActivity: T0 + 61_234,
    firstEventId: 'e0',
    firstEventTime: T0 + 10_000,
    lastEventTime: T0 + 50_000,
    attributes: {},
    userId: null,
    deviceId: 'd',
    reason: 'timeout',
    ...over,
  };
}

describe('eventItem', () => {
  it('maps an event of a live session field by field', () => {
    expect(eventItem(event(), entry)).toEqual({
      type: 'event',
      evtName: 'song_played',
      evtData: { genre: 'jazz' },
      s: entry[S],
      pg: 4,
      ep: Math.floor((T0 + 1_999) / 1000),
      f: false,
      lsl: 42,
    });
  });

  it('sets f in the device first session only', () => {
    expect(eventItem(event({ sessionIndex: 1 }), entry)?.f).toBe(true);
    expect(eventItem(event({ sessionIndex: 2 }), entry)?.f).toBe(false);
  });

  it('sends a neutral event logged with no live session with s 0 and zeroed session fields', () => {
    const item = eventItem(event({ name: 'Notification Sent', sessionId: null, sessionIndex: 0, eventIndex: 0, affectsSession: false }), null);
    expect(item).toMatchObject({ evtName: 'Notification Sent', s: 0, pg: 0, f: false, lsl: 0 });
  });

  it('removes CleverTap-forbidden characters from names and drops an event with nothing left', () => {
    expect(eventItem(event({ name: ' a.b:c$d ' }), entry)?.evtName).toBe('abcd');
    expect(eventItem(event({ name: '...' }), entry)).toBeNull();
  });

  it('ep is the floor of the timestamp in seconds, for any time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (t) => {
        const item = eventItem(event({ timestamp: t }), entry);
        expect(item?.ep).toBe(Math.floor(t / 1000));
        expect(item!.ep * 1000).toBeLessThanOrEqual(t);
        expect((item!.ep + 1) * 1000).toBeGreaterThan(t);
      }),
    );
  });
});

describe('event properties (CleverTap Validator rules)', () => {
  it('keeps scalars, converts dates, drops the rest and says which', () => {
    const dropped: Array<[string, string]> = [];
    const data = eventProperties(
      {
        s: ' x ',
        n: 1.5,
        b: false,
        d: new Date(T0 + 999),
        nan: Number.NaN,
        inf: Number.POSITIVE_INFINITY,
        nul: null,
        und: undefined,
        obj: { a: 1 },
        arr: ['a'],
        big: 10n,
        '...': 'v',
      },
      (k, r) => dropped.push([k, r]),
    );
    expect({ ...data }).toEqual({ s: 'x', n: 1.5, b: false, d: `$D_${Math.floor((T0 + 999) / 1000)}` });
    expect(dropped).toEqual([
      ['nan', UNSUPPORTED_VALUE],
      ['inf', UNSUPPORTED_VALUE],
      ['nul', UNSUPPORTED_VALUE],
      ['und', UNSUPPORTED_VALUE],
      ['obj', UNSUPPORTED_VALUE],
      ['arr', UNSUPPORTED_VALUE],
      ['big', UNSUPPORTED_VALUE],
      ['...', NOTHING_LEFT],
    ]);
  });

  it('cleans keys and string values and cuts them like CleverTap (to max - 1)', () => {
    const data = eventProperties({ ["it's.a:key"]: `say "hi" \\ ok`, ['k'.repeat(200)]: 'v'.repeat(2000) });
    expect(data['itsakey']).toBe('say hi  ok');
    expect(data['k'.repeat(119)]).toBe('v'.repeat(1023));
  });

  it('treats __proto__ as an ordinary key and pollutes nothing', () => {
    const attributes = JSON.parse('{"__proto__": "x", "constructor": 1}') as Record<string, unknown>;
    const data = eventProperties(attributes);
    expect(Object.keys(data).sort()).toEqual(['__proto__', 'constructor']);
    expect(JSON.parse(JSON.stringify(data))).toEqual(attributes);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('every value it keeps survives JSON and is a string, finite number or boolean', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.anything()), (attributes) => {
        const data = eventProperties(attributes);
        for (const v of Object.values(data)) {
          expect(['string', 'number', 'boolean']).toContain(typeof v);
          if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
        }
        expect(JSON.parse(JSON.stringify(data))).toEqual({ ...data });
      }),
    );
  });

  it('propertyValue leaves clean values untouched', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 1024 }).filter((s) => s === s.trim() && !/['"\\]/.test(s)), (s) => {
        expect(propertyValue(s)).toBe(s);
      }),
    );
  });
});

describe('sessionConcludedItem', () => {
  it('carries Session Length = canonical duration in seconds and Session ID = s, at endTime', () => {
    const item = sessionConcludedItem(end(), entry, 'sh_');
    expect(item).toEqual({
      type: 'event',
      evtName: SESSION_CONCLUDED,
      evtData: { 'Session Length': 61.234, 'Session ID': entry[S] },
      s: entry[S],
      pg: 5,
      ep: Math.floor((T0 + 61_234) / 1000),
      f: true,
      lsl: 42,
    });
  });

  it('adds session attributes under the prefix, never over CleverTap keys', () => {
    const dropped: Array<[string, string]> = [];
    const item = sessionConcludedItem(
      end({ attributes: { plan: 'pro', 'Session Length': 1, 'Session ID': 'x', nothing: null } }),
      entry,
      'sh_',
      (key, why) => dropped.push([key, why]),
    );
    expect(dropped).toEqual([['sh_nothing', UNSUPPORTED_VALUE]]);
    expect({ ...item.evtData }).toEqual({
      'Session Length': 61.234,
      'Session ID': entry[S],
      sh_plan: 'pro',
      'sh_Session Length': 1,
      'sh_Session ID': 'x',
    });
  });

  it('Session Length sums to the canonical total duration over any sessions', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 86_400_000 }), { maxLength: 50 }), (durations) => {
        let total = 0;
        for (const d of durations) total += sessionConcludedItem(end({ duration: d, endTime: T0 + d }), entry, 'sh_').evtData['Session Length'] as number;
        const canonical = durations.reduce((a, b) => a + b, 0) / 1000;
        expect(Math.abs(total - canonical)).toBeLessThan(1e-6);
      }),
    );
  });
});

describe('profileItem', () => {
  const change = (userId: string | null): UserChangeRecord => ({ timestamp: T0 + 5_500, previousUserId: 'old', userId, deviceId: 'd', sessionId: 'S1' });

  it('sends the identity, stamped with the live session', () => {
    expect(profileItem(change('u-1'), { entry, sessionIndex: 2, index: 7 })).toEqual({
      type: 'profile',
      profile: { Identity: 'u-1' },
      s: entry[S],
      pg: 7,
      ep: Math.floor((T0 + 5_500) / 1000),
      f: false,
      lsl: 42,
    });
  });

  it('outside a session is stamped s 0', () => {
    expect(profileItem(change('u-1'), null)).toMatchObject({ s: 0, pg: 0, f: false, lsl: 0 });
  });

  it('sends nothing on log-out', () => {
    expect(profileItem(change(null), { entry, sessionIndex: 1, index: 1 })).toBeNull();
  });
});
