import type { SafeStorage } from '@sessionhub/core';
import { errorText } from './error-text';
import { message } from './messages';
import { flatString } from './flat-string';

/**
 * Persistence layout of an outbox, inside the kit's namespaced storage:
 * - `outbox:<seq>` — one item, `{"at":<enqueued, epoch ms>,"item":<the item>}` (`"keep":1` after
 *   `at` for an item never dropped to make room); empty once dropped to make room in a full storage;
 * - `outbox:meta` — `{"head":<lowest seq kept>,"tail":<next seq>}`, plus `"wait":[<set at>,<until>]`
 *   while a vendor's Retry-After is pending (epoch ms), so a relaunch waits it out too.
 * One key per item keeps an enqueue O(1) in bytes written, however long the queue. The meta is a
 * hint, written after the items of its burst: loading reads [head, tail), skips missing keys
 * (delivered but the meta was not yet updated) and probes past tail (written but the meta was not),
 * so a force-quit between writes loses nothing.
 */
const META = 'outbox:meta';
/** Where the items' keys start (the meta's too, which is never removed). */
export const ITEMS = 'outbox:';
export const itemKey = (seq: number): string => ITEMS + seq;
/**
 * Reads at most this many keys in one load, so a corrupt meta cannot make loading run for ever: the
 * most `maxQueueItems` allows (delivery-options.ts).
 */
const MAX_RANGE = 100_000;

/** An item as persisted, with its sequence number. */
export interface StoredItem<T> {
  readonly seq: number;
  readonly at: number;
  readonly item: T;
  /** Never dropped to make room (see `Outbox.enqueue`). */
  readonly keep?: boolean;
}

/** A vendor's Retry-After: when it was received and until when it holds (epoch ms). */
export type VendorWait = readonly [setAt: number, until: number];

/** The queue's index: its range of sequence numbers and a vendor wait still pending. */
export interface QueueIndex {
  readonly head: number;
  readonly tail: number;
  readonly wait?: VendorWait | undefined;
}

/** Write-behind persistence: writes made in one synchronous burst join the storage's commit of that burst. */
export interface OutboxStore<T> {
  /** Reads what earlier runs left, oldest first, the next free sequence number and a pending vendor wait. */
  load(): Promise<{ items: StoredItem<T>[]; tail: number; wait?: VendorWait | undefined }>;
  /** Persists an item (`json` is the item's JSON text). */
  put(seq: number, at: number, json: string, keep?: boolean): void;
  /**
   * Removes items, then stages the index once. `lazy` (delivered items): the removals may wait for
   * the requests under way (see `SafeStorage.remove`); a kill meanwhile sends them again.
   */
  remove(items: readonly { readonly seq: number }[], lazy?: boolean): void;
  /** The index changed without an item write (a vendor wait): writes it with the next burst. */
  saveIndex(): void;
  /** Resolves once everything written so far was committed (or failed, to be retried: see `SafeStorage.degraded`). */
  settled(): Promise<unknown>;
  /**
   * Commits what is staged now (page hide: synchronous storages finish at once). `removals` (before
   * the pump's next request): only if the last delivered items' removals still wait for a commit.
   */
  writeNow(removals?: true): void;
  /** A flush (or a page hide's request) starts; the returned function ends it (see `SafeStorage.busy`). */
  busy(): () => void;
}

/**
 * @param warn reports a problem (the outbox prefixes its name)
 * @param index the queue's index as it is now, read when a burst's writes go out; undefined until
 *   the outbox has loaded, so nothing overwrites the stored one before it is read
 * @param decode an item from its stored JSON value (a throw: unreadable)
 */
export function outboxStore<T>(
  storage: SafeStorage,
  warn: (message: string) => void,
  index: () => QueueIndex | undefined,
  decode: (value: unknown) => T = (value) => value as T,
): OutboxStore<T> {
  let writtenMeta: string | undefined;
  let written: QueueIndex | undefined;
  /** An item was removed since the index was last written. */
  let removed = false;
  /**
   * The index as it is now, or undefined when storage needs no new one: items appended since the
   * stored one follow its tail without a gap, and loading finds them there (it reads past the tail);
   * only a removal or a new head makes it stale (or a vendor wait: then it is written as before).
   */
  const meta = (): string | undefined => {
    const now = index();
    if (!now || (written && !removed && now.head == written.head && !now.wait && !written.wait)) return undefined;
    const text = JSON.stringify(now);
    if (text == writtenMeta) return undefined;
    removed = false;
    written = now;
    return (writtenMeta = text);
  };
  const failed = (error: unknown): void => warn(message(211, errorText(error)));
  /** The key of the last item removed lazily (see `writeNow`). */
  let lazyKey: string | undefined;
  let scheduled = false;
  let chain: Promise<unknown> = Promise.resolve();
  /**
   * The index goes after the items and removals of its burst, never before: a kill in between would
   * leave the removed items of a head it had already moved past for good. With the hub's commit
   * pipeline it is produced when the burst commits (`setLater`); on a plain storage, a microtask later.
   */
  const saveIndex = (lazy?: boolean): void => {
    if (storage.setLater) return storage.setLater(META, meta, lazy);
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      const text = meta();
      if (text !== undefined) chain = storage.set(META, text).then(undefined, failed);
    });
  };
  /** The last answer of the storage watched for a failure (the hub's pipeline answers a burst's writes with one promise). */
  let watched: Promise<void> | undefined;
  /** A write's answer: the storage stages it for this burst's commit. It should never reject; one that does is reported. */
  const watch = (done: Promise<void>): void => {
    if (done != watched) (watched = done).then(undefined, failed);
  };
  /**
   * Only a removal makes the stored index stale (an append follows its tail, where loading probes),
   * so only removals stage it: after themselves. (An append staged later in the burst may then come
   * after the index, which names it already: a kill between them leaves a missing key, skipped.)
   */
  const remove = (items: readonly { readonly seq: number }[], lazy?: boolean): void => {
    for (const { seq } of items) {
      const key = itemKey(seq);
      watch(storage.remove(key, lazy));
      if (lazy) lazyKey = key;
    }
    removed = true;
    saveIndex(lazy);
  };

  return {
    async load() {
      const raw = await storage.get(META);
      let head = 0;
      let tail = 0;
      let wait: unknown;
      try {
        // None stored: nothing was removed yet, and the items (if any) are found from 0 on.
        if (raw !== null) {
          ({ head, tail, wait } = JSON.parse(raw) as { head: number; tail: number; wait?: unknown });
          if (!([head, tail].every(Number.isSafeInteger) && head <= tail)) throw raw;
        }
        // Stored as it is: loading finds the items appended since, so only a new head or a removal rewrites it.
        written = { head, tail, wait: wait as VendorWait };
      } catch {
        warn(message(202));
        head = tail = 0;
        written = undefined;
      }
      head = Math.max(head, tail - MAX_RANGE);
      const items: StoredItem<T>[] = [];
      /** Reads one stored item; false when there is none under that seq. */
      const read = (seq: number, text: string | null): boolean => {
        if (text === null) return false;
        try {
          const { at, item, keep } = JSON.parse(text) as { at: unknown; item: unknown; keep?: 1 };
          if (typeof at != 'number' || item === undefined) throw at;
          items.push({ seq, at, item: decode(item), keep: !!keep });
        } catch {
          // Emptied: dropped to make room in a full storage (and reported then), its removal not yet stored.
          if (text) warn(message(212, seq));
          remove([{ seq }]);
        }
        return true;
      };
      const texts = await Promise.all(Array.from({ length: tail - head }, (_, i) => storage.get(itemKey(head + i))));
      texts.forEach((text, i) => read(head + i, text));
      // Items written after the last meta update (a force-quit between the two writes).
      while (read(tail, await storage.get(itemKey(tail)))) tail++;
      const valid = Array.isArray(wait) && wait.length == 2 && wait.every(Number.isFinite);
      // A corrupt saved wait must not stall the queue silently: say so, and send as usual.
      if (wait !== undefined && !valid) warn(message(203, JSON.stringify(wait)));
      return { items, tail, wait: valid ? (wait as VendorWait) : undefined };
    },
    // Around the item's text, not a copy of it: a storage that keeps values in memory (the Node
    // journal) shares that text with the outbox; the head made flat is one string, not four pieces.
    put: (seq, at, json, keep) => watch(storage.set(itemKey(seq), flatString(`{"at":${at}${keep ? ',"keep":1' : ''},"item":`) + json + '}')),
    remove,
    saveIndex: () => saveIndex(),
    settled: () => (storage.settled ? storage.settled() : chain),
    writeNow(removals) {
      // Once committed, that key is not staged again (no two items share one).
      if (!removals || lazyKey) storage.commitNow?.(removals && lazyKey);
    },
    busy: () => storage.busy?.() ?? (() => {}),
  };
}
