/**
 * What the demo (the parent process) and the app (a child process it starts, and kills) say to each
 * other over the IPC channel. Times are the app's virtual clock, epoch ms.
 */
import type { EventRecord, SessionEndRecord, SessionStartRecord } from '@sessionhub/core';

/** One thing the app does, at virtual time `t`; `note` says why, for the timeline (the app ignores it). */
export type AppStep = AppAction & { readonly note?: string };

/** The actions of {@link AppStep}. */
export type AppAction =
  | { readonly kind: 'launch'; readonly t: number; readonly foreground: boolean }
  | { readonly kind: 'event'; readonly t: number; readonly name: string; readonly attributes: Readonly<Record<string, string | number>>; readonly neutral?: boolean }
  | { readonly kind: 'set-attribute'; readonly t: number; readonly key: string; readonly value: string | number }
  | { readonly kind: 'increment-attribute'; readonly t: number; readonly key: string; readonly by: number }
  | { readonly kind: 'background'; readonly t: number }
  | { readonly kind: 'foreground'; readonly t: number }
  | { readonly kind: 'user'; readonly t: number; readonly userId: string | null }
  /** A clean stop: `hub.shutdown()` (state saved, outboxes flushed), then the process exits by itself. */
  | { readonly kind: 'shutdown'; readonly t: number };

/** How a run of the app ends, after its steps. */
export type RunEnding =
  /** The demo kills the process with SIGKILL: no handler runs, whatever is queued stays on disk. */
  | 'kill'
  /** The demo sends SIGTERM: the Node runtime's graceful shutdown saves the state and flushes the outboxes. */
  | 'sigterm'
  /** The last step is `shutdown`; the process exits with code 0. */
  | 'exit';

/** One process lifetime of the app. */
export interface AppRun {
  readonly steps: readonly AppStep[];
  readonly ending: RunEnding;
}

/** Delivery figures of each kit: items still queued and requests in flight. */
export type QueueFigures = Readonly<Record<string, { readonly queued: number; readonly inFlight: number }>>;

/** A hub record, as the app saw it (`hub.on(...)`). */
export type HubRecord =
  | { readonly kind: 'sessionStart'; readonly record: SessionStartRecord }
  | { readonly kind: 'sessionEnd'; readonly record: SessionEndRecord }
  | { readonly kind: 'event'; readonly record: EventRecord };

/** Demo → app. */
export type ToApp = { readonly type: 'run'; readonly steps: readonly AppStep[]; readonly settleAtEnd: boolean };

/** App → demo. */
export type FromApp =
  | { readonly type: 'ready' }
  | { readonly type: 'record'; readonly step: number; readonly hub: HubRecord }
  | { readonly type: 'step-done'; readonly step: number }
  | { readonly type: 'log'; readonly level: 'warn' | 'error'; readonly text: string }
  /** After the last step (with `settleAtEnd`): no request in flight, what stays queued. */
  | { readonly type: 'settled'; readonly queues: QueueFigures };

/** What the app needs to know at start (passed as one JSON argument). */
export interface AppConfig {
  /** Where the hub keeps its state and the kits' outboxes (fileStorage). */
  readonly dir: string;
  /** The loopback collector server, e.g. `http://127.0.0.1:40123`. */
  readonly collectorUrl: string;
  /** The canonical session timeout, seconds. */
  readonly sessionTimeout: number;
  /** How long the kits' outboxes let items wait for company, ms of virtual time (`flushIntervalMs`). */
  readonly batchWindowMs: number;
}
