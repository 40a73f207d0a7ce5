/** Persists the latest value of something that changes often. */
export interface CoalescedWriter {
  /** A change happened: write once at the end of this synchronous burst (a microtask later). */
  schedule(): void;
  /** Write now; resolves when the latest value is stored. */
  flush(): Promise<void>;
}

/**
 * Wraps `write` (which stores the value as it is when called) so that a burst of changes costs one
 * write, and concurrent async writes never land out of order: while one is under way, later requests
 * collapse into one more write of the then-latest value. With a synchronous storage the write happens
 * synchronously inside `flush()`.
 */
export function coalescedWriter(write: () => void | Promise<void>): CoalescedWriter {
  let queued: boolean | undefined;
  let again: boolean | undefined;
  let writing: Promise<void> | null | undefined;
  const flush = (): Promise<void> => {
    if (writing) {
      again = true;
      return writing;
    }
    writing = (async () => {
      try {
        do {
          again = false;
          await write();
        } while (again);
      } finally {
        writing = null;
      }
    })();
    return writing;
  };
  return {
    schedule() {
      if (queued) return;
      queued = true;
      queueMicrotask(() => {
        queued = false;
        void flush();
      });
    },
    flush,
  };
}
