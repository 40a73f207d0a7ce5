import { decodeWrites, encodeWrite } from './record-codec';
import type { StorageAdapter, StorageWrite } from './storage-adapter';

/**
 * Segment keys per group. Commit n of a group overwrites segment n mod 16, the oldest: its values
 * still live (an item not yet delivered 16 commits later, rare while the network works) are written
 * again in the new record, so an overwrite never loses one.
 */
export const SEGMENTS = 16;

/**
 * The keys a segment log keeps: the hub's state and everything under a kit's prefix, grouped by the
 * prefix before them (`sessionhub:`, or a browser tab's `sessionhub:tab0:`). Other keys (the
 * opt-out, which other tabs listen to) stay keys of their own.
 */
const GROUP = /^(.*?:)(?:kit:|state$)/;

/** `<group>seg:<i>`: the segment keys of a group. */
export const segmentKey = (group: string, i: number): string => `${group}seg:${i}`;

interface Group {
  readonly prefix: string;
  /** Live keys per segment. */
  readonly live: number[];
  next: number;
  /** Key → the segment that holds its value. */
  readonly where: Map<string, number>;
  /** Keys the log removed: not looked up in the per-key layout of earlier versions. */
  readonly gone: Set<string>;
}

const isThenable = (v: unknown): v is PromiseLike<unknown> => !!v && typeof (v as PromiseLike<unknown>).then == 'function';

/** Runs `gen`, synchronously for as long as what it yields is not a promise. */
function drive<T>(gen: Generator<unknown, T, any>): T | Promise<T> {
  const go = (r: IteratorResult<unknown, T>): T | Promise<T> => {
    while (!r.done) {
      const v = r.value;
      if (isThenable(v)) return Promise.resolve(v).then((x) => go(gen.next(x)), (e: unknown) => go(gen.throw(e)));
      r = gen.next(v);
    }
    return r.value;
  };
  return go(gen.next());
}

/** A record: `<seq>\n` then its writes ({@link encodeWrite}), keys relative to the group. */
function decodeRecord(text: string | null | undefined, prefix: string): [number, StorageWrite[]] | null {
  if (typeof text != 'string') return null;
  const nl = text.indexOf('\n');
  const seq = Number(text.slice(0, nl));
  const writes = nl > 0 && Number.isSafeInteger(seq) ? decodeWrites(text, nl + 1) : null;
  return writes && [seq, writes.map(([k, v]) => [prefix + k, v])];
}

/** What the commit pipeline needs of a storage: reads, and commits in one call. */
export type CommitStore = Pick<StorageAdapter, 'getItem' | 'compact' | 'notice'> & Required<Pick<StorageAdapter, 'commit'>>;

/**
 * Keeps the hub's and the kits' keys of a key-by-key storage (localStorage, AsyncStorage, a custom
 * adapter) in a few segment keys per group instead of a key per item: each commit is one record,
 * written with one `setItem` — all of it or, after a kill, none of it — into the oldest of
 * {@link SEGMENTS} segments. Delivered items cost a few bytes in a later record and disappear when
 * their segment is overwritten: no `removeItem` per item.
 *
 * Keys stored one per key by earlier versions are still read (a key the log does not hold is looked
 * up as it was stored before); the next record of its group takes it in and the old key is removed.
 * Answers synchronously as long as the storage does (localStorage at page hide).
 */
export function segmentLog(adapter: StorageAdapter): CommitStore {
  const groups = new Map<string, Group | Promise<Group>>();
  /**
   * Keys found in the per-key layout of earlier versions: the next record of their group takes in
   * those it does not write itself, then the old keys are removed.
   */
  const legacy = new Map<string, string>();
  /** Decoded segments read lately (by `getItem`); a commit drops the one it overwrites. */
  const cache = new Map<string, Map<string, string | null>>();
  let tail: Promise<void> | undefined;

  function* load(prefix: string): Generator<unknown, Group, any> {
    const g: Group = { prefix, live: Array(SEGMENTS).fill(0), next: 0, where: new Map(), gone: new Set() };
    const records: Array<[number, number, StorageWrite[]]> = [];
    for (let i = 0; i < SEGMENTS; i++) {
      const r = decodeRecord((yield adapter.getItem(segmentKey(prefix, i))) as string | null, prefix);
      if (r) records.push([r[0], i, r[1]]);
    }
    records.sort((a, b) => a[0] - b[0]);
    for (const [seq, i, writes] of records) {
      g.next = seq + 1;
      for (const [k, v] of writes) {
        const was = g.where.get(k);
        if (was !== undefined) g.live[was]!--;
        if (v === null) g.where.delete(k), g.gone.add(k);
        else g.where.set(k, i), g.live[i]!++, g.gone.delete(k);
      }
    }
    // A kill between a record and the removal of the old key it replaced: remove it now.
    for (const k of g.gone) if ((yield adapter.getItem(k)) != null) yield adapter.removeItem(k);
    return g;
  }

  function* group(prefix: string): Generator<unknown, Group, any> {
    let g = groups.get(prefix);
    if (!g) {
      const r = drive(load(prefix));
      groups.set(prefix, r);
      g = (yield r) as Group;
      groups.set(prefix, g);
    }
    return (isThenable(g) ? yield g : g) as Group;
  }

  function* segment(prefix: string, i: number): Generator<unknown, Map<string, string | null>, any> {
    const key = segmentKey(prefix, i);
    let values = cache.get(key);
    if (!values) cache.set(key, (values = new Map(decodeRecord((yield adapter.getItem(key)) as string | null, prefix)?.[1])));
    return values;
  }

  function* get(key: string): Generator<unknown, string | null, any> {
    const prefix = GROUP.exec(key)?.[1];
    if (prefix === undefined) return (yield adapter.getItem(key)) as string | null;
    const g = yield* group(prefix);
    const i = g.where.get(key);
    if (i !== undefined) return (yield* segment(prefix, i)).get(key) ?? null;
    if (g.gone.has(key)) return null;
    const v = (yield adapter.getItem(key)) as string | null | undefined;
    if (typeof v == 'string') legacy.set(key, v);
    return v ?? null;
  }

  /** One record: the writes of one group in one commit. */
  function* write(prefix: string, writes: StorageWrite[]): Generator<unknown, void, any> {
    const g = yield* group(prefix);
    const slot = g.next % SEGMENTS;
    const own = new Set(writes.map(([k]) => k));
    let body = '';
    // Values still live in the segment about to be overwritten go into the new record first.
    if (g.live[slot]) {
      for (const [k, v] of yield* segment(prefix, slot)) if (v !== null && g.where.get(k) === slot && !own.has(k)) body += encodeWrite(k.slice(prefix.length), v);
    }
    const moved: StorageWrite[] = [];
    for (const [k, v] of legacy) if (GROUP.exec(k)?.[1] === prefix && !own.has(k)) moved.push([k, v]);
    writes = [...moved, ...writes];
    for (const [k, v] of writes) {
      const at = g.where.get(k);
      // A removal needs recording only while an older value would show through.
      if (v !== null || legacy.has(k) || (at !== undefined && at !== slot)) body += encodeWrite(k.slice(prefix.length), v);
    }
    yield adapter.setItem(segmentKey(prefix, slot), `${g.next}\n${body}`);
    // Reads are cached for a load's burst only: another tab's clear may have removed what was read.
    cache.clear();
    // Written: the values carried over stay where they were counted.
    for (const [k, v] of writes) {
      const at = g.where.get(k);
      if (at !== undefined) g.live[at]!--;
      // (A key removed in this run had its old key removed with it: `gone` matters at load only.)
      if (v === null) g.where.delete(k);
      else g.where.set(k, slot), g.live[slot]!++, g.gone.delete(k);
    }
    g.next++;
    for (const [k] of writes) if (legacy.delete(k)) yield adapter.removeItem(k);
  }

  function* commitAll(writes: readonly StorageWrite[]): Generator<unknown, void, any> {
    const grouped = new Map<string, StorageWrite[]>();
    for (const w of writes) {
      const prefix = GROUP.exec(w[0])?.[1];
      if (prefix === undefined) yield w[1] === null ? adapter.removeItem(w[0]) : adapter.setItem(w[0], w[1]);
      else grouped.get(prefix)?.push(w) ?? grouped.set(prefix, [w]);
    }
    for (const [prefix, ws] of grouped) yield* write(prefix, ws);
  }

  /** Rewrites each group's live values as one record and removes its other segments (nothing deleted lingers). */
  function* compactAll(): Generator<unknown, void, any> {
    for (const prefix of groups.keys()) {
      const g = yield* group(prefix);
      let body = '';
      for (let i = 0; i < SEGMENTS; i++) {
        if (!g.live[i]) continue;
        for (const [k, v] of yield* segment(prefix, i)) if (v !== null && g.where.get(k) === i) body += encodeWrite(k.slice(prefix.length), v);
      }
      const slot = g.next % SEGMENTS;
      if (body) {
        yield adapter.setItem(segmentKey(prefix, slot), `${g.next}\n${body}`);
        g.live.fill(0);
        g.live[slot] = g.where.size;
        for (const k of g.where.keys()) g.where.set(k, slot);
        g.next++;
      }
      cache.clear();
      for (let i = 0; i < SEGMENTS; i++) if (!body || i !== slot) yield adapter.removeItem(segmentKey(prefix, i));
      g.gone.clear();
    }
  }

  return {
    notice: adapter.notice,
    getItem: (key) => drive(get(key)),
    commit,
    compact: () => queue(() => drive(compactAll())),
  };

  /** Commits in call order: one that comes while an asynchronous one is under way runs after it, and fails with it. */
  function commit(writes: readonly StorageWrite[]): void | Promise<void> {
    return queue(() => drive(commitAll(writes)));
  }

  function queue(run: () => void | Promise<void>): void | Promise<void> {
    const r = tail ? tail.then(run) : run();
    if (!isThenable(r)) return;
    const p = (tail = Promise.resolve(r));
    const idle = (): void => void (tail === p && (tail = undefined));
    p.then(idle, idle);
    return p;
  }
}

/**
 * Replaces the segment keys in `map` (a key-by-key storage read whole, as the Node journal reads
 * `fileStorage`'s files when it moves them in) by the keys they hold, applied in commit order after
 * the keys stored one per key.
 */
export function unpackSegments(map: Map<string, string>): void {
  const records: Array<[number, StorageWrite[]]> = [];
  for (const [key, text] of map) {
    const group = /^(.*:)seg:\d+$/.exec(key)?.[1];
    const r = group === undefined ? null : decodeRecord(text, group);
    if (r) records.push(r), map.delete(key);
  }
  for (const [, writes] of records.sort((a, b) => a[0] - b[0])) for (const [k, v] of writes) v === null ? map.delete(k) : map.set(k, v);
}
