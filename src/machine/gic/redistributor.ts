// The GICv3 redistributor window (GICR_*): one 128 KiB frame for the board's one PE — RD_base
// (control, identification, the WAKER handshake) and SGI_base at +64 KiB (its SGIs' and PPIs'
// configuration) — at the start of the window; the rest of the window reads as zero. Drivers
// find the frame by walking the window: GICR_PIDR2 says GICv3, GICR_TYPER's affinity matches
// MPIDR_EL1 and its Last bit ends the walk.

import { WordDevice } from '../devices/device.js';
import { PRIVATE_INTIDS, type Gic, type InterruptBits } from './gic.js';
import { GIC_IIDR, identificationRegister } from './identification.js';

/** RD_base + SGI_base. */
export const REDISTRIBUTOR_FRAME = 0x2_0000;
const SGI_BASE = 0x1_0000;

const GICR_IIDR = 0x0004;
const GICR_TYPER = 0x0008;
const GICR_WAKER = 0x0014;
/** GICR_TYPER[31:0]: Last (bit 4) — the only redistributor; Processor_Number 0; no LPIs, 16 PPIs. */
const TYPER_LOW = 1 << 4;
const WAKER_PROCESSOR_SLEEP = 1 << 1;
const WAKER_CHILDREN_ASLEEP = 1 << 2;

const IGROUPR0 = SGI_BASE + 0x0080;
const BITMAPS: ReadonlyArray<readonly [Exclude<InterruptBits, 'group'>, number, number]> = [
  ['enabled', SGI_BASE + 0x0100, SGI_BASE + 0x0180],
  ['pending', SGI_BASE + 0x0200, SGI_BASE + 0x0280],
  ['active', SGI_BASE + 0x0300, SGI_BASE + 0x0380],
];
const IPRIORITYR = SGI_BASE + 0x0400;
/** GICR_ICFGR0 (SGIs, always edge: reads 0xAAAAAAAA) and GICR_ICFGR1 (PPIs, programmable). */
const ICFGR0 = SGI_BASE + 0x0c00;
const ICFGR1 = SGI_BASE + 0x0c04;

export class GicRedistributor extends WordDevice {
  constructor(private readonly gic: Gic) {
    super();
  }

  /** The GIC's state is the machine's; it resets it once for both frames. */
  reset(): void {}

  protected readWord(offset: number): number {
    const gic = this.gic;
    if (offset >= REDISTRIBUTOR_FRAME) return 0;
    if (offset === GICR_IIDR) return GIC_IIDR;
    if (offset === GICR_TYPER) return TYPER_LOW;
    if (offset === GICR_TYPER + 4) return gic.affinity;
    // The PE's side of the handshake completes at once: ChildrenAsleep follows ProcessorSleep.
    if (offset === GICR_WAKER) return gic.processorSleep ? WAKER_PROCESSOR_SLEEP | WAKER_CHILDREN_ASLEEP : 0;
    if (offset === IGROUPR0) return gic.readBits('group', 0);
    for (const [which, set, clear] of BITMAPS) if (offset === set || offset === clear) return gic.readBits(which, 0);
    if (offset >= IPRIORITYR && offset < IPRIORITYR + PRIVATE_INTIDS) return gic.priorityWord(offset - IPRIORITYR);
    if (offset === ICFGR0) return gic.configWord(0);
    if (offset === ICFGR1) return gic.configWord(16);
    return identificationRegister(offset % SGI_BASE) ?? 0;
  }

  protected writeWord(offset: number, value: number, mask: number): void {
    const gic = this.gic;
    if (offset >= REDISTRIBUTOR_FRAME) return;
    if (offset === GICR_WAKER) {
      if (mask & WAKER_PROCESSOR_SLEEP) gic.processorSleep = (value & WAKER_PROCESSOR_SLEEP) !== 0;
      gic.update();
      return;
    }
    if (offset === IGROUPR0) return gic.writeGroups(0, value, mask);
    for (const [which, set, clear] of BITMAPS) {
      if (offset === set) return gic.changeBits(which, 0, value, true);
      if (offset === clear) return gic.changeBits(which, 0, value, false);
    }
    if (offset >= IPRIORITYR && offset < IPRIORITYR + PRIVATE_INTIDS) return gic.writePriorityWord(offset - IPRIORITYR, value, mask);
    if (offset === ICFGR1) gic.writeConfigWord(16, value, mask);
    // GICR_CTLR (EnableLPIs without LPIs), GICR_ICFGR0 and the rest: nothing to change.
  }
}
