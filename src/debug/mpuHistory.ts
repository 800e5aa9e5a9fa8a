// The MPU's history: every change the machine reports (src/machine/mpuEvents.ts) — writes to
// its registers, the barriers that complete and synchronise them, resets — by the core, the
// debugger or the map service, each with the core's instruction count and pc. A ring buffer
// bounds it (`--mpu-history N`, `monitor mpu history size N`); the oldest entries go first.
// "Who last changed region 5" is the last write that reached or changed region 5.

import type { Machine } from '../machine/machine.js';
import type { MpuEvent } from '../machine/mpuEvents.js';
import type { Regime } from '../machine/mpu/types.js';
import { RingBuffer } from './ringBuffer.js';

export const DEFAULT_MPU_HISTORY = 4096;
/** The most entries a history may keep (a few hundred bytes each). */
export const MAX_MPU_HISTORY = 1_000_000;

export interface MpuHistoryEntry {
  /** 1 for the first change recorded since the stub started; never reused. */
  readonly sequence: number;
  /** Instructions the core had executed before this change (for the core's own: before its instruction). */
  readonly instruction: number;
  readonly event: MpuEvent;
}

export interface HistoryQuery {
  /** At most this many entries, the most recent; all when undefined. */
  readonly last?: number;
  /** Only writes that reached or changed this region of `regime`. */
  readonly region?: number;
  readonly regime?: Regime;
}

export class MpuHistory {
  private readonly ring: RingBuffer<MpuHistoryEntry>;
  private sequence = 0;

  constructor(
    machine: Machine,
    capacity: number,
    /** The core's instruction count (run control's). */
    private readonly instructions: () => number,
  ) {
    this.ring = new RingBuffer(checkedCapacity(capacity));
    machine.onMpuEvent((event) => this.ring.push({ sequence: ++this.sequence, instruction: this.instructions(), event }));
  }

  get capacity(): number {
    return this.ring.capacity;
  }

  set capacity(capacity: number) {
    this.ring.resize(checkedCapacity(capacity));
  }

  get length(): number {
    return this.ring.length;
  }

  /** Entries pushed out by newer ones since the history was last cleared. */
  get dropped(): number {
    return this.ring.dropped;
  }

  /** Every change ever recorded, kept or not. */
  get recorded(): number {
    return this.sequence;
  }

  clear(): void {
    this.ring.clear();
  }

  /** Oldest first. */
  entries(query: HistoryQuery = {}): MpuHistoryEntry[] {
    let entries = this.ring.toArray();
    if (query.region !== undefined) {
      const region = query.region;
      const regime = query.regime ?? 'el2';
      entries = entries.filter(({ event: e }) => e.kind === 'write' && e.regime === regime && (e.region === region || e.regionsChanged.includes(region)));
    }
    return query.last === undefined ? entries : entries.slice(Math.max(0, entries.length - query.last));
  }
}

function checkedCapacity(capacity: number): number {
  if (!Number.isInteger(capacity) || capacity < 0 || capacity > MAX_MPU_HISTORY) {
    throw new RangeError(`the MPU history holds 0..${MAX_MPU_HISTORY} entries, not ${capacity}`);
  }
  return capacity;
}
