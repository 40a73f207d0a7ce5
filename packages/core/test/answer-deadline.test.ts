import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { answerDeadline } from '../src/storage/answer-deadline';

/** A read the test answers (or never does). */
function pending<T>(): { promise: Promise<T>; answer: (v: T) => void; fail: (e: unknown) => void } {
  let answer!: (v: T) => void;
  let fail!: (e: unknown) => void;
  const promise = new Promise<T>((ok, no) => ((answer = ok), (fail = no)));
  return { promise, answer, fail };
}

/** What a bounded read came to: its value, its error's message, or 'waiting'. */
function outcome(p: unknown): { now: () => string } {
  let now = 'waiting';
  (p as Promise<unknown>).then(
    (v) => (now = `value ${String(v)}`),
    (e: Error) => (now = `error ${e.message}`),
  );
  return { now: () => now };
}

describe('storage calls bounded in time (a storage that never answers must not hold up a launch or every later commit)', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('a synchronous answer is returned as it is', () => {
    const bounded = answerDeadline();
    expect(bounded('v')).toBe('v');
    expect(bounded(null)).toBe(null);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a slow answer within 10 s is the answer, a rejection is the rejection; none in 10 s fails the read', async () => {
    const bounded = answerDeadline();
    const slow = pending<string>();
    const a = outcome(bounded(slow.promise));
    await vi.advanceTimersByTimeAsync(9_999);
    slow.answer('stored');
    await vi.advanceTimersByTimeAsync(0);
    expect(a.now()).toBe('value stored');
    const refused = pending<string>();
    const b = outcome(bounded(refused.promise));
    refused.fail(new Error('database is locked'));
    await vi.advanceTimersByTimeAsync(0);
    expect(b.now()).toBe('error database is locked');
    const never = pending<string>();
    const c = outcome(bounded(never.promise));
    await vi.advanceTimersByTimeAsync(9_999);
    expect(c.now()).toBe('waiting');
    await vi.advanceTimersByTimeAsync(1);
    expect(c.now()).toBe('error no answer in 10 s');
    // Answered late: the read has failed already (its owner went on), nothing changes.
    never.answer('late');
    await vi.advanceTimersByTimeAsync(0);
    expect(c.now()).toBe('error no answer in 10 s');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stuck (nothing answered since a read went unanswered): later reads wait 250 ms, until one is answered', async () => {
    const bounded = answerDeadline();
    void outcome(bounded(pending().promise));
    await vi.advanceTimersByTimeAsync(10_000);
    const next = outcome(bounded(pending().promise));
    await vi.advanceTimersByTimeAsync(249);
    expect(next.now()).toBe('waiting');
    await vi.advanceTimersByTimeAsync(1);
    expect(next.now()).toBe('error no answer in 10 s');
    // One read answered: the storage works again, the full bound is back.
    const works = pending<string>();
    const answered = outcome(bounded(works.promise));
    works.answer('v');
    await vi.advanceTimersByTimeAsync(0);
    expect(answered.now()).toBe('value v');
    const later = outcome(bounded(pending().promise));
    await vi.advanceTimersByTimeAsync(9_999);
    expect(later.now()).toBe('waiting');
    // Each storage its own: another's reads are not stuck.
    const other = outcome(answerDeadline()(pending().promise));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(other.now()).toBe('waiting');
  });
});
