import type { SafeStorage } from '@sessionhub/core';

/**
 * Persistence layout of an outbox, inside the kit's namespaced storage:
 * - `outbox:<seq>` — one item, `{"at":<enqueued, epoch ms>,"item":<the item>}`;
 * - `outbox:meta` — `{"head":<lowest seq kept>,"tail":<next seq>}`, plus `"wait":[<set at>,<until>]`
 *   while a vendor's Retry-After is pending (epoch ms), so a relaunch waits it out too.
 * One key per item keeps an enqueue O(1) in bytes written, however long the queue. Items are written
 * before the meta, and the meta is a hint: loading reads [head, tail), skips missing keys (delivered
 * but the meta was not yet updated) and probes past tail (written but the meta was not), so a
 * force-quit between the two writes loses nothing.
 */
const META = 'outbox:meta';
const key = (seq: number): string => 'outbox:' + seq;
/** Reads at most this many keys in one load, so a corrupt meta cannot make loading run for ever. */
const MAX_RANGE = 100_000;

/** An item as persisted, with its sequence number. */
export interface StoredItem<T> {
  readonly seq: number;
  readonly at: number;
  readonly item: T;
}

/** Write-behind persistence: writes made in one synchronous burst go out together, in order after earlier bursts. */
/** A vendor's Retry-After: when it was received and until when it holds (epoch ms). */
export type VendorWait = readonly [setAt: number, until: number];

export interface OutboxStore<T> {
  /** Reads what earlier runs left, oldest first, the next free sequence number and a pending vendor wait. */
  load(): Promise<{ items: StoredItem<T>[]; tail: number; wait?: VendorWait }>;
  /** Persists an item (`json` is the item's JSON text). */
  put(seq: number, at: number, json: string): void;
  remove(seq: number): void;
  /** Records the queue's range (and a vendor wait still pending); written after the items of the same burst. */
  setRange(head: number, tail: number, wait?: VendorWait): void;
  /** Resolves once everything written so far is in storage. */
  settled(): Promise<void>;
  /** Starts every pending write now, bypassing the chain (page hide: synchronous storages finish at once). */
  writeNow(): void;
}

/** @param warn reports a problem (the outbox prefixes its name) */
export function outboxStore<T>(storage: SafeStorage, warn: (message: string) => void): OutboxStore<T> {
  let pending = new Map<string, string | null>();
  // The range to persist; -1 until the outbox has loaded, so nothing overwrites the index before it is read.
  let rangeHead = -1;
  let rangeTail = 0;
  let rangeWait = '';
  let writtenRange = '';
  let chain: Promise<void> = Promise.resolve();
  let scheduled = false;

  const write = (k: string, v: string | null): Promise<void> => (v === null ? storage.remove(k) : storage.set(k, v));
  const takeWrites = (): Promise<void>[] => {
    const writes = [...pending].map(([k, v]) => write(k, v));
    pending = new Map();
    return writes;
  };
  const takeRange = (): Promise<void> | undefined => {
    const range = `{"head":${rangeHead},"tail":${rangeTail}${rangeWait}}`;
    if (rangeHead < 0 || range === writtenRange) return undefined;
    writtenRange = range;
    return storage.set(META, range);
  };
  const drain = async (): Promise<void> => {
    scheduled = false;
    await Promise.all(takeWrites());
    await takeRange();
  };
  const failed = (error: unknown): void => warn(`write failed: ${String(error)}`);
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    chain = chain.then(drain).catch(failed);
  };

  return {
    async load() {
      const raw = await storage.get(META);
      let head = 0;
      let tail = 0;
      let wait: unknown;
      if (raw !== null) {
        try {
          ({ head, tail, wait } = JSON.parse(raw) as { head: number; tail: number; wait?: unknown });
        } catch {
          head = NaN; // reported below
        }
        if (!(Number.isSafeInteger(head) && Number.isSafeInteger(tail) && head <= tail)) {
          warn('unreadable queue index; starting empty');
          head = tail = 0;
        }
      }
      head = Math.max(head, tail - MAX_RANGE);
      const items: StoredItem<T>[] = [];
      /** Reads one stored item; false when there is none under that seq. */
      const read = (seq: number, text: string | null): boolean => {
        if (text === null) return false;
        try {
          const { at, item } = JSON.parse(text) as { at: unknown; item: T };
          if (typeof at != 'number' || item === undefined) throw at;
          items.push({ seq, at, item });
        } catch {
          warn(`skipping unreadable item ${seq}`);
          pending.set(key(seq), null);
        }
        return true;
      };
      const seqs = Array.from({ length: tail - head }, (_, i) => head + i);
      const texts = await Promise.all(seqs.map((s) => storage.get(key(s))));
      seqs.forEach((s, i) => read(s, texts[i]!));
      // Items written after the last index update (a force-quit between the two writes).
      while (read(tail, await storage.get(key(tail)))) tail++;
      if (pending.size) schedule();
      const valid = Array.isArray(wait) && wait.length == 2 && wait.every(Number.isFinite);
      return valid ? { items, tail, wait: wait as [number, number] } : { items, tail };
    },
    put(seq, at, json) {
      pending.set(key(seq), `{"at":${at},"item":${json}}`);
      schedule();
    },
    remove(seq) {
      pending.set(key(seq), null);
      schedule();
    },
    setRange(head, tail, wait) {
      rangeHead = head;
      rangeTail = tail;
      rangeWait = wait ? `,"wait":[${wait[0]},${wait[1]}]` : '';
      schedule();
    },
    settled: () => chain,
    writeNow() {
      void Promise.all(takeWrites()).then(takeRange).catch(failed);
    },
  };
}
