import type { Tally } from './tally';

/**
 * What the vendor models counted for devices whose platform is not known yet (see the log's
 * platform rule): one list per device and platform variant, kept as entries in typed-array columns
 * and linked newest first, instead of a tally object per vendor per variant per device. When the
 * platform is decided, the chosen variant's list is added to the vendors' tallies; the other's
 * entries are left unused (22 bytes per session a device counted before its platform was known).
 */
export class PendingFigures {
  /** Vendor index of each entry. */
  private vendor: Int8Array = new Int8Array(256);
  /** -1: a closed session (`a` its length, `b` its span); else a cause index (`a` the count). */
  private kind: Int8Array = new Int8Array(256);
  private a: Float64Array = new Float64Array(256);
  private b: Float64Array = new Float64Array(256);
  /** The entry before it in its list, or -1. */
  private previous: Int32Array = new Int32Array(256);
  private size = 0;

  /** Adds a closed session to the list whose newest entry is `head` (-1: empty); returns the new head. */
  session(head: number, vendor: number, length: number, span: number): number {
    return this.push(head, vendor, -1, length, span);
  }

  /** Adds a count difference by cause; returns the new head. */
  cause(head: number, vendor: number, cause: number, count: number): number {
    return this.push(head, vendor, cause, count, 0);
  }

  /** Adds the list's figures to the vendors' tallies, oldest first. */
  apply(head: number, tallies: readonly Tally[]): void {
    const order: number[] = [];
    for (let e = head; e >= 0; e = this.previous[e]!) order.push(e);
    for (let k = order.length - 1; k >= 0; k--) {
      const e = order[k]!;
      const tally = tallies[this.vendor[e]!]!;
      const kind = this.kind[e]!;
      if (kind < 0) tally.add(this.a[e]!, this.b[e]!);
      else tally.causes[kind]! += this.a[e]!;
    }
  }

  private push(head: number, vendor: number, kind: number, a: number, b: number): number {
    if (this.size === this.a.length) this.grow(this.size * 2);
    const e = this.size++;
    this.vendor[e] = vendor;
    this.kind[e] = kind;
    this.a[e] = a;
    this.b[e] = b;
    this.previous[e] = head;
    return e;
  }

  private grow(n: number): void {
    const vendor = new Int8Array(n);
    vendor.set(this.vendor);
    this.vendor = vendor;
    const kind = new Int8Array(n);
    kind.set(this.kind);
    this.kind = kind;
    const a = new Float64Array(n);
    a.set(this.a);
    this.a = a;
    const b = new Float64Array(n);
    b.set(this.b);
    this.b = b;
    const previous = new Int32Array(n);
    previous.set(this.previous);
    this.previous = previous;
  }
}
