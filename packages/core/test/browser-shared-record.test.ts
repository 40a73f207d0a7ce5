import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig, type EngineOutput } from '@sessionhub/core';
import {
  applyTabInputs,
  decodeRecord,
  EMPTY_RECORD,
  encodeRecord,
  slotCandidates,
  type Liveness,
  type SharedRecord,
  type TabInput,
} from '../src/browser/shared-record';
import { expectSessionInvariants, type StreamItem } from './session-invariants';

const T0 = Date.UTC(2026, 0, 1, 9);
const CONFIG: EngineConfig = { ...DEFAULT_ENGINE_CONFIG, sessionTimeoutMs: 5000, foregroundTimeoutMs: null, resumeOnRelaunch: true };

type Op =
  | { op: 'open'; tab: number; visible: boolean; gap: number }
  | { op: 'show' | 'hide' | 'close' | 'crash' | 'event' | 'tick' | 'increment'; tab: number; gap: number };

const gap = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 3000 }) }, { weight: 1, arbitrary: fc.integer({ min: 3000, max: 20_000 }) });
const tab = fc.integer({ min: 0, max: 2 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ op: fc.constant('open' as const), tab, visible: fc.boolean(), gap }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('show' as const, 'hide' as const), tab, gap }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('close' as const, 'crash' as const), tab, gap }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constantFrom('event' as const, 'tick' as const, 'increment' as const), tab, gap }) },
);

/**
 * Simulates tabs 0–2 of an origin committing one at a time (as under the Web Lock), each in its
 * own slot, the slot lock held while the tab is open (a crash releases it without a word).
 */
function simulate(ops: readonly Op[]) {
  let record: SharedRecord = EMPTY_RECORD;
  let t = T0;
  let n = 0;
  const newId = () => `id-${++n}`;
  const open = new Map<number, { page: string; visible: boolean }>();
  const stream: StreamItem[] = [];
  const problems: string[] = [];
  let increments = 0;
  let counted = 0;
  let didCommit = false;
  const commit = (slot: number, input: TabInput) => {
    didCommit = true;
    const held = new Set(open.keys());
    const liveness: Liveness = (s) => held.has(s);
    const someVisible = [...open.values()].some((p) => p.visible);
    const page = open.get(slot)?.page ?? 'gone';
    const applied = applyTabInputs(record, { slot, tab: page }, [{ input, ids: [] }], newId, liveness);
    record = applied.record;
    for (const o of applied.outputs as EngineOutput[]) {
      if (o.type === 'sessionStart') stream.push({ type: 'start', record: o.record });
      if (o.type === 'event') stream.push({ type: 'event', record: o.record });
      if (o.type === 'sessionEnd') {
        stream.push({ type: 'end', record: o.record });
        counted = 0;
        // Before this commit some open tab was visible: only this tab hiding or leaving may have ended it.
        if (o.record.reason === 'timeout' && someVisible && input.type !== 'background' && input.type !== 'close') {
          problems.push(`session ${o.record.sessionId} timed out while a tab was visible`);
        }
      }
    }
    if (input.type === 'incrementAttribute' && applied.result !== undefined) counted++;
    return applied;
  };
  for (const o of ops) {
    t += o.gap;
    didCommit = false;
    const page = open.get(o.tab);
    switch (o.op) {
      case 'open':
        if (page) break;
        open.set(o.tab, { page: newId(), visible: false });
        commit(o.tab, { type: 'launch', t, foreground: o.visible, config: CONFIG });
        (open.get(o.tab) as { visible: boolean }).visible = o.visible;
        break;
      case 'show':
      case 'hide':
        if (!page) break;
        commit(o.tab, { type: o.op === 'show' ? 'foreground' : 'background', t });
        page.visible = o.op === 'show';
        break;
      case 'close':
        if (!page) break;
        commit(o.tab, { type: 'close', t });
        open.delete(o.tab);
        break;
      case 'crash':
        open.delete(o.tab);
        break;
      case 'event':
        if (page) commit(o.tab, { type: 'event', t, eventId: newId(), name: 'e', attributes: {}, affectsSession: true });
        break;
      case 'tick':
        if (page) commit(o.tab, { type: 'tick', t });
        break;
      case 'increment':
        if (page) {
          increments++;
          commit(o.tab, { type: 'incrementAttribute', t, key: 'n', by: 1 });
        }
        break;
    }
    // Checked after commits: a crash is noticed by the next commit, not before.
    if (didCommit && open.size > 0 && record.state) {
      const anyVisible = [...open.values()].some((p) => p.visible);
      if (record.state.inForeground !== anyVisible) {
        problems.push(`after ${o.op} of tab ${o.tab}: engine foreground ${record.state.inForeground}, a tab visible: ${anyVisible}`);
      }
      const live = record.state.session;
      if (live && (live.attributes.n ?? 0) !== counted) problems.push(`attribute n is ${String(live.attributes.n)}, ${counted} increments counted`);
    }
  }
  return { stream, problems, increments, record };
}

describe('shared record: the tab rules (property)', () => {
  it('every start ends once and in order, the engine is in the foreground iff an open tab is visible, no visible tab is timed out, every increment counts', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 60 }), (ops) => {
        const { stream, problems } = simulate(ops);
        expect(problems).toEqual([]);
        expectSessionInvariants(stream, { allClosed: false });
      }),
      { numRuns: 1000 },
    );
  });

  it('a tab that opens while another is open joins: no second start, no recovery', () => {
    const { stream } = simulate([
      { op: 'open', tab: 0, visible: true, gap: 0 },
      { op: 'open', tab: 1, visible: true, gap: 1000 },
      { op: 'open', tab: 2, visible: false, gap: 1000 },
    ]);
    expect(stream.map((s) => s.type)).toEqual(['start']);
  });

  it('the first tab after all were closed launches: recovers a session past the timeout, at its last activity', () => {
    const { stream } = simulate([
      { op: 'open', tab: 0, visible: true, gap: 0 },
      { op: 'event', tab: 0, gap: 1000 },
      { op: 'crash', tab: 0, gap: 500 },
      { op: 'open', tab: 1, visible: true, gap: 60_000 },
    ]);
    expect(stream.map((s) => s.type)).toEqual(['start', 'event', 'end', 'start']);
    const end = stream[2] as Extract<StreamItem, { type: 'end' }>;
    expect(end.record).toMatchObject({ reason: 'recovered', endTime: T0 + 1000 });
  });
});

describe('shared record: encoding', () => {
  it('round-trips and keeps a runtime timeout set in one tab for the others', () => {
    let record = applyTabInputs(EMPTY_RECORD, { slot: 0, tab: 'p' }, [{ input: { type: 'launch', t: T0, foreground: true, config: CONFIG }, ids: [] }], () => 'x', null).record;
    record = applyTabInputs(record, { slot: 0, tab: 'p' }, [{ input: { type: 'configure', t: T0, config: { sessionTimeoutMs: 9000 } }, ids: [] }], () => 'y', null).record;
    const decoded = decodeRecord(encodeRecord(record), CONFIG);
    expect(decoded.problem).toBeNull();
    expect(decoded.record.state?.config.sessionTimeoutMs).toBe(9000);
    expect(decoded.record.slots).toEqual(record.slots);
    expect(decoded.record.state?.session?.id).toBe(record.state?.session?.id);
  });

  it('reads a record as the previous release wrote it, and writes it back byte for byte (with the options added since, from this run)', () => {
    // Written by the class-based TabSession (two tabs, a runtime timeout, the second tab closed with 3 items queued).
    const stored = '{"v":1,"rev":7,"writers":["page-a:1","page-b:3"],"slots":{"0":{"tab":"page-a","visible":true,"seen":1767258000000,"closed":false,"queued":0},"1":{"tab":"page-b","visible":false,"seen":1767258004000,"closed":true,"queued":3}},"state":{"version":1,"deviceId":"id-1","userId":null,"lastSessionIndex":1,"inForeground":true,"clock":1767258004000,"session":{"id":"id-2","index":1,"previousSessionId":null,"trigger":"launch","startTime":1767258000000,"lastActivity":1767258002000,"eventIndex":1,"foregroundIndex":1,"backgroundIndex":0,"foregroundTime":0,"foregroundSince":1767258000000,"firstEventId":"ev-1","firstEventTime":1767258002000,"lastEventTime":1767258002000,"attributes":{"articles":2},"userId":null,"previousSessionStartTime":null,"previousSessionDuration":null},"previous":null,"config":{"sessionTimeoutMs":9000,"foregroundTimeoutMs":null,"maxSessionDurationMs":null,"resumeOnRelaunch":true,"newSessionOnUserChange":true,"excludedEvents":[]}}}';
    const decoded = decodeRecord(stored, CONFIG);
    expect(decoded.problem).toBeNull();
    expect(decoded.record.rev).toBe(7);
    expect(decoded.record.slots[1]).toEqual({ tab: 'page-b', visible: false, seen: 1767258004000, closed: true, queued: 3 });
    expect(decoded.record.state?.config.sessionTimeoutMs).toBe(9000);
    expect(decoded.record.state?.session?.attributes).toEqual({ articles: 2 });
    // newSessionOnLogin came later: a record without it takes it from this run's options.
    expect(decoded.record.state?.config.newSessionOnLogin).toBe(CONFIG.newSessionOnLogin);
    // userChangeTime and signIn too: a session without them had no user change kept.
    expect(encodeRecord(decoded.record)).toBe(
      stored
        .replace('"newSessionOnUserChange":true,', `"newSessionOnUserChange":true,"newSessionOnLogin":${CONFIG.newSessionOnLogin},`)
        .replace('"previousSessionDuration":null}', '"previousSessionDuration":null,"userChangeTime":null,"signIn":null}'),
    );
    // Slot entries of records without item counts still load, as holding none.
    const withoutCounts = stored.replace(/,"queued":\d+/g, '');
    expect(decodeRecord(withoutCounts, CONFIG).record.slots[1]?.queued).toBe(0);
  });

  it('reports corrupt records and keeps the device id when it can', () => {
    expect(decodeRecord('{not json', CONFIG)).toMatchObject({ record: EMPTY_RECORD, problem: expect.stringContaining('not valid JSON') });
    expect(decodeRecord('{"v":7}', CONFIG).problem).toMatch(/unknown format/);
    const broken = JSON.stringify({ v: 1, rev: 3, writers: [], slots: {}, state: { deviceId: 'dev-1', version: 1, session: 'nope' } });
    const decoded = decodeRecord(broken, CONFIG);
    expect(decoded.problem).toMatch(/corrupt/);
    expect(decoded.record.state?.deviceId).toBe('dev-1');
    expect(decoded.record.state?.session).toBeNull();
  });

  it('a corrupt state keeps the count of the device\'s sessions and the last one: the next session is not a first one again', () => {
    const session = {
      id: 's41', index: 41, previousSessionId: 's40', trigger: 'bogus', startTime: T0 - 20_000, lastActivity: T0 - 10_000, eventIndex: 3,
      foregroundIndex: 1, backgroundIndex: 1, foregroundTime: 5000, foregroundSince: null, firstEventId: 'e1', firstEventTime: T0 - 19_000,
      lastEventTime: T0 - 10_000, attributes: {}, userId: null, userChangeTime: null, signIn: null, previousSessionStartTime: null, previousSessionDuration: null,
    };
    const state = { version: 1, deviceId: 'dev-1', userId: null, lastSessionIndex: 41, inForeground: false, clock: T0 - 10_000, session, previous: null };
    const decoded = decodeRecord(JSON.stringify({ v: 1, rev: 3, writers: [], slots: {}, state }), CONFIG);
    expect(decoded.problem).toMatch(/corrupt \(session\.trigger\)/);
    expect(decoded.record.state).toMatchObject({ deviceId: 'dev-1', lastSessionIndex: 41, previous: { id: 's41', startTime: T0 - 20_000, duration: 10_000 }, session: null });
    const { outputs } = applyTabInputs(decoded.record, { slot: 0, tab: 'p' }, [{ input: { type: 'launch', t: T0, foreground: true, config: CONFIG }, ids: [] }], () => 's42', null);
    const start = outputs.find((o) => o.type === 'sessionStart');
    expect(start?.type === 'sessionStart' && start.record).toMatchObject({ sessionIndex: 42, isFirstSession: false, previousSessionId: 's41', previousSessionDuration: 10_000 });
  });

  it("keeps what a slot is owed (each commit's outputs kept whole) and drops a malformed list; records without it load as owing nothing", () => {
    const owed = { 1: [['tab-1:4', [{ type: 'event', record: { name: 'e' } }, { type: 'sessionEnd', record: { sessionId: 's' } }]]] };
    const text = encodeRecord({ ...EMPTY_RECORD, rev: 2, owed } as unknown as SharedRecord);
    expect(decodeRecord(text, CONFIG).record.owed).toEqual(owed);
    expect(decodeRecord(encodeRecord({ ...EMPTY_RECORD, rev: 2 }), CONFIG).record.owed).toBeUndefined();
    const broken = JSON.stringify({ v: 1, rev: 2, writers: [], slots: {}, state: null, owed: { 0: [['t:1', [{ type: 'event' }, 7]]], 1: [[3, []]], 2: [['t:2', [{ type: 'reset', record: 'd' }]]] } });
    expect(decodeRecord(broken, CONFIG).record.owed).toEqual({ 2: [['t:2', [{ type: 'reset', record: 'd' }]]] });
  });

  it('keeps the pages whose hand-offs were committed (the newest 16), and drops a malformed list', () => {
    const handed = Array.from({ length: 20 }, (_, i) => `page${i}`);
    const text = (value: unknown): string => JSON.stringify({ v: 1, rev: 2, writers: [], slots: {}, state: null, handed: value });
    expect(decodeRecord(text(handed), CONFIG).record.handed).toEqual(handed.slice(4));
    expect(decodeRecord(text(['a', 7]), CONFIG).record.handed).toBeUndefined();
    expect(decodeRecord(encodeRecord({ ...EMPTY_RECORD, rev: 2 }), CONFIG).record.handed).toBeUndefined();
  });

  it('a new tab prefers a closed slot that left items, then the lowest free one', () => {
    const entry = (queued: number, closed: boolean) => ({ tab: 't', visible: false, seen: T0, closed, queued });
    const record: SharedRecord = { ...EMPTY_RECORD, slots: { 0: entry(0, false), 1: entry(0, true), 2: entry(4, true) } };
    const heartbeat: Liveness = (_slot, e, now) => now - e.seen < 60_000;
    expect(slotCandidates(record, T0, (slot) => slot === 0)).toEqual([2, 1, 3]);
    expect(slotCandidates(record, T0, heartbeat)[0]).toBe(2);
    expect(slotCandidates(record, T0 + 120_000, heartbeat)).toEqual([2, 0, 1, 3]);
  });

  it('a new tab prefers a free slot the record still owes outputs (its page died before its kits stored them): it delivers them', () => {
    const entry = (closed: boolean) => ({ tab: 't', visible: false, seen: T0, closed, queued: 0 });
    // Slot 2's page died (its lock is free) after a commit that owes its kits an event.
    const owed = { 2: [['t:3', [{ type: 'tick' }]]] } as unknown as SharedRecord['owed'];
    const record: SharedRecord = { ...EMPTY_RECORD, slots: { 0: entry(false), 1: entry(true), 2: entry(false) }, owed };
    expect(slotCandidates(record, T0, (slot) => slot === 0)).toEqual([2, 1, 3]);
    expect(slotCandidates({ ...record, owed: { 2: [] } }, T0, (slot) => slot === 0)).toEqual([1, 2, 3]);
  });
});
