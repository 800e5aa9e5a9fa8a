// A small deterministic PRNG (xorshift32) for the fuzzer and the randomised tests: a failing
// seed can be replayed exactly, on any machine, and nothing depends on Math.random.

export class XorShift32 {
  private state: number;

  constructor(seed: number) {
    // xorshift never leaves zero: a zero seed gets a fixed non-zero start instead.
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  /** 0 .. n-1 */
  below(n: number): number {
    return this.next() % n;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }
}
