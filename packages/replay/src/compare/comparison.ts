import { DEFAULT_ENGINE_CONFIG, initialState, stepInPlace, type EngineConfig, type EngineEnv, type EngineInput, type EngineState, type SessionState } from '@sessionhub/core';
import type { LogRecord, Platform } from '../log/log-record';
import { INITIAL_MODEL_STATE, type ClosedSession, type Draft, type VendorModel } from '../models/model';
import { VENDORS, vendorModels, type VendorModelOptions } from '../models/index';
import { changesUser, engineInput, engineInputs } from '../engine-inputs';
import { ModelColumns } from './model-columns';
import { PendingFigures } from './pending-figures';
import { NEUTRAL_EVENT, RESTART, Tally, TIMEOUT_GAP, USER_CHANGE } from './tally';
import { UserTable } from './user-table';

/** How `compare` sessionizes. */
export interface ComparisonOptions extends VendorModelOptions {
  /** The canonical engine's configuration (default: the hub's defaults, 60 s timeout). */
  readonly engine?: Partial<EngineConfig>;
  /** false: the canonical sessions only (no vendor models). Default true. */
  readonly vendors?: boolean;
  /** Devices whose sessions are kept for timelines (the first ones seen). Default 0. */
  readonly sampleDevices?: number;
}

/** One session on a sampled device's timeline. */
export interface TimelineSession {
  readonly start: number;
  readonly end: number;
}

/** A sampled device's sessions per column (`canonical`, then each vendor). */
export interface DeviceTimeline {
  readonly deviceId: string;
  platform: Platform | null;
  readonly first: number;
  last: number;
  readonly columns: Record<string, TimelineSession[]>;
}

/**
 * One device: six fields (72 bytes), since there is one per device of the log. While its platform is
 * undecided, each variant's figures wait in a {@link PendingFigures} list kept with its model slot
 * ({@link ModelColumns.pending}).
 */
interface Device {
  readonly engine: EngineState;
  platform: Platform | null;
  /** The device's slot in the mobile and web model columns, for the decided platform, or both while undecided; -1: none. */
  mobile: number;
  web: number;
  anonymous: boolean;
  /** A sampled device's timelines; null for the others. */
  sample: Sample | null;
}

interface Sample {
  readonly timeline: DeviceTimeline;
  /**
   * While the platform is undecided: the sessions its mobile models closed so far, per vendor (the
   * timeline's vendor lanes hold the web models' meanwhile). Kept so that a device decided mobile
   * later still draws them: the tallies count them (from its pending figures).
   */
  mobileTimeline: Record<string, TimelineSession[]> | null;
}

/** The attributes of every session that has none (a comparison sets none). */
const NO_SESSION_ATTRIBUTES = Object.freeze(Object.create(null) as Record<string, never>);

/**
 * Gives a session just started the shared empty attributes instead of its own empty null-prototype
 * object (187 bytes per device). Safe because the engine never modifies an attributes object: it
 * copies it to change one.
 */
function shareEmptyAttributes(state: EngineState): void {
  const s = state.session as { attributes: SessionState['attributes'] } | null;
  if (s !== null && s.attributes !== NO_SESSION_ATTRIBUTES) {
    for (const _ in s.attributes) return;
    s.attributes = NO_SESSION_ATTRIBUTES;
  }
}

// Ids mean nothing to a comparison: a constant keeps the engine from allocating any.
const ENV: EngineEnv = { newId: () => 's' };

/**
 * Sessionizes a log's records, device by device, with the canonical engine (`step` from
 * `@sessionhub/core`) and each vendor's model, and tallies the results. Feed records with
 * {@link Comparison.add} in log order, then call {@link Comparison.finish}.
 */
export class Comparison {
  readonly config: EngineConfig;
  readonly canonical = new Tally();
  /** Per vendor in {@link VENDORS} order (empty when vendors are off). */
  readonly vendors: Tally[];
  readonly mobileModels: VendorModel[];
  readonly webModels: VendorModel[];
  readonly timelines: DeviceTimeline[] = [];
  private readonly devices = new Map<string, Device>();
  private readonly users = new UserTable();
  private readonly mobileStates: ModelColumns;
  private readonly webStates: ModelColumns;
  private readonly pending: PendingFigures;
  /** The one draft every model step loads its row into. */
  private readonly draft: Draft = { ...INITIAL_MODEL_STATE };
  private readonly withVendors: boolean;
  private readonly sample: number;
  records = 0;
  private finished = false;

  constructor(options: ComparisonOptions = {}) {
    this.config = { ...DEFAULT_ENGINE_CONFIG, ...options.engine };
    this.withVendors = options.vendors !== false;
    this.mobileModels = this.withVendors ? vendorModels('mobile', options) : [];
    this.webModels = this.withVendors ? vendorModels('web', options) : [];
    this.vendors = this.mobileModels.map(() => new Tally());
    this.pending = new PendingFigures(this.vendors.length);
    this.mobileStates = new ModelColumns(this.mobileModels.length, this.users);
    this.webStates = new ModelColumns(this.webModels.length, this.users);
    this.sample = options.sampleDevices ?? 0;
  }

  /** Number of devices seen so far. */
  get deviceCount(): number {
    return this.devices.size;
  }

  /** Distinct signed-in users, plus devices that did something while nobody was signed in. */
  get userCount(): number {
    let anonymous = 0;
    for (const d of this.devices.values()) if (d.anonymous) anonymous++;
    return this.users.size + anonymous;
  }

  /** Devices of each platform (undecided devices are web: they had no lifecycle lines so far). */
  platformCounts(): { mobile: number; web: number } {
    let mobile = 0;
    for (const d of this.devices.values()) if (d.platform === 'mobile') mobile++;
    return { mobile, web: this.devices.size - mobile };
  }

  /** Applies one log line (in log order) to its device's engine state and vendor models. */
  add(line: LogRecord): void {
    this.records++;
    let device = this.devices.get(line.deviceId);
    if (device === undefined) device = this.newDevice(line);
    const before = device.engine.userId;
    if (line.userId !== undefined && line.userId !== null) this.users.id(line.userId);
    else if ((line.userId === undefined ? before : null) === null) device.anonymous = true;

    const cause =
      line.type === 'launch' ? RESTART : line.userId !== undefined && line.userId !== before ? USER_CHANGE : line.type === 'event' && !line.affectsSession ? NEUTRAL_EVENT : TIMEOUT_GAP;

    // Canonical sessions.
    this.starts = 0;
    if (changesUser(line, before)) for (const input of engineInputs(line, before, 'e')) this.canonicalStep(device, input);
    else this.canonicalStep(device, engineInput(line, 'e'));
    const starts = this.starts;
    if (device.sample) device.sample.timeline.last = Math.max(device.sample.timeline.last, line.t);

    // The platform: as the line says, else mobile at the first lifecycle line (canonical only too:
    // the report counts devices by platform).
    if (device.platform === null) {
      const decided = line.platform ?? (line.type !== 'event' ? 'mobile' : null);
      if (decided !== null) this.decide(device, decided);
    }
    if (!this.withVendors) return;
    if (device.mobile >= 0) this.stepModels(device, false, line, starts, cause);
    if (device.web >= 0) this.stepModels(device, true, line, starts, cause);
  }

  private starts = 0;

  /** One engine step for a device: counts the sessions it starts, tallies those it ends. */
  private canonicalStep(device: Device, input: EngineInput): void {
    // In place: nothing keeps a device's earlier state.
    const outputs = stepInPlace(device.engine, input, ENV).outputs;
    for (let j = 0; j < outputs.length; j++) {
      const o = outputs[j]!;
      if (o.type === 'sessionStart') {
        this.starts++;
        shareEmptyAttributes(device.engine);
      } else if (o.type === 'sessionEnd') {
        this.canonical.add(o.record.duration, o.record.duration);
        if (device.sample) device.sample.timeline.columns.canonical!.push({ start: o.record.startTime, end: o.record.endTime });
      }
    }
  }

  private newDevice(line: LogRecord): Device {
    const platform = line.platform ?? (line.type !== 'event' ? 'mobile' : null);
    const undecided = platform === null && this.withVendors;
    const device: Device = {
      engine: initialState(line.deviceId, this.config, line.t),
      platform,
      mobile: platform === 'mobile' || undecided ? this.mobileStates.allocate() : -1,
      web: platform === 'web' || undecided ? this.webStates.allocate() : -1,
      anonymous: false,
      sample: null,
    };
    if (this.timelines.length < this.sample) {
      const columns: Record<string, TimelineSession[]> = { canonical: [] };
      for (const v of this.withVendors ? VENDORS : []) columns[v] = [];
      const timeline: DeviceTimeline = { deviceId: line.deviceId, platform, first: line.t, last: line.t, columns };
      this.timelines.push(timeline);
      device.sample = { timeline, mobileTimeline: undecided ? Object.fromEntries(VENDORS.map((v) => [v, []])) : null };
    }
    this.devices.set(line.deviceId, device);
    return device;
  }

  /** Fixes a device's platform: the chosen variant's pending figures count, the other's are dropped. */
  private decide(device: Device, platform: Platform): void {
    device.platform = platform;
    const sample = device.sample;
    if (sample) {
      sample.timeline.platform = platform;
      // Mobile: the lanes take the mobile models' sessions instead of the web ones'.
      if (platform === 'mobile' && sample.mobileTimeline) Object.assign(sample.timeline.columns, sample.mobileTimeline);
      sample.mobileTimeline = null;
    }
    if (!this.withVendors) return;
    // Undecided, the device had both slots, each with its list: the chosen variant's figures count;
    // both lists' blocks go back for other devices.
    if (device.mobile >= 0 && device.web >= 0) {
      const mobile = this.mobileStates.pending;
      const web = this.webStates.pending;
      this.pending.apply(platform === 'mobile' ? mobile[device.mobile]! : web[device.web]!, this.vendors);
      this.pending.release(platform === 'mobile' ? web[device.web]! : mobile[device.mobile]!);
      mobile[device.mobile] = web[device.web] = -1;
    }
    if (platform === 'mobile' && device.web >= 0) {
      this.webStates.release(device.web);
      device.web = -1;
    } else if (platform === 'web' && device.mobile >= 0) {
      this.mobileStates.release(device.mobile);
      device.mobile = -1;
    }
  }

  /** Steps one variant's models (web or mobile) for a line: loads each row into the draft, applies the model's rules, stores it back. */
  private stepModels(device: Device, web: boolean, line: LogRecord, starts: number, cause: number): void {
    const models = web ? this.webModels : this.mobileModels;
    const states = web ? this.webStates : this.mobileStates;
    const slot = web ? device.web : device.mobile;
    const undecided = device.platform === null;
    // Undecided, the mobile variant's sessions wait aside: the lanes show one variant, the one that counts in the end.
    const sample = device.sample;
    const lanes = sample === null ? null : undecided && !web ? sample.mobileTimeline : sample.timeline.columns;
    const pending = states.pending;
    const d = this.draft;
    for (let i = 0; i < models.length; i++) {
      states.load(slot, i, d, line.t);
      models[i]!.apply(d, line);
      states.store(slot, i, d);
      const closed = d.closed;
      if (closed.length === 0 && d.started === starts) continue;
      for (let j = 0; j < closed.length; j++) {
        const c = closed[j]!;
        if (!undecided) this.vendors[i]!.add(c.length, c.span);
        else pending[slot] = this.pending.session(pending[slot]!, i, c.length, c.span);
        if (lanes) lanes[VENDORS[i]!]!.push(endOf(c));
      }
      if (d.started !== starts) {
        const difference = d.started - starts;
        if (!undecided) this.vendors[i]!.causes[cause]! += difference;
        else pending[slot] = this.pending.cause(pending[slot]!, i, cause, difference);
      }
    }
  }

  /**
   * Ends the comparison: sessions still live are measured as they stand (at their last activity)
   * and counted as open; undecided devices count as web. Returns nothing; read the tallies.
   */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const device of this.devices.values()) {
      const s = device.engine.session;
      if (s) {
        const length = Math.max(0, s.lastActivity - s.startTime);
        this.canonical.add(length, length, true);
        if (device.sample) device.sample.timeline.columns.canonical!.push({ start: s.startTime, end: s.lastActivity });
      }
      if (device.platform === null) this.decide(device, 'web');
      if (!this.withVendors) continue;
      const web = device.platform === 'web';
      const models = web ? this.webModels : this.mobileModels;
      const states = web ? this.webStates : this.mobileStates;
      const d = this.draft;
      for (let i = 0; i < models.length; i++) {
        states.load(web ? device.web : device.mobile, i, d, -Infinity);
        const c = models[i]!.finish(d);
        if (c) {
          this.vendors[i]!.add(c.length, c.span, true);
          if (device.sample) device.sample.timeline.columns[VENDORS[i]!]!.push(endOf(c));
        }
      }
    }
  }
}

const endOf = (c: ClosedSession): TimelineSession => ({ start: c.start, end: Math.max(c.start, c.end) });

