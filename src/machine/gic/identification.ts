// What the GIC's distributor and redistributor frames say about themselves: the
// implementer and the architecture revision that drivers check before using them.

/** GICD_IIDR / GICR_IIDR: implementer Arm (JEP106 0x43B), ProductID 0 — a model of the architecture, no particular product. */
export const GIC_IIDR = 0x0000_043b;

/**
 * The CoreSight-style identification block at the end of each 64 KiB frame (offsets
 * 0xFFD0..0xFFFC). GIC*_PIDR2 carries ArchRev [7:4] = 3 (GICv3), which Linux and Xen read to
 * recognise a GICv3 frame, with JEDEC (bit 3) and the upper JEP106 bits of Arm (0b011);
 * PIDR1 and PIDR4 hold the rest of Arm's JEP106 code; the component IDs are the standard ones.
 */
const ID_BLOCK: Readonly<Record<number, number>> = {
  0xffd0: 0x04, // PIDR4: JEP106 continuation code 4
  0xffe4: 0xb0, // PIDR1: JEP106 identity bits [3:0] = 0xB
  0xffe8: 0x3b, // PIDR2: ArchRev 3, JEDEC, JEP106 identity bits [6:4] = 0b011
  0xfff0: 0x0d, // CIDR0..3
  0xfff4: 0xf0,
  0xfff8: 0x05,
  0xfffc: 0xb1,
};

/** The identification register at `offset` within a 64 KiB frame, or undefined outside the block. */
export function identificationRegister(offset: number): number | undefined {
  if (offset < 0xffd0) return undefined;
  return ID_BLOCK[offset] ?? 0;
}
