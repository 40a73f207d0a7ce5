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
 */
import type { EngineInput } from '../engine/inputs';
import type { EngineOutput } from '../engine/outputs';
import type { EngineConfig, EngineState } from '../engine/state';
import type { SharedSession, SharedSessionHost } from '../shared-session';
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
  type SharedRecord,
  type TabInput,
  type TabPlace,
} from './shared-record';
import type { PageStorage } from './web-storage';

/** The part of the Web Locks API (`navigator.locks`) tabs coordinate with. */
export interface LockManagerLike {
  request(name: string, callback: (lock: unknown) => unknown): Promise<unknown>;
  request(name: string, options: { ifAvailable?: boolean }, callback: (lock: unknown) => unknown): Promise<unknown>;
  query(): Promise<{ held?: ReadonlyArray<{ name?: string }> }>;
}

/** Where `storage` events of other tabs arrive (`window`). */
export interface StorageEventSource {
  addEventListener(type: 'storage', listener: (event: { key: string | null; newValue: string | null }) => void): void;
  removeEventListener(type: 'storage', listener: (event: { key: string | null; newValue: string | null }) => void): void;
}

/** Timers (the page's, or fakes in tests). */
export interface TabTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options of {@link TabSession}. */
export interface TabSessionOptions {
  readonly storage: PageStorage;
  /** The hub's namespace: keys `<namespace>:shared`, `<namespace>:tab<slot>:…`, locks `<namespace>:…`. */
  readonly namespace: string;
  /** Web Locks, or null for the compare-and-set fallback. */
  readonly locks: LockManagerLike | null;
  readonly events: StorageEventSource | null;
  readonly timers: TabTimers;
  /** Without Web Locks: how long a commit waits for concurrent writes of other tabs to land before checking it won. */
  readonly settleMs?: number;
  /** Without Web Locks: how often an open tab commits to show it is open. */
  readonly heartbeatMs?: number;
  /** Without Web Locks: a tab silent for this long counts as closed. */
  readonly staleAfterMs?: number;
}

interface Queued {
  readonly input: TabInput;
  /** Ids the preview drew, so the commit draws the same ones. */
  readonly ids: string[];
}

/** Gives up verifying a compare-and-set after this many lost rounds (another tab then keeps rewriting). */
const MAX_CAS_ROUNDS = 8;

const LIVENESS_INPUTS = new Set<TabInput['type']>(['launch', 'foreground', 'background', 'tick', 'close']);
const UNKNOWN: Liveness = { kind: 'unknown' };

/** @internal The browser's {@link SharedSession}. */
export class TabSession implements SharedSession {
  private readonly storage: PageStorage;
  private readonly namespace: string;
  /** Set to null if the browser refuses them (then the compare-and-set fallback takes over). */
  private locks: LockManagerLike | null;
  private readonly events: StorageEventSource | null;
  private readonly timers: TabTimers;
  private readonly settleMs: number;
  private readonly heartbeatMs: number;
  private readonly staleAfterMs: number;
  private readonly recordKey: string;

  private host: SharedSessionHost | null = null;
  private place: TabPlace = { slot: 0, tab: '' };
  /** The record as last read or written. */
  private committed: SharedRecord = EMPTY_RECORD;
  /** `committed` plus this tab's calls not yet committed. */
  private viewRecord: SharedRecord = EMPTY_RECORD;
  private queue: Queued[] = [];
  /** The batch a commit is working on (taken over by a synchronous commit at page hide). */
  private inFlight: Queued[] | null = null;
  /** Without Web Locks: the in-flight batch was written under this commit id and awaits verification. */
  private inFlightWrite: { id: string; outputs: EngineOutput[] } | null = null;
  private loop: Promise<void> | null = null;
  private claiming: Promise<void> | null = null;
  private releaseSlot: (() => void) | null = null;
  /** The tab gave its slot up (page hidden for good, or in the back/forward cache). */
  private parked = false;
  private stopped = false;
  private heartbeat: unknown = null;
  private commitSeq = 0;
  private readonly onStorage = (event: { key: string | null; newValue: string | null }): void => this.storageChanged(event);

  constructor(options: TabSessionOptions) {
    this.storage = options.storage;
    this.namespace = options.namespace;
    this.locks = options.locks;
    this.events = options.events;
    this.timers = options.timers;
    this.settleMs = options.settleMs ?? 50;
    this.heartbeatMs = options.heartbeatMs ?? 30_000;
    this.staleAfterMs = options.staleAfterMs ?? 180_000;
    this.recordKey = `${this.namespace}:shared`;
  }

  // ---------------------------------------------------------------- SharedSession

  async open(host: SharedSessionHost): Promise<void> {
    this.host = host;
    this.place = { slot: 0, tab: host.newId() };
    this.committed = this.read();
    this.events?.addEventListener('storage', this.onStorage);
    await this.claim(false);
    this.viewRecord = this.committed;
  }

  ownPrefix(): string {
    return `${this.namespace}:tab${this.place.slot}:`;
  }

  view(): EngineState | null {
    return this.host ? this.viewRecord.state : null;
  }

  /** The slot this tab holds (for tests and diagnostics). */
  get slot(): number {
    return this.place.slot;
  }

  submit(input: EngineInput): boolean | number | undefined {
    const host = this.host;
    if (!host || this.stopped) return undefined;
    const ids: string[] = [];
    const preview = applyTabInputs(this.viewRecord, this.place, [{ input, ids }], host.newId, UNKNOWN);
    this.viewRecord = preview.record;
    this.queue.push({ input, ids });
    this.kick();
    return preview.result;
  }

  commitNow(closing: boolean): void {
    const host = this.host;
    if (!host || this.stopped || this.parked) return;
    let record = this.read();
    let delivered: EngineOutput[] = [];
    let batch = this.queue;
    const written = this.inFlightWrite;
    if (this.inFlight && written && record.writers.includes(written.id)) delivered = written.outputs;
    else if (this.inFlight) batch = [...this.inFlight, ...batch];
    this.inFlight = null;
    this.inFlightWrite = null;
    this.queue = [];
    if (closing) batch = [...batch, { input: { type: 'close', t: host.now() }, ids: [] }];
    // No lock can be awaited now; tabs that hold this slot's lock are the only judge of liveness left.
    const liveness: Liveness = this.locks ? UNKNOWN : this.heartbeatLiveness();
    const applied = applyTabInputs(record, this.place, batch, host.newId, liveness);
    record = this.write(applied.record, this.nextCommitId(), record);
    if (closing) this.park();
    this.committedWith(record, [...delivered, ...applied.outputs]);
  }

  noteQueued(items: number): void {
    if (!this.host || this.stopped) return;
    const record = this.read();
    const next = noteQueued(record, this.place, items);
    if (next !== record) this.committed = this.write(next, this.nextCommitId(), record);
  }

  resume(): void {
    if (!this.host || this.stopped || !this.parked) return;
    this.parked = false;
    this.claiming = this.claim(true);
    this.kick();
  }

  async settled(): Promise<void> {
    for (;;) {
      const pending = this.loop ?? this.claiming;
      if (!pending) return;
      await pending.catch(() => undefined);
      if (pending === this.claiming) this.claiming = null;
    }
  }

  async close(): Promise<void> {
    const host = this.host;
    if (!host || this.stopped) return;
    if (!this.parked) {
      this.queue.push({ input: { type: 'close', t: host.now() }, ids: [] });
      this.kick();
      await this.settled();
    }
    this.park();
    this.stopped = true;
    this.events?.removeEventListener('storage', this.onStorage);
  }

  // ---------------------------------------------------------------- slots

  /**
   * Takes a slot: with Web Locks, the first candidate whose lock is free (held until the page
   * leaves); without, the first candidate no open tab holds, inside a verified commit. On a resume,
   * the tab keeps its slot if no other page took it meanwhile, else moves to a never-used one.
   */
  private async claim(resuming: boolean): Promise<void> {
    const host = this.host as SharedSessionHost;
    const keep = resuming ? this.place.slot : null;
    if (this.locks) {
      for (let round = 0; round < 8; round++) {
        const held = await this.heldSlots();
        const record = this.read();
        const untouched = keep !== null && record.slots[keep]?.tab === this.place.tab;
        const candidates = keep === null ? slotCandidates(record, host.now(), { kind: 'locks', held }) : untouched ? [keep] : [unusedSlot(record)];
        for (const slot of candidates) {
          if (held.has(slot)) continue;
          const release = await this.tryLock(this.slotLock(slot));
          if (release) return this.settle(slot, release, keep);
        }
        if (keep !== null && untouched) {
          // Another page took the slot between the check and the lock: move to a fresh one.
          continue;
        }
      }
      // Every round lost a race; fall back to a slot no record names (correct, just not reused later).
      return this.settle(unusedSlot(this.read()) + 1000, null, keep);
    }
    let chosen = this.place.slot;
    await this.transact(
      (record) => {
        const now = host.now();
        const liveness = this.heartbeatLiveness();
        const untouched = keep !== null && record.slots[keep]?.tab === this.place.tab;
        chosen = keep === null ? (slotCandidates(record, now, liveness)[0] as number) : untouched ? keep : unusedSlot(record);
        return { record: takeSlot(record, { slot: chosen, tab: this.place.tab }, now), outputs: [], result: true };
      },
      null,
    );
    this.settle(chosen, null, keep);
    this.startHeartbeat();
  }

  private settle(slot: number, release: (() => void) | null, kept: number | null): void {
    if (kept !== null && slot !== kept) {
      this.host?.warn(
        'storage-failure',
        `this tab came back after another page took its storage slot ${kept}; it continues in slot ${slot} (items it had queued may be sent twice)`,
      );
    }
    this.place = { slot, tab: this.place.tab };
    this.releaseSlot = release;
  }

  private park(): void {
    this.parked = true;
    this.releaseSlot?.();
    this.releaseSlot = null;
    if (this.heartbeat !== null) this.timers.clearTimeout(this.heartbeat);
    this.heartbeat = null;
  }

  private slotLock(slot: number): string {
    return `${this.namespace}:slot:${slot}`;
  }

  private async heldSlots(): Promise<Set<number>> {
    const held = new Set<number>();
    const prefix = `${this.namespace}:slot:`;
    try {
      const snapshot = await (this.locks as LockManagerLike).query();
      for (const lock of snapshot.held ?? []) {
        if (typeof lock.name === 'string' && lock.name.startsWith(prefix)) held.add(Number(lock.name.slice(prefix.length)));
      }
    } catch {
      // Unknown liveness counts nobody as open; the slot locks themselves still keep tabs apart.
    }
    return held;
  }

  /** Requests a lock only if it is free; resolves with its release function, or null. */
  private tryLock(name: string): Promise<(() => void) | null> {
    const locks = this.locks as LockManagerLike;
    return new Promise((resolve) => {
      locks
        .request(name, { ifAvailable: true }, (lock) => {
          if (!lock) return resolve(null);
          return new Promise<void>((release) => resolve(() => release()));
        })
        .catch(() => resolve(null));
    });
  }

  private heartbeatLiveness(): Liveness {
    return { kind: 'heartbeat', staleAfterMs: this.staleAfterMs };
  }

  /** Without Web Locks an open tab commits now and then, so others know it is open. */
  private startHeartbeat(): void {
    if (this.locks || this.stopped || this.parked) return;
    if (this.heartbeat !== null) this.timers.clearTimeout(this.heartbeat);
    this.heartbeat = this.timers.setTimeout(() => {
      this.heartbeat = null;
      const host = this.host;
      if (!host || this.stopped || this.parked) return;
      if (this.queue.length === 0) this.submit({ type: 'tick', t: host.now() });
      this.startHeartbeat();
    }, this.heartbeatMs);
  }

  // ---------------------------------------------------------------- commits

  /** Commits the queue after the current synchronous burst of calls, one batch at a time. */
  private kick(): void {
    if (this.loop || !this.host || this.stopped) return;
    this.loop = (async () => {
      await Promise.resolve();
      try {
        if (this.claiming) await this.claiming;
        while (this.queue.length > 0 && !this.parked && !this.stopped) {
          const batch = this.queue;
          this.queue = [];
          this.inFlight = batch;
          await this.commitBatch(batch);
        }
      } finally {
        this.loop = null;
        if (this.queue.length > 0 && !this.parked && !this.stopped) this.kick();
      }
    })();
  }

  private async commitBatch(batch: Queued[]): Promise<void> {
    const host = this.host as SharedSessionHost;
    const needsLiveness = batch.some((q) => LIVENESS_INPUTS.has(q.input.type));
    await this.transact((record, liveness) => applyTabInputs(record, this.place, batch, host.newId, liveness), batch, needsLiveness);
  }

  /**
   * Runs `apply` on the latest record and writes the result, exclusively among tabs; delivers the
   * outputs once the write is known to have won. `batch` is the in-flight batch (null for a slot
   * claim); if a synchronous commit took it over meanwhile, nothing more is done.
   */
  private async transact(
    apply: (record: SharedRecord, liveness: Liveness) => Applied,
    batch: Queued[] | null,
    needsLiveness = false,
  ): Promise<void> {
    const tookOver = (): boolean => batch !== null && this.inFlight !== batch;
    const locks = this.locks;
    if (locks) {
      let granted = false;
      try {
        await locks.request(`${this.namespace}:state`, async () => {
          granted = true;
          const liveness: Liveness = needsLiveness ? { kind: 'locks', held: await this.heldSlots() } : UNKNOWN;
          if (tookOver()) return;
          const base = this.read();
          let applied: Applied;
          try {
            applied = apply(base, liveness);
          } catch (error) {
            // An engine bug must never reach the host app, nor be retried for ever.
            if (batch) this.inFlight = null;
            this.host?.warn('invalid-argument', `internal error while committing; the calls were ignored (${String(error)})`);
            return;
          }
          const record = this.write(applied.record, this.nextCommitId(), base);
          if (batch) this.inFlight = null;
          this.committedWith(record, applied.outputs);
        });
      } catch (error) {
        if (granted) return;
        // Web Locks refused (e.g. a sandboxed frame): coordinate by compare-and-set from now on.
        this.host?.warn('storage-failure', `Web Locks failed (${String(error)}); tabs now coordinate through localStorage alone`);
        this.locks = null;
        this.startHeartbeat();
        return this.transact(apply, batch, needsLiveness);
      }
      return;
    }
    for (let round = 1; ; round++) {
      if (tookOver()) return;
      const base = this.read();
      let applied: Applied;
      try {
        applied = apply(base, this.heartbeatLiveness());
      } catch (error) {
        if (batch) this.inFlight = null;
        this.host?.warn('invalid-argument', `internal error while committing; the calls were ignored (${String(error)})`);
        return;
      }
      const id = this.nextCommitId();
      this.write(applied.record, id, base);
      if (round > MAX_CAS_ROUNDS || this.storage.degraded) {
        // Memory is private to this tab (nothing to verify), or another tab keeps winning: keep this write.
        if (batch) this.inFlight = null;
        this.committedWith(this.read(), applied.outputs);
        return;
      }
      if (batch) this.inFlightWrite = { id, outputs: applied.outputs };
      await this.sleep(this.settleMs);
      if (tookOver()) return;
      this.inFlightWrite = null;
      const after = this.read();
      if (after.writers.includes(id)) {
        if (batch) this.inFlight = null;
        this.committedWith(after, applied.outputs);
        return;
      }
      // Another tab's write stuck: redo this batch on the record that won.
      this.committed = after;
    }
  }

  /** Adopts a committed record and delivers the outputs of the commit that made it. */
  private committedWith(record: SharedRecord, outputs: readonly EngineOutput[]): void {
    this.committed = record;
    this.refreshView();
    if (outputs.length > 0) this.host?.deliver(outputs);
  }

  /** The view is the committed record plus this tab's calls not yet committed, replayed with the same ids. */
  private refreshView(): void {
    const host = this.host;
    if (!host) return;
    const pending = this.inFlight ? [...this.inFlight, ...this.queue] : this.queue;
    try {
      this.viewRecord = pending.length === 0 ? this.committed : applyTabInputs(this.committed, this.place, pending, host.newId, UNKNOWN).record;
    } catch {
      // A preview is only a view: the commit decides (and reports a failure).
      this.viewRecord = this.committed;
    }
  }

  private storageChanged(event: { key: string | null; newValue: string | null }): void {
    if (this.stopped || this.storage.degraded || (event.key !== null && event.key !== this.recordKey)) return;
    try {
      this.committed = this.decode(event.key === null ? null : event.newValue);
      this.refreshView();
      this.host?.changed();
    } catch {
      // The next commit reads the record again.
    }
  }

  // ---------------------------------------------------------------- storage

  private read(): SharedRecord {
    return this.decode(this.storage.getItem(this.recordKey));
  }

  private decode(text: string | null): SharedRecord {
    const config: EngineConfig | undefined = this.host?.config;
    if (!config) return EMPTY_RECORD;
    const { record, problem } = decodeRecord(text, config);
    if (problem) this.host?.warn('corrupt-state', `${problem}; it was replaced by a fresh one`);
    return record;
  }

  /** Writes `record`, computed from `base` (read in this same task), as the next revision, with `id` as its writer. */
  private write(record: SharedRecord, id: string, base: SharedRecord): SharedRecord {
    const next: SharedRecord = {
      ...record,
      rev: base.rev + 1,
      writers: [...base.writers, id].slice(-WRITERS_KEPT),
    };
    this.storage.setItem(this.recordKey, encodeRecord(next));
    return next;
  }

  private nextCommitId(): string {
    return `${this.place.tab}:${++this.commitSeq}`;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.timers.setTimeout(resolve, ms));
  }
}
