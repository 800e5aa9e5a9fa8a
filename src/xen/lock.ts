// The service's one lock (Xen's xen_mpumap_lock): an asynchronous FIFO queue. Work submitted
// from any interface (HTTP, monitor, scenarios, tests) runs one piece at a time, in the order
// it arrived, and a failing piece does not block the ones behind it.

export class FifoLock {
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;

  /** Runs `work` once every earlier piece has finished; resolves with its result. */
  run<T>(work: () => T | Promise<T>): Promise<T> {
    this.waiting++;
    const result = this.tail.then(async () => {
      try {
        return await work();
      } finally {
        this.waiting--;
      }
    });
    // The next piece waits for this one to settle, whether it succeeded or threw.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Pieces submitted and not yet finished (the running one included). */
  get pending(): number {
    return this.waiting;
  }
}
