// A bounded buffer that keeps the most recent items: once full, each new item replaces the
// oldest. Used for the MPU history, which must not grow with a kernel that reprograms its MPU
// forever. Resizing keeps the most recent items that fit.

export class RingBuffer<T> {
  private items: Array<T | undefined>;
  /** Index of the oldest item. */
  private start = 0;
  private count = 0;
  /** Items pushed out since the buffer was created or cleared. */
  dropped = 0;

  constructor(capacity: number) {
    RingBuffer.checkCapacity(capacity);
    this.items = new Array<T | undefined>(capacity);
  }

  private static checkCapacity(capacity: number): void {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`a ring buffer holds 0 or more items, not ${capacity}`);
  }

  get capacity(): number {
    return this.items.length;
  }

  get length(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.items.length === 0) {
      this.dropped++;
      return;
    }
    if (this.count < this.items.length) {
      this.items[(this.start + this.count) % this.items.length] = item;
      this.count++;
      return;
    }
    this.items[this.start] = item;
    this.start = (this.start + 1) % this.items.length;
    this.dropped++;
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.items[(this.start + i) % this.items.length]!);
    return out;
  }

  /** A new capacity; the most recent items that fit are kept. */
  resize(capacity: number): void {
    RingBuffer.checkCapacity(capacity);
    const all = this.toArray();
    const kept = capacity === 0 ? [] : all.slice(-capacity);
    this.items = new Array<T | undefined>(capacity);
    this.start = 0;
    this.count = 0;
    for (const item of kept) this.push(item);
    this.dropped += all.length - kept.length;
  }

  clear(): void {
    this.items.fill(undefined);
    this.start = 0;
    this.count = 0;
    this.dropped = 0;
  }
}
