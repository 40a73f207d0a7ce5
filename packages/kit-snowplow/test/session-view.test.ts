import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeViews, encodeViews, MAX_VIEWS, viewAfterEvent, viewOf, viewOfStart, withView, type SessionView } from '../src/session-view';
import { eventRecord, startRecord } from './records';

const view = fc.record({
  sessionId: fc.uuid(),
  sessionIndex: fc.nat(),
  previousSessionId: fc.option(fc.uuid()),
  firstEventId: fc.option(fc.uuid()),
  firstEventTime: fc.option(fc.integer({ min: 0 })),
});

describe('session views', () => {
  it('round-trip through storage; the most recent MAX_VIEWS are kept, one per session', () => {
    fc.assert(
      fc.property(fc.array(view, { maxLength: 12 }), (views) => {
        let kept: SessionView[] = [];
        for (const v of views) kept = withView(kept, v);
        expect(kept.length).toBeLessThanOrEqual(MAX_VIEWS);
        expect(new Set(kept.map((v) => v.sessionId)).size).toBe(kept.length);
        expect(kept.at(-1)).toEqual(views.at(-1));
        for (const v of kept) expect(viewOf(kept, v.sessionId)).toEqual(v);
        expect(decodeViews(encodeViews(kept))).toEqual(kept);
      }),
    );
  });

  it('unreadable storage gives no views, and bad entries are skipped', () => {
    for (const text of [null, '', 'nope', '{}', '{"v":2,"views":[]}', '{"v":1,"views":{}}', 'null']) expect(decodeViews(text)).toEqual([]);
    const good = viewOfStart(startRecord());
    expect(decodeViews(JSON.stringify({ v: 1, views: [{ sessionId: '' }, good, { ...good, sessionIndex: -1 }, 7] }))).toEqual([good]);
  });

  it('an event changes the view only when it teaches something (same object otherwise: no write)', () => {
    const start = viewOfStart(startRecord());
    const first = viewAfterEvent(start, eventRecord({ eventIndex: 1 }));
    expect(first).not.toBe(start);
    expect(first).toMatchObject({ firstEventId: eventRecord().firstEventId, firstEventTime: eventRecord().firstEventTime });
    expect(viewAfterEvent(first, eventRecord({ eventIndex: 2 }))).toBe(first);
    expect(viewAfterEvent(first, eventRecord({ sessionId: null }))).toBe(first);
  });
});
