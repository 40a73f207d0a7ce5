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
import { badField, decodeStateValue, isObj, orNull, time, type Check } from '../engine/state-codec';
import { initialState, type EngineConfig, type EngineState } from '../engine/state';
import { message } from '../messages';
import { isStringArray } from '../call-arguments';
import { lenientJson } from '../lenient-json';

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
  /**
   * The page coordinates without Web Locks (compare-and-set): it holds no slot lock, so pages with
   * Web Locks judge it open by its heartbeat (`seen`), as pages without them do.
   */
  readonly cas?: boolean;
}

/** What `<namespace>:shared` holds in localStorage (as `{ v: 1, ...record }`). */
export interface SharedRecord {
  /** +1 on every commit. */
  readonly rev: number;
  /** Ids of the latest commits, newest last: a tab that finds its own id here knows its write won. */
  readonly writers: readonly string[];
  /** Slot number → its page. */
  readonly slots: Readonly<Record<string, SlotEntry>>;
  /** The engine state; null before the first tab ever launched. */
  readonly state: EngineState | null;
  /**
   * Random id of this record's life, given by its first write: a tab that finds another one under
   * it knows the stored data was cleared (`hub.clearStoredData()`, opt-out) by another tab meanwhile.
   */
  readonly epoch?: string;
  /**
   * Slot → the commits whose outputs that slot's kits may not have committed yet, oldest first: the
   * commit writes them here (write-ahead), the tab delivers them, and its kits' commit marks the id
   * (`markKey`); the tab's next write drops what is marked. A page that takes the slot after a crash
   * delivers what is not marked.
   */
  readonly owed?: Readonly<Record<string, Owed>>;
  /**
   * `<slot>:<page id>` of a page that was alone when it wrote this record, and may have committed
   * since in its own slot: there, under `<namespace>:tab<slot>:state`, a record of a later `rev`
   * (with this same `lone`) is the latest, written in one write with its kits' outbox records (see
   * `tab-session.ts`).
   */
  readonly lone?: string;
  /**
   * Ids of the pages whose hand-offs (the calls a page leaves at pagehide when other pages may be
   * open, see `tab-session.ts`) a commit applied, newest last: their keys may still be seen for a
   * moment after (removed once that commit is verified), and the page's slot may be another's by then.
   */
  readonly handed?: readonly string[];
}

/** Commits and their outputs, oldest first. */
export type Owed = ReadonlyArray<readonly [id: string, outputs: readonly EngineOutput[]]>;

export const EMPTY_RECORD: SharedRecord = { rev: 0, writers: [], slots: {}, state: null };

/** Commit ids kept in `writers`; a verification looks back at most this far. */
export const WRITERS_KEPT = 16;

/**
 * How a tab tells whether the page in a slot not marked closed is still open at `now`: with Web
 * Locks, whether it holds its slot's lock; without, whether it committed lately (open tabs commit a
 * heartbeat). null: not checked (cheap commits of events), every page not closed counts as open.
 */
export type Liveness = ((slot: number, entry: SlotEntry, now: number) => boolean) | null;

/** This tab: its slot and page id, and whether it coordinates without Web Locks. */
export interface TabPlace {
  readonly slot: number;
  readonly tab: string;
  readonly cas?: boolean;
}

/** A call of this tab, or this tab leaving. */
export type TabInput = EngineInput | { readonly type: 'close'; readonly t: number };

/** A tab input with the ids its preview drew, so that its commit draws the same ones. */
export interface Queued {
  readonly input: TabInput;
  readonly ids: string[];
}

/** The result of applying inputs to a record. */
export interface Applied {
  readonly record: SharedRecord;
  readonly outputs: EngineOutput[];
  readonly result: boolean | number | undefined;
}

const isOpen = (slot: number, entry: SlotEntry, now: number, liveness: Liveness): boolean =>
  !entry.closed && (!liveness || liveness(slot, entry, now));

const withEntry = (record: SharedRecord, slot: number, entry: SlotEntry): SharedRecord => ({
  ...record,
  slots: { ...record.slots, [slot]: entry },
});

/**
 * Applies inputs of the tab at `me` to the shared record, in order, in the engine's terms (outputs
 * concatenated, the result is the last one's):
 * - `launch`: with no other tab open it is the engine's launch (the previous run is over: resume or
 *   recover); with other tabs open the tab joins: a foreground if it is visible, else a tick;
 * - `foreground`: the engine's foreground (a no-op while the origin is already in the foreground);
 * - `background` and `close`: the engine's background only when no other open tab is visible, so a
 *   hidden tab never puts a session some visible tab is using on the background timeout;
 * - anything else: as is. A visible tab that died without hiding (a crash) stops counting as
 *   visible once a commit that checks liveness notices.
 */
export function applyTabInputs(record: SharedRecord, me: TabPlace, batch: readonly Queued[], newId: () => string, liveness: Liveness): Applied {
  const outputs: EngineOutput[] = [];
  let result: boolean | number | undefined;
  for (const { input, ids } of batch) {
    const { type, t } = input;
    // Hands out `ids` first and records any new one there, so that a call previewed in the tab and
    // committed later gets the same session and device ids both times.
    let drawn = 0;
    const env: EngineEnv = { newId: () => (drawn == ids.length && ids.push(newId()), ids[drawn++] as string) };
    let state = record.state ?? initialState(env.newId(), type == 'launch' ? input.config : undefined, t);
    const run = (engineInput: EngineInput): boolean | number | undefined => {
      const r = step(state, engineInput, env);
      state = r.state;
      outputs.push(...r.outputs);
      return r.result;
    };

    const mine = record.slots[me.slot];
    let othersOpen: boolean | undefined;
    let othersVisible: boolean | undefined;
    for (const [key, entry] of Object.entries(record.slots)) {
      if (+key == me.slot || !isOpen(+key, entry, t, liveness)) continue;
      othersOpen = true;
      if (entry.visible) othersVisible = true;
    }

    let visible = mine?.tab == me.tab && !mine.closed && mine.visible;
    const firstTab = type == 'launch' && !othersOpen;
    if (!firstTab && liveness && state.inForeground && !visible && !othersVisible) {
      // The tab that was visible died without hiding (a crash): the origin is in the background since.
      run({ type: 'background', t });
    }
    if (type == 'launch') {
      visible = input.foreground != false;
      result = run(firstTab ? input : { type: visible ? 'foreground' : 'tick', t });
    } else if (type == 'background' || type == 'close') {
      visible = false;
      result = run({ type: othersVisible ? 'tick' : 'background', t });
    } else {
      if (type == 'foreground') visible = true;
      result = run(input);
    }
    record = {
      ...withEntry(record, me.slot, { tab: me.tab, visible, seen: Math.max(t, mine?.seen ?? 0), closed: type == 'close', queued: mine?.queued ?? 0, cas: me.cas }),
      state,
    };
  }
  return { record, outputs, result };
}

/** The record with this tab's count of items its kits still hold. */
export function noteQueued(record: SharedRecord, me: TabPlace, queued: number): SharedRecord {
  const mine = record.slots[me.slot];
  return !mine || mine.tab != me.tab || mine.queued == queued ? record : withEntry(record, me.slot, { ...mine, queued });
}

/** The record with `me` holding its slot (a tab without Web Locks claims one inside a commit). */
export function takeSlot(record: SharedRecord, me: TabPlace, now: number): SharedRecord {
  return withEntry(record, me.slot, { tab: me.tab, visible: false, seen: now, closed: false, queued: record.slots[me.slot]?.queued ?? 0, cas: me.cas });
}

/**
 * Slots a new tab should try, best first: slots of closed pages that still hold items (reusing
 * one makes its kits load and send them), then the lowest slots no open tab holds, ending with one
 * that was never used. Without Web Locks the first one is taken; with them, the first one whose
 * lock is free. A tab coming back (`returning`) keeps its slot if no other page took it meanwhile,
 * else moves to a never-used one.
 */
export function slotCandidates(record: SharedRecord, now: number, liveness: Liveness, returning?: TabPlace): number[] {
  const { slots } = record;
  if (returning) return [slots[returning.slot]?.tab == returning.tab ? returning.slot : unusedSlot(record)];
  const used = Object.keys(slots).map(Number);
  const free: number[] = [];
  // Up to the highest slot in use and at least one past the slots in use: a never-used slot is among them.
  for (let slot = 0; slot <= Math.max(used.length, ...used); slot++) {
    const entry = slots[slot];
    if (!entry || !isOpen(slot, entry, now, liveness)) free.push(slot);
  }
  // A stable sort: the slots with items first, each part in slot order. Items are those its kits
  // hold, or outputs the record still owes them (their page died between its write of the record
  // and its kits' write): the page that takes the slot delivers them.
  const left = (slot: number): boolean => !!(slots[slot]?.queued || record.owed?.[slot]?.length);
  return free.sort((a, b) => +left(b) - +left(a));
}

/** The lowest slot never used: its storage holds nothing of another page. */
export function unusedSlot(record: SharedRecord): number {
  let slot = 0;
  while (record.slots[slot]) slot++;
  return slot;
}

/**
 * The record as stored. Never throws: the outputs it owes other tabs' kits carry event attributes
 * as the app gave them, which JSON may not hold (see lenientJson).
 */
export const encodeRecord = (record: SharedRecord): string => lenientJson({ v: 1, ...record });

/** A decoded record, and the warning that says what was wrong with the stored text (it was replaced), if anything. */
export interface DecodedRecord {
  readonly record: SharedRecord;
  readonly problem: string | null;
}

type Obj = Record<string, unknown>;
const isBoolean: Check = (v) => typeof v === 'boolean';
const isMs: Check = (v) => time(v) && v >= 1000;

/** `value`'s fields of `checks` alone, if each passes its check; else undefined. */
const pick = (value: unknown, checks: Readonly<Record<string, Check>>): Obj | undefined =>
  isObj(value) && !badField(value, checks) ? Object.fromEntries(Object.keys(checks).map((key) => [key, value[key]])) : undefined;

/** The fields of a stored slot entry but `queued` (missing in older records: 0). */
const SLOT_FIELDS = { tab: (v: unknown) => typeof v === 'string', visible: isBoolean, seen: time, closed: isBoolean };

/** Every field of a stored engine configuration, with its check. */
const CONFIG_FIELDS: { readonly [K in keyof EngineConfig]?: Check } = {
  sessionTimeoutMs: isMs,
  foregroundTimeoutMs: orNull(isMs),
  maxSessionDurationMs: orNull(isMs),
  resumeOnRelaunch: isBoolean,
  newSessionOnUserChange: isBoolean,
  excludedEvents: isStringArray,
};

/**
 * Reads the stored record. The engine configuration is the stored one (a timeout set at runtime in
 * one tab holds in all), or `config` when the stored one is not valid in every field. Corrupt data
 * is reported and replaced by an empty record that keeps the device id when it can be salvaged (and
 * with it the count of its sessions and the last one).
 */
export function decodeRecord(text: string | null, config: EngineConfig): DecodedRecord {
  const empty = (problem: string | null): DecodedRecord => ({ record: EMPTY_RECORD, problem });
  if (text === null) return empty(null);
  let raw: Obj;
  try {
    raw = JSON.parse(text);
  } catch {
    return empty(message(124));
  }
  if (!isObj(raw) || raw.v !== 1 || !Number.isSafeInteger(raw.rev)) return empty(message(125));
  const slots: Record<string, SlotEntry> = {};
  for (const [key, stored] of Object.entries(isObj(raw.slots) ? raw.slots : {})) {
    const entry = pick(stored, SLOT_FIELDS);
    if (!entry || !/^\d{1,6}$/.test(key)) continue;
    const { queued, cas } = stored as Obj;
    slots[+key] = { ...entry, queued: Number.isSafeInteger(queued) && (queued as number) >= 0 ? queued : 0, cas: cas === true || undefined } as SlotEntry;
  }
  const writers = Array.isArray(raw.writers) ? raw.writers.filter((w): w is string => typeof w === 'string').slice(-WRITERS_KEPT) : [];
  // A slot's list is kept only when whole: a commit's outputs are delivered all or none.
  const isOwed = (list: unknown): boolean => Array.isArray(list) && list.every((e) => Array.isArray(e) && typeof e[0] == 'string' && Array.isArray(e[1]) && e[1].every(isObj));
  const owed = isObj(raw.owed) ? (Object.fromEntries(Object.entries(raw.owed).filter(([, list]) => isOwed(list))) as Record<string, Owed>) : undefined;
  const record = {
    rev: raw.rev as number,
    writers,
    slots,
    state: null,
    owed,
    epoch: typeof raw.epoch == 'string' ? raw.epoch : undefined,
    lone: typeof raw.lone == 'string' && /^\d{1,6}:/.test(raw.lone) ? raw.lone : undefined,
    handed: isStringArray(raw.handed) ? raw.handed.slice(-WRITERS_KEPT) : undefined,
  };
  const state = raw.state as Obj | null | undefined;
  if (state == null) return { record, problem: null };
  const stored = pick(state.config, CONFIG_FIELDS);
  // Fields this version does not store come from `config`.
  const decoded = decodeStateValue(state, stored ? { ...config, ...stored } : config);
  if (decoded.ok) return { record: { ...record, state: decoded.state }, problem: null };
  return {
    // The device goes on with its sessions' count and the last one, where they were readable.
    record: { ...record, state: decoded.deviceId === null ? null : { ...initialState(decoded.deviceId, config, 0), ...decoded.kept } },
    problem: message(120, decoded.problem),
  };
}
