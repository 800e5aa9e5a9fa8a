// The generic timer (DDI0487 D11): the system counter and the four timers of a PE at EL2.
//
// The counter is a virtual clock: one tick per retired instruction, so that a program's
// timing is the same on every run, under a debugger or not, and as fast as the core runs.
// CNTFRQ_EL0 says 100 MHz, so software sees a 100 MIPS core; a WFI with nothing pending lets
// time pass at once to the next timer's deadline (the interpreter calls `skipToDeadline`).
//
// Each timer's output is a level on its PPI, the wiring of the FVP BaseR's device tree
// ("arm,armv8-timer": sec-phys 29, phys 30, virt 27, hyp-phys 26): high while the timer is
// enabled, unmasked and its condition met — the count has reached CVAL. Armv8-R AArch64
// executes in Secure state, so the EL2 physical timer a hypervisor uses there is CNTHPS
// (Xen's MPU build), and it drives the "hyp-phys" PPI 26, as CNTHP does on Armv8-A.

import type { TimerName } from '../arch/aarch64/registers.js';

export const TIMER_INTIDS: Readonly<Record<TimerName, number>> = {
  'el1-physical': 30,
  'el1-virtual': 27,
  'el2-physical': 26,
  'el2-secure-physical': 26,
};

const TIMER_NAMES = Object.keys(TIMER_INTIDS) as TimerName[];
const CTL_ENABLE = 1;
const CTL_IMASK = 2;
const CTL_ISTATUS = 4;
/** Counts are exact as numbers up to here; a compare value beyond it is never reached. */
const EXACT = 2n ** 53n;

interface TimerState {
  /** ENABLE and IMASK as written. */
  control: number;
  compare: bigint;
}

export class GenericTimer {
  /** The physical count: ticks since reset. */
  ticks = 0;
  /**
   * The tick at which the next enabled, unmasked timer's condition becomes true; Infinity when
   * none will. Whoever advances `ticks` past it calls `update`.
   */
  deadline = Infinity;
  /** CNTVOFF_EL2 */
  private virtualOffset = 0n;
  private readonly timers = new Map<TimerName, TimerState>(TIMER_NAMES.map((name) => [name, { control: 0, compare: 0n }]));
  /** The level each PPI was last driven to. */
  private readonly levels = new Map<number, boolean>();

  constructor(private readonly drive: (intid: number, high: boolean) => void) {}

  reset(): void {
    this.ticks = 0;
    this.virtualOffset = 0n;
    for (const timer of this.timers.values()) {
      timer.control = 0;
      timer.compare = 0n;
    }
    this.update();
  }

  private state(name: TimerName): TimerState {
    return this.timers.get(name)!;
  }

  /** The count a timer compares against: physical, or virtual (physical - CNTVOFF_EL2) for CNTV. */
  private countFor(name: TimerName): bigint {
    return name === 'el1-virtual' ? this.virtualCount() : BigInt(this.ticks);
  }

  private virtualCount(): bigint {
    return BigInt.asUintN(64, BigInt(this.ticks) - this.virtualOffset);
  }

  /** ISTATUS: enabled and the count has reached the compare value. */
  private conditionMet(name: TimerName): boolean {
    const timer = this.state(name);
    return (timer.control & CTL_ENABLE) !== 0 && this.countFor(name) >= timer.compare;
  }

  readCounter(role: 'physical' | 'virtual' | 'virtual-offset'): bigint {
    if (role === 'physical') return BigInt(this.ticks);
    return role === 'virtual' ? this.virtualCount() : this.virtualOffset;
  }

  /** CNTVOFF_EL2 (the counts themselves are read-only). */
  writeVirtualOffset(value: bigint): void {
    this.virtualOffset = BigInt.asUintN(64, value);
    this.update();
  }

  read(name: TimerName, role: 'CTL' | 'CVAL' | 'TVAL'): bigint {
    const timer = this.state(name);
    if (role === 'CTL') return BigInt(timer.control | (this.conditionMet(name) ? CTL_ISTATUS : 0));
    if (role === 'CVAL') return timer.compare;
    // TVAL: (CVAL - count)[31:0], which software reads as a signed 32-bit count down.
    return BigInt.asUintN(32, timer.compare - this.countFor(name));
  }

  write(name: TimerName, role: 'CTL' | 'CVAL' | 'TVAL', value: bigint): void {
    const timer = this.state(name);
    if (role === 'CTL') timer.control = Number(value & BigInt(CTL_ENABLE | CTL_IMASK));
    else if (role === 'CVAL') timer.compare = BigInt.asUintN(64, value);
    else timer.compare = BigInt.asUintN(64, this.countFor(name) + BigInt.asIntN(32, value));
    this.update();
  }

  /** Drives each PPI from its timers' outputs and finds the next deadline. */
  update(): void {
    const high = new Map<number, boolean>();
    let deadline = Infinity;
    for (const name of TIMER_NAMES) {
      const timer = this.state(name);
      const intid = TIMER_INTIDS[name];
      const armed = (timer.control & (CTL_ENABLE | CTL_IMASK)) === CTL_ENABLE;
      const met = armed && this.conditionMet(name);
      high.set(intid, (high.get(intid) ?? false) || met);
      if (armed && !met) {
        const at = name === 'el1-virtual' ? BigInt.asUintN(64, timer.compare + this.virtualOffset) : timer.compare;
        if (at < EXACT && Number(at) < deadline) deadline = Number(at);
      }
    }
    this.deadline = deadline;
    for (const [intid, level] of high) {
      if (this.levels.get(intid) === level) continue;
      this.levels.set(intid, level);
      this.drive(intid, level);
    }
  }

  /** Lets time pass to the next deadline (a WFI with nothing pending); false when no timer will fire. */
  skipToDeadline(): boolean {
    if (this.deadline === Infinity) return false;
    this.ticks = this.deadline;
    this.update();
    return true;
  }
}
