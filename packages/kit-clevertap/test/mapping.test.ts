import type { SessionEndRecord } from '@sessionhub/core';
import { cleanName, eventProperties, NOTHING_LEFT, propertyValue, UNSUPPORTED_VALUE } from '../src/event-properties';
import { chargedProperties, NOT_AN_ITEM } from '../src/charged';
import { S, type LedgerEntry } from '../src/session-ledger';
import { eventItem, profileItem, sessionConcludedItem, sessionFields, type Stamp } from '../src/upload-items';
import fc from 'fast-check';

/** The event CleverTap raises at the end of a session. */
const SESSION_CONCLUDED = 'Session Concluded';
import { describe, expect, it } from 'vitest';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const entry: LedgerEntry = ['S1', Math.floor(T0 / 1000), 42, 0, 3, T0];
const live: Stamp = { entry, first: false };

function end(over: Partial<SessionEndRecord> = {}): SessionEndRecord {
  return {
    sessionId: 'S1',
    sessionIndex: 1,
    previousSessionId: null,
    previousSessionDuration: null,
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
    trigger: 'event',
    userChangeTime: null,
    signIn: null,
    ...over,
  };
}

describe('eventItem', () => {
  it('maps an event of a live session field by field', () => {
    expect(eventItem('song_played', { genre: 'jazz' }, live, T0 + 1_999)).toEqual({
      type: 'event',
      evtName: 'song_played',
      evtData: { genre: 'jazz' },
      s: entry[S],
      pg: 3,
      ep: Math.floor((T0 + 1_999) / 1000),
      f: false,
      lsl: 42,
    });
  });

  it('sets f in the device first session only', () => {
    expect(eventItem('a', {}, { entry, first: true }, T0).f).toBe(true);
    expect(eventItem('a', {}, live, T0).f).toBe(false);
  });

  it('stamps an item outside any session as Android does: s 0, pg 1 (never below 1), f false, lsl 0', () => {
    expect(sessionFields({ entry: null, first: false }, T0)).toEqual({ s: 0, pg: 1, ep: T0 / 1000, f: false, lsl: 0 });
  });

  it('removes CleverTap-forbidden characters from names; nothing left is an empty name', () => {
    expect(cleanName(' a.b:c$d ')).toBe('abcd');
    expect(cleanName('...')).toBe('');
  });

  it('ep is the floor of the timestamp in seconds, for any time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (t) => {
        const item = eventItem('a', {}, live, t);
        expect(item.ep).toBe(Math.floor(t / 1000));
        expect(item.ep * 1000).toBeLessThanOrEqual(t);
        expect((item.ep + 1) * 1000).toBeGreaterThan(t);
      }),
    );
  });
});

describe('Charged (docs/kits/clevertap.md, "Charged")', () => {
  const charged = (attributes: Record<string, unknown>) => {
    const dropped: Array<[string, string]> = [];
    return { data: chargedProperties(attributes, (k, why) => dropped.push([k, why])), dropped };
  };

  it('sends Items as an array of items, each cleaned by the property rules, as the SDKs send it', () => {
    const when = new Date(T0 + 999);
    const { data, dropped } = charged({ Amount: 300, 'Charged ID': 'o-1', Items: [{ Category: 'books', "Book name.": ` The "Millionaire" `, Quantity: 1, at: when }, {}] });
    expect(data).toEqual({ Amount: 300, 'Charged ID': 'o-1', Items: [{ Category: 'books', 'Book name': 'The Millionaire', Quantity: 1, at: `$D_${Math.trunc((T0 + 999) / 1000)}` }, {}] });
    expect(dropped).toEqual([]);
  });

  it('leaves out nested values in an item and items that are not objects, and says which', () => {
    const { data, dropped } = charged({ Items: [{ a: 1, tags: ['x'], meta: { b: 1 }, n: null }, 'book', 3, null, ['a'], new Date(T0), { b: 2 }], cart: { c: 1 } });
    expect(data).toEqual({ Items: [{ a: 1 }, { b: 2 }] });
    expect(dropped).toEqual([
      ['cart', UNSUPPORTED_VALUE],
      ['Items[].tags', UNSUPPORTED_VALUE],
      ['Items[].meta', UNSUPPORTED_VALUE],
      ['Items[].n', UNSUPPORTED_VALUE],
      ...Array.from({ length: 5 }, () => ['Items[]', NOT_AN_ITEM]),
    ]);
  });

  it('sends every item past 50, as all three SDKs do (error 522 is only reported)', () => {
    const items = Array.from({ length: 51 }, (_, i) => ({ i }));
    expect(charged({ Items: items }).data).toEqual({ Items: items });
  });

  it('without Items, or with Items no array, is an event like any other', () => {
    expect(charged({ Amount: 1 }).data).toEqual({ Amount: 1 });
    expect(charged({ Amount: 1, Items: ' x ' }).data).toEqual({ Amount: 1, Items: 'x' });
    expect(charged({ Items: { a: 1 } })).toEqual({ data: {}, dropped: [['Items', UNSUPPORTED_VALUE]] });
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
    expect({ ...data }).toEqual({ s: 'x', n: 1.5, b: false, d: `$D_${Math.trunc((T0 + 999) / 1000)}` });
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

  it('cleans keys and string values and cuts them like CleverTap', () => {
    const data = eventProperties({ ["it's.a:key"]: `say "hi" \\ ok`, ['k'.repeat(200)]: 'v'.repeat(2000) });
    expect(data['itsakey']).toBe('say hi  ok');
    expect(data['k'.repeat(120)]).toBe('v'.repeat(1024));
  });

  it('cuts at the limit itself, as CleverTap\'s SDKs do now: values and names at 1024 (web, iOS), keys at 120 (Android, iOS)', () => {
    // clevertap-web-sdk 2.5.2 removeUnsupportedChars: substring(0, 1024); iOS CTValidationConfig
    // kMaxValueChars 1024, kMaxKeyChars 120 and Android ValidationConfig MAX_KEY_LENGTH 120, each cut
    // with substring(0, limit). (Before Android 7.8 and iOS 7.5 they cut to limit - 1.)
    for (const n of [1023, 1024]) expect(propertyValue('v'.repeat(n))).toBe('v'.repeat(n));
    expect(propertyValue('v'.repeat(1025))).toBe('v'.repeat(1024));
    expect(propertyValue('v'.repeat(1023) + ' w')).toBe('v'.repeat(1023));
    expect(cleanName('n'.repeat(1025))).toBe('n'.repeat(1024));
    expect(cleanName('k'.repeat(121), 120)).toBe('k'.repeat(120));
    expect(Object.keys(eventProperties({ ['k'.repeat(120)]: 1, ['l'.repeat(121)]: 2 }))).toEqual(['k'.repeat(120), 'l'.repeat(120)]);
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

  it('a Date is its epoch seconds as Android writes them: Java long division, toward zero (before 1970 too)', () => {
    // Validator.cleanObjectValue: "$D_" + ((Date) o).getTime() / 1000, a long divided by an int;
    // BigInt division truncates as Java's does. (The web SDK rounds instead: Math.round.)
    const dates = fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.integer({ min: -5000, max: 5000 })).map((ms) => new Date(ms));
    fc.assert(
      fc.property(dates, (d) => {
        expect(propertyValue(d)).toBe(`$D_${BigInt(d.getTime()) / 1000n}`);
      }),
    );
    expect(propertyValue(new Date(-1500))).toBe('$D_-1');
    expect(propertyValue(new Date(-1))).toBe('$D_0');
  });

  it('a String, Number or Boolean object is its primitive; other boxes and fakes are dropped', () => {
    // As JSON writes them, and the web SDK sends them (clevertap-properties-differential.test.ts).
    const data = eventProperties({ s: new String(" a'b "), e: new String(''), n: new Number(-0), t: new Boolean(false), nan: new Number(NaN) });
    expect({ ...data }).toEqual({ s: 'ab', e: '', n: 0, t: false });
    expect(Object.is(data.n, 0)).toBe(true);
    for (const v of [Object(1n), Object(Symbol('s')), Object.create(Number.prototype), Object.create(String.prototype)]) expect(propertyValue(v)).toBeUndefined();
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
  it('follows CleverTap: Session Length = first event to last event in seconds, Session ID = s, at the last event', () => {
    const item = sessionConcludedItem(end(), T0 + 10_000, { entry, first: true }, 'sh_');
    expect(item).toEqual({
      type: 'event',
      evtName: SESSION_CONCLUDED,
      evtData: { 'Session Length': 40, 'Session ID': entry[S] },
      s: entry[S],
      pg: 3,
      ep: Math.floor((T0 + 50_000) / 1000),
      f: true,
      lsl: 42,
    });
  });

  it('adds session attributes under the prefix, never over CleverTap keys', () => {
    const dropped: Array<[string, string]> = [];
    const item = sessionConcludedItem(
      end({ attributes: { plan: 'pro', 'Session Length': 1, 'Session ID': 'x', nothing: null } }),
      T0 + 10_000,
      live,
      'sh_',
      (key, why) => dropped.push([key, why]),
    );
    expect(dropped).toEqual([['sh_nothing', UNSUPPORTED_VALUE]]);
    expect({ ...item.evtData }).toEqual({
      'Session Length': 40,
      'Session ID': entry[S],
      sh_plan: 'pro',
      'sh_Session Length': 1,
      'sh_Session ID': 'x',
    });
  });

  it('is never negative, and is 0 at the first event for a single-event session, for any times', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 86_400_000 }), fc.integer({ min: 0, max: 86_400_000 }), (a, b) => {
        const item = sessionConcludedItem(end({ firstEventTime: T0 + a, lastEventTime: T0 + b }), T0 + a, live, 'sh_');
        expect(item.evtData['Session Length']).toBe(Math.max(0, b - a) / 1000);
        expect(item.ep).toBe(Math.floor((T0 + Math.max(a, b)) / 1000));
      }),
    );
  });
});

describe('profileItem', () => {
  it('sends the identity, stamped with its session', () => {
    expect(profileItem('u-1', live, T0 + 5_500)).toEqual({
      type: 'profile',
      profile: { Identity: 'u-1' },
      s: entry[S],
      pg: 3,
      ep: Math.floor((T0 + 5_500) / 1000),
      f: false,
      lsl: 42,
    });
  });

  it('outside a session is stamped s 0', () => {
    expect(profileItem('u-1', { entry: null, first: false }, T0)).toMatchObject({ s: 0, pg: 1, f: false, lsl: 0 });
  });
});
