// One MPU protection region as Xen builds it: the PRBAR_EL2 / PRLAR_EL2 pair, with the field
// layout described once (DDI0600 "PRBAR_EL2"/"PRLAR_EL2"; Xen's prbar_t / prlar_t in
// asm/arm64/mpu.h). Building a region from flags is Xen's pr_of_addr(); reading its bounds is
// pr_get_base()/pr_get_limit(). Addresses come in and go out half-open (see interval.ts).

import { attrIndexOf, MT_DEVICE_nGnRE, MT_DEVICE_nGnRnE, MT_NORMAL_NC, roOf, xnOf } from './flags.js';
import { lastByteOf, limitAfter } from './interval.js';

/** The register pair of one region, as 64-bit values. */
export interface RegionRegisters {
  readonly prbar: bigint;
  readonly prlar: bigint;
}

/** PRBAR_EL2 fields. */
export const PRBAR = {
  /** XN[0]: every Xen path leaves it 0. */
  XN0: 1n << 0n,
  /** XN[1]: execute-never. */
  XN: 1n << 1n,
  /** AP[0]: EL1/EL0 access; Xen leaves it 0 (EL2 only). */
  AP0: 1n << 2n,
  /** AP[1]: read-only. */
  RO: 1n << 3n,
  SH_SHIFT: 4n,
  SH_MASK: 0x3n << 4n,
} as const;

/** PRLAR_EL2 fields. */
export const PRLAR = {
  EN: 1n << 0n,
  ATTR_SHIFT: 1n,
  ATTR_MASK: 0x7n << 1n,
  NS: 1n << 4n,
} as const;

/** Shareability encodings (LPAE_SH_*). */
export const SH_OUTER = 0b10n;
export const SH_INNER = 0b11n;

/** BASE/LIMIT hold address bits [47:6]: regions have a 64-byte granule. */
export const MPU_REGION_SHIFT = 6n;
/** Bits [5:0]: attribute bits in the registers, the granule offset in addresses. */
export const MPU_REGION_LOW_BITS = (1n << MPU_REGION_SHIFT) - 1n;
/** Bits [63:48] of both registers are RES0; Xen masks them off every value it writes. */
export const MPU_REGION_RES0 = 0xffffn << 48n;
const ADDRESS_FIELD = ~MPU_REGION_RES0 & ~MPU_REGION_LOW_BITS & 0xffff_ffff_ffff_ffffn;

export const EMPTY_REGION: RegionRegisters = { prbar: 0n, prlar: 0n };

/** pr_set_base(): replaces the BASE field with `base` (bits [5:0] dropped). */
export function withBase(region: RegionRegisters, base: bigint): RegionRegisters {
  return { prbar: (region.prbar & ~ADDRESS_FIELD) | (base & ADDRESS_FIELD), prlar: region.prlar };
}

/** pr_set_limit(): replaces the LIMIT field so that the region ends before `limitExclusive`. */
export function withLimit(region: RegionRegisters, limitExclusive: bigint): RegionRegisters {
  return { prbar: region.prbar, prlar: (region.prlar & ~ADDRESS_FIELD) | (lastByteOf(limitExclusive) & ADDRESS_FIELD) };
}

/** pr_get_base(): the first byte of the region. */
export function regionBase(region: RegionRegisters): bigint {
  return region.prbar & ADDRESS_FIELD;
}

/** pr_get_limit(), made exclusive: the first byte after the region (LIMIT:0x3F + 1). */
export function regionLimit(region: RegionRegisters): bigint {
  return limitAfter((region.prlar & ADDRESS_FIELD) | MPU_REGION_LOW_BITS);
}

/** region_is_valid(): PRLAR.EN. */
export function regionIsValid(region: RegionRegisters): boolean {
  return (region.prlar & PRLAR.EN) !== 0n;
}

export interface RegionAttributes {
  readonly xn: 0 | 1;
  readonly ro: 0 | 1;
  readonly attrIndex: number;
}

export function attributesOf(region: RegionRegisters): RegionAttributes {
  return {
    xn: (region.prbar & PRBAR.XN) !== 0n ? 1 : 0,
    ro: (region.prbar & PRBAR.RO) !== 0n ? 1 : 0,
    attrIndex: Number((region.prlar & PRLAR.ATTR_MASK) >> PRLAR.ATTR_SHIFT),
  };
}

/** Device and non-cacheable memory is outer shareable; Xen's normal memory inner shareable. */
function shareabilityFor(attrIndex: number): bigint {
  return attrIndex === MT_NORMAL_NC || attrIndex === MT_DEVICE_nGnRnE || attrIndex === MT_DEVICE_nGnRE ? SH_OUTER : SH_INNER;
}

/** pr_of_addr(): the enabled region [base, limit) with the attributes `flags` asks for. */
export function regionFromFlags(base: bigint, limitExclusive: bigint, flags: number): RegionRegisters {
  const attrIndex = attrIndexOf(flags);
  let prbar = shareabilityFor(attrIndex) << PRBAR.SH_SHIFT;
  if (xnOf(flags) === 1) prbar |= PRBAR.XN;
  if (roOf(flags) === 1) prbar |= PRBAR.RO;
  // NS = 0: EL2 runs in the secure state on Armv8-R.
  const prlar = (BigInt(attrIndex) << PRLAR.ATTR_SHIFT) | PRLAR.EN;
  return withLimit(withBase({ prbar, prlar }, base), limitExclusive);
}

/** Rewrites RO and XN of a region from flags, keeping everything else (the modify path). */
export function withPermissions(region: RegionRegisters, flags: number): RegionRegisters {
  let prbar = region.prbar & ~(PRBAR.RO | PRBAR.XN);
  if (xnOf(flags) === 1) prbar |= PRBAR.XN;
  if (roOf(flags) === 1) prbar |= PRBAR.RO;
  return { prbar, prlar: region.prlar };
}

/** is_mm_attr_match(): XN and RO are compared first; AttrIndx only when they agree. */
export type AttributeComparison = 'match' | 'xn-ro-mismatch' | 'attr-index-mismatch';

export function compareAttributes(region: RegionRegisters, flags: number): AttributeComparison {
  const current = attributesOf(region);
  if (current.xn !== xnOf(flags) || current.ro !== roOf(flags)) return 'xn-ro-mismatch';
  if (current.attrIndex !== attrIndexOf(flags)) return 'attr-index-mismatch';
  return 'match';
}
