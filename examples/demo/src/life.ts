/**
 * The app's life: what it does, when, and how each of its processes ends. Pure data, built from the
 * session timeout: the scripted story of `pnpm demo`, or a random one from a seed (`--seed`).
 */
import type { AppAction, AppRun, AppStep, RunEnding } from './protocol';

/** The demo's virtual day starts here (whole seconds everywhere: CleverTap counts in seconds). */
export const LIFE_START = Date.UTC(2026, 2, 14, 9, 0, 0);

/**
 * How long the kits' outboxes let items wait for company in the demo, ms of virtual time (a real app
 * keeps the kits' default, 10 s of real time). The scripted life relies on it: the events queued in
 * the last minute before the kill are still queued when the process dies (nothing was due yet), and
 * the relaunch minutes later finds them due and sends them at once.
 */
export const batchWindowMs = (timeout: number): number => (timeout + 60) * SECOND;

const SECOND = 1000;

/** Builds runs step by step on a virtual clock. */
class LifeWriter {
  readonly runs: AppRun[] = [];
  private steps: AppStep[] = [];
  t = LIFE_START;

  /** Waits `seconds` (whole), then does `action`. */
  after(seconds: number, action: DistributiveOmit<AppAction, 't'>, note?: string): this {
    this.t += Math.round(seconds) * SECOND;
    this.steps.push({ ...action, t: this.t, ...(note ? { note } : {}) } as AppStep);
    return this;
  }

  end(ending: RunEnding): this {
    this.runs.push({ steps: this.steps, ending });
    this.steps = [];
    return this;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * The session timeouts (seconds) a life can be played with: at least 2, so that a background shorter
 * than the timeout exists in whole seconds; at most 600, so that no item waits in an outbox anywhere
 * near its 24 h limit in the longest random life.
 */
export const TIMEOUT_RANGE = { min: 2, max: 600 } as const;

/**
 * The story of `pnpm demo`: launch → events → session attributes → a short background (same session)
 * → a long one (the session ends at its last activity) → a user change (new session) → events → the
 * process is killed (SIGKILL) with events queued → relaunch (the dead session is recovered, the queued
 * events delivered) → events → SIGTERM (graceful shutdown: what is queued is sent) → a background
 * launch that closes the last session → a clean exit.
 */
export function scriptedLife(timeout: number): AppRun[] {
  const short = Math.max(1, Math.round(timeout * 0.4));
  const long = 2 * timeout + 20;
  return new LifeWriter()
    .after(0, { kind: 'launch', foreground: true }, 'the user opens the app')
    .after(4, { kind: 'event', name: 'screen_viewed', attributes: { screen: 'home' } })
    .after(2, { kind: 'user', userId: 'alice' }, 'alice signs in: anonymous → identified keeps the session')
    .after(6, { kind: 'event', name: 'song_played', attributes: { genre: 'jazz' } })
    .after(0, { kind: 'set-attribute', key: 'plan', value: 'premium' })
    .after(0, { kind: 'increment-attribute', key: 'songs_played', by: 1 })
    .after(28, { kind: 'event', name: 'song_played', attributes: { genre: 'blues' } })
    .after(0, { kind: 'increment-attribute', key: 'songs_played', by: 1 })
    .after(20, { kind: 'background' }, 'she switches to another app')
    .after(short, { kind: 'foreground' }, `back after ${short} s (< ${timeout} s timeout): the same session`)
    .after(5, { kind: 'event', name: 'song_played', attributes: { genre: 'funk' } })
    .after(0, { kind: 'increment-attribute', key: 'songs_played', by: 1 })
    .after(35, { kind: 'event', name: 'song_liked', attributes: { genre: 'funk' } })
    .after(5, { kind: 'background' }, 'she locks the phone')
    .after(long, { kind: 'event', name: 'push_received', attributes: { campaign: 'weekly-mix' }, neutral: true },
      `a push arrives ${long} s later, session-neutral: the hub notices the session expired and ends it at its last activity`)
    .after(timeout, { kind: 'foreground' }, 'she opens the app again: a new session')
    .after(3, { kind: 'event', name: 'screen_viewed', attributes: { screen: 'search' } })
    .after(10, { kind: 'event', name: 'song_played', attributes: { genre: 'soul' } })
    .after(15, { kind: 'user', userId: 'bob' }, 'bob signs in on her phone: this session ends now, his starts')
    .after(4, { kind: 'event', name: 'song_played', attributes: { genre: 'rock' } })
    .after(0, { kind: 'set-attribute', key: 'plan', value: 'free' })
    .after(0, { kind: 'increment-attribute', key: 'songs_played', by: 1 })
    .after(8, { kind: 'event', name: 'song_played', attributes: { genre: 'pop' } })
    .after(0, { kind: 'increment-attribute', key: 'songs_played', by: 1 })
    .end('kill')
    .after(180, { kind: 'launch', foreground: true }, 'relaunch: the killed session is recovered (ended at its last activity), its queued events go out')
    .after(5, { kind: 'event', name: 'screen_viewed', attributes: { screen: 'home' } })
    .after(20, { kind: 'event', name: 'song_played', attributes: { genre: 'jazz' } })
    .after(0, { kind: 'increment-attribute', key: 'songs_played', by: 1 })
    .after(30, { kind: 'event', name: 'song_liked', attributes: { genre: 'jazz' } })
    .end('sigterm')
    .after(1200, { kind: 'launch', foreground: false }, 'a silent push launches the app in the background: the session the SIGTERM saved is ended as `recovered`, at its last activity (a graceful shutdown saves a session, it does not end it: a relaunch within the timeout may resume it; this one comes 20 min later), and none starts')
    .after(1, { kind: 'shutdown' })
    .end('exit').runs;
}

const GENRES = ['jazz', 'blues', 'funk', 'soul', 'rock', 'pop', 'folk', 'disco'] as const;
const SCREENS = ['home', 'search', 'library', 'player', 'settings'] as const;
const USERS = ['alice', 'bob', 'carol', 'dave'] as const;

/**
 * A random life from `random` (a seeded source): 2–6 processes, each ending by SIGKILL, SIGTERM or a
 * clean exit, with events, attributes, short and long backgrounds, session-neutral events, events in
 * the background, sign-ins, switches and log-outs. The last process is a background launch that
 * closes whatever session is open, so every session ends. Spans well under the outboxes' 24 h.
 */
export function randomLife(timeout: number, random: () => number): AppRun[] {
  const life = new LifeWriter();
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const between = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const processes = between(2, 5);
  for (let p = 0; p < processes; p++) {
    let foreground = p === 0 || random() < 0.8;
    life.after(p === 0 ? 0 : between(1, 3 * timeout), { kind: 'launch', foreground });
    const actions = between(4, 18);
    for (let a = 0; a < actions; a++) {
      const r = random();
      if (foreground) {
        if (r < 0.45) life.after(between(1, 2 * timeout), { kind: 'event', name: 'song_played', attributes: { genre: pick(GENRES) } });
        else if (r < 0.55) life.after(between(0, 30), { kind: 'event', name: 'screen_viewed', attributes: { screen: pick(SCREENS) } });
        else if (r < 0.62) life.after(between(0, 10), { kind: 'increment-attribute', key: 'songs_played', by: between(1, 3) });
        else if (r < 0.67) life.after(between(0, 10), { kind: 'set-attribute', key: 'mood', value: pick(GENRES) });
        else if (r < 0.72) life.after(between(0, 20), { kind: 'event', name: 'push_received', attributes: { campaign: 'promo' }, neutral: true });
        else if (r < 0.8) {
          life.after(between(1, 30), { kind: 'user', userId: random() < 0.25 ? null : pick(USERS) });
        } else {
          life.after(between(1, 60), { kind: 'background' });
          foreground = false;
        }
      } else if (r < 0.15) {
        life.after(between(1, 2 * timeout), { kind: 'event', name: 'push_received', attributes: { campaign: 'promo' }, neutral: true });
      } else if (r < 0.25) {
        // Work in the background that counts as activity (a download the user started).
        life.after(between(1, timeout - 1), { kind: 'event', name: 'download_finished', attributes: { items: between(1, 20) } });
      } else {
        // Back within the timeout (same session), or after it (a new one).
        life.after(random() < 0.5 ? between(1, timeout - 1) : between(timeout, 4 * timeout), { kind: 'foreground' });
        foreground = true;
      }
    }
    const ending = pick(['kill', 'kill', 'sigterm', 'exit'] as const);
    if (ending === 'exit') life.after(between(0, 5), { kind: 'shutdown' });
    life.end(ending);
  }
  life.after(between(1, 4 * timeout), { kind: 'launch', foreground: false }, 'a last background launch ends whatever session is open');
  life.after(1, { kind: 'shutdown' });
  return life.end('exit').runs;
}
