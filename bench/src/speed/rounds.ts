/**
 * Timing by hand with process.hrtime.bigint rather than a bench library: the contenders run in
 * interleaved rounds (A B C, B C A, C A B, …) inside one process, so a neighbour process stealing
 * one of the two cores slows all of them alike and the ratios stay fair; a library such as tinybench
 * runs each task's iterations back to back. Each round is long (tens of ms or more) and processes a
 * known number of events, so the timer's resolution does not matter.
 */

/** One contender: a round processes `events` events and resolves when they are fully done. */
export interface Contender {
  readonly name: string;
  /** Events per round. */
  readonly events: number;
  /** Untimed set-up before each round (e.g. a full collection, so one contender's garbage is not collected in another's round). */
  prepare?(): void;
  round(): void | Promise<void>;
  /** Checks the round really did its work (e.g. everything delivered); throws otherwise. */
  verify?(): void;
}

/** A contender's figures over the measured rounds. */
export interface Timing {
  readonly name: string;
  readonly events: number;
  readonly rounds: number;
  /** Median of the rounds' events per second. */
  readonly eventsPerSecond: number;
  /** Median nanoseconds per event. */
  readonly nsPerEvent: number;
  /**
   * Median absolute deviation of the rounds from the median, as a fraction of the median (ns per
   * event): robust to the odd round a neighbour process slowed down.
   */
  readonly spread: number;
  /** Every round's ns per event, in run order. */
  readonly samples: readonly number[];
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Runs `warmup` unmeasured rounds (the JIT settles), then `rounds` measured ones, interleaved. */
export async function runRounds(contenders: readonly Contender[], options: { warmup: number; rounds: number }): Promise<Timing[]> {
  const samples = contenders.map(() => [] as number[]);
  const total = options.warmup + options.rounds;
  for (let r = 0; r < total; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const i = (r + k) % contenders.length;
      const c = contenders[i]!;
      c.prepare?.();
      const start = process.hrtime.bigint();
      await c.round();
      const ns = Number(process.hrtime.bigint() - start);
      c.verify?.();
      if (r >= options.warmup) samples[i]!.push(ns / c.events);
    }
  }
  return contenders.map((c, i) => {
    const ns = samples[i]!;
    const mid = median(ns);
    return {
      name: c.name,
      events: c.events,
      rounds: ns.length,
      eventsPerSecond: 1e9 / mid,
      nsPerEvent: mid,
      spread: median(ns.map((x) => Math.abs(x - mid))) / mid,
      samples: ns,
    };
  });
}
