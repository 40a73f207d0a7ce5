/** A promise, or anything awaitable like one. */
export const isThenable = (v: unknown): v is PromiseLike<unknown> => !!v && typeof (v as PromiseLike<unknown>).then == 'function';

/**
 * Runs `gen`, synchronously for as long as what it yields is not a promise: the same steps serve a
 * synchronous storage (localStorage, whose writes at page hide must end before the page does) and
 * an asynchronous one (AsyncStorage).
 */
export function drive<T>(gen: Generator<unknown, T, any>): T | Promise<T> {
  const go = (r: IteratorResult<unknown, T>): T | Promise<T> => {
    while (!r.done) {
      const v = r.value;
      if (isThenable(v)) return Promise.resolve(v).then((x) => go(gen.next(x)), (e: unknown) => go(gen.throw(e)));
      r = gen.next(v);
    }
    return r.value;
  };
  return go(gen.next());
}
