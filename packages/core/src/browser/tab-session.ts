/**
 * The session shared by the tabs of an origin: the imperative shell around `shared-record.ts`.
 *
 * Each tab previews its calls on its own view of the shared record (the synchronous API answers at
 * once), then commits them one tab at a time on the latest record in localStorage: under a Web Lock
 * where the browser has them, else by a versioned compare-and-set (write, let other tabs' writes
 * land, keep the result only if this tab's write is the one that stuck, else redo it on the record
 * that won). Session starts and ends are outputs of commits, so exactly one tab emits each.
 *
 * Each tab also holds a slot (a small number, reused): its kits keep their outboxes under the slot's
 * key prefix, so two tabs never overwrite each other's queue, and a later tab that takes a closed
 * tab's slot loads and sends what that tab left.
 *
 * With `solo` commits, a page alone (Web Locks say no other page holds a slot) commits the record in
 * its own slot instead, in the one write that holds its kits' outbox records for the same calls: one
 * write per commit, not two, and no outputs owed. The shared record then names it (`lone`); any page
 * that reads the record takes the later one from that slot (whatever `solo` says: the reading is
 * what earlier versions lack), so the page needs no goodbye (a kill leaves both consistent), and its
 * next commit that is not alone writes the shared record again. Beside other pages, a visible page
 * with Web Locks (see `steady`) does the same once the shared record names it: the page in use
 * commits in its slot while the others, idle, follow it.
 */
import type { EngineOutput } from '../engine/outputs';
import { idSource } from '../id-source';
import { silentLogger } from '../logger';
import { message } from '../messages';
import { initialState } from '../engine/state';
import type { SharedSession, SharedSessionHost } from '../shared-session';
import { segmentLog } from '../storage/segment-log';
import { decodeWrites } from '../storage/record-codec';
import {
  applyTabInputs,
  decodeRecord,
  EMPTY_RECORD,
  encodeRecord,
  noteQueued,
  slotCandidates,
  takeSlot,
  unusedSlot,
  WRITERS_KEPT,
  type Applied,
  type Liveness,
  type Owed,
  type Queued,
  type SharedRecord,
  type SlotEntry,
  type TabPlace,
} from './shared-record';
import type { PageStorage } from './web-storage';
import { optOutKey } from '../consent';
import { lenientJson } from '../lenient-json';

/** The part of the Web Locks API (`navigator.locks`) tabs coordinate with. */
export interface LockManagerLike {
  /** As `LockManager.request`: runs `callback` holding the lock `name`. */
  request(name: string, callback: (lock: unknown) => unknown): Promise<unknown>;
  /** As `LockManager.request` with options (`ifAvailable`; `signal` aborts a request not granted yet; `steal`). */
  request(name: string, options: { ifAvailable?: boolean; signal?: AbortSignal; steal?: boolean }, callback: (lock: unknown) => unknown): Promise<unknown>;
  /** As `LockManager.query`: the locks held now. */
  query(): Promise<{ held?: ReadonlyArray<{ name?: string }> }>;
}

/**
 * What a page leaves at pagehide when other pages may be open: its last calls, the items its kits
 * still hold, and up to which of its commits their commit marked (so the record stops owing them).
 * `unsure`: the first `calls` of the batch were written under commit `id`, which the page could not
 * verify before leaving (its copy of the record shows its own write; another tab's may not have
 * reached it yet). The tab that commits the hand-off looks: a record that names `id` (its writers,
 * or the page's slot's owed outputs) holds those calls, so they are skipped and that commit's owed
 * outputs are delivered by that tab; else they are applied like the rest.
 */
interface Handoff {
  readonly batch: Queued[];
  readonly queued: number;
  readonly marked?: number;
  readonly unsure?: readonly [id: string, calls: number];
  /** The page's slot (older versions' hand-offs lack it: their pages are found by their entry). */
  readonly slot?: number;
}

/** An event the tab session hears: another tab's write (`storage`), or the page about to leave (`beforeunload`). */
export interface PageEventLike {
  /** `storage` or `beforeunload` (a source that leaves it out is heard as a storage event). */
  readonly type?: string;
  /** The key another tab wrote (a storage event). */
  readonly key?: string | null;
  /** Its new value (a storage event). */
  readonly newValue?: string | null;
}

/**
 * Where other tabs' `storage` events arrive (`window`), and the page's `beforeunload`: a tab listens
 * to that only while a commit of it is under way (see the tab session), so the page stays fit for
 * the back/forward cache of every browser the rest of the time.
 */
export interface StorageEventSource {
  /** Hears other tabs' writes (`window`'s `storage` event), or the page about to leave. */
  addEventListener(type: 'storage' | 'beforeunload', listener: (event: PageEventLike) => void): void;
  /** Stops hearing them. */
  removeEventListener(type: 'storage' | 'beforeunload', listener: (event: PageEventLike) => void): void;
}

/**
 * How long a commit lets other tabs' localStorage writes reach this tab (Chromium propagates them
 * between renderers asynchronously: about 1 ms, but up to 67 ms measured with every CPU saturated;
 * see docs/browser.md): before reading under the Web Lock, and after writing, before checking the
 * write is the one that stuck. With Web Locks, the last holder's write is waited for however late
 * (see revLock); this wait still covers writes made without the lock (a page leaving, a tab without
 * Web Locks), and past it two such writes can each be verified.
 */
const SETTLE_MS = 50;
/**
 * How long a verified commit that applies pages' hand-offs lets other tabs' writes land: the tabs
 * left commit a hand-off together, so a write of the record later than the wait let two of them
 * deliver its outputs (an event sent twice, seen in Chromium by compare-and-set at a load average of
 * 6-8, and in the fake origin from 60 ms of lag: browser-tabs.test.ts).
 */
const HANDED_SETTLE_MS = 4 * SETTLE_MS;
const letWritesLand = (ms = SETTLE_MS): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** How long a commit under the state lock waits at most for the revisions registered to reach this page (see revLock). */
const CATCH_UP_MS = 3_000;
/** A page no other page has been seen in (by the record's `seen` times) for this long commits without settle waits. */
const ALONE_AFTER_MS = 2_000;
/**
 * A page that stopped committing writes once more this long after its kits marked its last commit,
 * so that the record does not keep outputs (ids, event attributes) it no longer owes: a burst's next
 * commit drops them anyway, this is for the last one.
 */
const TIDY_MS = 2_000;
/** Without Web Locks: how often an open tab commits to show it is open. */
const HEARTBEAT_MS = 30_000;
/** Without Web Locks: a tab silent for this long counts as closed. */
const STALE_AFTER_MS = 180_000;
/** How long a commit waits for the state lock before it takes it (see transact). */
const LOCK_WAIT_MS = 5_000;
/** Rounds of trying the slot locks before taking a slot no record names. */
const MAX_ROUNDS = 8;
/**
 * A page that left at `beforeunload` (see `beforeUnload`) and is still here this long after, with no
 * `pagehide` (the navigation was cancelled, turned into a download, or is slow), takes its place
 * again; a call of the app takes it back at once.
 */
const STAYED_MS = 5_000;

/** `list` without the commits `mark` (a commit id, `<page>:<n>`) says were delivered: that page's up to n. */
const unmarked = (list: Owed, mark: string | null): Owed => {
  const at = (mark ??= '').lastIndexOf(':');
  const page = mark.slice(0, at);
  const n = +mark.slice(at + 1);
  return list.filter(([id]) => id.slice(0, id.lastIndexOf(':')) != page || +id.slice(at + 1) > n);
};

/**
 * A page's id (and a record's epoch): the last 12 characters of a fresh UUID v4, its 48 random bits,
 * instead of all 36 — every commit id (`<page>:<n>`) in the record carries one. Page ids are opaque
 * strings to every version (compared whole, or up to a commit id's last `:`), so records with UUID
 * page ids, and tabs that still make them, work with these. A new page collides with one of the
 * ≤ ~40 page ids a record names with odds of ~40 / 2^48 ≈ 1.4e-13.
 *
 * From random bytes of its own, never from the app's `generateId`: ids of such a source may end
 * alike in every tab (a UUID v1 ends with the device's node field; a seeded source repeats), and two
 * pages with one id overwrite each other's hand-off and take each other's writes for their own.
 */
const pageId = (): string => idSource(silentLogger)().slice(-12);

/** Liveness by heartbeat: a page open unless silent for {@link STALE_AFTER_MS}. */
const HEARTBEAT = (_slot: number, entry: SlotEntry, now: number): boolean => now - entry.seen < STALE_AFTER_MS;
/**
 * Inputs whose commit checks which tabs are open (the others are cheap commits of events and calls);
 * they say where a page is in its life, not what the app did (see `hidden`).
 */
const LIVENESS_INPUTS = ['launch', 'foreground', 'background', 'tick', 'close'];

/**
 * @internal The browser's {@link SharedSession}, keeping `<namespace>:shared`, its kits' storage
 * under `<namespace>:tab<slot>:` and locks `<namespace>:state` and `<namespace>:slot:<slot>`.
 * @param locks - Web Locks, or null for the compare-and-set.
 * @param solo - a page alone commits in its own slot (see above; `soloCommits` of createBrowserHub).
 */
export function tabSession(storage: PageStorage, namespace: string, locks: LockManagerLike | null, events: StorageEventSource | null, solo?: boolean): SharedSession {
  const recordKey = `${namespace}:shared`;
  const slotLock = `${namespace}:slot:`;
  let host: SharedSessionHost;
  let me: TabPlace = { slot: 0, tab: '' };
  /** The record as last read or written. */
  let committed = EMPTY_RECORD;
  /** `committed` plus this tab's calls not yet committed. */
  let view = EMPTY_RECORD;
  let queue: Queued[] = [];
  /** The batch a commit is working on (taken over by a synchronous commit at page hide). */
  let inFlight: Queued[] | null | undefined;
  /** Without Web Locks: the in-flight batch was written under this commit id and awaits verification. */
  let written: { id: string; outputs: EngineOutput[]; carrying: boolean } | null | undefined;
  /** This page's commits up to this number have their outputs committed by its kits (marked). */
  let marked = 0;
  /** The last commit whose mark was staged. */
  let marking = 0;
  /**
   * What earlier pages of this slot owed its kits and did not mark (they died first): delivered with
   * this page's next commit of calls. Undefined until this page looked (keep them), null: none.
   */
  let carried: Owed | null | undefined;
  let loop: Promise<void> | null | undefined;
  let claiming: Promise<void> | null = null;
  let releaseSlot: (() => void) | undefined;
  /** Ends this page's waits for the state lock when it leaves (see park), with Web Locks. */
  let present: AbortController | undefined;
  /** Releases the state lock while a commit of this page holds it. */
  let dropLock: ((value?: unknown) => void) | undefined;
  /** The tab gave its slot up (page hidden for good, or in the back/forward cache). */
  let parked: boolean | undefined;
  /** Not open yet, or closed. */
  let stopped = true;
  let heartbeat: ReturnType<typeof setTimeout> | undefined;
  let tidying: ReturnType<typeof setTimeout> | undefined;
  let commits = 0;
  /** The calls this page left at pagehide for the other tabs to commit (see commitPage), until it comes back. */
  let handoff: Handoff | null | undefined;
  /** The text of the shared record as this page last read or wrote it. */
  let sharedText: string | null = null;
  /**
   * {@link sharedText} when `committed` was adopted: a write of the shared record not verified yet
   * (see verified) changes the stored text but not `committed`.
   */
  let adoptedText: string | null = null;
  const handoffKey = `${namespace}:handoff:`;
  /**
   * A page that opens or comes back says so first under this key (its id; the time, and with Web Locks
   * the slot whose lock it is about to try: `<time>:<slot>`), until a commit of its own place is
   * verified: until then no record shows it, so a page that closes meanwhile leaves its last calls to
   * the tabs (see commitPage) instead of writing them unverified, no page commits as if alone (see
   * `alone`), and a page without Web Locks, which cannot see slot locks, leaves that slot alone.
   */
  const claimKey = `${namespace}:claim:`;
  /** This page's key under {@link claimKey}, while it has one. */
  let announced: string | undefined;
  const unannounce = (): void => {
    if (!announced) return;
    storage.removeItem(announced);
    heard.delete(announced);
    announced = undefined;
  };
  /**
   * The hand-off and claim keys this page knows of, with their values (a look at each claim, then
   * storage events; its own): besides those of open entries, a page that left before its first
   * commit back landed has a hand-off no entry names.
   */
  const heard = new Map<string, string>();
  const look = (): void => {
    for (const key of [...storage.keys(handoffKey), ...storage.keys(claimKey)]) heard.set(key, storage.getItem(key) ?? '');
  };
  /** The other pages opening or coming back (see claimKey; one that died doing so, for as long as a heartbeat): the slots they name. */
  const opening = (now: number): Set<number> =>
    new Set([...heard].flatMap(([key, value]) => (key.startsWith(claimKey) && key != announced && now - parseInt(value) < STALE_AFTER_MS ? [+value.split(':')[1]!] : [])));
  /** Says this page is opening (see claimKey), trying `slot`'s lock next if given. */
  const announce = (slot?: number): void => {
    const value = host.nowMs() + (slot === undefined ? '' : ':' + slot);
    storage.setItem((announced = claimKey + me.tab), value);
    heard.set(announced, value);
  };
  /** This page's ids before its returns from the cache (see resume). */
  const past = new Set<string>();
  /** Leaves (or updates) this page's hand-off. */
  const leave = (left: Handoff): void => {
    heard.set(handoffKey + me.tab, '');
    // (Its calls carry event attributes as the app gave them: see lenientJson.)
    storage.setItem(handoffKey + me.tab, lenientJson((handoff = { ...left, slot: me.slot })));
  };

  // ------------------------------------------------------------------ storage

  const decode = (text: string | null): SharedRecord => {
    const { record, problem } = decodeRecord(text, host.config);
    if (problem) host.alert('corrupt-state', problem);
    return record;
  };
  /** Where the page of a slot commits the record while alone. */
  const loneKey = (slot = me.slot): string => `${namespace}:tab${slot}:state`;
  /**
   * The text of the record the page named `lone` last committed in its slot, as this page last read
   * it there, and the latest record of that page known here: that one, or the shared record naming
   * it when newer. That page's next commit there is this record's next revision, written as a patch
   * of this text.
   */
  let followed: readonly [text: string, record: SharedRecord] | undefined;
  /** The stored record: the shared one, or the later one its lone page committed in its slot since. */
  const read = (): SharedRecord => {
    const record = decode((sharedText = storage.getItem(recordKey)));
    const { lone } = record;
    if (lone) {
      const slot = parseInt(lone);
      try {
        // A log of its own, read afresh (this page's log caches what it read; that page may write on), writing nothing.
        const text = segmentLog({ getItem: (key) => storage.getItem(key), setItem() {}, removeItem() {} }).getItem(loneKey(slot)) as string | null;
        const later = text === null ? null : decodeRecord(text, host.config).record;
        // Its commits since: a later revision of the same life by the same page (an older one is of a time it was alone before).
        if (later?.state && later.rev > record.rev && later.epoch == record.epoch && later.lone == lone) return (followed = [text!, later]), later;
        // None: its next commit there is the shared record's next revision, a patch of the session's
        // text as its slot holds it now (its last write there), which is this text.
        if (text !== null) followed = [text, record];
      } catch {
        // Unreadable: the shared record is the latest this page can know.
      }
    }
    return record;
  };
  /** Whether `record` is the one this page committed in its slot last, or the shared one naming it (see {@link latest}). */
  const ownsLatest = (record: SharedRecord): boolean => record == committed && committed.lone == me.slot + ':' + me.tab;
  /** The latest record: this page's own while no other page wrote the shared one since it was adopted (not read again), else {@link read}'s. */
  const latest = (): SharedRecord => (ownsLatest(committed) && storage.getItem(recordKey) === adoptedText ? committed : read());
  const commitId = (): string => `${me.tab}:${++commits}`;
  /** Where this slot's kits mark the last commit whose outputs they committed (no kit's: kit names have no `~`). */
  const markKey = (): string => `${namespace}:tab${me.slot}:kit:~`;
  /**
   * The outputs earlier pages of this slot left unmarked, of those `record` still owes the slot (a tab
   * that committed a page's hand-off may have delivered one already: see withHandoffs).
   */
  const carry = (record: SharedRecord): EngineOutput[] =>
    carried?.flatMap(([id, o]) => (record.owed?.[me.slot]?.some(([e]) => e == id) ? o : [])) ?? [];

  /**
   * Writes `record`, computed from `base` (read in this same task), as the next revision, with `id` as
   * its writer. It owes this slot's kits `outputs` (write-ahead: the kits commit them after it), and
   * no longer what they marked; earlier pages' outputs are dropped once `carrying` them (or once none
   * were found unmarked). `alone`: the record names this page as `lone`; `inSlot` (alone, and `base`
   * is already its own: see `attempt`): it is not written here but returned to go in this slot's
   * commit, owing nothing.
   */
  const write = (record: SharedRecord, base: SharedRecord, id = commitId(), outputs: readonly EngineOutput[] = [], carrying?: boolean, alone?: boolean, inSlot?: boolean): SharedRecord => {
    const mine = me.tab + ':';
    // This page's under an id of before a return too: its hand-off's commit drops them (see withHandoffs).
    const kept = unmarked(record.owed?.[me.slot] ?? [], mine + marked).filter(([e]) => e.startsWith(mine) || past.has(e.slice(0, e.lastIndexOf(':'))) || (carried !== null && !carrying));
    if (outputs.length && !inSlot) kept.push([id, outputs]);
    // A page verifies only its latest write (see verified, commitPage): its earlier ids are not kept.
    const writers = [...base.writers.filter((w) => !w.startsWith(mine)), id].slice(-WRITERS_KEPT);
    const next = {
      ...record,
      // (Not in a slot claim's: a page back from the cache may hold another slot now than it held.)
      owed: record.slots[me.slot]?.tab == me.tab ? { ...record.owed, [me.slot]: kept } : record.owed,
      epoch: base.epoch || pageId(),
      rev: base.rev + 1,
      writers,
      lone: alone ? me.slot + ':' + me.tab : undefined,
    };
    if (!inSlot) storage.setItem(recordKey, (sharedText = encodeRecord(next)));
    return next;
  };

  /** The view is the committed record plus this tab's calls not yet committed (or `calls`), replayed with the same ids. */
  const refreshView = (calls = inFlight ? [...inFlight, ...queue] : queue): void => {
    try {
      view = applyTabInputs(committed, me, calls, host.makeId, null).record;
    } catch {
      // A preview is only a view: the commit decides (and reports a failure).
      view = committed;
    }
  };

  /** Whether `record` (just read) is not the same life as `committed`, or has another device id. */
  const changedUnder = (record: SharedRecord): boolean => record.epoch != committed.epoch || record.state?.deviceId != committed.state?.deviceId;

  /**
   * Adopts a committed record and delivers `outputs`, those of the commit that made it. A device id
   * that changed without this tab's commit saying so is another tab's `reset()`: this tab's kits are
   * told too. A record of another life is another tab's clear: this tab's calls not yet committed
   * belong to the cleared data and are dropped, and its kits clear theirs; false then.
   */
  const adopt = (record: SharedRecord, outputs: readonly EngineOutput[] = [], commit?: string): boolean => {
    const was = committed;
    committed = record;
    adoptedText = sharedText;
    if (!heartbeat) startHeartbeat();
    const cleared = !!was.epoch && record.epoch != was.epoch;
    if (cleared) {
      queue = [];
      inFlight = written = carried = null;
    }
    refreshView();
    if (cleared) return host.cleared(), false;
    const id = record.state?.deviceId;
    if (was.state && id && id != was.state.deviceId && !outputs.some((o) => o.type == 'reset')) {
      outputs = [{ type: 'reset', record: id }, ...outputs];
      // Another tab's reset: what this one still keeps in the record of the old identity goes now.
      tidy(0);
    }
    if (outputs.length) host.deliver(outputs);
    // Staged after the kits' records, so in their commit, in their slot's segment (one write): once
    // it is done the next write no longer owes these outputs, and a later page of the slot knows.
    if (commit && outputs.length) {
      const n = (marking = +commit.slice(me.tab.length + 1));
      void host.pipeline.set(markKey(), commit).then(() => ((marked = Math.max(marked, n)), tidy(TIDY_MS)));
    }
    return true;
  };

  /** After `ms`, with nothing committed meanwhile, a commit that drops what this page's kits marked, if the record still has it. */
  function tidy(ms: number): void {
    clearTimeout(tidying);
    tidying = setTimeout(() => {
      if (!loop && !queue.length && committed.owed?.[me.slot]?.length) submit({ type: 'tick', t: host.nowMs() });
    }, ms);
  }

  /** A record with a state: a first page, or the first commit after a clear, creates it with this run's configuration. */
  const seeded = (record: SharedRecord): SharedRecord => (record.state ? record : { ...record, state: initialState(host.makeId(), host.config, host.nowMs()) });

  const onStorage = (event: PageEventLike): void => {
    // (A page away or frozen commits nothing: it looks again when back, see claim. A source that does
    // not tell events apart by type hands this the page's beforeunload too.)
    if (event.type == 'beforeunload') return;
    // (A write this page does not hear of could be one of the page it follows: it reads whole from then on.)
    if (stopped || parked || storage.degraded) return (followed = undefined);
    // A page left calls at pagehide: some open tab commits them now (the first one to get the lock).
    const { key = null, newValue = null } = event;
    if (key?.startsWith(handoffKey) || key?.startsWith(claimKey)) {
      if (newValue === null) return void heard.delete(key);
      heard.set(key, newValue);
      if (key.startsWith(handoffKey)) submit({ type: 'tick', t: host.nowMs() });
      return;
    }
    // A null key is `localStorage.clear()` (its newValue is null). A page that commits in its slot
    // beside this one (the record names it `lone`) writes the session in its segment record there:
    // a write `+state <length>` or `~state <length>` (a patch) among its kits', each right after the
    // value before it (a value could hold those characters too: then the record is only read once more).
    const lone = committed.lone ? parseInt(committed.lone) : me.slot;
    const inLoneSlot = lone != me.slot && !!key?.startsWith(`${namespace}:tab${lone}:seg:`);
    if (key !== null && key != recordKey && !(inLoneSlot && /[+~]state \d/.test(newValue!))) return;
    try {
      // (Read again rather than taken from the event, but a write of the lone page's next record, or
      // of the shared record by which it takes the session back: a record that names a lone page is
      // completed from its slot.)
      adopt((key == recordKey ? follow(newValue!, true) : inLoneSlot && follow(newValue!)) || read());
      // A later revision than this page's (or another life) reached it: its writer says so now.
      if (revName() != registered) dropRev();
      host.changed();
    } catch {
      // The next commit reads the record again.
    }
  };

  /**
   * The record a write (`value`) holds, if it is of the page this page follows ({@link followed}), in
   * the same life: a write of that page's slot (a record of its segment log: the session a patch of
   * the text this page has, or whole) holding the next revision; or, `shared`, a write of the shared
   * record naming that page, a later revision: it takes the session back, and its next write in its
   * slot is a patch of that same text (this page heard every write since: see onStorage, park).
   * Else undefined: read it all (this page missed a write of that page's, or the write holds another).
   */
  const follow = (value: string | null, shared?: boolean): SharedRecord | undefined => {
    const [text, was] = followed ?? [];
    let next = shared ? value : null;
    // (Only the session's patch is applied: the kits' values, patches of theirs, are not this page's to read.)
    if (!shared) for (const [key, v] of decodeWrites(value!, value!.indexOf('\n') + 1, value!.length, (k) => (k == 'state' ? text : undefined)) ?? []) if (key == 'state') next = v;
    const { record, problem } = decodeRecord(next, host.config);
    if (was && !problem && record.state && record.epoch == was.epoch && record.lone == was.lone && (shared ? record.rev > was.rev : record.rev == was.rev + 1)) {
      return (followed = [shared ? text! : next!, record]), record;
    }
  };

  /**
   * `record` with the calls pages left at pagehide applied (see commitPage); their outputs, and the
   * pages they came from, are added to `outputs` and `handed`.
   */
  const withHandoffs = (record: SharedRecord, liveness: Liveness, outputs: EngineOutput[] = [], handed: string[] = []): SharedRecord => {
    const pages = new Set<string>();
    for (const key of heard.keys()) if (key.startsWith(handoffKey)) pages.add(key.slice(handoffKey.length));
    for (const { closed, tab } of Object.values(record.slots)) if (!closed) pages.add(tab);
    for (const tab of pages) {
      const text = storage.getItem(handoffKey + tab);
      if (text === null) {
        heard.delete(handoffKey + tab);
        continue;
      }
      const [at, entry] = Object.entries(record.slots).find(([, e]) => e.tab == tab) ?? [];
      // Committed already (its last call closes its entry), or its key is being removed: only removed here.
      handed.push(tab);
      if (entry?.closed || record.handed?.includes(tab)) continue;
      try {
        const left = JSON.parse(text) as Handoff;
        // A page that left before its first commit back landed is in no entry: it is in the slot it held.
        const slot = at ?? left.slot;
        if (slot === undefined) continue;
        const other = at ? undefined : record.slots[slot];
        const place = { slot: +slot, tab };
        const [id, calls] = left.unsure ?? [];
        const owed = record.owed?.[slot] ?? [];
        const entry = owed.find(([e]) => e == id);
        // A write of the page that stuck: its calls are in the record, its outputs owed to the page's slot go out here.
        if (entry) {
          outputs.push(...entry[1]);
          record = { ...record, owed: { ...record.owed, [slot]: owed.filter((e) => e != entry) } };
        }
        const applied = applyTabInputs(record, place, entry || record.writers.includes(id!) ? left.batch.slice(calls) : left.batch, host.makeId, liveness);
        outputs.push(...applied.outputs);
        record = noteQueued(applied.record, place, left.queued);
        // What its kits stored is owed no more (older versions' hand-offs say nothing: kept).
        if (left.marked! > 0) record = { ...record, owed: { ...record.owed, [slot]: unmarked(record.owed?.[slot] ?? [], tab + ':' + left.marked) } };
        record = {
          ...record,
          // A page that took the slot since keeps its entry.
          slots: other ? { ...record.slots, [slot]: other } : record.slots,
          handed: [...(record.handed ?? []), tab].slice(-WRITERS_KEPT),
        };
      } catch {
        // Unreadable: removed with the commit.
      }
    }
    return record;
  };

  // ------------------------------------------------------------------ slots

  /**
   * Whether a slot's lock is held now, by any page (false for all if unknown: the slot locks still
   * keep tabs apart); with its `entry`, also whether it is a page without Web Locks that is open by
   * its heartbeat.
   */
  const heldSlots = async (manager: LockManagerLike): Promise<(slot: number, entry?: SlotEntry, now?: number) => boolean> => {
    const held = new Set<string>();
    try {
      for (const { name } of (await manager.query()).held ?? []) held.add(name as string);
    } catch {
      // Unknown liveness counts nobody as open.
    }
    return (slot, entry, now) => held.has(slotLock + slot) || (!!entry?.cas && HEARTBEAT(slot, entry, now!));
  };

  /**
   * Under the Web Lock: whether no other page can have a write in flight — no other slot lock is
   * held, and the record saw no other open page within {@link ALONE_AFTER_MS}. A page alone skips
   * the settle waits: only other pages' writes can be late, and a page that starts later waits
   * before its first read. (It also keeps a lone page's commits free of timers, so a page on a
   * paused or fake clock still commits.)
   */
  const alone = async (manager: LockManagerLike): Promise<boolean> => {
    const names: string[] = [];
    try {
      for (const { name } of (await manager.query()).held ?? []) names.push(name as string);
    } catch {
      return false;
    }
    if (names.some((name) => name.startsWith(slotLock) && name != slotLock + me.slot)) return false;
    const now = host.nowMs();
    // Another page opening (without Web Locks it holds no lock until its claim is in the record).
    if (opening(now).size) return false;
    // A page that just closed counts too: its last write (at pagehide) may still be on its way.
    // A page gone without its close committed (a crash, or calls left at pagehide on their way) counts too.
    return Object.entries(latest().slots).every(([slot, entry]) => +slot == me.slot || (entry.closed && now - entry.seen >= ALONE_AFTER_MS));
  };

  /**
   * Beside other pages, under the Web Lock once their writes landed: whether this page may commit in
   * its own slot, as alone, whenever the record names it (`lone`, see verified). Only other pages'
   * writes of the record could undo such a commit, and with Web Locks they write it under the lock,
   * except a page without them (none is open) and a page that leaves seeing no other page (none is
   * opening, and this page's own place is in the record). And it is visible: a hidden page's timers
   * are throttled, so its commit could hold the lock long enough for another page to take it (see
   * transact); a visible one's holds it for about the settle wait.
   */
  const steady = (): boolean => {
    // (Its own entry changes with its own commits only: a hidden page is told without reading the
    // record again, through the page in use's slot.)
    if (announced || !committed.slots[me.slot]?.visible) return false;
    const { slots } = latest();
    const mine = slots[me.slot];
    return !!mine?.visible && mine.tab == me.tab && !opening(host.nowMs()).size && !Object.values(slots).some((e) => e.cas && !e.closed);
  };

  /**
   * The revision register. A page that held the state lock holds, from before it released it until
   * its copy of localStorage shows another record (or it leaves), a lock named after the record it
   * left (`<namespace>:rev:<epoch>:<rev>:<last writer>`, whether written in the shared key or in its
   * slot): Chromium hands one page's localStorage writes to the others late (up to 67 ms measured, no
   * bound), but its lock manager is one sequencer per origin, so the page granted the state lock next
   * finds that lock in `query()` and waits until its own copy shows that record or a later revision
   * before it reads anything (see caughtUpWith). `registered`: the name this page holds. A page that
   * leaves (the back/forward cache, a freeze, a close) releases it with its other locks: the next
   * holder then has only the settle wait for that page's last writes.
   */
  const revLock = `${namespace}:rev:`;
  let registered: string | undefined;
  let releaseRev: (() => void) | null | undefined;
  const revName = (record = committed): string => revLock + record.epoch + ':' + record.rev + ':' + record.writers.at(-1);
  const dropRev = (): void => {
    releaseRev?.();
    releaseRev = registered = undefined;
  };
  /** Under the state lock, after a commit: registers the revision this page holds now (see revLock). */
  const register = async (manager: LockManagerLike): Promise<void> => {
    const name = revName();
    // (Not once the page left, its commit taken over: see claim.)
    if (parked || name == registered || !committed.epoch) return;
    const was = releaseRev;
    registered = name;
    releaseRev = await tryLock(manager, name);
    // (Its earlier one only once this one is held: a reader always finds the latest.)
    was?.();
    // (Left meanwhile: a page away holds no lock.)
    if (parked) dropRev();
  };
  /**
   * Right after the state lock is granted: waits until this page's copy of localStorage shows every
   * revision registered (see revLock) — the shared record, or its lone page's slot — for up to
   * {@link CATCH_UP_MS}, looking again every 10 ms (a registered revision of another life goes as soon
   * as its page sees the new one).
   */
  const caughtUpWith = async (manager: LockManagerLike): Promise<void> => {
    for (let waited = 0; waited < CATCH_UP_MS && !parked; waited += 10) {
      // (Unknown: none.)
      const { held = [] } = await manager.query().catch(() => ({ held: undefined }));
      const record = latest();
      // (That revision by its last writer: an unverified write of the same revision may have lost to it.)
      if (!held.some(({ name = '' }) => name.startsWith(revLock) && name != revName(record) && (([e, n]) => e != record.epoch || +n! >= record.rev)(name.slice(revLock.length).split(':')))) return;
      await letWritesLand(10);
    }
  };

  /** Requests a lock (a slot's, a revision's) only if it is free; resolves with its release function, or null. */
  const tryLock = (manager: LockManagerLike, name: string): Promise<(() => void) | null> =>
    new Promise((resolve) => {
      manager
        .request(name, { ifAvailable: true }, (lock) => (lock ? new Promise<void>((release) => resolve(release as () => void)) : resolve(null)))
        .catch(() => resolve(null));
    });

  const settle = (slot: number, release: (() => void) | undefined, kept: number | undefined): void => {
    if (kept !== undefined && slot != kept) {
      host.alert('storage-failure', message(121, kept, slot));
    }
    me = { slot, tab: me.tab, cas: !locks || undefined };
    releaseSlot = release;
  };

  /**
   * Takes a slot (`slotCandidates`): with Web Locks, the first candidate whose lock is free (held
   * until the page leaves); without, the first candidate, inside a verified commit.
   */
  const claim = async (returning?: TabPlace): Promise<void> => {
    const kept = returning?.slot;
    const { tab } = me;
    // Left again before done (back later under another id, with a claim of its own): nothing more.
    const gone = (): boolean => parked || me.tab != tab;
    // This life's waits for the state lock (see park). Every browser with Web Locks has AbortController;
    // a host's own `locks` elsewhere gets none rather than a throw from the page's lifecycle handler.
    present = locks && typeof AbortController == 'function' ? new AbortController() : undefined;
    // Hand-offs left and claims made meanwhile (no storage events reach a page away).
    look();
    if (!storage.degraded) announce();
    /** Its slot as it left it, under whichever of its ids the record names there (one that never committed names none). */
    const back = (record: SharedRecord): TabPlace | undefined => {
      const named = returning && record.slots[returning.slot]?.tab;
      return named && past.has(named) ? { ...returning, tab: named } : returning;
    };
    // (A page whose storage is in memory shares no slot: no slot lock either, see transact.)
    const manager = storage.degraded ? null : locks;
    if (manager) {
      // Back from the cache or a freeze, its copy of localStorage may lack writes made just before: a
      // page that committed as alone and left at once (its slot lock released, its entry closed "long
      // ago" in this copy) would let this one commit as alone on the stale record, ending a session
      // twice. They land first, as without Web Locks (below). (A page that opens loads a fresh copy.)
      if (returning) await letWritesLand();
      if (gone()) return;
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const held = await heldSlots(manager);
        // Seen with the calls pages left at pagehide, so a slot whose page left items is reused first.
        const record = withHandoffs(read(), null);
        for (const slot of slotCandidates(record, host.nowMs(), held, back(record))) {
          // (Left meanwhile: a request now could be granted after the page froze in the back/forward
          // cache, a lock held there that the next page's query evicts it for.)
          if (gone()) return;
          if (announced) announce(slot);
          const release = held(slot) ? null : await tryLock(manager, slotLock + slot);
          if (release) return gone() ? release() : settle(slot, release, kept);
        }
      }
      // Every round lost a race: a slot no record names (correct, just not reused later).
      return gone() ? undefined : settle(unusedSlot(read()) + 1000, undefined, kept);
    }
    let chosen = me.slot;
    // Writes made before this page said it is here land first: nothing verifies a page's last write
    // at pagehide (see commitPage), nor the write of a page with Web Locks that saw no other page.
    if (!storage.degraded) await letWritesLand();
    // Again if a page with Web Locks named the slot meanwhile (its claim and this one crossed: it holds the lock).
    while (
      (await transact(
        (record, liveness) => {
          const now = host.nowMs();
          const left = withHandoffs(record, null);
          const taken = opening(now);
          chosen = [...slotCandidates(left, now, liveness, back(left)), unusedSlot(left)].find((slot) => !taken.has(slot)) ?? 1000 + unusedSlot(left);
          // This page's entry of a claim it moved from goes.
          const slots = Object.fromEntries(Object.entries(record.slots).map(([slot, e]) => [slot, e.tab == tab ? { ...e, closed: true } : e]));
          return { record: takeSlot({ ...record, slots }, { slot: chosen, tab, cas: true }, now), outputs: [] };
        },
        null,
        gone,
      ),
      !gone() && opening(host.nowMs()).has(chosen))
    );
    if (gone()) return;
    settle(chosen, undefined, kept);
    startHeartbeat();
  };

  const park = (): void => {
    parked = true;
    // (Away, it hears no write: see onStorage.)
    followed = undefined;
    guard(false);
    unannounce();
    present?.abort();
    dropLock?.();
    clearTimeout(tidying);
    releaseSlot?.();
    releaseSlot = undefined;
    dropRev();
    clearTimeout(heartbeat);
    // Started again by the first record adopted once back (see adopt).
    heartbeat = undefined;
  };

  /** Left at `beforeunload` (see `beforeUnload`) and not back since: its place is given up, no record is written. */
  let unloading: boolean | undefined;
  /** Takes the page's place again if it is still here {@link STAYED_MS} after it left at `beforeunload`; set until its pagehide. */
  let stayed: ReturnType<typeof setTimeout> | undefined;
  /** Whether the page listens to `beforeunload` now (see `guard`). */
  let guarded = false;
  /**
   * Listens to `beforeunload` while a commit of the page is under way (its app's calls, a lifecycle
   * change, other pages' hand-offs it commits), and only then: a listener keeps a page out of some
   * browsers' back/forward cache (Firefox's), so it is there only while a navigation would race a
   * commit (about 0.1 s beside other pages, less alone).
   */
  const guard = (on: boolean): void => {
    if (on == guarded || !events) return;
    guarded = on;
    try {
      if (on) events.addEventListener('beforeunload', beforeUnload);
      else events.removeEventListener('beforeunload', beforeUnload);
    } catch {
      // A host's own event source that refuses it: the calls are made durable at pagehide, as before.
    }
  };
  /**
   * The page may be about to go, with a commit under way. Real Chromium evicts a page from the
   * back/forward cache when another page asks Web Locks about a lock it still holds, and a page holds
   * its slot's lock until its `pagehide`, which runs only after the next page has committed: evicted
   * in that gap, mid-task, it lost the calls it had not committed (docs/browser.md), or left what its
   * written commit owed its kits to the next page of its slot. So it leaves now, as at `pagehide`
   * (alone it commits; beside other pages it hands its calls and its unverified commit to the tabs;
   * its kits' records are written), and holds no lock until it is back: from the cache, at a call of
   * the app, or {@link STAYED_MS} later if no `pagehide` came (a cancelled navigation, a download).
   */
  const beforeUnload = (event: PageEventLike): void => {
    // (A source that does not tell events apart by type hands this its storage events too.)
    if (event.type != 'beforeunload' || stopped || parked) return;
    try {
      session.commitPage(true);
      host.pipeline.commitNow?.();
      // The tab that commits the hand-off drops what the kits marked (see hidden); alone, the record
      // stops owing it now, as at pagehide (see noteQueued), not when its pagehide comes, and tells
      // what the kits hold (before their pagehide sends: at most that), so the next page takes this
      // slot and sends it: this pagehide writes no record.
      if (handoff) leave({ ...handoff, marked: marking });
      else owedNoMore(host.kitsQueued());
      unloading = true;
      stayed = setTimeout(() => session.resume(), STAYED_MS);
    } catch (error) {
      // Runs in the page's beforeunload listener: an engine bug must not surface there.
      host.alert('invalid-argument', message(122, String(error)));
    }
  };

  /**
   * Right after the kits' commit, written synchronously with every mark staged (at pagehide, or at
   * beforeunload alone): a page that goes leaves nothing owed in the record (else a later page of its
   * slot, whose mark names a later commit, would deliver it again), and how many items its kits hold.
   */
  const owedNoMore = (items?: number): void => {
    marked = marking;
    const base = read();
    const next = items === undefined ? base : noteQueued(base, me, items);
    if (next != base || base.owed?.[me.slot]?.length) adopt(write(next, base));
  };

  /**
   * Without Web Locks an open tab commits now and then, so others know it is open; so does a tab with
   * them while a tab without them is open (which judges every tab by its heartbeat).
   */
  const startHeartbeat = (): void => {
    clearTimeout(heartbeat);
    heartbeat = undefined;
    if ((locks && !Object.values(committed.slots).some((e) => e.cas && !e.closed)) || stopped || parked) return;
    heartbeat = setTimeout(() => {
      if (!queue.length) submit({ type: 'tick', t: host.nowMs() });
      startHeartbeat();
    }, HEARTBEAT_MS);
  };

  // ------------------------------------------------------------------ commits

  /** Resolves once the page's latest slot claim is done (each return from the cache starts one). */
  const claimed = async (): Promise<void> => {
    for (let c; c !== claiming; ) await (c = claiming);
  };

  /** Commits the queue after the current synchronous burst of calls, one batch at a time. */
  const kick = (): void => {
    const due = (): boolean => queue.length > 0 && !parked && !stopped;
    // A commit under way (or one that began before the page left, and goes on for its calls since):
    // the page listens to beforeunload until it is done (see guard).
    if (due()) guard(true);
    if (loop || stopped) return;
    loop = (async () => {
      try {
        // Each batch waits for the page's slot, as last claimed: a page back from the cache claims
        // it anew while a loop that began before it left may still be running.
        while ((await claimed(), due())) {
          const batch = (inFlight = queue);
          queue = [];
          await transact((record, liveness) => applyTabInputs(record, me, batch, host.makeId, liveness), batch);
        }
      } finally {
        loop = null;
        if (due()) kick();
        else guard(false);
      }
    })();
  };

  /**
   * Runs `apply` on the latest record and writes the result, exclusively among tabs; delivers the
   * outputs once the write is known to have won. `batch` is the in-flight batch (null for a slot
   * claim); if a synchronous commit took it over meanwhile, nothing more is done.
   */
  const transact = async (apply: (record: SharedRecord, liveness: Liveness) => Omit<Applied, 'result'>, batch: Queued[] | null, gone?: () => boolean): Promise<void> => {
    const tookOver = (): boolean => (batch !== null && inFlight != batch) || !!gone?.();
    const done = (record: SharedRecord, commit: { id: string; outputs: EngineOutput[]; handed: string[]; carrying: boolean; inSlot?: boolean }): void => {
      if (batch) inFlight = null;
      if (commit.carrying) carried = null;
      // Outputs committed in the slot with the record are owed nowhere: nothing to mark.
      adopt(record, commit.outputs, commit.inSlot ? undefined : commit.id);
      // The record shows this page now: it no longer needs to say it is here.
      if (announced && Object.values(record.slots).some((e) => e.tab == me.tab)) unannounce();
      for (const tab of commit.handed) storage.removeItem(handoffKey + tab);
    };
    /**
     * Applies and writes on the latest record; undefined when taken over or when applying failed.
     * `alone` (see `write`): `inSlot` then says the record is this page's own to commit in its slot.
     */
    const attempt = (liveness: Liveness, alone?: boolean) => {
      if (tookOver()) return;
      const base = latest();
      if (changedUnder(base) && !adopt(base)) return;
      let applied: Omit<Applied, 'result'>;
      const carrying = !!(batch && carried);
      const outputs: EngineOutput[] = [];
      const handed: string[] = [];
      try {
        // First the calls pages left at pagehide: they were made before this batch. (Not in a slot
        // claim, which delivers nothing: a page that leaves again before it is verified could not say
        // which slot is owed what, and its first commit of calls comes right after.)
        const record = batch ? withHandoffs(seeded(base), liveness, outputs, handed) : seeded(base);
        // What earlier pages of this slot left unmarked comes first: it was committed before.
        if (carrying) outputs.unshift(...carry(record));
        applied = apply(record, liveness);
      } catch (error) {
        // An engine bug must never reach the host app, nor be retried for ever.
        if (batch) inFlight = null;
        host.alert('invalid-argument', message(122, String(error)));
        return;
      }
      const id = commitId();
      outputs.push(...applied.outputs);
      const inSlot = alone && ownsLatest(base);
      return { id, outputs, handed, carrying, inSlot, record: write(applied.record, base, id, outputs, carrying, alone, inSlot) };
    };

    /**
     * Its kits stage this commit's outputs as it is adopted (no mark: the same write holds the record,
     * staged after them); the lock is held until that write is done, so the next page to take it reads it.
     */
    const commitInSlot = async (commit: NonNullable<ReturnType<typeof attempt>>): Promise<void> => {
      const { handed } = commit;
      done(commit.record, { ...commit, handed: [] });
      await host.pipeline.set(loneKey(), encodeRecord(commit.record));
      for (const tab of handed) storage.removeItem(handoffKey + tab);
    };

    /**
     * Writes, lets other tabs' writes land, and keeps the result only if this write is the one that
     * stuck, else redoes it on the record that won. Outputs are delivered only once verified.
     * `sticky` (with Web Locks, see `steady`): the write names this page `lone`, and once it is the
     * latest the page commits in its slot, as alone.
     */
    const verified = async (liveness: () => Liveness | Promise<Liveness>, sticky?: boolean): Promise<void> => {
      for (let round = 1; ; round++) {
        const commit = attempt(await liveness(), sticky);
        if (!commit) return;
        if (commit.inSlot) return commitInSlot(commit);
        // Memory is private to this tab: nothing to verify. (A write is never kept unverified, however
        // long tabs race: one another tab may have overwritten loses its calls, and may deliver twice.)
        if (storage.degraded) return done(commit.record, commit);
        if (batch) written = commit;
        // A page's hand-off is heard by every tab at once, and each commits it at once (see onStorage):
        // both writes verified if neither reached the other in time, its outputs went out twice. Rare
        // (one per page that left), such a commit lets writes land for longer (see HANDED_SETTLE_MS).
        await letWritesLand(commit.handed.length ? HANDED_SETTLE_MS : SETTLE_MS);
        if (tookOver()) return;
        written = null;
        const after = read();
        if (after.writers.includes(commit.id)) return done(after, commit);
        // Another tab's write stuck: redo on the record that won, after a random pause so that tabs
        // racing each other do not keep colliding in step (each would otherwise lose in turn), longer
        // after each loss (up to 16 × SETTLE_MS) so that a race of many busy tabs thins out.
        if (!adopt(after)) return;
        await letWritesLand(Math.random() * SETTLE_MS * 2 ** Math.min(round - 1, 4));
        if (tookOver()) return;
      }
    };

    // With the page's storage in memory (blocked, as in a sandboxed frame, or failed) nothing is shared
    // with other pages: no lock to take (a sandboxed frame's Web Locks refuse too, which would only
    // warn about coordinating through a storage there is none of).
    const manager = storage.degraded ? null : locks;
    if (manager) {
      let granted: boolean | undefined;
      const signal = present?.signal;
      try {
        // Released at once when the page leaves, and a request not granted yet aborted (see park): a
        // page in the back/forward cache is frozen, and its commit's timers with it. (Before, in real
        // Chromium, every tab's commits waited for good: three requests for the lock, and no holder.)
        const body = async (): Promise<void> => {
          await caughtUpWith(manager);
          await commit();
          await register(manager);
        };
        const commit = async (): Promise<void> => {
          // Holding the lock is not enough: Chromium hands one tab's localStorage writes to the others
          // asynchronously, so the last holder's write (or a page's write at pagehide, which takes no
          // lock) may not be in this tab's copy yet. Let them land first, then verify this write stuck.
          const needsLiveness = batch?.some((q) => LIVENESS_INPUTS.includes(q.input.type));
          const liveness = () => (needsLiveness ? heldSlots(manager) : null);
          // A commit of calls in a storage that works may be the page's own (see write); a slot claim is shared.
          const own = solo && !!batch && !storage.degraded && !host.pipeline.degraded;
          if (storage.degraded || (await alone(manager))) {
            const commit = attempt(await liveness(), own);
            if (!commit?.inSlot) return commit && done(commit.record, commit);
            return commitInSlot(commit);
          }
          await letWritesLand();
          await verified(liveness, own && steady());
        };
        const name = `${namespace}:state`;
        await new Promise<void>((resolve, reject) => {
          let steal: ReturnType<typeof setTimeout> | undefined;
          const run = (): unknown => {
            // (The other request won: see the steal below.)
            if (granted) return;
            granted = true;
            clearTimeout(steal);
            return new Promise((release) => ((dropLock = release), body().finally(() => (release(undefined), resolve()))));
          };
          // (Refused: no steal after it either, the commit goes on by compare-and-set.)
          const fail = (error: unknown): void => void (clearTimeout(steal), granted || reject(error));
          manager.request(name, { signal }, run).catch(fail);
          // Still waiting: take the lock. In real Chromium a page evicted from the back/forward cache
          // left it held by no page, every tab's request waiting for good. A holder still open loses
          // nothing: a commit that waited verifies its write, as without Web Locks.
          steal = setTimeout(() => signal?.aborted || Promise.resolve({ steal: true }).then((options) => manager.request(name, options, run)).catch(fail), LOCK_WAIT_MS);
        });
        return;
      } catch (error) {
        // (A request the page aborted as it left: its calls were taken over, see commitPage.)
        if (granted || signal?.aborted) return;
        // Web Locks refused (e.g. a sandboxed frame): coordinate by compare-and-set from now on.
        host.alert('storage-failure', message(123, String(error)));
        locks = null;
        me = { ...me, cas: true };
        startHeartbeat();
      }
    }
    await verified(() => HEARTBEAT);
  };

  /** Creates the state if there is none, in a commit. */
  const seed = (): Promise<void> => transact((record) => ({ record: seeded(record), outputs: [] }), null);

  // ------------------------------------------------------------------ SharedSession

  const leaving = (): Queued => ({ input: { type: 'close', t: host.nowMs() }, ids: [] });

  /** Another page may be open (or opening, or this page's own place is not verified yet): a write now could not be verified. */
  const others = (base: SharedRecord): boolean =>
    !storage.degraded && !!(announced || opening(host.nowMs()).size || Object.entries(base.slots).some(([slot, entry]) => +slot != me.slot && !entry.closed));

  const submit = (input: Queued['input']): boolean | number | undefined => {
    if (stopped) return undefined;
    // A call of the app after the page left at beforeunload, before any pagehide: it stays after all.
    if (stayed !== undefined && !LIVENESS_INPUTS.includes(input.type)) session.resume();
    const queued: Queued = { input, ids: [] };
    const preview = applyTabInputs(view, me, [queued], host.makeId, null);
    view = preview.record;
    queue.push(queued);
    kick();
    return preview.result;
  };

  const session: SharedSession = {
    async open(h) {
      host = h;
      stopped = parked = unloading = false;
      me = { slot: 0, tab: pageId() };
      events?.addEventListener('storage', onStorage);
      await claim();
      // The first page ever of the origin creates the device id now, in a commit (the tabs opening
      // with it agree on one): the kits start next and must see the device's real id, never ''.
      if (!read().state) await seed();
      view = committed = read();
      // What a page that held this slot before owed its kits, and their commits did not mark: the kits
      // (this page's now, on the same storage) get it with this page's first commit of calls.
      const left = committed.owed?.[me.slot];
      const unsent = left && unmarked(left, await h.pipeline.get(markKey()));
      carried = unsent?.length ? unsent : null;
    },

    ownPrefix: () => `${namespace}:tab${me.slot}:`,

    view: () => view.state,

    submit,

    commitPage(closing) {
      // (Left at beforeunload already: gone now, it need not come back on its own.)
      if (stopped || parked) return (clearTimeout(stayed), (stayed = undefined));
      const base = latest();
      let delivered: readonly EngineOutput[] = [];
      let deliveredId: string | undefined;
      // No lock can be awaited now, and this write could not be verified: a tab that has not seen it yet
      // could overwrite it after this page delivered its outputs. With another page maybe open, the calls
      // are left under this page's own key instead, for the tabs left to commit (see attempt). So too
      // before this page's own first commit is verified (`announced`): its copy of the record may not
      // show a page that opened or came back meanwhile (it has just opened, or was frozen).
      const handing = closing && others(base);
      // A compare-and-set write this page's copy shows is done when no other page can be open; with
      // others maybe open, another's write may not have reached this copy yet: the tabs left decide
      // (see Handoff). Anything else in flight is redone.
      const stuck = written && base.writers.includes(written.id) && ([written.id, inFlight!.length] as const);
      if (stuck && !handing) {
        ({ outputs: delivered, id: deliveredId } = written!);
        if (written!.carrying) carried = null;
      } else if (inFlight) queue = [...inFlight, ...queue];
      inFlight = written = null;
      if (changedUnder(base)) adopt(base);
      const batch = queue;
      queue = [];
      if (closing) batch.push(leaving());
      if (handing) {
        leave({ batch, queued: 0, unsure: stuck || undefined });
        park();
        adopt(base);
        // Still here (a download at beforeunload), it answers with its calls, the tabs' to commit now,
        // on the record it left, until it is back.
        refreshView(batch.filter((q) => q.input.type != 'close'));
        return;
      }
      // Tabs that hold this slot's lock are the only judge of liveness left.
      const applied = applyTabInputs(seeded(base), me, batch, host.makeId, locks ? null : HEARTBEAT);
      const carrying = !!carried;
      const outputs = [...carry(base), ...applied.outputs];
      const id = commitId();
      const record = write(applied.record, base, id, outputs, carrying);
      if (carrying) carried = null;
      if (closing) park();
      adopt(record, [...delivered, ...outputs], id);
    },

    hidden() {
      // (A visibility change alone is not worth it: a page that is gone is judged by its locks or heartbeat.)
      if (stopped || parked || !queue.concat(inFlight ?? []).some((q) => !LIVENESS_INPUTS.includes(q.input.type))) return;
      // A hidden page may be discarded without its pagehide (a phone short of memory): the calls it
      // had not committed would be lost. Alone, it writes them now. Beside other pages it leaves them
      // to the tabs, as at pagehide (its entry closes when they are committed), and is back at once
      // under a new page id.
      try {
        const handing = others(latest());
        this.commitPage(handing);
        // Its kits' records of what they were delivered, and their mark, now too.
        host.pipeline.commitNow?.();
        if (!handing) return;
        // The tab that commits the hand-off drops what the kits marked (else a later page of the slot
        // delivers it again). (None if the page's copy changed its mind within the task: it wrote.)
        if (handoff) leave({ ...handoff, marked: marking });
        this.resume();
        // Its first commit once its slot is claimed again commits them (unless another tab's did first).
        submit({ type: 'tick', t: host.nowMs() });
      } catch (error) {
        // Runs in the page's visibilitychange listener: an engine bug must not surface there.
        host.alert('invalid-argument', message(122, String(error)));
      }
    },

    noteQueued(items) {
      if (stopped) return;
      if (handoff) {
        // Its kits' commit is written now: the tab that commits the hand-off can drop what they marked.
        leave({ ...handoff, queued: items, marked: marking });
        return;
      }
      // Closed at beforeunload, maybe long before this pagehide: a write of the record now, unverified,
      // could undo a commit of the next page, open meanwhile.
      if (!unloading) owedNoMore(items);
    },

    resume() {
      if (stopped || !parked) return;
      parked = unloading = false;
      clearTimeout(stayed);
      stayed = undefined;
      // Calls left at pagehide are committed by whichever tab commits next, this one included. Back
      // under a new page id: the hand-off belongs to the page that left (its slot entry, closed once
      // the hand-off is committed), so no tab can take a reopened slot for that page and commit it again.
      handoff = null;
      const was = me;
      past.add(me.tab);
      me = { ...me, tab: pageId() };
      try {
        // Other pages' commits meanwhile reached it as no storage event (see onStorage): its answers
        // catch up now, not at the next write of a page (a page back after a download's beforeunload
        // answered with the session as it left it).
        if (!storage.degraded) adopt(read()), host.changed();
      } catch {
        // Its next commit reads the record again.
      }
      claiming = claim(was);
      kick();
    },

    async caughtUp() {
      for (;;) {
        const pending = loop ?? claiming;
        if (!pending) return;
        await pending.catch(() => undefined);
        if (pending === claiming) claiming = null;
      }
    },

    async clearTabs(stop) {
      queue = [];
      inFlight = written = carried = null;
      if (stop) {
        park();
        stopped = true;
        events?.removeEventListener('storage', onStorage);
      }
      // The record this page's slot may hold goes through its log too, whose compaction would write it again.
      if (host) await host.pipeline.remove(loneKey());
      // Every key of the namespace: the record, every slot's outboxes and ledgers (closed tabs' too).
      storage.clear(optOutKey(namespace));
      view = committed = EMPTY_RECORD;
      // (Its revision is of the life cleared.)
      dropRev();
      // Still open: a fresh install, whose device id the kits read at once (the other tabs see a new life).
      if (!stop && !stopped) await seed();
    },

    async closeTab() {
      if (stopped) return;
      if (!parked) {
        queue.push(leaving());
        kick();
        await this.caughtUp();
      }
      park();
      stopped = true;
      events?.removeEventListener('storage', onStorage);
    },
  };
  return session;
}
