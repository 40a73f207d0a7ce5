import { decodeWrites, encodeWrite, patchOf, scanWrites, type DecodedWrite } from './record-codec';
import { drive, isThenable } from './maybe-async';
import { answerDeadline } from './answer-deadline';
import type { StorageAdapter, StorageWrite } from './storage-adapter';

/**
 * Segment keys per group. Commit n of a group overwrites segment n mod 16, the oldest: its values
 * still live (an item not yet delivered 16 commits later, rare while the network works) are written
 * again in the new record, so an overwrite never loses one.
 */
export const SEGMENTS = 16;

/**
 * The keys a segment log keeps: the hub's state and everything under a kit's prefix, grouped by the
 * prefix before them (`sessionhub:`, or a browser tab's `sessionhub:tab0:`: the namespace option
 * allows no line break, so no group has one). Other keys (the opt-out, which other tabs listen to)
 * stay keys of their own.
 */
const groupOf = (key: string): string | undefined => {
  // As /^(.*?:)(?:kit:|state$)/s would match, without a regular expression per write on the event path.
  for (let i = key.indexOf(':'); i >= 0; i = key.indexOf(':', i + 1)) {
    if (key.startsWith('kit:', i + 1) || (key.length == i + 6 && key.endsWith('state'))) return key.slice(0, i + 1);
  }
};

/** `<group>seg:<i>`: the segment keys of a group. */
export const segmentKey = (group: string, i: number): string => `${group}seg:${i}`;

/**
 * A group's spills, under `<group>spill:<seq>`: when the values still live in the segment a commit
 * overwrites come to {@link SPILL_CHARS} or more (an outage: nothing is delivered, so every segment
 * holds a growing part of the queue), they are moved once into a key of their own instead of being
 * carried into the new record — and again, every 16 commits, for as long as the outage lasts. A
 * spill keeps the sequence number of the record it came from, so it reads before every segment
 * (all newer); it is removed once none of its values is the latest any more.
 */
export const spillKey = (group: string, seq: number): string => `${group}spill:${seq}`;
/** Live values of a segment about to be overwritten are spilled from this many characters on (see {@link spillKey}). */
export const SPILL_CHARS = 8_000;
/**
 * The log key (relative to the group; no kit key or state is named so) whose value lists the group's
 * spills, comma-separated: written in the records like any value, so it is always as current as they are.
 */
const SPILLS = 'spills';
/** Where (see `Group.where`) a spill's live values are: below 0, apart from the segments. */
const spillAt = (seq: number): number => -1 - seq;
/** The storage key of a segment, or of a spill (`spillAt`). */
const recordKey = (group: string, at: number): string => (at < 0 ? spillKey(group, -1 - at) : segmentKey(group, at));

/** `k`'s latest value leaves where it was: a segment, or a spill, which holds it on as an older value. */
function leave(g: Group, k: string): void {
  const at = g.where.get(k);
  if (at === undefined) return;
  if (at >= 0) return void g.live[at]!--;
  g.spills.set(-1 - at, g.spills.get(-1 - at)! - 1);
  g.heldBy.set(k, (g.heldBy.get(k) ?? 0) + 1);
}

/** `k` is removed: where a spill holds a value of it, the segment about to hold the removal must keep it. */
function removed(g: Group, k: string, at: number): void {
  g.where.delete(k), g.full.delete(k);
  if (g.heldBy.has(k)) g.hiddenAt.set(k, at);
}

interface Group {
  readonly prefix: string;
  /** Live keys per segment. */
  readonly live: number[];
  next: number;
  /** Key → the segment that holds its value, or the spill (`spillAt(seq)`, below 0). */
  readonly where: Map<string, number>;
  /** Keys the log removed: not looked up in the per-key layout of earlier versions. */
  readonly gone: Set<string>;
  /**
   * Keys written more than once (the hub's state, an outbox's index): their value, kept in memory so
   * that the next is written as a patch of it, and the segment that holds its last whole value (the
   * patches since are in newer segments).
   */
  readonly full: Map<string, [value: string, whole: number]>;
  /** Spills by sequence number (oldest first): how many of their values are the latest of their keys. */
  readonly spills: Map<number, number>;
  /**
   * Key → how many spills hold an older value of it (one it left: written again or removed since),
   * which shows through once nothing newer hides it. (A spill's own live values are in `where`.)
   */
  readonly heldBy: Map<string, number>;
  /** Keys removed while a spill holds a value of theirs → the segment whose record holds the removal. */
  readonly hiddenAt: Map<string, number>;
}

/**
 * The write's value as a patch of `old`: the one its writer knew, when made from `old`, or else
 * {@link patchOf}'s (comparing both texts field by field). Undefined: written whole.
 */
export const patchFor = (w: StorageWrite, old: string | null | undefined): string | undefined =>
  // (An empty `old` has no fields to patch: patchOf finds none.)
  !old || w[1] === null ? undefined : w[2] == old ? w[3] : patchOf(old, w[1]);

/** A record's sequence number, or NaN. */
const seqOf = (text: string | null | undefined): number => (typeof text == 'string' && text.indexOf('\n') > 0 ? Number(text.slice(0, text.indexOf('\n'))) : NaN);

/**
 * The writes of a record, `<seq>\n` then its writes ({@link encodeWrite}, keys relative to the group),
 * or null. Its patches apply to `before(key)`, the value as the records before it left it (left out
 * without it).
 */
const decodeRecord = (text: string | null | undefined, prefix: string, before?: (key: string) => string | null | undefined): DecodedWrite[] | null =>
  Number.isSafeInteger(seqOf(text)) ? decodeWrites(text!, text!.indexOf('\n') + 1, text!.length, before, prefix) : null;

/** Scans the writes of a record, after its first line (its number). */
const scanRecord = (text: string, each: Parameters<typeof scanWrites>[3]): boolean => scanWrites(text, text.indexOf('\n') + 1, text.length, each);

/** What the commit pipeline needs of a storage: reads, and commits in one call. */
export type CommitStore = Pick<StorageAdapter, 'getItem' | 'compact' | 'notice'> &
  Required<Pick<StorageAdapter, 'commit'>> & {
    /**
     * Frees room in place: values no longer live, and those of `keys` (items being dropped). Returns
     * the characters freed: a promise of them when the storage is asynchronous.
     */
    free?(keys: readonly string[]): number | Promise<number>;
  };

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
export function segmentLog(adapter: StorageAdapter, spillChars = SPILL_CHARS): CommitStore {
  // Every call bounded in time: one never answered would hold up a launch, or every later commit, for ever.
  const answered = answerDeadline();
  const getItem = (key: string): unknown => answered(adapter.getItem(key));
  const setItem = (key: string, value: string): unknown => answered(adapter.setItem(key, value));
  const removeItem = (key: string): unknown => answered(adapter.removeItem(key));
  const groups = new Map<string, Group | Promise<Group>>();
  /**
   * Keys found in the per-key layout of earlier versions: the next record of their group takes in
   * those it does not write itself, then the old keys are removed.
   */
  const legacy = new Map<string, string>();
  /**
   * Decoded segments read lately (by `getItem`); a commit replaces the map (a read under way then
   * fills the old one: what it read may be the record just overwritten).
   */
  let cache = new Map<string, Map<string, string | null>>();
  let tail: Promise<unknown> | undefined;

  /**
   * What the storage answers to `calls` made all at once: an array, or the promise of one when it
   * answers asynchronously (AsyncStorage: one round trip, not one per call).
   */
  const together = (calls: unknown[]): unknown => (calls.some(isThenable) ? Promise.all(calls) : calls);
  /**
   * The values of `keys`, read all at once: with `multiGet` where the storage has it (one call of its
   * native module, one query, not one per key; AsyncStorage also merges the `multiGet`s made in one
   * tick, the kits' lookups at launch), else with `getItem`s made together (see {@link together}).
   */
  function* readAll(keys: readonly string[]): Generator<unknown, unknown[], any> {
    if (!adapter.multiGet || !keys[0]) return (yield together(keys.map(getItem))) as unknown[];
    // Found by key: AsyncStorage answers in the order asked, a native module need not.
    const found = new Map((yield answered(adapter.multiGet(keys))) as Array<[string, unknown]>);
    return keys.map((k) => found.get(k));
  }
  /** Removes `keys` all at once: with `multiRemove` where the storage has it, else with `removeItem`s made together. */
  const removeAll = (keys: readonly string[]): unknown => (adapter.multiRemove && keys[0] ? answered(adapter.multiRemove(keys)) : together(keys.map(removeItem)));
  const inline = adapter.inlineLimit ?? 0;
  /**
   * Record `seq` with `body`. Past the storage's `inlineLimit` (iOS's AsyncStorage: a file of its own,
   * not a rewrite of the manifest that holds every short value) a short one is padded with spaces
   * after its number, which `seqOf` reads as before.
   */
  const recordOf = (seq: number, body: string): string => ('' + seq).padEnd(inline - body.length) + '\n' + body;

  /**
   * Reads the records at `places` (segments, or spills: `spillAt(seq)`) all at once, with an
   * asynchronous storage (AsyncStorage) in one round trip, not one per key, into `texts`. They stay
   * decoded until the next commit: the outboxes read their items from them next (a launch).
   */
  function* records(prefix: string, texts: Array<[number, number, string]>, places: number[]): Generator<unknown, void, any> {
    const c = cache;
    const read = (yield* readAll(places.map((i) => recordKey(prefix, i)))) as Array<string | null>;
    places.forEach((i, j) => {
      const text = read[j]!;
      const seq = seqOf(text);
      if (i < 0 ? seq == -1 - i : Number.isSafeInteger(seq)) {
        texts.push([seq, i, text]);
        // (A decoded write's third element, whether it was a patch, is left out by the Map.)
        c.set(recordKey(prefix, i), new Map(decodeRecord(text, prefix) as Iterable<[string, string | null]>));
      }
    });
  }

  function* load(prefix: string): Generator<unknown, Group, any> {
    const texts: Array<[number, number, string]> = [];
    yield* records(prefix, texts, [...Array(SEGMENTS).keys()]);
    let g = applyAll(prefix, texts);
    // The spills the segments list (read after them: an outage's, rarely any), then everything again
    // in commit order. A spill listed but gone was removed, with nothing left to say.
    const index = g.full.get(prefix + SPILLS)?.[0];
    if (index) {
      yield* records(prefix, texts, index.split(',').map((seq) => spillAt(+seq)));
      g = applyAll(prefix, texts);
    }
    // What a kill left, removed now, looked for all at once (the removed keys the records hold are many
    // once queues were delivered): the old key a record replaced, not removed yet; a spill the record
    // that lists it was not written for (the next commit spills under the same name, or nothing).
    const gone = [...g.gone];
    const victim = texts.find(([, i]) => i == g.next % SEGMENTS);
    if (victim && !g.spills.has(victim[0])) gone.push(spillKey(prefix, victim[0]));
    const left = (yield* readAll(gone)) as unknown[];
    yield removeAll(gone.filter((_, j) => left[j] != null));
    return g;
  }

  /** A group as its records (`[seq, segment, text]`, a spill's segment -1) leave it, applied in commit order. */
  function applyAll(prefix: string, texts: Array<[number, number, string]>): Group {
    const g: Group = { prefix, live: Array(SEGMENTS).fill(0), next: 0, where: new Map(), gone: new Set(), full: new Map(), spills: new Map(), heldBy: new Map(), hiddenAt: new Map() };
    // In commit order: a patch applies to the value the records before it left.
    const values = new Map<string, string>();
    const whole = new Map<string, number>();
    for (const [seq, i, text] of texts.sort((a, b) => a[0] - b[0])) {
      const r = decodeRecord(text, prefix, (k) => values.get(k));
      if (!r) continue;
      // (Spills come before every segment: they keep the number of a record since overwritten.)
      const spill = i < 0;
      if (spill) g.spills.set(seq, r.length);
      else g.next = seq + 1;
      for (const [k, v, patched] of r) {
        leave(g, k);
        if (v === null) removed(g, k, i), g.gone.add(k), values.delete(k);
        else if (spill) {
          g.where.set(k, spillAt(seq)), g.gone.delete(k), g.hiddenAt.delete(k);
          values.set(k, v);
        } else {
          g.where.set(k, i), g.live[i]!++, g.gone.delete(k), g.hiddenAt.delete(k);
          if (!patched) whole.set(k, i);
          // Written more than once (the spills' list: always), kept, so that the next value is a patch of it.
          if (values.has(k) || k == prefix + SPILLS) g.full.set(k, [v, whole.get(k)!]);
          values.set(k, v);
        }
      }
    }
    return g;
  }

  function* group(prefix: string): Generator<unknown, Group, any> {
    let g = groups.get(prefix);
    if (!g) {
      groups.set(prefix, (g = drive(load(prefix))));
      try {
        g = (yield g) as Group;
      } finally {
        // A load the storage failed (AsyncStorage rejecting a read or a removal) is not kept: the next
        // read or commit loads again, so commits are retried as promised, not failed for the whole run.
        groups.delete(prefix);
      }
      groups.set(prefix, g);
    }
    return (isThenable(g) ? yield g : g) as Group;
  }

  function* get(key: string): Generator<unknown, string | null, any> {
    const prefix = groupOf(key);
    if (!prefix) return (yield getItem(key)) as string | null;
    const g = yield* group(prefix);
    const f = g.full.get(key);
    if (f) return f[0];
    const i = g.where.get(key);
    if (i !== undefined) {
      const k = recordKey(prefix, i);
      // The cache as this read began, which `records` fills (see `cache`).
      const c = cache;
      if (!c.has(k)) yield* records(prefix, [], [i]);
      return c.get(k)?.get(key) ?? null;
    }
    if (g.gone.has(key)) return null;
    const [v] = yield* readAll([key]);
    if (typeof v != 'string') return null;
    // Not if a commit wrote the key meanwhile: the next would carry this older value over it.
    if (!g.where.has(key)) legacy.set(key, v);
    return v;
  }

  /**
   * The values segment `i` (or a spill, `spillAt(seq)`) holds that are live and not kept in memory
   * (`full`), but those of `skip`, as writes (read only where some are live), and the sequence number
   * of its record.
   */
  function* wholeIn(g: Group, i: number, skip?: (key: string) => boolean): Generator<unknown, [string, number], any> {
    // (A segment with a live value holds a record this run read or wrote, or nothing after a clear.)
    const text = ((yield getItem(recordKey(g.prefix, i))) as string | null) ?? '';
    let body = '';
    // Their lines as stored, not decoded into values to be encoded again: such a value was written whole.
    scanRecord(text, (sign, key, at, next) => {
      const k = g.prefix + key;
      if (sign == '+' && g.where.get(k) == i && !skip?.(k) && !g.full.has(k)) body += text.slice(at, next);
    });
    return [body, seqOf(text)];
  }

  /** One record per group (one or two) of a commit's writes. */
  function* commitAll(all: readonly StorageWrite[]): Generator<unknown, void, any> {
    // Groups in order of their first write (a list, not a map hashing each prefix).
    const grouped: Array<[string, StorageWrite[]]> = [];
    for (const w of all) {
      const prefix = groupOf(w[0]);
      if (!prefix) yield w[1] === null ? removeItem(w[0]) : setItem(w[0], w[1]);
      else {
        // (A search with no closure: one that captured `prefix` would make React Native's Babel
        // preset wrap this loop's body in a generator of its own, made for every write.)
        let i = 0;
        while (grouped[i] && grouped[i]![0] != prefix) i++;
        (grouped[i] ??= [prefix, []])[1].push(w);
      }
    }
    // One record per group, written here rather than by a generator of its own (one object less per commit).
    for (let [prefix, writes] of grouped) {
      const g = yield* group(prefix);
      const slot = g.next % SEGMENTS;
      // (Asked only of what the segment about to be overwritten holds: rarely anything.)
      const mine = (k: string): boolean => writes.some((w) => w[0] == k);
      // Values still live in the segment about to be overwritten go into the new record first, whole
      // (or, from SPILL_CHARS on, into a spill of their own) …
      let [body, from] = g.live[slot] ? yield* wholeIn(g, slot, mine) : ['', NaN];
      const spill = body.length >= spillChars ? `${from}\n${body}` : undefined;
      if (spill) body = '';
      // … and so do values whose last whole value it holds (their patches since need it), and the
      // removals it holds of keys a spill still holds a value of.
      const carried: StorageWrite[] = [];
      // (Here and below on the path of every commit, no destructuring of the entries: React Native's
      // Babel preset makes each one a helper call, ~0.3 µs on Hermes.)
      g.full.forEach((f, k) => void ((f[1] == slot || g.where.get(k) == slot) && !mine(k) && carried.push([k, f[0]])));
      for (const [k, v] of legacy) if (groupOf(k) == prefix && !mine(k)) carried.push([k, v]);
      for (const [k, at] of g.hiddenAt) if (at == slot && !mine(k)) carried.push([k, null]);
      // The list of spills changes with this one (and once a spill is gone, in the next record).
      const spills = [...g.spills.keys(), ...(spill ? [from] : [])].join(',') || null;
      const index = prefix + SPILLS;
      if (spills != (g.full.get(index)?.[0] ?? null) && !mine(index)) carried.push([index, spills]);
      if (carried.length) writes = [...carried, ...writes];
      const patched: string[] = [];
      for (const w of writes) {
        const k = w[0];
        const v = w[1];
        const at = g.where.get(k);
        const f = g.full.get(k);
        // A value written before is written as a patch of it, unless its last whole value is about to go.
        const patch = patchFor(w, f && f[1] != slot && at != slot ? f[0] : undefined);
        if (patch !== undefined) patched.push(k);
        const text = encodeWrite(k.slice(prefix.length), v, patch);
        // A removal needs recording only while an older value would show through.
        if (v !== null || legacy.has(k) || (at !== undefined && at != slot) || g.heldBy.has(k)) body += text;
      }
      // The spill first: until the record that lists it is written, no launch reads it.
      if (spill) {
        yield setItem(spillKey(prefix, from), spill);
        // Read from it from now on: a read made while the record that leaves its values out is being
        // written would find them nowhere. (Should that write fail, the retry's record lists it.)
        g.spills.set(from, 0);
        scanRecord(spill, (_, key) => {
          g.live[slot]!--, g.where.set(prefix + key, spillAt(from)), g.spills.set(from, g.spills.get(from)! + 1);
        });
      }
      yield setItem(segmentKey(prefix, slot), recordOf(g.next, body));
      // Reads are cached for a load's burst only: another tab's clear may have removed what was read.
      cache = new Map();
      // Written: the values carried over stay where they were counted.
      for (const w of writes) {
        const k = w[0];
        const v = w[1];
        const at = g.where.get(k);
        leave(g, k);
        const f = g.full.get(k);
        // (A key removed in this run had its old key removed with it, and a live key is found in
        // `where` first: `gone` matters at load only.)
        if (v === null) removed(g, k, slot);
        else {
          g.where.set(k, slot), g.live[slot]!++, g.hiddenAt.delete(k);
          // Written again (the spills' list: always): kept, so that the next value is a patch of it.
          if (at !== undefined || f || k == index) g.full.set(k, [v, patched.includes(k) ? f![1] : slot]);
        }
      }
      g.next++;
      // Spills none of whose values is the latest any more: removed (the next record lists them no more),
      // all at once: as an outage's queue is delivered, many at a time.
      let dead: number[] | undefined;
      for (const [seq, live] of g.spills) if (!live) (dead ??= []).push(seq);
      if (dead) {
        const keys = dead.map((seq) => spillKey(prefix, seq));
        // Their keys, read from them (rare: once an outage's queue is delivered) rather than kept in memory all along.
        const texts = (yield* readAll(keys)) as Array<string | null>;
        yield removeAll(keys);
        dead.forEach((seq, j) => {
          const text = texts[j] ?? '';
          g.spills.delete(seq);
          scanRecord(text, (_, key) => {
            const k = prefix + key;
            const n = g.heldBy.get(k)! - 1;
            if (n) g.heldBy.set(k, n);
            else g.heldBy.delete(k), g.hiddenAt.delete(k);
          });
        });
      }
      // The old keys of the values moved in (an upgrade's first commits), removed together.
      if (legacy.size) yield removeAll(writes.filter(([k]) => legacy.delete(k)).map(([k]) => k));
    }
  }

  /** Rewrites each group's live values as one record and removes its other segments and its spills (nothing deleted lingers). */
  function* compactAll(): Generator<unknown, void, any> {
    for (const prefix of groups.keys()) {
      const g = yield* group(prefix);
      const index = prefix + SPILLS;
      let body = '';
      for (let i = 0; i < SEGMENTS; i++) if (g.live[i]) body += (yield* wholeIn(g, i))[0];
      // Each spill's live values, and the spill written as removed, so that a kill before it is removed
      // below leaves a key the next launch removes (it looks for the keys the records remove), not one
      // nothing reads that keeps deleted data.
      for (const seq of g.spills.keys()) body += (yield* wholeIn(g, spillAt(seq)))[0] + encodeWrite(spillKey('', seq), null);
      for (const [k, [v]] of g.full) if (k != index) body += encodeWrite(k.slice(prefix.length), v);
      // No spill is listed any more (an older segment a kill leaves may list some).
      if (g.full.has(index)) body += encodeWrite(SPILLS, null);
      g.where.delete(index), g.full.delete(index);
      const slot = g.next % SEGMENTS;
      if (body) {
        yield setItem(segmentKey(prefix, slot), recordOf(g.next, body));
        g.live.fill(0);
        g.live[slot] = g.where.size;
        for (const k of g.where.keys()) g.where.set(k, slot);
        for (const f of g.full.values()) f[1] = slot;
        g.next++;
      }
      cache = new Map();
      yield removeAll([...g.spills.keys()].map((seq) => spillKey(prefix, seq)));
      g.spills.clear(), g.heldBy.clear(), g.hiddenAt.clear();
      // Oldest first: the removals a segment holds hide nothing older once those are gone, so a kill
      // between two removals leaves nothing deleted showing through.
      for (let j = 0; j < SEGMENTS; j++) {
        const i = (g.next + j) % SEGMENTS;
        if (!body || i != slot) yield removeItem(segmentKey(prefix, i));
      }
      g.gone.clear();
    }
  }

  /**
   * Rewrites, each under its own sequence number, the records that hold whole values no longer live
   * (a later record replaced or removed them, and no patch since is based on them: left out) or one
   * of `keys` (items being dropped: emptied). Patches and removals are kept as they are. Shorter, so a
   * full storage takes them; the live values stay as they are, so whatever part of it a kill leaves
   * is consistent. An emptied item keeps its place (an outbox reads on past its index until a key is
   * missing) until a later record removes it. Returns the characters freed.
   */
  function* freeAll(keys: readonly string[]): Generator<unknown, number, any> {
    const gone = new Set(keys);
    let freed = 0;
    for (const [prefix, g] of groups) {
      if (isThenable(g)) continue;
      // The segments, then the spills (whose older values stay: `heldBy` counts them, and a removal hides them).
      for (const i of [...Array(SEGMENTS).keys(), ...[...g.spills.keys()].map(spillAt)]) {
        const key = recordKey(prefix, i);
        const text = (yield getItem(key)) as string;
        if (!Number.isSafeInteger(seqOf(text))) continue;
        let body = text.slice(0, text.indexOf('\n') + 1);
        // Line by line, as stored (a patch is kept as it is: it applies to what the records before it leave).
        const whole = scanWrites(text, body.length, text.length, (sign, key, at, next) => {
          const k = prefix + key;
          const line = text.slice(at, next);
          if (sign != '+') body += line;
          else if (g.where.get(k) == i) body += gone.has(k) ? encodeWrite(key, '') : line;
          else if (i < 0 || g.full.get(k)?.[1] == i) body += line;
        });
        if (whole && body.length < text.length) {
          yield setItem(key, body);
          freed += text.length - body.length;
        }
      }
    }
    cache = new Map();
    return freed;
  }

  return {
    notice: adapter.notice,
    getItem: (key) => drive(get(key)),
    commit,
    compact: () => queue(() => drive(compactAll())),
    // A synchronous storage: called while a commit waits for room (within its setItem), so not
    // queued behind it. An asynchronous one: after a commit failed, so after the commits under way
    // (whether they fail too or not), and before the next.
    free: (keys) => queue(() => drive(freeAll(keys)), true),
  };

  /** Commits in call order: one that comes while an asynchronous one is under way runs after it, and fails with it. */
  function commit(writes: readonly StorageWrite[]): void | Promise<void> {
    return queue(() => drive(commitAll(writes)));
  }

  function queue<T>(run: () => T | Promise<T>, always?: boolean): T | Promise<T> {
    const r = tail ? tail.then(run, always ? run : undefined) : run();
    if (!isThenable(r)) return r;
    const p = Promise.resolve(r);
    // (A commit after a rewrite that made room does not fail with it: each record it wrote is whole.)
    const t = (tail = always ? p.catch(() => {}) : p);
    const idle = (): void => void (tail == t && (tail = undefined));
    t.then(idle, idle);
    return p;
  }
}

/**
 * Replaces the segment keys in `map` (a key-by-key storage read whole, as the Node journal reads
 * `fileStorage`'s files when it moves them in) by the keys they hold, applied in commit order after
 * the keys stored one per key.
 */
export function unpackSegments(map: Map<string, string>): void {
  const records: Array<[number, string, string]> = [];
  for (const [key, text] of map) {
    const group = /^(.*:)(?:seg|spill):\d+$/.exec(key)?.[1];
    if (group && Number.isSafeInteger(seqOf(text))) records.push([seqOf(text), group, text]), map.delete(key);
  }
  for (const [, group, text] of records.sort((a, b) => a[0] - b[0])) {
    for (const [k, v] of decodeRecord(text, group, (k) => map.get(k)) ?? []) v === null ? map.delete(k) : map.set(k, v);
  }
  // The spills' list is the log's own, no key of the hub's or a kit's.
  for (const [, group] of records) map.delete(group + SPILLS);
}
