// The GICv3 distributor frame (GICD_*, 64 KiB): the SPIs' configuration and the global
// group enables. With affinity routing always on, the registers of INTIDs 0..31 (and
// ITARGETSR, SGIR) are reserved here — the redistributor configures those — and read as zero.
// Registers of a Security state or a feature this GIC does not have read as zero and ignore
// writes (IGRPMODR, NSACR, the message-based SPI registers, the extended SPI range).

import { merge, WordDevice } from '../devices/device.js';
import { CTLR_ENABLE_GRP0, CTLR_ENABLE_GRP1, GIC_INTIDS, PRIVATE_INTIDS, type Gic, type InterruptBits } from './gic.js';
import { GIC_IIDR, identificationRegister } from './identification.js';

const GICD_CTLR = 0x0000;
const GICD_TYPER = 0x0004;
const GICD_IIDR = 0x0008;
/** GICD_CTLR bits that read as one: ARE (4, affinity routing only) and DS (6, one Security state). */
const CTLR_FIXED = (1 << 4) | (1 << 6);
/**
 * GICD_TYPER: ITLinesNumber [4:0] = 3 (128 INTIDs), IDbits [23:19] = 15 (16-bit INTIDs),
 * A3V [24] (Aff3 may be non-zero), No1N [25] (no 1-of-N SPI routing); no LPIs, no
 * message-based SPIs, one Security state (SecurityExtn [10] = 0).
 */
const TYPER = ((GIC_INTIDS / 32 - 1) | (15 << 19) | (1 << 24) | (1 << 25)) >>> 0;

/** The set/clear register pairs: base offset of the SET register, then of its CLEAR twin. */
const BITMAPS: ReadonlyArray<readonly [Exclude<InterruptBits, 'group'>, number, number]> = [
  ['enabled', 0x0100, 0x0180],
  ['pending', 0x0200, 0x0280],
  ['active', 0x0300, 0x0380],
];
const IGROUPR = 0x0080;
const IPRIORITYR = 0x0400;
const ICFGR = 0x0c00;
const IROUTER = 0x6000;

export class GicDistributor extends WordDevice {
  constructor(private readonly gic: Gic) {
    super();
  }

  /** The GIC's state is the machine's; it resets it once for both frames. */
  reset(): void {}

  /** The first INTID of the 32-bit bitmap register at `offset` from `base`, or undefined when reserved here. */
  private bitmapFirst(offset: number, base: number): number | undefined {
    const first = ((offset - base) / 4) * 32;
    return offset >= base && offset < base + 0x80 && first >= PRIVATE_INTIDS && first < GIC_INTIDS ? first : undefined;
  }

  protected readWord(offset: number): number {
    const gic = this.gic;
    if (offset === GICD_CTLR) return (gic.distributorEnables | CTLR_FIXED) >>> 0;
    if (offset === GICD_TYPER) return TYPER;
    if (offset === GICD_IIDR) return GIC_IIDR;
    const group = this.bitmapFirst(offset, IGROUPR);
    if (group !== undefined) return gic.readBits('group', group);
    for (const [which, set, clear] of BITMAPS) {
      const first = this.bitmapFirst(offset, set) ?? this.bitmapFirst(offset, clear);
      if (first !== undefined) return gic.readBits(which, first);
    }
    if (offset >= IPRIORITYR + PRIVATE_INTIDS && offset < IPRIORITYR + GIC_INTIDS) return gic.priorityWord(offset - IPRIORITYR);
    const config = this.configFirst(offset);
    if (config !== undefined) return gic.configWord(config);
    const route = this.routeOf(offset);
    if (route !== undefined) return gic.routeWord(route.intid, route.high);
    return identificationRegister(offset) ?? 0;
  }

  protected writeWord(offset: number, value: number, mask: number): void {
    const gic = this.gic;
    if (offset === GICD_CTLR) {
      // RWP never needs waiting for: changes take effect at once.
      gic.distributorEnables = merge(gic.distributorEnables, value, mask) & (CTLR_ENABLE_GRP0 | CTLR_ENABLE_GRP1);
      gic.update();
      return;
    }
    const group = this.bitmapFirst(offset, IGROUPR);
    if (group !== undefined) return gic.writeGroups(group, value, mask);
    for (const [which, set, clear] of BITMAPS) {
      const setFirst = this.bitmapFirst(offset, set);
      if (setFirst !== undefined) return gic.changeBits(which, setFirst, value, true);
      const clearFirst = this.bitmapFirst(offset, clear);
      if (clearFirst !== undefined) return gic.changeBits(which, clearFirst, value, false);
    }
    if (offset >= IPRIORITYR + PRIVATE_INTIDS && offset < IPRIORITYR + GIC_INTIDS) return gic.writePriorityWord(offset - IPRIORITYR, value, mask);
    const config = this.configFirst(offset);
    if (config !== undefined) return gic.writeConfigWord(config, value, mask);
    const route = this.routeOf(offset);
    if (route !== undefined) gic.setRouteWord(route.intid, route.high, merge(gic.routeWord(route.intid, route.high), value, mask));
  }

  /** The first of the 16 INTIDs a GICD_ICFGR<n> word configures (SPIs only). */
  private configFirst(offset: number): number | undefined {
    const first = ((offset - ICFGR) / 4) * 16;
    return offset >= ICFGR && first >= PRIVATE_INTIDS && first < GIC_INTIDS ? first : undefined;
  }

  /** The SPI and half of a GICD_IROUTER<n> register at `offset`. */
  private routeOf(offset: number): { intid: number; high: boolean } | undefined {
    const intid = Math.floor((offset - IROUTER) / 8);
    if (offset < IROUTER || intid < PRIVATE_INTIDS || intid >= GIC_INTIDS) return undefined;
    return { intid, high: offset % 8 === 4 };
  }
}
