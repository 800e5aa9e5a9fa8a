// The lookup structure the MPU checks accesses against: the address space cut at every base
// and every limit + 1 of the enabled regions into segments, each with the regions that cover
// it. Built once per context synchronisation; a lookup is a binary search, so the cost of a
// check grows with log(regions), and a multi-byte access costs one lookup per segment it
// crosses, never one per byte.

export interface RegionBounds {
  readonly index: number;
  /** First byte. */
  readonly base: number;
  /** Last byte (inclusive). */
  readonly limit: number;
}

export interface Segment {
  /** First byte of the segment. */
  readonly start: number;
  /** First byte after the segment (Infinity for the last one). */
  readonly end: number;
  /** Indices of the enabled regions covering every byte of the segment, ascending. */
  readonly regions: readonly number[];
}

const NO_REGIONS: readonly number[] = Object.freeze([]);

export class SegmentIndex {
  private readonly starts: Float64Array;
  private readonly covering: ReadonlyArray<readonly number[]>;

  constructor(regions: readonly RegionBounds[]) {
    const live = regions.filter((r) => r.limit >= r.base);
    const cuts = new Set<number>();
    for (const r of live) {
      cuts.add(r.base);
      cuts.add(r.limit + 1);
    }
    const starts = [...cuts].sort((a, b) => a - b);
    // Sweep: each region covers the segments from its base up to (not including) limit + 1.
    const covering: number[][] = starts.map(() => []);
    const position = new Map(starts.map((s, i) => [s, i]));
    for (const r of live) {
      const from = position.get(r.base)!;
      const to = position.get(r.limit + 1)!;
      for (let i = from; i < to; i++) covering[i]!.push(r.index);
    }
    for (const list of covering) list.sort((a, b) => a - b);
    this.starts = Float64Array.from(starts);
    this.covering = covering.map((c) => (c.length === 0 ? NO_REGIONS : c));
  }

  /** The segment containing `address`. */
  segmentAt(address: number): Segment {
    const starts = this.starts;
    // Largest i with starts[i] <= address.
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! <= address) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return { start: 0, end: starts.length > 0 ? starts[0]! : Infinity, regions: NO_REGIONS };
    return {
      start: starts[found]!,
      end: found + 1 < starts.length ? starts[found + 1]! : Infinity,
      regions: this.covering[found]!,
    };
  }

  /** Pairs of regions that overlap, with the first overlapping segment (for `monitor mpu`). */
  overlaps(): Array<{ readonly a: number; readonly b: number; readonly start: number; readonly end: number }> {
    const found = new Map<string, { a: number; b: number; start: number; end: number }>();
    for (let i = 0; i < this.starts.length; i++) {
      const list = this.covering[i]!;
      const end = i + 1 < this.starts.length ? this.starts[i + 1]! : Infinity;
      for (let x = 0; x < list.length; x++) {
        for (let y = x + 1; y < list.length; y++) {
          const key = `${list[x]}:${list[y]}`;
          const known = found.get(key);
          if (known && known.end === this.starts[i]) known.end = end;
          else if (!known) found.set(key, { a: list[x]!, b: list[y]!, start: this.starts[i]!, end });
        }
      }
    }
    return [...found.values()];
  }
}
