import type { ClosedSession } from '../models/model';
import type { Draft } from '../models/model';
import type { UserTable } from './user-table';

const NONE: readonly ClosedSession[] = Object.freeze([]);

/**
 * The vendor model states of many devices, one row per device slot and model, in typed-array
 * columns: ~50 bytes per model per device instead of a state object with boxed numbers and a new
 * object per line. A row is loaded into a draft, the model's rules (`VendorModel.apply`, the same
 * ones `step` runs) change the draft, and the row is stored back.
 */
export class ModelColumns {
  private start: Float64Array = new Float64Array(0);
  private last: Float64Array = new Float64Array(0);
  private firstEvent: Float64Array = new Float64Array(0);
  private lastEvent: Float64Array = new Float64Array(0);
  /** Per slot, not per row: every model of a device sees every line, so their clocks are equal. */
  private clock: Float64Array = new Float64Array(0);
  /** -1: not known; 0: background; 1: foreground. */
  private foreground: Int8Array = new Int8Array(0);
  /** User numbers in the {@link UserTable} (-1: nobody). */
  private user: Int32Array = new Int32Array(0);
  private sessionUser: Int32Array = new Int32Array(0);
  private slots = 0;
  /** Slots given back (a device whose platform turned out to be the other one). */
  private readonly free: number[] = [];

  constructor(
    /** Models per device. */
    readonly models: number,
    private readonly users: UserTable,
  ) {}

  /** A slot for a new device: its rows hold the state of a device the models have seen nothing of. */
  allocate(): number {
    const slot = this.free.pop() ?? this.slots++;
    const rows = this.slots * this.models;
    if (rows > this.start.length) this.grow(Math.max(64, this.slots * 2));
    this.clock[slot] = -Infinity;
    for (let r = slot * this.models; r < (slot + 1) * this.models; r++) {
      this.start[r] = this.last[r] = this.firstEvent[r] = this.lastEvent[r] = NaN;
      this.foreground[r] = -1;
      this.user[r] = this.sessionUser[r] = -1;
    }
    return slot;
  }

  /** Gives a slot back for another device. */
  release(slot: number): void {
    this.free.push(slot);
  }

  /** Loads model `model` of `slot` into `d`, its clock moved to `t` (never backwards), as `draft` does. */
  load(slot: number, model: number, d: Draft, t: number): void {
    const r = slot * this.models + model;
    d.start = this.start[r]!;
    d.last = this.last[r]!;
    d.firstEvent = this.firstEvent[r]!;
    d.lastEvent = this.lastEvent[r]!;
    d.user = this.users.name(this.user[r]!);
    d.sessionUser = this.users.name(this.sessionUser[r]!);
    const f = this.foreground[r]!;
    d.inForeground = f < 0 ? null : f === 1;
    const clock = this.clock[slot]!;
    d.clock = t > clock ? t : clock;
    d.closed = NONE;
    d.started = 0;
  }

  /** Stores `d` as model `model` of `slot`. */
  store(slot: number, model: number, d: Draft): void {
    const r = slot * this.models + model;
    this.start[r] = d.start;
    this.last[r] = d.last;
    this.firstEvent[r] = d.firstEvent;
    this.lastEvent[r] = d.lastEvent;
    this.clock[slot] = d.clock;
    this.foreground[r] = d.inForeground === null ? -1 : d.inForeground ? 1 : 0;
    // A user is looked up only when it changed: the loaded one is the table's own string.
    const users = this.users;
    if (d.user !== users.name(this.user[r]!)) this.user[r] = users.id(d.user);
    if (d.sessionUser !== users.name(this.sessionUser[r]!)) this.sessionUser[r] = users.id(d.sessionUser);
  }

  private grow(slots: number): void {
    const rows = slots * this.models;
    const f64 = (a: Float64Array, n = rows): Float64Array => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.start = f64(this.start);
    this.last = f64(this.last);
    this.firstEvent = f64(this.firstEvent);
    this.lastEvent = f64(this.lastEvent);
    this.clock = f64(this.clock, slots);
    const foreground = new Int8Array(rows);
    foreground.set(this.foreground);
    this.foreground = foreground;
    const user = new Int32Array(rows);
    user.set(this.user);
    this.user = user;
    const sessionUser = new Int32Array(rows);
    sessionUser.set(this.sessionUser);
    this.sessionUser = sessionUser;
  }
}
