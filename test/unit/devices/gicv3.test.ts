// The GICv3 model register by register: the distributor and redistributor frames as a
// driver (Xen's gic-v3.c) reads and writes them, and the CPU interface's decisions —
// which interrupt is signalled, acknowledged, ended and deactivated.

import { describe, expect, it } from 'vitest';
import { GicDistributor } from '../../../src/machine/gic/distributor.js';
import { Gic, SPURIOUS_INTID } from '../../../src/machine/gic/gic.js';
import { GicRedistributor } from '../../../src/machine/gic/redistributor.js';

const SGI_BASE = 0x1_0000;

function gicWithFrames(mpidr = 0x8000_0000n) {
  const gic = new Gic(mpidr);
  return { gic, gicd: new GicDistributor(gic), gicr: new GicRedistributor(gic) };
}

/** A GIC brought up the way Xen's gicv3_dist_init and gicv3_cpu_init do, with INTID `intid` enabled at priority 0xa0. */
function broughtUp(intid: number) {
  const parts = gicWithFrames();
  const { gic, gicd, gicr } = parts;
  gicd.write(0x0000, 4, 0x13); // ARE | EnableGrp1 | EnableGrp0
  gicr.write(0x0014, 4, 0); // WAKER: wake up
  gicr.write(SGI_BASE + 0x0080, 4, 0xffff_ffff); // IGROUPR0: Group 1
  gicd.write(0x0080 + 4 * Math.floor(intid / 32), 4, 0xffff_ffff);
  if (intid < 32) {
    gicr.write(SGI_BASE + 0x0400 + intid, 1, 0xa0);
    gicr.write(SGI_BASE + 0x0100, 4, 1 << intid);
  } else {
    gicd.write(0x0400 + intid, 1, 0xa0);
    gicd.write(0x0100 + 4 * Math.floor(intid / 32), 4, 1 << intid % 32);
  }
  gic.priorityMask = 0xf0;
  gic.group1Enabled = true;
  gic.update();
  return parts;
}

describe('GICv3 distributor', () => {
  it('has one Security state and affinity routing only: DS and ARE read as one', () => {
    const { gicd } = gicWithFrames();
    expect(gicd.read(0x0000, 4)).toBe(0x50);
    gicd.write(0x0000, 4, 0);
    expect(gicd.read(0x0000, 4)).toBe(0x50);
    gicd.write(0x0000, 4, 0x13);
    expect(gicd.read(0x0000, 4)).toBe(0x53);
  });

  it('says 128 INTIDs, Arm as implementer and architecture revision 3', () => {
    const { gicd } = gicWithFrames();
    const typer = gicd.read(0x0004, 4);
    expect(32 * ((typer & 0x1f) + 1)).toBe(128);
    expect((typer >>> 19) & 0x1f).toBe(15); // 16 INTID bits
    expect(typer & (1 << 17)).toBe(0); // no LPIs
    expect(gicd.read(0x0008, 4)).toBe(0x43b);
    expect(gicd.read(0xffe8, 4) & 0xf0).toBe(0x30);
  });

  it('sets and clears enables, pending and active state through their register pairs', () => {
    const { gicd } = gicWithFrames();
    gicd.write(0x0104, 4, 0x0000_0011); // ISENABLER1: INTIDs 32 and 36
    expect(gicd.read(0x0104, 4)).toBe(0x11);
    expect(gicd.read(0x0184, 4)).toBe(0x11); // ICENABLER reads the same state
    gicd.write(0x0184, 4, 0x1); // clear 32 only; zero bits change nothing
    expect(gicd.read(0x0104, 4)).toBe(0x10);
    gicd.write(0x0208, 4, 0x8000_0000); // ISPENDR2: INTID 95
    expect(gicd.read(0x0288, 4)).toBe(0x8000_0000);
    gicd.write(0x0288, 4, 0x8000_0000);
    expect(gicd.read(0x0208, 4)).toBe(0);
    gicd.write(0x0304, 4, 0x2);
    expect(gicd.read(0x0384, 4)).toBe(0x2);
    gicd.write(0x0384, 4, 0xffff_ffff);
    expect(gicd.read(0x0304, 4)).toBe(0);
  });

  it('leaves INTIDs 0..31 to the redistributor: their distributor registers read as zero', () => {
    const { gicd, gicr } = gicWithFrames();
    gicd.write(0x0100, 4, 0xffff_ffff);
    gicd.write(0x0080, 4, 0xffff_ffff);
    gicd.write(0x0400, 4, 0xa0a0_a0a0);
    expect(gicd.read(0x0100, 4)).toBe(0);
    expect(gicd.read(0x0080, 4)).toBe(0);
    expect(gicd.read(0x0400, 4)).toBe(0);
    expect(gicr.read(SGI_BASE + 0x0100, 4)).toBe(0);
  });

  it('keeps 5 bits of priority, written by byte or by word', () => {
    const { gicd } = gicWithFrames();
    gicd.write(0x0420, 4, 0xa0a0_a0a0); // Xen's GIC_PRI_IRQ_ALL for INTIDs 32..35
    gicd.write(0x0425, 1, 0xff);
    expect(gicd.read(0x0420, 4)).toBe(0xa0a0_a0a0);
    expect(gicd.read(0x0424, 4)).toBe(0x0000_f800);
    expect(gicd.read(0x0425, 1)).toBe(0xf8);
  });

  it('configures SPIs as level or edge two bits each, and reads back what took (Xen checks)', () => {
    const { gicd } = gicWithFrames();
    gicd.write(0x0c08, 4, 0x0000_0008); // INTID 33 edge
    expect(gicd.read(0x0c08, 4)).toBe(0x8);
    gicd.write(0x0c00, 4, 0xffff_ffff); // SGIs: reserved here
    expect(gicd.read(0x0c00, 4)).toBe(0);
  });

  it('routes SPIs by affinity through 64-bit IROUTER registers in 32-bit halves', () => {
    const { gicd } = gicWithFrames();
    gicd.write(0x6000 + 8 * 40, 4, 0x8001_0203); // IRM (1 of N) is not supported: reads 0
    gicd.write(0x6000 + 8 * 40 + 4, 4, 0x1_0004);
    expect(gicd.read(0x6000 + 8 * 40, 4)).toBe(0x0001_0203);
    expect(gicd.read(0x6000 + 8 * 40 + 4, 4)).toBe(0x04);
  });
});

describe('GICv3 redistributor', () => {
  it('is found as Xen walks the window: PIDR2 says GICv3, TYPER the affinity of MPIDR and Last', () => {
    const { gicr } = gicWithFrames(0x8000_0203n); // Aff2.Aff1.Aff0 = 0.2.3
    expect(gicr.read(0xffe8, 4) & 0xf0).toBe(0x30);
    expect(gicr.read(0x0008, 4) & 0x10).toBe(0x10);
    expect(gicr.read(0x000c, 4)).toBe(0x0000_0203);
    const { gicr: withAff3 } = gicWithFrames(0x07_8001_0203n);
    expect(withAff3.read(0x000c, 4)).toBe(0x0701_0203);
  });

  it('answers zero beyond the PE\'s own 128 KiB frame', () => {
    const { gicr } = gicWithFrames();
    expect(gicr.read(0x2_0000 + 0xffe8, 4)).toBe(0);
    expect(gicr.read(0x2_0008, 4)).toBe(0);
  });

  it('completes the WAKER handshake: ChildrenAsleep follows ProcessorSleep', () => {
    const { gic, gicr } = gicWithFrames();
    expect(gicr.read(0x0014, 4)).toBe(0x6);
    gicr.write(0x0014, 4, gicr.read(0x0014, 4) & ~0x2);
    expect(gicr.read(0x0014, 4)).toBe(0);
    expect(gic.processorSleep).toBe(false);
    gicr.write(0x0014, 4, 0x2);
    expect(gicr.read(0x0014, 4)).toBe(0x6);
  });

  it('configures SGIs and PPIs in the SGI frame; SGIs stay edge-triggered', () => {
    const { gicr } = gicWithFrames();
    gicr.write(SGI_BASE + 0x0180, 4, 0xffff_0000); // Xen: disable PPIs
    gicr.write(SGI_BASE + 0x0100, 4, 0x0000_ffff); // enable SGIs
    expect(gicr.read(SGI_BASE + 0x0100, 4)).toBe(0xffff);
    gicr.write(SGI_BASE + 0x0080, 4, 0xffff_ffff);
    expect(gicr.read(SGI_BASE + 0x0080, 4)).toBe(0xffff_ffff);
    gicr.write(SGI_BASE + 0x0418, 4, 0xa0a0_a0a0); // INTIDs 24..27
    expect(gicr.read(SGI_BASE + 0x041a, 1)).toBe(0xa0);
    expect(gicr.read(SGI_BASE + 0x0c00, 4)).toBe(0xaaaa_aaaa);
    gicr.write(SGI_BASE + 0x0c00, 4, 0);
    expect(gicr.read(SGI_BASE + 0x0c00, 4)).toBe(0xaaaa_aaaa);
    gicr.write(SGI_BASE + 0x0c04, 4, 0x0020_0000); // PPI 26 (bit 2 * 10 + 1) edge
    expect(gicr.read(SGI_BASE + 0x0c04, 4)).toBe(0x0020_0000);
  });
});

describe('GICv3 CPU interface', () => {
  it('signals nothing until the distributor, the redistributor and the CPU interface are all enabled', () => {
    const { gic, gicd, gicr } = broughtUp(26);
    gic.setLevel(26, true);
    expect(gic.irq).toBe(true);
    gicd.write(0x0000, 4, 0x10);
    expect(gic.irq).toBe(false);
    gicd.write(0x0000, 4, 0x13);
    gicr.write(0x0014, 4, 0x2);
    expect(gic.irq).toBe(false);
    gicr.write(0x0014, 4, 0);
    gic.group1Enabled = false;
    gic.update();
    expect(gic.irq).toBe(false);
  });

  it('masks by ICC_PMR_EL1: only priorities strictly higher than the mask are signalled', () => {
    const { gic } = broughtUp(26);
    gic.setLevel(26, true);
    gic.priorityMask = 0xa0;
    gic.update();
    expect(gic.irq).toBe(false);
    gic.priorityMask = 0xa8;
    gic.update();
    expect(gic.irq).toBe(true);
  });

  it('never signals Group 0 (FIQ) interrupts', () => {
    const { gic, gicr } = broughtUp(26);
    gicr.write(SGI_BASE + 0x0080, 4, 0);
    gic.setLevel(26, true);
    expect(gic.irq).toBe(false);
  });

  it('acknowledges a level interrupt, which stays pending while its line is high, and ends it (EOImode 0)', () => {
    const { gic, gicr } = broughtUp(26);
    gic.setLevel(26, true);
    expect(gic.acknowledge()).toBe(26);
    expect(gic.irq).toBe(false); // active: not signalled again
    expect(gic.runningPriority()).toBe(0xa0);
    expect(gicr.read(SGI_BASE + 0x0300, 4)).toBe(1 << 26);
    expect(gicr.read(SGI_BASE + 0x0200, 4)).toBe(1 << 26); // line still high: active and pending
    gic.setLevel(26, false);
    gic.endOfInterrupt(26);
    expect(gic.runningPriority()).toBe(0xff);
    expect(gicr.read(SGI_BASE + 0x0300, 4)).toBe(0);
    expect(gic.acknowledge()).toBe(SPURIOUS_INTID);
  });

  it('splits priority drop and deactivation with EOImode 1, as Xen runs it', () => {
    const { gic, gicd } = broughtUp(40);
    gic.eoiMode = 1;
    gicd.write(0x0204, 4, 1 << 8); // ISPENDR1: INTID 40
    expect(gic.acknowledge()).toBe(40);
    expect(gicd.read(0x0204, 4)).toBe(0); // the latch is cleared on acknowledge
    gic.endOfInterrupt(40);
    expect(gic.runningPriority()).toBe(0xff);
    expect(gicd.read(0x0304, 4)).toBe(1 << 8); // still active until ICC_DIR_EL1
    gicd.write(0x0204, 4, 1 << 8);
    expect(gic.irq).toBe(false); // active and pending is not signalled
    gic.deactivate(40);
    expect(gic.irq).toBe(true);
  });

  it('lets a higher-priority interrupt preempt the running one, and no other', () => {
    const { gic, gicd, gicr } = broughtUp(40);
    gicr.write(SGI_BASE + 0x0100, 4, 1 << 27);
    gicr.write(SGI_BASE + 0x041b, 1, 0x80);
    gicd.write(0x0204, 4, 1 << 8);
    expect(gic.acknowledge()).toBe(40); // 0xa0
    gic.setLevel(27, true);
    expect(gic.irq).toBe(true); // 0x80 preempts 0xa0
    expect(gic.acknowledge()).toBe(27);
    expect(gic.runningPriority()).toBe(0x80);
    gic.endOfInterrupt(27);
    expect(gic.runningPriority()).toBe(0xa0);
    gicr.write(SGI_BASE + 0x041b, 1, 0xa0);
    gic.setLevel(27, false);
    gic.setLevel(27, true);
    expect(gic.irq).toBe(false); // equal group priority does not preempt
  });

  it('picks the highest priority, then the lowest INTID', () => {
    const { gic, gicd } = broughtUp(40);
    gicd.write(0x0104, 4, 0xffff_ffff);
    gicd.write(0x0428, 4, 0x90a0_a0a0); // INTIDs 40..43: 43 at 0x90
    gicd.write(0x0204, 4, (1 << 9) | (1 << 10) | (1 << 11));
    expect(gic.highestPending()).toBe(43);
    gicd.write(0x042b, 1, 0xa0);
    expect(gic.highestPending()).toBe(41);
  });

  it('latches an edge-triggered interrupt on the rising edge of its line', () => {
    const { gic, gicd } = broughtUp(40);
    gicd.write(0x0c08, 4, 0x2 << 16); // INTID 40 edge
    gic.setLevel(40, true);
    expect(gic.acknowledge()).toBe(40);
    gic.endOfInterrupt(40);
    expect(gic.irq).toBe(false); // the line is still high, but no new edge
    gic.setLevel(40, false);
    gic.setLevel(40, true);
    expect(gic.irq).toBe(true);
  });

  it('delivers an SPI only when it is routed to this PE', () => {
    const { gic, gicd } = broughtUp(40);
    gicd.write(0x6000 + 8 * 40, 4, 0x1);
    gicd.write(0x0204, 4, 1 << 8);
    expect(gic.irq).toBe(false);
    gicd.write(0x6000 + 8 * 40, 4, 0x0);
    expect(gic.irq).toBe(true);
  });

  it('raises an SGI on this PE through ICC_SGI1R_EL1, and none for "all but self"', () => {
    const { gic } = broughtUp(3);
    gic.generateSgi((1n << 40n) | (3n << 24n));
    expect(gic.irq).toBe(false);
    gic.generateSgi((3n << 24n) | 0x2n); // target list names Aff0 = 1: another PE
    expect(gic.irq).toBe(false);
    gic.generateSgi((3n << 24n) | 0x1n);
    expect(gic.acknowledge()).toBe(3);
  });

  it('ignores EOI of the special INTIDs', () => {
    const { gic } = broughtUp(26);
    gic.setLevel(26, true);
    gic.acknowledge();
    gic.endOfInterrupt(SPURIOUS_INTID);
    expect(gic.runningPriority()).toBe(0xa0);
  });

  it('resets to everything disabled, asleep and Group 0', () => {
    const { gic, gicd, gicr } = broughtUp(26);
    gic.setLevel(26, true);
    gic.reset();
    expect(gic.irq).toBe(false);
    expect(gicd.read(0x0000, 4)).toBe(0x50);
    expect(gicr.read(0x0014, 4)).toBe(0x6);
    expect(gicr.read(SGI_BASE + 0x0080, 4)).toBe(0);
  });
});
