import { DEFAULT_ENGINE_CONFIG, initialState, step, type EngineEnv, type EngineInput, type EngineState } from '@sessionhub/core';
import { seededRandom } from '@sessionhub/testing';
import { renderTable, int, spread } from '../report/table';
import { runRounds, type Timing } from './rounds';

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

export interface EngineResult extends Timing {
  readonly devices: number;
  /** Sessions started per replay (all devices). */
  readonly sessions: number;
}

/** Sessionizes the log with `step` alone: per device state, one input object per log line. */
function replay(log: ReplayLog): number {
  let sessionCounter = 0;
  // Deterministic ids, as a replay that must give the same sessions each time would use.
  const env: EngineEnv = { newId: () => 's' + ++sessionCounter };
  const config = { ...DEFAULT_ENGINE_CONFIG };
  const states: EngineState[] = new Array<EngineState>(log.devices);
  for (let d = 0; d < log.devices; d++) states[d] = initialState('d' + d, config, 0);
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
    states[d] = step(states[d]!, input, env).state;
  }
  return sessionCounter;
}

export async function runEngineReplay(options: { quick: boolean }): Promise<EngineResult> {
  const events = options.quick ? 100_000 : 1_000_000;
  const devices = options.quick ? 1_000 : 10_000;
  const log = replayLog(events, devices);
  let sessions = 0;
  const [timing] = await runRounds(
    [
      {
        name: `step(): ${int(events)} events, ${int(devices)} devices`,
        events,
        round: () => void (sessions = replay(log)),
        verify: () => {
          if (sessions < devices) throw new Error(`the replay started only ${sessions} sessions for ${devices} devices`);
        },
      },
    ],
    { warmup: 1, rounds: options.quick ? 3 : 5 },
  );
  return { ...timing!, devices, sessions };
}

export function renderEngine(result: EngineResult): string {
  return [
    `Engine alone (server-side replay): step() from @sessionhub/core over a log of ${int(result.events)} events from ${int(result.devices)} devices\n` +
      `(${int(result.sessions)} sessions, ~${(result.events / result.sessions).toFixed(1)} events each); ${result.rounds} rounds after warm-up; median, ± = median absolute deviation.`,
    renderTable(
      ['replay', 'events/s', 'ns/event', 'spread'],
      [[result.name, int(result.eventsPerSecond), int(result.nsPerEvent), spread(result.spread)]],
    ),
  ].join('\n\n');
}
