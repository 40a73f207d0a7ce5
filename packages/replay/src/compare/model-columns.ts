import type { ClosedSession } from '../models/model';
import type { Draft } from '../models/model';
import { grown, resized } from './column-growth';
import type { UserTable } from './user-table';

const NONE: readonly ClosedSession[] = Object.freeze([]);

/** One model's columns, one entry per device slot. */
interface Lane {
  start: Float64Array;
  last: Float64Array;
  /** -1: not known; 0: background; 1: foreground. */
  foreground: Int8Array;
  /** `[user, sessionUser]` per slot, as numbers in the {@link UserTable} (-1: nobody); null while the model has stored none. */
  users: Int32Array | null;
  /** `[firstEvent, lastEvent]` per slot; null while the model has stored none (all NaN). */
  events: Float64Array | null;
}

/**
 * The vendor model states of many devices, in typed-array columns per model, one entry per device
 * slot: 17 to 41 bytes per model and device (and 12 per device) instead of a state object with
 * boxed numbers and a new object per line. A row is loaded into a draft, the model's rules
 * (`VendorModel.apply`, the same ones `step` runs) change the draft, and the row is stored back. A
 * model's users and its first and last event times get their columns only once it stores one:
 * Braze and mParticle mark no events, Snowplow and mParticle follow no users.
 */
export class ModelColumns {
  private readonly lanes: Lane[];
  /** Per slot, not per model: every model of a device sees every line, so their clocks are equal. */
  private clock: Float64Array = new Float64Array(0);
  /**
   * Per slot: while its device's platform is undecided, the {@link PendingFigures} list of what this
   * variant's models counted (-1: none).
   */
  pending: Int32Array = new Int32Array(0);
  private slots = 0;
  /** Slots given back (a device whose platform turned out to be the other one). */
  private readonly free: number[] = [];

  constructor(
    /** Models per device. */
    readonly models: number,
    private readonly users: UserTable,
  ) {
    this.lanes = Array.from({ length: models }, () => ({ start: new Float64Array(0), last: new Float64Array(0), foreground: new Int8Array(0), users: null, events: null }));
  }

  /** A slot for a new device: its rows hold the state of a device the models have seen nothing of. */
  allocate(): number {
    const slot = this.free.pop() ?? this.slots++;
    if (slot >= this.clock.length) this.grow(grown(this.slots));
    this.clock[slot] = -Infinity;
    this.pending[slot] = -1;
    for (const lane of this.lanes) {
      lane.start[slot] = lane.last[slot] = NaN;
      lane.foreground[slot] = -1;
      if (lane.users !== null) lane.users[2 * slot] = lane.users[2 * slot + 1] = -1;
      if (lane.events !== null) lane.events[2 * slot] = lane.events[2 * slot + 1] = NaN;
    }
    return slot;
  }

  /** Gives a slot back for another device. */
  release(slot: number): void {
    this.free.push(slot);
  }

  /** Loads model `model` of `slot` into `d`, its clock moved to `t` (never backwards), as `draft` does. */
  load(slot: number, model: number, d: Draft, t: number): void {
    const lane = this.lanes[model]!;
    d.start = lane.start[slot]!;
    d.last = lane.last[slot]!;
    const e = lane.events;
    if (e === null) d.firstEvent = d.lastEvent = NaN;
    else {
      d.firstEvent = e[2 * slot]!;
      d.lastEvent = e[2 * slot + 1]!;
    }
    const u = lane.users;
    if (u === null) d.user = d.sessionUser = null;
    else {
      d.user = this.users.name(u[2 * slot]!);
      d.sessionUser = this.users.name(u[2 * slot + 1]!);
    }
    const f = lane.foreground[slot]!;
    d.inForeground = f < 0 ? null : f === 1;
    const clock = this.clock[slot]!;
    d.clock = t > clock ? t : clock;
    d.closed = NONE;
    d.started = 0;
  }

  /** Stores `d` as model `model` of `slot`. */
  store(slot: number, model: number, d: Draft): void {
    const lane = this.lanes[model]!;
    lane.start[slot] = d.start;
    lane.last[slot] = d.last;
    let e = lane.events;
    // NaN !== NaN: a model gets event columns at its first event time.
    if (e === null && (d.firstEvent === d.firstEvent || d.lastEvent === d.lastEvent)) e = lane.events = this.column(Float64Array, NaN);
    if (e !== null) {
      e[2 * slot] = d.firstEvent;
      e[2 * slot + 1] = d.lastEvent;
    }
    this.clock[slot] = d.clock;
    lane.foreground[slot] = d.inForeground === null ? -1 : d.inForeground ? 1 : 0;
    let u = lane.users;
    if (u === null && (d.user !== null || d.sessionUser !== null)) u = lane.users = this.column(Int32Array, -1);
    if (u !== null) {
      // A user is looked up only when it changed: the loaded one is the table's own string.
      const users = this.users;
      if (d.user !== users.name(u[2 * slot]!)) u[2 * slot] = users.id(d.user);
      if (d.sessionUser !== users.name(u[2 * slot + 1]!)) u[2 * slot + 1] = users.id(d.sessionUser);
    }
  }

  /** A pair column for every slot, each holding `none`. */
  private column<A extends Float64Array | Int32Array>(type: { new (n: number): A }, none: number): A {
    return new type(2 * this.clock.length).fill(none) as A;
  }

  private grow(slots: number): void {
    for (const lane of this.lanes) {
      lane.start = resized(lane.start, slots);
      lane.last = resized(lane.last, slots);
      lane.foreground = resized(lane.foreground, slots);
      if (lane.users !== null) lane.users = resized(lane.users, 2 * slots);
      if (lane.events !== null) lane.events = resized(lane.events, 2 * slots);
    }
    this.clock = resized(this.clock, slots);
    this.pending = resized(this.pending, slots);
  }
}
