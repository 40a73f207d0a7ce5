import { EventEmitter } from 'eventemitter3';
import { message } from './messages';
import { resolveOptions, timeoutProblem, timeoutsInSeconds, type HubOptions, type ResolvedOptions } from './config';
import { isPlainObject, readOption, snapshotAttributes } from './call-arguments';
import { errorMessage } from './describe-value';
import { SessionHubConfigError } from './errors';
import { attributeKeyProblem, attributeValueProblem, describe } from './engine/attributes';
import { sessionStartRecord, stepInPlace, type EngineEnv } from './engine/engine';
import { expiryInstant, isExpired } from './engine/expiry';
import type { EngineInput } from './engine/inputs';
import type { EngineOutput, Warning, WarningCode } from './engine/outputs';
import { decodeState, stateEncoder } from './engine/state-codec';
import { initialState, type EngineConfig, type EngineState, type SessionState } from './engine/state';
import { OUTPUT_CALLBACK, type Kit, type KitHealth } from './kit';
import { optOutKey } from './consent';
import { idSource } from './id-source';
import { kitHost, type KitHost } from './kit-host';
import type { AppState, TransitionInfo } from './lifecycle/lifecycle-adapter';
import { logsDebug, prefixedLogger, type Logger } from './logger';
import type {
  AttributeValue,
  EventRecord,
  LifecycleRecord,
  SessionAttributeChangeRecord,
  SessionAttributes,
  SessionEndRecord,
  SessionStartRecord,
  SessionTimeouts,
  UserChangeRecord,
} from './records';
import { commitPipeline, type CommitPipeline } from './storage/commit-pipeline';
import { namespacedStorage } from './storage/resilient-storage';
import { memoryStorage } from './storage/storage-adapter';
import type { SharedSession } from './shared-session';

/** The live session as `hub.getSession()` shows it. */
export interface SessionSnapshot {
  readonly id: string;
  readonly index: number;
  readonly startTime: number;
  readonly lastActivity: number;
  readonly previousSessionId: string | null;
  readonly eventIndex: number;
  readonly foregroundIndex: number;
  readonly backgroundIndex: number;
  readonly attributes: SessionAttributes;
  readonly userId: string | null;
  readonly deviceId: string;
}

/** Events the hub emits (eventemitter3). */
export interface HubEvents {
  sessionStart: [record: SessionStartRecord];
  sessionEnd: [record: SessionEndRecord];
  event: [record: EventRecord];
  foreground: [record: LifecycleRecord];
  background: [record: LifecycleRecord];
  userChange: [record: UserChangeRecord];
  sessionAttributeChange: [record: SessionAttributeChangeRecord];
  configChange: [timeouts: SessionTimeouts];
  /** `hub.reset()`, in this tab or another tab of the origin: the device's new id. */
  reset: [deviceId: string];
  warning: [warning: Warning];
}

/** Options of `hub.logEvent`. */
export interface LogEventOptions {
  /** false: the event neither starts nor extends a session (it is still stamped with a live one). Default true. */
  affectsSession?: boolean;
}

/** Options of `hub.start`. */
export interface StartOptions {
  /** The app launched in the background (silent push, background fetch): no session starts. */
  inBackground?: boolean;
}

type Phase = 'created' | 'starting' | 'running' | 'stopped';

const EMPTY_ATTRIBUTES: Readonly<Record<string, unknown>> = Object.freeze({});
/** Longest event name and user id. */
const MAX_NAME = 255;
const MAX_TIMER_DELAY = 2 ** 31 - 1;
/**
 * How long launch waits for kits to load their outboxes, so that the launch's outputs (the end of a
 * session a killed process left open) go straight into them. A kit still initialising after it gets
 * them through its stored buffer (see KitHost), written ahead of the state that says they happened.
 * `flush()` and `shutdown()` share that one wait for a kit still initialising (see KitHost's `waitInit`).
 */
const KIT_INIT_WAIT_MS = 3000;

/**
 * Calls kept while waiting for `start()`: past this many, further calls are dropped (one warning),
 * so a hub whose start() is never called cannot grow without bound.
 */
const MAX_PENDING = 1000;

/** The hub's method behind an input whose type is not its name, for the warnings that name the call. */
const CALL_NAMES: Partial<Record<EngineInput['type'], string>> = {
  event: 'logEvent',
  configure: 'setSessionTimeout',
  setAttribute: 'setSessionAttribute',
  incrementAttribute: 'incrementSessionAttribute',
  removeAttribute: 'removeSessionAttribute',
};


/**
 * The SessionHub: owns the canonical session and forwards its lifecycle to every kit.
 *
 * A thin shell around the pure engine (`step`): it stamps API calls with the clock, feeds them to the
 * engine, persists the state, arms one timer for the next expiry instant, and delivers the engine's
 * outputs to the kits in order. Runtime calls never throw: bad input logs one warning and returns a
 * failure value (`false` / `undefined`).
 */
export class SessionHub {
  private readonly opts: ResolvedOptions;
  private readonly hubLogger: Logger;
  /** Log level 'debug': every record handed to the kits is logged. */
  private readonly tracing: boolean;
  /** Everything this hub and its kits store goes through it: one ordered commit per burst, the state last. */
  private readonly pipeline: CommitPipeline;
  private readonly stateKey: string;
  private readonly choiceKey: string;
  /** The user opted out: nothing is recorded, stored or sent (see setOptOut). */
  private optedOut = false;
  private readonly engineEnv: EngineEnv;
  private readonly emitter = new EventEmitter<HubEvents>();
  private readonly kitHost: KitHost;
  private phase: Phase = 'created';
  private ownState?: EngineState | null;
  private startPromise: Promise<void> | undefined;
  /** The shutdown under way or done (see `shutdown`). */
  private stopping: Promise<void> | undefined;
  /** Calls made before start() finished, with their original timestamps. */
  private pending: EngineInput[] = [];
  /** Outputs waiting to be delivered; a listener that calls the hub re-enters here, so order holds. */
  private readonly deliveryQueue: EngineOutput[] = [];
  private delivering?: boolean;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt?: number | null;
  private unsubscribeLifecycle: (() => void) | undefined;
  /** Launch has started the kits: a kit registered from now on is started at once. */
  private kitsStarted?: boolean;
  private lastTime = 0;
  /** The session timeout (ms) of this run before an opt-out dropped its state, for the opt-in's launch. */
  private runTimeoutMs: number | undefined;
  /** Set by `stamp` whenever it answers NaN, before anything reads it. */
  private clockProblem!: string;
  /** Calls dropped because the pre-start buffer was full (said once, when it fills). */
  private droppedBeforeStart = 0;
  /** setOptOut calls, one after another: each applies (stored, purged or launched) after the one before. */
  private optChain: Promise<void> = Promise.resolve();
  /**
   * Before start(): how many calls were waiting at the first setOptOut, and the choice stored then.
   * The calls before it were made under that stored choice (see begin); the later ones under the new one.
   */
  private choiceAt = -1;
  private choiceBefore: Promise<string | null> | undefined;
  /** Whether the launch was in the foreground (null: no lifecycle information). */
  private launchedInForeground?: boolean | null;
  /** The session shared with other tabs (browser), or null: the state lives in this hub alone. */
  private readonly shared: SharedSession | null;

  /**
   * @param shared - internal: the cross-tab session of `@sessionhub/core/browser`.
   */
  constructor(options?: HubOptions, /** @internal */ shared?: SharedSession) {
    this.shared = shared ?? null;
    const o = (this.opts = resolveOptions(options));
    this.hubLogger = prefixedLogger(o.logger, '[sessionhub]', o.logLevel);
    this.tracing = logsDebug(this.hubLogger);
    try {
      this.pipeline = commitPipeline(
        o.storage ?? memoryStorage(),
        (m) => this.alert('storage-failure', m),
        // At the level of the failure it ends (the default shows warnings only).
        (m) => this.hubLogger.warn(m),
        // The user's choice, stored by an earlier run and read only now (an AsyncStorage that failed at
        // launch: iOS before the first unlock): an opt-out holds from now on.
        (key, value) => key == this.choiceKey && value == '1' && !this.optedOut && void this.setOptOut(true),
      );
    } catch (error) {
      // A storage whose members throw when read (a getter, a Proxy): a setup mistake, as for the options.
      throw new SessionHubConfigError('storage', message(3, errorMessage(error)));
    }
    this.stateKey = `${o.namespace}:state`;
    this.choiceKey = optOutKey(o.namespace);
    // Written last in every commit, after the outbox records of its burst. A shared session persists each commit itself.
    const encode = stateEncoder();
    this.pipeline.writeLast(this.stateKey, () => (this.ownState && !this.shared ? encode(this.ownState) : undefined));
    this.engineEnv = { newId: idSource(this.hubLogger, o.generateId) };
    this.kitHost = kitHost(this.hubLogger, o.beforeSend, (m) => this.publish('warning', { code: 'kit-failure', message: m }));
    for (const kit of o.kits) this.kitHost.add(kit);
  }

  // ------------------------------------------------------------------ setup

  /**
   * The app launched: loads the persisted state, ends a session left over by a killed process (or
   * resumes it with `resumeOnRelaunch`), then starts a session unless launched in the background.
   * Calls made before it resolves are applied afterwards in order, with their original timestamps.
   */
  start(options?: StartOptions): Promise<void> {
    if (this.phase == 'stopped') {
      this.alert('not-started', message(40));
      return Promise.resolve();
    }
    // A second call's options would otherwise be dropped without a word (an app launched in the background counted as a visit).
    if (this.startPromise) return options !== undefined && this.alert('invalid-argument', message(64)), this.startPromise;
    const given = isPlainObject(options) ? readOption(options, 'inBackground', null) : null;
    const inBackground = typeof given === 'boolean' ? given : undefined;
    if (options !== undefined && inBackground === undefined) {
      this.alert('invalid-argument', message(41, describe(options)));
    }
    this.phase = 'starting';
    // Calls made before start() keep their times: the launch counts from the earliest of them (contract, "Inputs").
    let t = this.stamp();
    // Not at the last good time when there is none (0: a session of 1970 at every vendor).
    if (Number.isNaN(t)) this.alert('invalid-argument', message(57, this.clockProblem)), (t = this.lastTime = Date.now());
    for (const input of this.pending) t = Math.min(t, input.t);
    // The app's state at the launch, not once the kits are ready: a change while they load is a call
    // made before the hub started, applied after the launch at its own time (see onLifecycle).
    const foreground = this.foregroundAt(inBackground);
    try {
      this.unsubscribeLifecycle = this.opts.lifecycle?.subscribe((state, info) => this.onLifecycle(state, info));
    } catch (error) {
      this.hubLogger.error(message(45), error);
    }
    // Launches, unless the user opted out: then the kits only drop what an earlier run left queued.
    return (this.startPromise = (async () => {
      await this.optChain;
      // The user's stored choice wins over the option.
      const choice = await this.pipeline.get(this.choiceKey);
      this.optedOut = choice == '1' || (choice != '0' && this.opts.optOut);
      // Calls made before start() under an opt-out (the choice stored, else the option; a consent-gated
      // app's calls before consent) are dropped, also when the user opted in before start() finished.
      const before = this.choiceAt < 0 ? choice : await this.choiceBefore;
      if (before == '1' || (before != '0' && this.opts.optOut)) this.pending.splice(0, this.choiceAt < 0 ? Infinity : this.choiceAt);
      if (!this.optedOut) return this.launch(t, foreground, inBackground);
      this.pending = [];
      // What an earlier run left is deleted when the user chose to opt out (a purge a kill cut short is
      // done again). Opted out by the options alone (consent-gated, no choice yet), only when an earlier
      // run opted in left its state: a purge removes it last. Else nothing: the kits start at consent,
      // and a purge would have them forget what they would take over then (a vendor Web SDK's ids). With
      // tabs, never by the options alone: what the origin's pages opted in by theirs keep is not this page's.
      if (choice == '1' || (!this.shared && (await this.pipeline.get(this.stateKey)) !== null)) {
        // With tabs the kits start once opted in: until this page holds a slot, the storage they would load is another page's.
        if (!this.shared) this.startKits();
        await this.kitHost.whenReady(KIT_INIT_WAIT_MS);
        await this.purge();
      }
      this.runPending();
    })());
  }

  /** Whether the app is in the foreground now (null: no lifecycle information), unless `inBackground` says. */
  private foregroundAt(inBackground?: boolean): boolean | null {
    if (inBackground !== undefined) return !inBackground;
    try {
      const current = this.opts.lifecycle?.current?.();
      return current === undefined ? null : current !== 'background';
    } catch (error) {
      this.hubLogger.error(message(43), error);
      return null;
    }
  }

  /** Loads (or, with other tabs, joins: see SharedSession) the state, readies the kits, then runs the launch. */
  private async launch(t: number, foreground: boolean | null, inBackground?: boolean): Promise<void> {
    const { shared } = this;
    if (shared) {
      const hub = this;
      await shared.open({
        config: this.engineConfig(),
        makeId: this.engineEnv.newId,
        nowMs: () => this.nowMs(),
        deliver(outputs) {
          hub.deliveryQueue.push(...outputs);
          hub.drain();
          hub.armTimer();
        },
        pipeline: this.pipeline,
        changed: () => this.armTimer(),
        // Then compacted, as in purge(): what the kits removed must not linger in an old segment.
        cleared: () => this.kitHost.runAll('clear', KIT_INIT_WAIT_MS).then(() => this.pipeline.compact()),
        alert: (code, message) => this.alert(code, message),
        kitsQueued: () => this.kitHost.queuedItems(),
      });
    } else {
      const text = await this.pipeline.get(this.stateKey);
      const config = this.engineConfig();
      const decoded = text === null ? null : decodeState(text, config);
      if (decoded && !decoded.ok) this.alert('corrupt-state', message(42, decoded.problem));
      // A corrupt state keeps what can be read of the device: its id, its session count and last session.
      this.ownState = decoded?.ok ? decoded.state : { ...initialState(decoded?.deviceId ?? this.engineEnv.newId(), config, t), ...decoded?.kept };
    }
    this.startKits();
    await this.kitHost.whenReady(KIT_INIT_WAIT_MS);
    // The config now: a kit registered while the others started counts too. Without lifecycle
    // information (foreground null) a session starts, and the session timeout applies (contract, "Expiry").
    // With tabs, the page's state once it has joined them: a change while it joined is not replayed (see runPending).
    if (shared) foreground = this.foregroundAt(inBackground);
    this.launchedInForeground = foreground;
    this.runInput({ type: 'launch', t, foreground, config: this.engineConfig() });
    this.runPending();
    await (shared ? shared.caughtUp() : this.persistNow());
  }

  private startKits(): void {
    if (this.kitsStarted) return;
    this.kitsStarted = true;
    for (const name of this.kitHost.names()) this.initializeKit(name);
  }

  /** Running from now on: applies the calls queued before start() finished, then follows the lifecycle. */
  private runPending(): void {
    this.phase = 'running';
    const pending = this.pending;
    this.pending = [];
    for (const input of pending) this.runInput(input);
    // Said once: opting back in runs this again.
    if (this.droppedBeforeStart) this.alert('not-started', message(44, this.droppedBeforeStart, MAX_PENDING));
    this.droppedBeforeStart = 0;
    // Queued calls are in the past: bring the session to now. Then a timer ends it on time (decided from timestamps).
    if (pending.length) this.runInput({ type: 'tick', t: this.nowMs() });
    this.armTimer();
    // With tabs: a page hidden (or shown) while it started is told now, as by the event it missed.
    const now = this.shared && !this.optedOut && this.foregroundAt();
    if (now != null && now !== this.launchedInForeground) this.onLifecycle(now ? 'foreground' : 'background', now ? undefined : { pageHidden: true });
  }

  private onLifecycle(state: AppState, info: TransitionInfo | undefined): void {
    // While start() runs, a change is a call like the app's: queued with its time. (With tabs, a page
    // that left and came back meanwhile is not replayed step by step: see runPending.)
    if (this.phase == 'starting' && !this.shared) void (state === 'foreground' ? this.foreground() : this.background());
    if (this.phase != 'running') return;
    if (info?.restored) this.shared?.resume();
    if (state === 'foreground') {
      this.foreground();
      return;
    }
    this.background();
    if (info?.final) {
      // The page is being unloaded, frozen or cached: nothing asynchronous may run after this. Commits
      // the state and hands the kits their last chance to send (keepalive / beacon), synchronously.
      try {
        if (this.shared) this.shared.commitPage(true);
        else this.pipeline.touch();
      } catch (error) {
        // Runs inside the page's pagehide listener: an engine bug must not surface there either.
        this.hubLogger.error(message(46), error);
      }
      if (!this.optedOut) this.kitHost.pageHide();
      // The kits' records, then the state, synchronously with a synchronous storage (localStorage).
      this.pipeline.commitNow();
      this.shared?.noteQueued(this.kitHost.queuedItems());
    } else if (info?.pageHidden) {
      this.shared?.hidden();
      void Promise.resolve(this.shared?.caughtUp()).then(() => this.phase == 'running' && this.kitHost.pageHide());
    }
  }

  /** The state as this hub sees it (with other tabs, the shared one plus its own calls not yet committed). */
  private stateNow(): EngineState | null | undefined {
    return this.shared ? this.shared.view() : this.ownState;
  }

  /** The live session of the current state, unless the clock already expired it. */
  private liveSession(): [EngineState, SessionState] | null {
    const state = this.stateNow();
    const s = state?.session;
    return state && s && !isExpired(s, this.nowMs(), state.inForeground, state.config) ? [state, s] : null;
  }

  /**
   * Adds a kit. Before `start()` it is initialized with the others; later, it is initialized now and
   * then receives `onSessionStart` for the live session. An invalid kit or a duplicate name throws
   * {@link SessionHubConfigError} (a setup mistake).
   */
  registerKit(kit: Kit): void {
    // Once launch has run, a new kit joins mid-stream: it must not get the end of a session it never saw start.
    const { name, neutral } = this.kitHost.add(kit, this.phase == 'running');
    // After shutdown nothing runs: said, as for any call then. Until launch starts the kits it is started with them.
    if (this.phase == 'stopped') return this.alert('not-started', message(58, 'registerKit'));
    if (!this.kitsStarted) return;
    this.initializeKit(name);
    // While launch waits for the kits, the launch step is still to come and reaches this one too.
    if (this.phase != 'running') return;
    if (neutral.length) {
      this.runInput({ type: 'configure', t: this.nowMs(), config: { excludedEvents: this.engineConfig().excludedEvents } });
    }
    const live = this.liveSession();
    if (live) this.kitHost.dispatch('onSessionStart', sessionStartRecord(live[1], live[0].deviceId), name);
  }

  private initializeKit(name: string): void {
    const hub = this;
    const { shared, opts: options } = this;
    // With tabs, each tab's kits keep their outboxes in the tab's own slot, so tabs never overwrite each other's.
    const suffix = `kit:${name}:`;
    const prefix = shared ? () => shared.ownPrefix() + suffix : `${options.namespace}:${suffix}`;
    // Nothing is sent while the user is opted out or while the kit is still to be cleared: its outbox
    // holds what it loaded, as while the storage fails, until `clear` drops it.
    const storage = namespacedStorage(this.pipeline, prefix, () => this.optedOut || this.kitHost.clearing(name));
    this.pipeline.label(prefix, `kit "${name}"`);
    this.kitHost.initialize(name, (reportError) => ({
      get deviceId() {
        return hub.stateNow()?.deviceId ?? '';
      },
      get timeouts() {
        return timeoutsInSeconds(hub.stateNow()?.config ?? options.engine);
      },
      logger: prefixedLogger(options.logger, `[sessionhub:${name}]`, options.logLevel),
      storage,
      clock: () => this.nowMs(),
      generateId: this.engineEnv.newId,
      reportError,
    }));
  }

  /** The run's engine config: options plus the events kits declare session-neutral. */
  private engineConfig(): EngineConfig {
    const base = this.opts.engine;
    const neutral = this.kitHost.sessionNeutralEvents();
    const config = neutral.length ? { ...base, excludedEvents: [...new Set([...base.excludedEvents, ...neutral])] } : base;
    return this.runTimeoutMs ? { ...config, sessionTimeoutMs: this.runTimeoutMs } : config;
  }

  // ------------------------------------------------------------------ configuration

  /** Sets the background inactivity timeout (seconds, ≥ 1) from now on, and tells every kit. */
  setSessionTimeout(seconds: number): boolean {
    const problem = timeoutProblem(seconds, false);
    if (problem) return this.reject(message(47, problem));
    return this.command({ type: 'configure', t: this.stamp(), config: { sessionTimeoutMs: Math.round(seconds * 1000) } });
  }

  /** The background inactivity timeout in seconds. */
  getSessionTimeout(): number {
    return (this.stateNow()?.config ?? this.engineConfig()).sessionTimeoutMs / 1000;
  }

  // ------------------------------------------------------------------ events and lifecycle

  /** Logs an event: starts or extends the session (unless session-neutral) and goes to every kit. */
  logEvent(name: string, attributes?: Record<string, unknown> | null, options?: LogEventOptions): boolean {
    if (typeof name !== 'string' || !name || name.length > MAX_NAME) {
      return this.reject(message(48, MAX_NAME, describe(name)));
    }
    // Messages are built only when a call is refused: a valid call allocates no text.
    if (attributes != null && !isPlainObject(attributes)) return this.reject(message(49, name, describe(attributes)));
    const affectsSession = options === undefined ? undefined : isPlainObject(options) ? readOption(options, 'affectsSession', null) : null;
    if (affectsSession !== undefined && typeof affectsSession !== 'boolean') {
      return this.reject(message(50, name, describe(options)));
    }
    // One copy, read once: every kit (and a call queued until start()) sees the same values.
    let attrs: Readonly<Record<string, unknown>> = EMPTY_ATTRIBUTES;
    try {
      if (attributes) attrs = snapshotAttributes(attributes);
    } catch (error) {
      return this.reject(message(51, name, errorMessage(error)));
    }
    return this.command({ type: 'event', t: this.stamp(), eventId: this.engineEnv.newId(), name, attributes: attrs, affectsSession: affectsSession !== false });
  }

  /** The app came to the foreground. */
  foreground(): boolean {
    return this.command({ type: 'foreground', t: this.stamp() });
  }

  /** The app went to the background: the session's inactivity clock starts, and kits flush. */
  background(): boolean {
    const ok = this.command({ type: 'background', t: this.stamp() });
    if (this.phase == 'running') void this.persistNow();
    return ok;
  }

  /** Sets the user (null: logged out). Changing identified users starts a new session (contract). */
  setUser(userId: string | null): boolean {
    if (userId !== null && (typeof userId !== 'string' || !userId || userId.length > MAX_NAME)) {
      return this.reject(message(52, MAX_NAME, describe(userId)));
    }
    return this.command({ type: 'setUser', t: this.stamp(), userId });
  }

  /** Ends the live session (if any) now and starts a new one. */
  startNewSession(): boolean {
    return this.command({ type: 'startNewSession', t: this.stamp() });
  }

  /** Ends the live session now. Returns false (with a warning) when there is none. */
  endSession(): boolean {
    return this.submitInput({ type: 'endSession', t: this.stamp() }) === true;
  }

  // ------------------------------------------------------------------ session attributes

  /** Sets a session attribute (string, number, boolean or null) on the live session. */
  setSessionAttribute(key: string, value: AttributeValue): boolean {
    const problem = attributeKeyProblem(key) ?? attributeValueProblem(value);
    if (problem) return this.reject(`setSessionAttribute: ${problem}`);
    return this.command({ type: 'setAttribute', t: this.stamp(), key, value });
  }

  /**
   * Adds `by` (default 1) to a numeric session attribute (a missing one becomes `by`) and returns the
   * new value; undefined (with a warning) when the value is not a number, with no live session, or
   * before `start()` resolves (the call is then applied in order once it does).
   */
  incrementSessionAttribute(key: string, by: number = 1): number | undefined {
    const problem = attributeKeyProblem(key) ?? (Number.isFinite(by) ? null : message(53, describe(by)));
    if (problem) return this.reject(`incrementSessionAttribute: ${problem}`) || undefined;
    const r = this.submitInput({ type: 'incrementAttribute', t: this.stamp(), key, by });
    return typeof r === 'number' ? r : undefined;
  }

  /** Removes a session attribute; false when it did not exist. */
  removeSessionAttribute(key: string): boolean {
    const problem = attributeKeyProblem(key);
    if (problem) return this.reject(`removeSessionAttribute: ${problem}`);
    return this.submitInput({ type: 'removeAttribute', t: this.stamp(), key }) === true;
  }

  /** The live session's attributes (empty without a live session). */
  getSessionAttributes(): SessionAttributes {
    return this.getSession()?.attributes ?? {};
  }

  // ------------------------------------------------------------------ reading

  /** The live session, or null (none, not started yet, or already expired by the clock). Never changes state. */
  getSession(): SessionSnapshot | null {
    const live = this.liveSession();
    if (!live) return null;
    const [state, s] = live;
    return {
      id: s.id,
      index: s.index,
      startTime: s.startTime,
      lastActivity: s.lastActivity,
      previousSessionId: s.previousSessionId,
      eventIndex: s.eventIndex,
      foregroundIndex: s.foregroundIndex,
      backgroundIndex: s.backgroundIndex,
      attributes: { ...s.attributes },
      userId: s.userId,
      deviceId: state.deviceId,
    };
  }

  /** The device id (after `start()`), or null before. */
  getDeviceId(): string | null {
    return this.stateNow()?.deviceId ?? null;
  }

  /** The current user id. */
  getUser(): string | null {
    return this.stateNow()?.userId ?? null;
  }

  /** Per kit: calls, errors, last error, and delivery figures when the kit has an outbox. */
  getKitHealth(): Record<string, KitHealth> {
    return this.kitHost.health();
  }

  /** Adds a listener (see {@link HubEvents}). */
  on<E extends keyof HubEvents>(event: E, listener: (...args: HubEvents[E]) => void): this {
    return this.listen('on', event, listener);
  }

  /** Adds a listener that runs once. */
  once<E extends keyof HubEvents>(event: E, listener: (...args: HubEvents[E]) => void): this {
    return this.listen('once', event, listener);
  }

  /** Removes a listener (all of the event's listeners without one). */
  off<E extends keyof HubEvents>(event: E, listener?: (...args: HubEvents[E]) => void): this {
    return this.listen('off', event, listener);
  }

  /** `on`/`once`/`off` on the emitter, or a warning when they got something eventemitter3 would throw on, or could not use. */
  private listen(method: 'on' | 'once' | 'off', event: unknown, listener: unknown): this {
    if (typeof event !== 'string') this.reject(message(54, method, describe(event)));
    else if (typeof listener === 'function' || (method == 'off' && listener === undefined)) this.emitter[method](event as keyof HubEvents, listener as never);
    else this.reject(message(55, method, event.slice(0, 64), describe(listener)));
    return this;
  }

  // ------------------------------------------------------------------ consent and the user's data

  /**
   * Opts the user out (true) or back in (false), and persists the choice (it wins over the `optOut`
   * option on later launches). Opted out, nothing is recorded, stored or sent: calls are refused
   * (false), and the state and everything the kits had queued or stored are deleted — the live
   * session is not ended at the vendors, since nothing more is sent. Opting back in starts like a
   * fresh install: a new device id, and a session if the app is in the foreground. Calls apply one
   * after another (the last one's choice holds); before `start()`, calls made from then on follow
   * it. Resolves once storage reflects it; never rejects. See docs/privacy.md.
   */
  setOptOut(optOut: boolean): Promise<void> {
    if (typeof optOut !== 'boolean') return Promise.resolve(void this.reject(message(56, describe(optOut))));
    const early = !this.startPromise;
    if (early) {
      // Before start(): the calls from now on are this choice's (refused when opting out); begin sorts out those before.
      if (this.choiceAt < 0) {
        this.choiceBefore = this.pipeline.get(this.choiceKey);
        this.choiceAt = this.pending.length;
      }
      this.optedOut = optOut;
    }
    // One after another: a second call made while the first still purges or launches applies after it.
    return (this.optChain = this.optChain.then(async () => {
      if (!early) await this.startPromise;
      const changed = optOut !== this.optedOut;
      this.optedOut = optOut;
      await this.pipeline.set(this.choiceKey, optOut ? '1' : '0');
      // A run that commits nothing (the pipeline's blind) still stores the choice, a key of its own
      // that no earlier run's record holds: it must survive the relaunch.
      // (Called inside the promise: an adapter that throws at once must not make setOptOut reject.)
      if (this.pipeline.blind) await Promise.resolve(this.choiceKey).then((key) => this.opts.storage?.setItem(key, optOut ? '1' : '0')).catch(() => {});
      if (early || !changed || this.phase == 'stopped') return;
      if (optOut) await this.purge();
      else await this.launch(this.nowMs(), this.foregroundAt());
    }));
  }

  /** Whether the user is opted out (known once `start()` resolved; before, the last `setOptOut` choice, else the `optOut` option). */
  isOptedOut(): boolean {
    return this.startPromise || this.choiceAt >= 0 ? this.optedOut : this.opts.optOut;
  }

  /**
   * For a shared device or a logout that must not link users: ends the live session, then gives
   * this device a new id with no user (a fresh install; a session starts unless the app is in the
   * background), and tells every kit (`onReset`) so it forgets the ids it keeps. What the kits had
   * queued is flushed between, so it goes out under the old identity where the network allows. In
   * browsers it holds for every tab of the origin: one tab ends the session, every tab's kits are
   * told. Never rejects.
   */
  async reset(): Promise<void> {
    if (this.phase == 'created' || this.phase == 'stopped') return this.alert('not-started', message(this.phase == 'created' ? 130 : 58, 'reset'));
    await this.startPromise;
    if (this.phase != 'running' || this.optedOut) return;
    if (this.liveSession()) this.runInput({ type: 'endSession', t: this.nowMs() });
    await this.shared?.caughtUp();
    await this.kitHost.runAll('flush', KIT_INIT_WAIT_MS);
    // A session another tab started meanwhile is ended by the reset itself.
    this.runInput({ type: 'reset', t: this.nowMs() });
    await (this.shared?.caughtUp() ?? this.persistNow());
  }

  /**
   * Deletes everything SessionHub stored on this device — the hub's state and every kit's outbox and
   * ledgers (the opt-out choice alone stays) — for a deletion request. Queued data is dropped unsent.
   * The hub goes on as a fresh install: a new device id, no user, no session until the next activity.
   * In browsers it is every tab's data on the origin: the other tabs drop what they hold too and go
   * on with the new device id. Never rejects. See docs/privacy.md for what to ask each vendor to delete.
   */
  async clearStoredData(): Promise<void> {
    // A page's tabs are joined by start(): until then this page cannot delete what they share.
    if (this.phase == 'created' && this.shared) return this.alert('not-started', message(130, 'clearStoredData'));
    await this.startPromise;
    // Before the purge, so a state write already scheduled cannot store the old state again.
    if (this.ownState && !this.optedOut) this.ownState = initialState(this.engineEnv.newId(), this.ownState.config, this.nowMs());
    await this.purge();
  }

  /**
   * Drops the state (in memory and stored) and everything the kits queued or stored; with tabs,
   * everything every tab stored (opted out, this tab's shared session stops).
   */
  private async purge(): Promise<void> {
    clearTimeout(this.timer);
    this.timerAt = null;
    // The run's timeout (setSessionTimeout holds for the run) outlives the state: opting back in keeps it.
    if (this.optedOut) (this.runTimeoutMs = this.stateNow()?.config.sessionTimeoutMs), (this.ownState = null);
    await this.shared?.caughtUp();
    await this.persistNow();
    await this.kitHost.runAll('clear', KIT_INIT_WAIT_MS);
    await this.shared?.clearTabs(this.optedOut);
    // The state last: a launch opted out by its options alone purges only while one is stored (begin).
    await this.pipeline.remove(this.stateKey);
    // Deleted means gone from the storage too, not only shadowed by a newer record.
    await this.pipeline.compact();
    this.armTimer();
  }

  // ------------------------------------------------------------------ flushing and shutdown

  /** Persists the state and asks every kit to send what it has queued. Never rejects. */
  async flush(): Promise<void> {
    if (this.phase == 'stopped') return this.alert('not-started', message(58, 'flush'));
    await this.startPromise;
    await this.shared?.caughtUp();
    await this.persistNow();
    await this.kitHost.runAll('flush', KIT_INIT_WAIT_MS);
  }

  /**
   * Persists and flushes, then stops the kits, the timer and the lifecycle listener. It does not end
   * the session: the next launch resumes or recovers it — unless the storage fell back to memory for
   * the run (a read-only directory): then it ends it first, as the next launch would have (at its last
   * activity, reason `recovered`). Calls after it are refused with a warning (`not-started`), but for
   * `setOptOut` and `clearStoredData`: the user's choice is still stored and the data still deleted,
   * and the next launch honours both. Calls while it runs share it: each kit is flushed and shut down once.
   */
  shutdown(): Promise<void> {
    return (this.stopping ??= (async () => {
      await this.startPromise;
      // A run whose storage keeps nothing (a read-only directory) cannot leave its session to the next
      // launch: it ends it now, as that launch would have (at its last activity, reason recovered).
      // So does one whose storage holds an earlier run's data it could not read at launch (the pipeline's blind).
      if (this.opts.storage?.notice || this.pipeline.blind) this.runInput({ type: 'launch', t: this.nowMs(), foreground: false, config: { ...this.engineConfig(), resumeOnRelaunch: false } });
      this.phase = 'stopped';
      try {
        // An adapter's unsubscribe that throws, or that is not a function, must not stop the shutdown half-way.
        this.unsubscribeLifecycle?.();
      } catch (error) {
        this.hubLogger.error(message(131), error);
      }
      this.unsubscribeLifecycle = undefined;
      this.armTimer();
      await this.shared?.closeTab();
      await this.persistNow();
      await this.kitHost.runAll('flush', KIT_INIT_WAIT_MS);
      await this.kitHost.runAll('shutdown', KIT_INIT_WAIT_MS);
    })());
  }

  // ------------------------------------------------------------------ the shell

  /** The clock now, or NaN when it throws or answers no finite number (`clockProblem` says how). */
  private stamp(): number {
    let t: unknown;
    try {
      t = this.opts.clock();
    } catch (error) {
      this.clockProblem = `threw (${errorMessage(error)})`;
      return NaN;
    }
    if (Number.isFinite(t)) return (this.lastTime = t as number);
    this.clockProblem = `returned ${describe(t)}`;
    return NaN;
  }

  /** The time for reads and timers: the clock, or its last good time (a call it stamps is refused, with the warning). */
  private nowMs(): number {
    const t = this.stamp();
    return Number.isNaN(t) ? this.lastTime : t;
  }

  /** A command's boolean answer (true when queued before start()). */
  private command(input: EngineInput): boolean {
    return this.submitInput(input) !== false;
  }

  /** Runs an input now, or queues it until start() finishes. */
  private submitInput(input: EngineInput): boolean | number | undefined {
    if (this.phase == 'stopped') return this.reject(message(58, CALL_NAMES[input.type] ?? input.type), 'not-started');
    if (Number.isNaN(input.t)) return this.reject(message(59, CALL_NAMES[input.type] ?? input.type, this.clockProblem));
    if (this.optedOut) return false;
    if (this.phase == 'running') return this.runInput(input);
    if (this.pending.length >= MAX_PENDING) {
      if (!this.droppedBeforeStart++) {
        this.alert('not-started', message(this.phase == 'created' ? 60 : 61, MAX_PENDING));
      }
      return false;
    }
    this.pending.push(input);
    return input.type != 'incrementAttribute' || undefined;
  }

  private runInput(input: EngineInput): boolean | number | undefined {
    const { shared, ownState: state } = this;
    let result: boolean | number | undefined;
    try {
      // With tabs: previewed here for the return value; committed (and delivered) once this tab holds the lock.
      if (shared) result = shared.submit(input);
      else if (state) {
        // In place: nothing keeps the hub's earlier state (the records handed out are copies), so no
        // state and session copy per call. An engine bug that threw may leave it part-stepped.
        const next = stepInPlace(state, input, this.engineEnv);
        this.pipeline.touch();
        this.deliveryQueue.push(...next.outputs);
        result = next.result;
      } else return undefined;
    } catch (error) {
      // An engine bug must never reach the host app.
      this.hubLogger.error(message(62, input.type), error);
      return undefined;
    }
    if (!shared) this.drain();
    this.armTimer();
    return result;
  }

  private drain(): void {
    if (this.delivering) return;
    this.delivering = true;
    // The kits' writes for these outputs join one commit with the state that produced them.
    this.pipeline.hold();
    try {
      for (let output = this.deliveryQueue.shift(); output; output = this.deliveryQueue.shift()) {
        if (output.type == 'warning') {
          this.alert(output.warning.code, output.warning.message);
          continue;
        }
        const payload = output.type == 'configChange' ? timeoutsInSeconds(output.config) : output.record;
        if (this.tracing) {
          // Logs the record handed to the kits (log level 'debug'); one JSON cannot hold (a bigint, a cycle) is logged as it is.
          let text: unknown = payload;
          try {
            text = JSON.stringify(payload);
          } catch {
            // logged as the object itself
          }
          this.hubLogger.debug(`${output.type}:`, text);
        }
        this.kitHost.dispatch(OUTPUT_CALLBACK[output.type], payload);
        this.publish(output.type, payload as never);
      }
    } finally {
      this.delivering = false;
      this.pipeline.release();
    }
  }

  private publish<E extends keyof HubEvents>(event: E, arg: HubEvents[E][0]): void {
    try {
      (this.emitter.emit as (e: E, a: HubEvents[E][0]) => boolean)(event, arg);
    } catch (error) {
      this.hubLogger.error(message(63, event), error);
    }
  }

  private reject(message: string, code: WarningCode = 'invalid-argument'): false {
    this.alert(code, message);
    return false;
  }

  private alert(code: WarningCode, message: string): void {
    this.hubLogger.warn(message);
    this.publish('warning', { code, message });
  }

  // ------------------------------------------------------------------ timer

  /**
   * Keeps one timer, for the next expiry instant (none once stopped). An earlier wake-up is harmless:
   * the engine decides from timestamps.
   */
  private armTimer(): void {
    const state = this.stateNow();
    const at = state && this.phase == 'running' ? expiryInstant(state) : null;
    if (at !== null && this.timerAt != null && this.timerAt <= at) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    if (at === null) return;
    const timer = (this.timer = setTimeout(
      () => {
        this.timerAt = null;
        if (this.phase == 'running' && !this.optedOut) this.runInput({ type: 'tick', t: this.nowMs() });
      },
      Math.min(MAX_TIMER_DELAY, Math.max(0, at - this.nowMs())),
    ));
    // A pending session timeout alone must not keep a Node process alive.
    (timer as { unref?: () => void }).unref?.();
  }

  // ------------------------------------------------------------------ persistence

  private persistNow(): Promise<void> {
    this.pipeline.touch();
    return this.pipeline.settled();
  }
}

/**
 * Creates a hub. Invalid options throw {@link SessionHubConfigError} with what to fix.
 *
 * @example
 * const hub = createHub({ sessionTimeout: 60, kits: [brazeKit({ apiKey, baseUrl })] });
 * await hub.start();
 * hub.logEvent('song_played', { genre: 'jazz' });
 */
export function createHub(options?: HubOptions): SessionHub {
  return new SessionHub(options);
}
