// The GICv3 interrupt controller of the board's one PE (GICv3/v4 architecture specification,
// IHI0069): the state of every interrupt — group, enable, pending, active, priority, trigger
// and route — and the CPU interface's decision to assert the PE's IRQ signal. The
// distributor and redistributor frames (distributor.ts, redistributor.ts) are its
// memory-mapped views and the ICC_* system registers (cpuInterface.ts) its register view.
//
// The configuration is the one an Armv8-R AArch64 PE sees: a single Security state
// (GICD_CTLR.DS reads 1), affinity routing only (ARE reads 1), no LPIs and no ITS, 5 bits of
// priority. Group 1 interrupts are signalled as IRQs; Group 0 ones would be FIQs, which the
// board does not deliver, so they are never signalled.

/** INTIDs 0..127: 16 SGIs, 16 PPIs and 96 SPIs (GICD_TYPER.ITLinesNumber = 3). */
export const GIC_INTIDS = 128;
/** INTIDs below this are the PE's own SGIs and PPIs, configured through its redistributor. */
export const PRIVATE_INTIDS = 32;
const SGIS = 16;
/** What ICC_IAR1_EL1 returns when no interrupt can be acknowledged. */
export const SPURIOUS_INTID = 1023;
/** 5 implemented priority bits (ICC_CTLR_EL1.PRIbits = 4): the low 3 bits of a priority read as zero. */
export const PRIORITY_MASK = 0xf8;
/** The smallest ICC_BPR1_EL1 with 5 priority bits: one more than Group 0's minimum of 7 - 5. */
export const MIN_BPR1 = 3;
/** Lowest priority: the running priority when nothing is active. */
const IDLE_PRIORITY = 0xff;

/** GICD_CTLR group enables (the DS = 1 view: bit 0 Group 0, bit 1 Group 1). */
export const CTLR_ENABLE_GRP0 = 1 << 0;
export const CTLR_ENABLE_GRP1 = 1 << 1;

export type InterruptBits = 'group' | 'enabled' | 'pending' | 'active';

export interface InterruptState {
  readonly group: number;
  readonly enabled: boolean;
  readonly pending: boolean;
  readonly active: boolean;
  readonly priority: number;
  readonly edge: boolean;
  /** SPIs: GICD_IROUTER names this PE (always true for SGIs and PPIs). */
  readonly routedHere: boolean;
}

export class Gic {
  /** The PE's affinity as GICR_TYPER[63:32] and GICD_IROUTER pack it: Aff3.Aff2.Aff1.Aff0. */
  readonly affinity: number;
  /** True while the CPU interface asserts IRQ to the PE; the run loop tests it between instructions. */
  irq = false;

  private readonly group = new Uint8Array(GIC_INTIDS);
  private readonly enabled = new Uint8Array(GIC_INTIDS);
  /** The pending latch: edges, GICD_ISPENDR writes and SGIs set it; acknowledging clears it. */
  private readonly latched = new Uint8Array(GIC_INTIDS);
  /** The input line of each interrupt (level-sensitive sources such as the timers drive it). */
  private readonly level = new Uint8Array(GIC_INTIDS);
  private readonly active = new Uint8Array(GIC_INTIDS);
  private readonly priority = new Uint8Array(GIC_INTIDS);
  /** GICD_ICFGR/GICR_ICFGR: 1 = edge-triggered, 0 = level-sensitive. */
  private readonly edge = new Uint8Array(GIC_INTIDS);
  /** GICD_IROUTER<n>, low and high words. */
  private readonly route = new Uint32Array(GIC_INTIDS * 2);

  /** GICD_CTLR group enables. */
  distributorEnables = 0;
  /** GICR_WAKER.ProcessorSleep: while set the redistributor forwards nothing to the CPU interface. */
  processorSleep = true;

  // ---- CPU interface state (ICC_*_EL1) ----
  /** ICC_PMR_EL1: only interrupts of higher priority (lower value) are signalled. */
  priorityMask = 0;
  /** ICC_BPR1_EL1: how many low priority bits are subpriority, which does not preempt. */
  binaryPoint1 = MIN_BPR1;
  /** ICC_CTLR_EL1.EOImode: 0 = writing EOIR1 also deactivates; 1 = ICC_DIR_EL1 deactivates. */
  eoiMode = 0;
  /** ICC_CTLR_EL1.CBPR, kept as written (Group 0 is not signalled, so BPR0 is never used). */
  commonBinaryPoint = 0;
  /** ICC_IGRPEN1_EL1.Enable */
  group1Enabled = false;
  /** ICC_AP1R0_EL1: bit n set while an interrupt of group priority n << 3 is active (preempting). */
  activePriorities = 0;
  /** ICC_SRE_EL2.Enable: EL1 may use ICC_SRE_EL1 (kept as written; traps are not modelled). */
  sreEl2Enable = false;

  constructor(mpidr: bigint) {
    const aff = (shift: bigint): number => Number((mpidr >> shift) & 0xffn);
    this.affinity = ((aff(32n) << 24) | (aff(16n) << 16) | (aff(8n) << 8) | aff(0n)) >>> 0;
    this.reset();
  }

  reset(): void {
    for (const state of [this.group, this.enabled, this.latched, this.level, this.active, this.priority, this.edge]) state.fill(0);
    this.route.fill(0);
    // SGIs are always edge-triggered (GICR_ICFGR0 reads 0xAAAAAAAA).
    this.edge.fill(1, 0, SGIS);
    this.distributorEnables = 0;
    this.processorSleep = true;
    this.priorityMask = 0;
    this.binaryPoint1 = MIN_BPR1;
    this.eoiMode = 0;
    this.commonBinaryPoint = 0;
    this.group1Enabled = false;
    this.activePriorities = 0;
    this.sreEl2Enable = false;
    this.irq = false;
  }

  // ---- Interrupt state, as the distributor and redistributor registers show it ----

  private bitsOf(which: InterruptBits): Uint8Array {
    return which === 'group' ? this.group : which === 'enabled' ? this.enabled : which === 'active' ? this.active : this.latched;
  }

  isPending(intid: number): boolean {
    return this.latched[intid] === 1 || (this.level[intid] === 1 && this.edge[intid] === 0);
  }

  /** The 32 bits of `which` for INTIDs first..first+31, as GIC*_I*R<n> read them. */
  readBits(which: InterruptBits, first: number): number {
    let bits = 0;
    for (let i = 0; i < 32; i++) {
      const intid = first + i;
      const set = which === 'pending' ? this.isPending(intid) : this.bitsOf(which)[intid] === 1;
      if (set) bits |= 1 << i;
    }
    return bits >>> 0;
  }

  /** Sets (I*SET) or clears (I*CLEAR) the state of the INTIDs whose bits are 1; 0 bits change nothing. */
  changeBits(which: Exclude<InterruptBits, 'group'>, first: number, bits: number, set: boolean): void {
    const state = this.bitsOf(which);
    for (let i = 0; i < 32; i++) if ((bits >>> i) & 1) state[first + i] = set ? 1 : 0;
    this.update();
  }

  /** GIC*_IGROUPR: the written bits, where `mask` covers them. */
  writeGroups(first: number, value: number, mask: number): void {
    for (let i = 0; i < 32; i++) if ((mask >>> i) & 1) this.group[first + i] = (value >>> i) & 1;
    this.update();
  }

  /** GIC*_IPRIORITYR: the priorities of INTIDs first..first+3, one per byte. */
  priorityWord(first: number): number {
    let word = 0;
    for (let i = 3; i >= 0; i--) word = (word << 8) | this.priority[first + i]!;
    return word >>> 0;
  }

  /** Byte-accessible: each byte lane `mask` covers sets one INTID's priority. */
  writePriorityWord(first: number, value: number, mask: number): void {
    for (let i = 0; i < 4; i++) if ((mask >>> (8 * i)) & 0xff) this.priority[first + i] = (value >>> (8 * i)) & PRIORITY_MASK;
    this.update();
  }

  /** GIC*_ICFGR: INTIDs first..first+15, two bits each; bit 2k+1 set = edge-triggered. */
  configWord(first: number): number {
    let word = 0;
    for (let i = 0; i < 16; i++) if (this.edge[first + i] === 1) word |= 2 << (2 * i);
    return word >>> 0;
  }

  /** SGIs stay edge-triggered whatever is written (GICR_ICFGR0 is read-only). */
  writeConfigWord(first: number, value: number, mask: number): void {
    for (let i = 0; i < 16; i++) {
      const intid = first + i;
      if (intid >= SGIS && (mask >>> (2 * i + 1)) & 1) this.edge[intid] = (value >>> (2 * i + 1)) & 1;
    }
    this.update();
  }

  routeWord(intid: number, high: boolean): number {
    return this.route[intid * 2 + (high ? 1 : 0)]!;
  }

  /** GICD_IROUTER<n>: Aff2.Aff1.Aff0 in the low word, Aff3 in the high one; IRM reads 0 (1 of N is not supported). */
  setRouteWord(intid: number, high: boolean, value: number): void {
    this.route[intid * 2 + (high ? 1 : 0)] = high ? value & 0xff : value & 0x00ff_ffff;
    this.update();
  }

  /** Drives an interrupt's input line: a rising edge latches an edge-triggered interrupt pending. */
  setLevel(intid: number, high: boolean): void {
    const was = this.level[intid] === 1;
    if (was === high) return;
    this.level[intid] = high ? 1 : 0;
    if (high && this.edge[intid] === 1) this.latched[intid] = 1;
    this.update();
  }

  /** One interrupt's whole state, for the debugger. */
  interruptState(intid: number): InterruptState {
    return {
      group: this.group[intid]!,
      enabled: this.enabled[intid] === 1,
      pending: this.isPending(intid),
      active: this.active[intid] === 1,
      priority: this.priority[intid]!,
      edge: this.edge[intid] === 1,
      routedHere: this.routedHere(intid),
    };
  }

  // ---- CPU interface ----

  /** ICC_RPR_EL1: the group priority of the highest-priority active interrupt, 0xFF when none. */
  runningPriority(): number {
    const bits = this.activePriorities;
    if (bits === 0) return IDLE_PRIORITY;
    return (31 - Math.clz32(bits & -bits)) << 3;
  }

  /** The part of a priority that decides preemption (ICC_BPR1_EL1: bits [7:BPR1] for Group 1). */
  private groupPriority(priority: number): number {
    return priority & ((0xff << this.binaryPoint1) & 0xff);
  }

  private routedHere(intid: number): boolean {
    if (intid < PRIVATE_INTIDS) return true;
    const affinity = ((this.route[intid * 2 + 1]! << 24) | this.route[intid * 2]!) >>> 0;
    return affinity === this.affinity;
  }

  /**
   * The highest-priority interrupt that is pending, enabled, inactive, in an enabled Group 1,
   * and forwarded to this PE (lowest INTID first among equals); SPURIOUS_INTID when none.
   */
  highestPending(): number {
    if (this.processorSleep || (this.distributorEnables & CTLR_ENABLE_GRP1) === 0) return SPURIOUS_INTID;
    let best = SPURIOUS_INTID;
    let bestPriority = 0x100;
    for (let intid = 0; intid < GIC_INTIDS; intid++) {
      if (this.enabled[intid] === 0 || this.active[intid] === 1 || this.group[intid] === 0) continue;
      if (!this.isPending(intid) || !this.routedHere(intid)) continue;
      const priority = this.priority[intid]!;
      if (priority < bestPriority) {
        best = intid;
        bestPriority = priority;
      }
    }
    return best;
  }

  /** The interrupt the CPU interface would signal now: higher than ICC_PMR_EL1 and than the running priority. */
  signalledIntid(): number {
    if (!this.group1Enabled) return SPURIOUS_INTID;
    const intid = this.highestPending();
    if (intid === SPURIOUS_INTID) return intid;
    const priority = this.priority[intid]!;
    return priority < this.priorityMask && this.groupPriority(priority) < this.runningPriority() ? intid : SPURIOUS_INTID;
  }

  /** Recomputes the IRQ signal after any change of state. */
  update(): void {
    this.irq = this.signalledIntid() !== SPURIOUS_INTID;
  }

  /** ICC_IAR1_EL1 read by the PE: the signalled interrupt becomes active (its pending latch cleared) and its priority running. */
  acknowledge(): number {
    const intid = this.signalledIntid();
    if (intid === SPURIOUS_INTID) return intid;
    this.latched[intid] = 0;
    this.active[intid] = 1;
    this.activePriorities |= 1 << (this.groupPriority(this.priority[intid]!) >> 3);
    this.update();
    return intid;
  }

  /** ICC_EOIR1_EL1: drops the running priority; with EOImode 0 also deactivates `intid`. */
  endOfInterrupt(intid: number): void {
    if (intid >= 1020 && intid <= 1023) return; // special INTIDs: nothing was acknowledged
    const bits = this.activePriorities;
    this.activePriorities = bits & (bits - 1);
    if (this.eoiMode === 0 && intid < GIC_INTIDS) this.active[intid] = 0;
    this.update();
  }

  /** ICC_DIR_EL1: deactivates `intid` (meaningful with EOImode 1). */
  deactivate(intid: number): void {
    if (intid < GIC_INTIDS) this.active[intid] = 0;
    this.update();
  }

  /**
   * ICC_SGI1R_EL1: raises SGI INTID[27:24] on the PEs it names. IRM (bit 40) means every PE but
   * this one — none on this board; otherwise Aff3.Aff2.Aff1 and the TargetList bit of this
   * PE's Aff0 (offset by RS, bits [47:44], times 16) must name it.
   */
  generateSgi(value: bigint): void {
    if ((value >> 40n) & 1n) return;
    const aff = (shift: bigint): number => Number((value >> shift) & 0xffn);
    const upper = ((aff(48n) << 24) | (aff(32n) << 16) | (aff(16n) << 8)) >>> 0;
    if (upper !== (this.affinity & 0xffff_ff00) >>> 0) return;
    const target = (this.affinity & 0xff) - Number((value >> 44n) & 0xfn) * 16;
    if (target < 0 || target > 15 || ((value >> BigInt(target)) & 1n) === 0n) return;
    this.latched[Number((value >> 24n) & 0xfn)] = 1;
    this.update();
  }
}
