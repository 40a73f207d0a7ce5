import { isThenable } from './maybe-async';

/**
 * How long an asynchronous storage's call may go unanswered before it counts as failed. Android's
 * AsyncStorage never answers a call whose task died of an `Error` (an OutOfMemoryError reading a
 * large row): its module catches exceptions only. Without a bound, a read at launch held up
 * `start()` for ever, and a write every later commit, `flush()` and `shutdown()`; either way the app
 * sent nothing more for the run. A working storage answers in milliseconds, a slow device's first
 * read in well under a second.
 */
const WAIT_MS = 10_000;
/**
 * The bound once a call went unanswered and none has answered since: the storage is stuck, and the
 * launch's reads (one after another) must not each wait as long. A storage that works again answers
 * within it, and the full bound is back.
 */
const STUCK_WAIT_MS = 250;

/**
 * Bounds the calls of one storage in time: what it gives back settles as the storage's answer does,
 * or rejects when none came in time. The call then fails as a rejected one does: a read is asked
 * again, then gone on without; a commit is kept in memory and written again later. (The storage
 * applies calls in call order, as AsyncStorage's modules do, one after another: a write answered
 * late lands before the one that writes its record again.) A synchronous answer is returned as it is.
 */
export function answerDeadline(): (answer: unknown) => unknown {
  let stuck: boolean | undefined;
  return (answer) =>
    isThenable(answer)
      ? new Promise((resolve, reject) => {
          // (Stuck, the storage has answered nothing for that long either.)
          const timer = setTimeout(() => {
            stuck = true;
            reject(new Error('no answer in 10 s'));
          }, stuck ? STUCK_WAIT_MS : WAIT_MS);
          (timer as { unref?: () => void }).unref?.();
          Promise.resolve(answer)
            .finally(() => {
              stuck = false;
              clearTimeout(timer);
            })
            .then(resolve, reject);
        })
      : answer;
}
