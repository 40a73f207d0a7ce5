import { isThenable } from './maybe-async';

/**
 * How long an asynchronous storage's read may go unanswered before it counts as failed. Android's
 * AsyncStorage never answers a call whose task died of an `Error` (an OutOfMemoryError reading a
 * large row): its module catches exceptions only. Without a bound, `start()` would wait for ever and
 * the app send nothing for the run. A working storage answers in milliseconds, a slow device's
 * first read in well under a second.
 */
const READ_WAIT_MS = 10_000;
/**
 * The bound once a read went unanswered and none has answered since: the storage is stuck, and the
 * launch's reads (one after another) must not each wait as long. A storage that works again answers
 * within it, and the full bound is back.
 */
const STUCK_WAIT_MS = 250;

/**
 * Bounds the reads of one storage in time: what it gives back settles as the storage's answer does,
 * or rejects when none came in time (the read then fails as a rejected one does: asked again, then
 * gone on without). A synchronous answer is returned as it is.
 */
export function readDeadline(): (answer: unknown) => unknown {
  let stuck = false;
  return (answer) =>
    isThenable(answer)
      ? new Promise((resolve, reject) => {
          // (Stuck, the storage has answered nothing for that long either.)
          const timer = setTimeout(() => {
            stuck = true;
            reject(new Error('no answer in 10 s'));
          }, stuck ? STUCK_WAIT_MS : READ_WAIT_MS);
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
