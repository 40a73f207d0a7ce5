import { DEFAULT_ENGINE_CONFIG, initialState, step, stepInPlace, type EngineEnv, type EngineInput, type EngineState, type StepResult } from '@sessionhub/core';
import { seededRandom } from '@sessionhub/testing';
import { renderTable, int, spread } from '../report/table';
import { median, runRounds, type Timing } from './rounds';

const NAMES = ['app_open', 'screen_view', 'song_played', 'search', 'purchase'] as const;
const ATTRIBUTES: Readonly<Record<string, unknown>> = Object.freeze({ genre: 'jazz', duration_s: 562 });

/** A replayed log kept in columns (as a server would read it from a file), not as a million objects. */
interface ReplayLog {
  readonly events: number;
  readonly devices: number;
  readonly device: Uint32Array;
  readonly time: Float64Array;
  readonly name: Uint8Array;
}

/** Mean time between two events of one device, ms. */
const DEVICE_GAP_MS = 20_000;

/**
 * `events` events from `devices` devices in time order, each from a random device, so a device's
 * events are {@link DEVICE_GAP_MS} apart on average and a gap past the 60 s timeout (≈5 %) ends its
 * session: sessions of ~20 events, as in a day of many apps' traffic.
 */
function replayLog(events: number, devices: number): ReplayLog {
  const random = seededRandom(9);
  const log: ReplayLog = { events, devices, device: new Uint32Array(events), time: new Float64Array(events), name: new Uint8Array(events) };
  const step = (2 * DEVICE_GAP_MS) / devices;
  let t = Date.UTC(2026, 0, 1);
  for (let i = 0; i < events; i++) {
    t += random() * step;
    log.device[i] = Math.floor(random() * devices);
    log.time[i] = t;
    log.name[i] = Math.floor(random() * NAMES.length);
  }
  return log;
}

export interface EngineRow extends Timing {
  /** Median of the rounds' events per second of this process's CPU time (user + system). */
  readonly eventsPerCpuSecond: number;
  readonly devices: number;
  /** Sessions started per replay (all devices). */
  readonly sessions: number;
}

export interface EngineResult {
  readonly rows: readonly EngineRow[];
}

type Stepper = (state: EngineState, input: EngineInput, env: EngineEnv) => StepResult;

/**
 * Sessionizes the log with the engine alone: per device state, one input object per log line.
 * `stepper` is `step` (a new state per event) or `stepInPlace` (the replay path: no caller keeps a
 * device's old state).
 */
function replay(log: ReplayLog, states: EngineState[], stepper: Stepper): number {
  let sessionCounter = 0;
  // Deterministic ids, as a replay that must give the same sessions each time would use.
  const env: EngineEnv = { newId: () => 's' + ++sessionCounter };
  for (let i = 0; i < log.events; i++) {
    const d = log.device[i]!;
    const input: EngineInput = {
      type: 'event',
      t: log.time[i]!,
      eventId: 'e' + i,
      name: NAMES[log.name[i]!]!,
      attributes: ATTRIBUTES,
      affectsSession: true,
    };
    states[d] = stepper(states[d]!, input, env).state;
  }
  return sessionCounter;
}

/** Every device's state before its first event. */
function freshStates(devices: number): EngineState[] {
  const config = { ...DEFAULT_ENGINE_CONFIG };
  const states: EngineState[] = new Array<EngineState>(devices);
  for (let d = 0; d < devices; d++) states[d] = initialState('d' + d, config, 0);
  return states;
}

const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('the engine figures need node --expose-gc (pnpm bench passes it)');
  collect();
};

/** step() and stepInPlace() over the same logs, at 10k and 100k devices, in interleaved rounds. */
export async function runEngineReplay(options: { quick: boolean }): Promise<EngineResult> {
  const events = options.quick ? 100_000 : 1_000_000;
  const sizes = options.quick ? [1_000, 10_000] : [10_000, 100_000];
  const sessions = new Map<string, number>();
  const contenders = sizes.flatMap((devices) => {
    const log = replayLog(events, devices);
    return (
      [
        ['step()', step],
        ['stepInPlace()', stepInPlace],
      ] as const
    ).map(([what, stepper]) => {
      const name = `${what}: ${int(events)} events, ${int(devices)} devices`;
      let states: EngineState[] = [];
      const cpu: number[] = [];
      return {
        cpu,
        name,
        events,
        devices,
        // Fresh states, and the previous round's garbage (of any contender) collected, untimed.
        prepare: () => {
          states = [];
          gc();
          states = freshStates(devices);
        },
        round: () => {
          const start = process.cpuUsage();
          sessions.set(name, replay(log, states, stepper));
          const used = process.cpuUsage(start);
          cpu.push(events / ((used.user + used.system) / 1e6));
        },
        verify: () => {
          if (sessions.get(name)! < devices) throw new Error(`the replay started only ${sessions.get(name)} sessions for ${devices} devices`);
        },
      };
    });
  });
  const timings = await runRounds(contenders, { warmup: 1, rounds: options.quick ? 3 : 5 });
  // The first round of each was the warm-up: not in the CPU figures either.
  return { rows: timings.map((t, i) => ({ ...t, eventsPerCpuSecond: median(contenders[i]!.cpu.slice(1)), devices: contenders[i]!.devices, sessions: sessions.get(t.name)! })) };
}

export function renderEngine(result: EngineResult): string {
  const first = result.rows[0]!;
  return [
    `Engine alone (server-side replay): step() and stepInPlace() from @sessionhub/core over logs of ${int(first.events)} events\n` +
      `(sessions of ~${(first.events / first.sessions).toFixed(1)} events); ${first.rounds} rounds after warm-up, interleaved, each after a full collection; median, ± = median absolute deviation;\n` +
      'events/s of wall time, and of this process\'s CPU time (user + system: what one core does when the machine is shared).',
    renderTable(
      ['replay', 'sessions', 'events/s (wall)', 'events/s (CPU)', 'ns/event', 'spread'],
      result.rows.map((r) => [r.name, int(r.sessions), int(r.eventsPerSecond), int(r.eventsPerCpuSecond), int(r.nsPerEvent), spread(r.spread)]),
    ),
  ].join('\n\n');
}
