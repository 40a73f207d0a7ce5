/**
 * The state every tab of an origin shares, and the pure rules that apply one tab's calls to it.
 *
 * Tabs are the browser's processes: the engine's foreground is "some tab of the origin is visible",
 * its launch is the first tab opening after all were closed, and its background is the last visible
 * tab being hidden. These functions translate each tab's inputs into those terms and run the pure
 * engine on the shared state; the imperative part (locks, localStorage) is in `tab-session.ts`.
 */
import { step, type EngineEnv } from '../engine/engine';
import type { EngineInput } from '../engine/inputs';
import type { EngineOutput } from '../engine/outputs';
import { decodeStateValue } from '../engine/state-codec';
import { initialState, type EngineConfig, type EngineState } from '../engine/state';

/** One tab's place in the shared record. A tab keeps the same slot for its life; slots are reused. */
export interface SlotEntry {
  /** Id of the page (document) that holds, or last held, the slot. */
  readonly tab: string;
  readonly visible: boolean;
  /** Time of that page's last commit (epoch ms): its liveness where Web Locks are missing. */
  readonly seen: number;
  /** The page left (pagehide, shutdown). */
  readonly closed: boolean;
  /** Items its kits still held when last noted: slots of closed pages with items are reused first, so they get sent. */
  readonly queued: number;
}

/** What `<namespace>:shared` holds in localStorage. */
export interface SharedRecord {
  /** +1 on every commit. */
  readonly rev: number;
  /** Ids of the latest commits, newest last: a tab that finds its own id here knows its write won. */
  readonly writers: readonly string[];
  /** Slot number → its page. */
  readonly slots: Readonly<Record<string, SlotEntry>>;
  /** The engine state; null before the first tab ever launched. */
  readonly state: EngineState | null;
}

export const EMPTY_RECORD: SharedRecord = Object.freeze({ rev: 0, writers: Object.freeze([]), slots: Object.freeze({}), state: null });

/** Commit ids kept in `writers`; a verification looks back at most this far. */
export const WRITERS_KEPT = 16;

/** How a tab tells whether another tab is still open. */
export type Liveness =
  /** Web Locks: the slots whose lock is held right now. */
  | { readonly kind: 'locks'; readonly held: ReadonlySet<number> }
  /** No Web Locks: a tab that committed within `staleAfterMs` is open (open tabs commit a heartbeat). */
  | { readonly kind: 'heartbeat'; readonly staleAfterMs: number }
  /** Not checked (cheap commits of events): every tab not closed counts as open. */
  | { readonly kind: 'unknown' };

/** This tab: its slot and page id. */
export interface TabPlace {
  readonly slot: number;
  readonly tab: string;
}

/** A call of this tab, or this tab leaving. */
export type TabInput = EngineInput | { readonly type: 'close'; readonly t: number };

/** The result of applying inputs to a record. */
export interface Applied {
  readonly record: SharedRecord;
  readonly outputs: EngineOutput[];
  readonly result: boolean | number | undefined;
}

/** Whether the page in `slot` is still open at `now`. */
export function isOpen(slot: number, entry: SlotEntry, now: number, liveness: Liveness): boolean {
  if (entry.closed) return false;
  if (liveness.kind === 'locks') return liveness.held.has(slot);
  if (liveness.kind === 'heartbeat') return now - entry.seen < liveness.staleAfterMs;
  return true;
}

/**
 * An id source that hands out `ids` first and records any new one it makes there, so a call
 * previewed in the tab and committed later gets the same session and device ids both times.
 */
export function replayIds(ids: string[], newId: () => string): EngineEnv {
  let i = 0;
  return {
    newId() {
      if (i === ids.length) ids.push(newId());
      return ids[i++] as string;
    },
  };
}

/**
 * Applies one input of the tab at `me` to the shared record, in the engine's terms:
 * - `launch`: with no other tab open it is the engine's launch (the previous run is over: resume or
 *   recover); with other tabs open the tab joins: a foreground if it is visible, else a tick;
 * - `foreground`: the engine's foreground (a no-op while the origin is already in the foreground);
 * - `background` and `close`: the engine's background only when no other open tab is visible, so a
 *   hidden tab never puts a session some visible tab is using on the background timeout;
 * - anything else: as is. A visible tab that died without hiding (a crash) stops counting as
 *   visible once a commit that checks liveness notices.
 */
export function applyTabInput(record: SharedRecord, me: TabPlace, input: TabInput, env: EngineEnv, liveness: Liveness): Applied {
  const t = input.t;
  const outputs: EngineOutput[] = [];
  let state = record.state ?? initialState(env.newId(), input.type === 'launch' && input.config ? input.config : undefined, t);
  const run = (i: EngineInput): boolean | number | undefined => {
    const r = step(state, i, env);
    state = r.state;
    for (const o of r.outputs) outputs.push(o);
    return r.result;
  };

  const mine = record.slots[me.slot];
  const isMine = mine !== undefined && mine.tab === me.tab && !mine.closed;
  let othersOpen = false;
  let othersVisible = false;
  for (const key of Object.keys(record.slots)) {
    const slot = Number(key);
    const entry = record.slots[key] as SlotEntry;
    if (slot === me.slot || !isOpen(slot, entry, t, liveness)) continue;
    othersOpen = true;
    if (entry.visible) othersVisible = true;
  }

  let visible = isMine ? (mine as SlotEntry).visible : false;
  let result: boolean | number | undefined;
  const firstTab = input.type === 'launch' && !othersOpen;
  if (!firstTab && liveness.kind !== 'unknown' && state.inForeground === true && !visible && !othersVisible) {
    // The tab that was visible died without hiding (a crash): the origin is in the background since.
    run({ type: 'background', t });
  }
  if (input.type === 'launch') {
    visible = input.foreground;
    if (firstTab) result = run(input);
    else result = run(input.foreground ? { type: 'foreground', t } : { type: 'tick', t });
  } else {
    if (input.type === 'foreground') {
      visible = true;
      result = run(input);
    } else if (input.type === 'background' || input.type === 'close') {
      visible = false;
      result = run(othersVisible ? { type: 'tick', t } : { type: 'background', t });
    } else {
      result = run(input);
    }
  }

  const slots: Record<string, SlotEntry> = { ...record.slots };
  slots[me.slot] = {
    tab: me.tab,
    visible,
    seen: Math.max(t, mine?.seen ?? 0),
    closed: input.type === 'close',
    queued: mine?.queued ?? 0,
  };
  return { record: { rev: record.rev, writers: record.writers, slots, state }, outputs, result };
}

/** Applies a batch of inputs in order; outputs are concatenated, the result is the last one's. */
export function applyTabInputs(
  record: SharedRecord,
  me: TabPlace,
  batch: readonly { readonly input: TabInput; readonly ids: string[] }[],
  newId: () => string,
  liveness: Liveness,
): Applied {
  let current = record;
  const outputs: EngineOutput[] = [];
  let result: boolean | number | undefined;
  for (const { input, ids } of batch) {
    const applied = applyTabInput(current, me, input, replayIds(ids, newId), liveness);
    current = applied.record;
    for (const o of applied.outputs) outputs.push(o);
    result = applied.result;
  }
  return { record: current, outputs, result };
}

/** The record with this tab's count of items its kits still hold. */
export function noteQueued(record: SharedRecord, me: TabPlace, queued: number): SharedRecord {
  const mine = record.slots[me.slot];
  if (!mine || mine.tab !== me.tab || mine.queued === queued) return record;
  return { ...record, slots: { ...record.slots, [me.slot]: { ...mine, queued } } };
}

/** The record with `me` holding its slot (a tab without Web Locks claims one inside a commit). */
export function takeSlot(record: SharedRecord, me: TabPlace, now: number): SharedRecord {
  const before = record.slots[me.slot];
  const entry: SlotEntry = { tab: me.tab, visible: false, seen: now, closed: false, queued: before?.queued ?? 0 };
  return { ...record, slots: { ...record.slots, [me.slot]: entry } };
}

/**
 * Slots a new tab should try, best first: slots of closed pages that still hold items (reusing
 * one makes its kits load and send them), then the lowest slots no open tab holds, ending with one
 * that was never used. Without Web Locks the first one is taken; with them, the first one whose
 * lock is free.
 */
export function slotCandidates(record: SharedRecord, now: number, liveness: Liveness): number[] {
  const used = Object.keys(record.slots).map(Number).sort((a, b) => a - b);
  const open = (slot: number): boolean => {
    const entry = record.slots[slot];
    if (liveness.kind === 'locks') return liveness.held.has(slot);
    return entry !== undefined && isOpen(slot, entry, now, liveness);
  };
  const withItems = used.filter((slot) => !open(slot) && (record.slots[slot] as SlotEntry).queued > 0);
  const free: number[] = [];
  for (let slot = 0; slot <= used.length; slot++) if (!open(slot) && !withItems.includes(slot)) free.push(slot);
  return [...withItems, ...free, unusedSlot(record)].filter((slot, i, all) => all.indexOf(slot) === i);
}

/** The lowest slot never used: its storage holds nothing of another page. */
export function unusedSlot(record: SharedRecord): number {
  let slot = 0;
  while (record.slots[slot] !== undefined) slot++;
  return slot;
}

/** The record as stored. */
export function encodeRecord(record: SharedRecord): string {
  return JSON.stringify({ v: 1, rev: record.rev, writers: record.writers, slots: record.slots, state: record.state });
}

/** A decoded record, and what was wrong with the stored text (it was replaced), if anything. */
export interface DecodedRecord {
  readonly record: SharedRecord;
  readonly problem: string | null;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Reads the stored record. The engine configuration is the stored one (a timeout set at runtime in
 * one tab holds in all), or `config` when the stored one is unusable. Corrupt data is reported and
 * replaced by an empty record that keeps the device id when it can be salvaged.
 */
export function decodeRecord(text: string | null, config: EngineConfig): DecodedRecord {
  if (text === null) return { record: EMPTY_RECORD, problem: null };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { record: EMPTY_RECORD, problem: 'the shared session record is not valid JSON' };
  }
  if (!isObj(raw) || raw.v !== 1 || !Number.isSafeInteger(raw.rev)) {
    return { record: EMPTY_RECORD, problem: 'the shared session record has an unknown format' };
  }
  const writers = Array.isArray(raw.writers) ? raw.writers.filter((w): w is string => typeof w === 'string').slice(-WRITERS_KEPT) : [];
  const slots: Record<string, SlotEntry> = {};
  if (isObj(raw.slots)) {
    for (const [key, e] of Object.entries(raw.slots)) {
      if (!/^\d{1,6}$/.test(key) || !isObj(e) || typeof e.tab !== 'string') continue;
      if (typeof e.visible !== 'boolean' || !isTime(e.seen) || typeof e.closed !== 'boolean') continue;
      const queued = Number.isSafeInteger(e.queued) && (e.queued as number) >= 0 ? (e.queued as number) : 0;
      slots[String(Number(key))] = { tab: e.tab, visible: e.visible, seen: e.seen, closed: e.closed, queued };
    }
  }
  const base = { rev: raw.rev as number, writers, slots };
  if (raw.state === null || raw.state === undefined) return { record: { ...base, state: null }, problem: null };
  const stored = isObj(raw.state) ? decodeConfig(raw.state.config, config) : config;
  const decoded = decodeStateValue(raw.state, stored);
  if (decoded.ok) return { record: { ...base, state: decoded.state }, problem: null };
  const salvaged = decoded.deviceId === null ? null : initialState(decoded.deviceId, config, 0);
  return { record: { ...base, state: salvaged }, problem: `the shared session record: ${decoded.problem}` };
}

const isSeconds = (v: unknown): v is number => isTime(v) && v >= 1000;
const isOptionalMs = (v: unknown): v is number | null => v === null || isSeconds(v);

/** The stored engine configuration if every field is valid, else `fallback`. */
function decodeConfig(value: unknown, fallback: EngineConfig): EngineConfig {
  if (!isObj(value)) return fallback;
  const { sessionTimeoutMs, foregroundTimeoutMs, maxSessionDurationMs, resumeOnRelaunch, newSessionOnUserChange, excludedEvents } = value;
  if (!isSeconds(sessionTimeoutMs) || !isOptionalMs(foregroundTimeoutMs) || !isOptionalMs(maxSessionDurationMs)) return fallback;
  if (typeof resumeOnRelaunch !== 'boolean' || typeof newSessionOnUserChange !== 'boolean') return fallback;
  if (!Array.isArray(excludedEvents) || !excludedEvents.every((e) => typeof e === 'string')) return fallback;
  return { sessionTimeoutMs, foregroundTimeoutMs, maxSessionDurationMs, resumeOnRelaunch, newSessionOnUserChange, excludedEvents };
}
