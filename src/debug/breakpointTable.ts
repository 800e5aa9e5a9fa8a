// The breakpoints and watchpoints a debugger planted, with the board's comparator limits
// (Cortex-R82: 6 breakpoint and 4 watchpoint comparators). It gives the run loop the set of
// code addresses to stop before and the interpreter the watch set it consults on every access.
// Run control may add a transient stop address of its own (a catchpoint fired inside an
// instruction: stop once it completes), which is never a breakpoint GDB sees.

import type { WatchSet } from '../machine/cpu/interpreter.js';
import { TargetErrno, TargetError, type BreakpointType, type Breakpoints } from '../rsp/target.js';

/** Cortex-R82 has 4 watchpoint comparators (DBGWCR<n>_EL1, n = 0..3). */
export const WATCHPOINTS = 4;
/** Cortex-R82 has 6 hardware breakpoint comparators (DBGBCR<n>_EL1, n = 0..5). */
export const HARDWARE_BREAKPOINTS = 6;

export interface PlantedBreakpoint {
  readonly type: BreakpointType;
  readonly address: bigint;
  /** The length for watchpoints; GDB's kind (instruction size) for breakpoints. */
  readonly kind: number;
}

const isWatch = (type: BreakpointType): boolean => type.endsWith('-watch');
const isCode = (type: BreakpointType): boolean => type === 'software' || type === 'hardware';

export class BreakpointTable implements Breakpoints {
  private readonly planted = new Map<string, PlantedBreakpoint>();
  private watchCount = 0;
  /** Addresses of software and hardware breakpoints, as the interpreter's run loop takes them. */
  readonly codeAddresses = new Set<number>();
  /** Addresses run control asked to stop before, on top of the planted breakpoints. */
  private readonly transientStops = new Set<number>();

  /** @param onWatchRemoved a watchpoint was removed: a stop before its access is moot. */
  constructor(private readonly onWatchRemoved: () => void) {}

  supports(): boolean {
    return true;
  }

  insert(type: BreakpointType, address: bigint, kind: number): void {
    const key = `${type}:${address}`;
    if (!this.planted.has(key)) {
      if (type === 'hardware' && this.count((t) => t === 'hardware') >= HARDWARE_BREAKPOINTS) {
        throw new TargetError(TargetErrno.ENOSPC, `all ${HARDWARE_BREAKPOINTS} hardware breakpoints are in use`);
      }
      if (isWatch(type) && this.count(isWatch) >= WATCHPOINTS) throw new TargetError(TargetErrno.ENOSPC, `all ${WATCHPOINTS} watchpoints are in use`);
    }
    // Checked on every insertion: re-planting an existing watchpoint must not change its length
    // to one no comparator can cover.
    if (isWatch(type) && (kind < 1 || kind > 8)) throw new TargetError(TargetErrno.EINVAL, `a watchpoint covers 1 to 8 bytes, not ${kind}`);
    this.planted.set(key, { type, address, kind });
    this.changed();
  }

  remove(type: BreakpointType, address: bigint): void {
    this.planted.delete(`${type}:${address}`);
    this.changed();
    if (isWatch(type)) this.onWatchRemoved();
  }

  /**
   * Makes the run loop stop before `address` although nothing is planted there. The loop
   * consults `codeAddresses` before every instruction it interprets, and enters no translated
   * block holding one, so the stop comes before the instruction at `address` executes.
   */
  stopBefore(address: number): void {
    this.transientStops.add(address);
    this.codeAddresses.add(address);
  }

  /** Drops the transient stops once the run loop has returned. */
  clearTransientStops(): void {
    if (this.transientStops.size === 0) return;
    this.transientStops.clear();
    this.changed();
  }

  /** The debugger left: its breakpoints go with it. */
  clear(): void {
    this.planted.clear();
    this.changed();
  }

  list(): readonly PlantedBreakpoint[] {
    return [...this.planted.values()];
  }

  /** The code breakpoint at `pc`, if any. */
  codeAt(pc: bigint): PlantedBreakpoint | undefined {
    for (const bp of this.planted.values()) if (isCode(bp.type) && bp.address === pc) return bp;
    return undefined;
  }

  /** The kind of watchpoint covering `address` (to name the stop: watch, rwatch or awatch). */
  watchKindAt(address: number): BreakpointType | undefined {
    for (const bp of this.planted.values()) {
      if (isWatch(bp.type) && address >= Number(bp.address) && address < Number(bp.address) + bp.kind) return bp.type;
    }
    return undefined;
  }

  /** The watch set the interpreter consults on every data access. */
  readonly watchSet: WatchSet = {
    armed: () => this.watchCount > 0,
    hit: (address, size, access) => {
      if (this.watchCount === 0) return undefined;
      for (const bp of this.planted.values()) {
        if (!isWatch(bp.type)) continue;
        if (bp.type === 'write-watch' && access !== 'write') continue;
        if (bp.type === 'read-watch' && access !== 'read') continue;
        const start = Number(bp.address);
        if (address < start + bp.kind && start < address + size) return Math.max(address, start);
      }
      return undefined;
    },
  };

  private changed(): void {
    this.watchCount = this.count(isWatch);
    this.codeAddresses.clear();
    for (const bp of this.planted.values()) if (isCode(bp.type)) this.codeAddresses.add(Number(bp.address));
    for (const address of this.transientStops) this.codeAddresses.add(address);
  }

  private count(test: (type: BreakpointType) => boolean): number {
    let n = 0;
    for (const bp of this.planted.values()) if (test(bp.type)) n++;
    return n;
  }
}
