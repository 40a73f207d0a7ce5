import { grown, resized } from './column-growth';
import type { Tally } from './tally';

/** Payload bytes per block. */
const BLOCK = 16;
/** Entry kinds (the header byte's high bits; its low 3 bits are the vendor). */
const SESSION = 0;
/** A session whose length or span is not a whole number of ms (or too large to write as one): both as float64. */
const SESSION_RAW = 1;
/** `CAUSE + c`: a count difference of cause `c`. */
const CAUSE = 2;
const MAX_DELTA = 2 ** 52;

/** A signed whole number as one a varint takes (zigzag: 0, -1, 1, -2 … as 0, 1, 2, 3 …), and back. */
const zigzag = (n: number): number => (n >= 0 ? 2 * n : -2 * n - 1);
const unzigzag = (z: number): number => (z % 2 === 0 ? z / 2 : -(z + 1) / 2);

/**
 * What the vendor models counted for devices whose platform is not known yet (see the log's
 * platform rule): one list per device and platform variant. A list's count differences by cause are
 * summed in place, one signed byte per vendor and cause (a sum that would leave -128..127 is written
 * out as an entry). Its closed sessions are entries in a chain of 16-byte blocks, oldest first, as
 * bytes: a header (vendor, kind), then varints of the length and of the span minus the length (~5
 * bytes a session, against 16 as two float64). When the platform is decided, the chosen variant's
 * list is added to the vendors' tallies; both lists' blocks then go back to a free list, for the
 * next undecided devices. So memory follows the sessions of the devices undecided at once.
 */
export class PendingFigures {
  /** The blocks' bytes, `BLOCK` per block. */
  private data: Uint8Array = new Uint8Array(64 * BLOCK);
  /** The block after each block in its list (-1: none), or the next free block. */
  private next: Int32Array = new Int32Array(64);
  private blocks = 0;
  private freeBlock = -1;
  /** Per list: its first and last blocks, and the bytes used in the last one. A free list's `head` is the next free list. */
  private head: Int32Array = new Int32Array(64);
  private tail: Int32Array = new Int32Array(64);
  private fill: Uint8Array = new Uint8Array(64);
  /** Per list, `vendors × 4` sums of count differences (vendor-major). */
  private causes: Int8Array;
  private lists = 0;
  private freeList = -1;
  /** Float64 ⇄ bytes, for a raw session. */
  private readonly raw = new Float64Array(1);
  private readonly rawBytes = new Uint8Array(this.raw.buffer);
  /** The reading position of {@link apply}. */
  private readBlock = -1;
  private readAt = 0;

  constructor(
    /** Vendors (at most 8: a header keeps the vendor in 3 bits). */
    private readonly vendors: number,
  ) {
    this.causes = new Int8Array(64 * vendors * 4);
  }

  /** Adds a closed session to `list` (-1: a new list); returns the list. */
  session(list: number, vendor: number, length: number, span: number): number {
    const l = list < 0 ? this.newList() : list;
    const delta = span - length;
    // Whole ms (they are, from whole-ms timestamps) as varints, if the span comes back exactly from them.
    if (Number.isSafeInteger(length) && length >= 0 && Number.isSafeInteger(delta) && Math.abs(delta) <= MAX_DELTA && length + delta === span) {
      this.put(l, (SESSION << 3) | vendor);
      this.varint(l, length);
      this.varint(l, zigzag(delta));
    } else {
      this.put(l, (SESSION_RAW << 3) | vendor);
      this.float(l, length);
      this.float(l, span);
    }
    return l;
  }

  /** Adds a count difference by cause (a whole number) to `list` (-1: a new list); returns the list. */
  cause(list: number, vendor: number, cause: number, count: number): number {
    const l = list < 0 ? this.newList() : list;
    const at = (l * this.vendors + vendor) * 4 + cause;
    const sum = this.causes[at]! + count;
    if (sum >= -128 && sum <= 127) this.causes[at] = sum;
    else {
      this.put(l, ((CAUSE + cause) << 3) | vendor);
      this.varint(l, zigzag(sum));
      this.causes[at] = 0;
    }
    return l;
  }

  /** Adds the list's figures to the vendors' tallies, oldest first, and frees the list. */
  apply(list: number, tallies: readonly Tally[]): void {
    if (list < 0) return;
    const last = this.tail[list]!;
    const end = this.fill[list]!;
    this.readBlock = this.head[list]!;
    this.readAt = 0;
    while (this.readBlock !== last || this.readAt < end) {
      const header = this.get();
      const tally = tallies[header & 7]!;
      const kind = header >> 3;
      if (kind === SESSION) {
        const length = this.readVarint();
        tally.add(length, length + unzigzag(this.readVarint()));
      } else if (kind === SESSION_RAW) {
        const length = this.readFloat();
        tally.add(length, this.readFloat());
      } else {
        tally.causes[kind - CAUSE]! += unzigzag(this.readVarint());
      }
    }
    for (let v = 0; v < this.vendors; v++) {
      for (let c = 0; c < 4; c++) tallies[v]!.causes[c]! += this.causes[(list * this.vendors + v) * 4 + c]!;
    }
    this.release(list);
  }

  /** Frees a list (its blocks and its number) without counting it. -1: nothing. */
  release(list: number): void {
    if (list < 0) return;
    this.next[this.tail[list]!] = this.freeBlock;
    this.freeBlock = this.head[list]!;
    this.head[list] = this.freeList;
    this.freeList = list;
  }

  private newList(): number {
    let l = this.freeList;
    if (l >= 0) this.freeList = this.head[l]!;
    else {
      l = this.lists++;
      if (l === this.head.length) {
        const n = grown(l);
        this.head = resized(this.head, n);
        this.tail = resized(this.tail, n);
        this.fill = resized(this.fill, n);
        this.causes = resized(this.causes, n * this.vendors * 4);
      }
    }
    const b = this.newBlock();
    this.head[l] = this.tail[l] = b;
    this.fill[l] = 0;
    this.causes.fill(0, l * this.vendors * 4, (l + 1) * this.vendors * 4);
    return l;
  }

  private newBlock(): number {
    let b = this.freeBlock;
    if (b >= 0) this.freeBlock = this.next[b]!;
    else {
      b = this.blocks++;
      if (b === this.next.length) {
        const n = grown(b);
        this.data = resized(this.data, n * BLOCK);
        this.next = resized(this.next, n);
      }
    }
    this.next[b] = -1;
    return b;
  }

  private put(list: number, byte: number): void {
    let b = this.tail[list]!;
    let f = this.fill[list]!;
    if (f === BLOCK) {
      const added = this.newBlock();
      this.next[b] = added;
      this.tail[list] = b = added;
      f = 0;
    }
    this.data[b * BLOCK + f] = byte;
    this.fill[list] = f + 1;
  }

  /** A whole number 0 ≤ n ≤ 2^53, 7 bits a byte, low first (arithmetic, not bitwise: it may pass 32 bits). */
  private varint(list: number, n: number): void {
    while (n >= 128) {
      const low = n % 128;
      this.put(list, low | 128);
      n = (n - low) / 128;
    }
    this.put(list, n);
  }

  private float(list: number, x: number): void {
    this.raw[0] = x;
    for (let i = 0; i < 8; i++) this.put(list, this.rawBytes[i]!);
  }

  private get(): number {
    if (this.readAt === BLOCK) {
      this.readBlock = this.next[this.readBlock]!;
      this.readAt = 0;
    }
    return this.data[this.readBlock * BLOCK + this.readAt++]!;
  }

  private readVarint(): number {
    let n = 0;
    let scale = 1;
    for (;;) {
      const byte = this.get();
      n += (byte & 127) * scale;
      if (byte < 128) return n;
      scale *= 128;
    }
  }

  private readFloat(): number {
    for (let i = 0; i < 8; i++) this.rawBytes[i] = this.get();
    return this.raw[0]!;
  }
}
