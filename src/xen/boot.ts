// What Xen's arm64 start-of-day code leaves in the EL2 MPU (xen/arch/arm/arm64/mpu/head.S
// with asm/mpu/regions.inc, and cpu_init in arm64/head.S): the boot regions, the shadow
// entries head.S stores beside them, the "zero_mpu" loop over the remaining regions, and
// SCTLR_EL2. Region values are pure data here; mpumap.ts programs them.

import type { XenImageLayout } from './layout.js';
import { MPU_REGION_LOW_BITS, type RegionRegisters } from './region.js';
import { lastByteOf } from './interval.js';

/** PRBAR attribute bytes of head.S. */
export const REGION_TEXT_PRBAR = 0x38n; // SH=11 AP=10 XN=00: read-only, executable
export const REGION_RO_PRBAR = 0x3an; // SH=11 AP=10 XN=10: read-only
export const REGION_DATA_PRBAR = 0x32n; // SH=11 AP=00 XN=10: read-write
export const REGION_DEVICE_PRBAR = 0x22n; // SH=10 AP=00 XN=10: device
/** PRLAR attribute bytes of head.S. */
export const REGION_NORMAL_PRLAR = 0x0fn; // AttrIndx 7 (MT_NORMAL), EN
export const REGION_DEVICE_PRLAR = 0x09n; // AttrIndx 4 (MT_DEVICE_nGnRE), EN
export const REGION_DISABLED_PRLAR = 0x00n;

/** SCTLR_EL2 bits (DDI0600 / DDI0487 "SCTLR_EL2"). */
export const SCTLR = {
  M: 1n << 0n,
  C: 1n << 2n,
  SA: 1n << 3n,
  I: 1n << 12n,
  BR: 1n << 17n,
  WXN: 1n << 19n,
} as const;
/** SCTLR_EL2_RES1 of Xen's processor.h: bits 4, 5, 11, 16, 18, 22, 23, 28, 29. */
export const SCTLR_EL2_RES1 = [4n, 5n, 11n, 16n, 18n, 22n, 23n, 28n, 29n].reduce((v, b) => v | (1n << b), 0n);
/** SCTLR_EL2_SET: what cpu_init writes (RES1, SA and I; M, C, WXN clear). */
export const SCTLR_EL2_SET = SCTLR_EL2_RES1 | SCTLR.SA | SCTLR.I;

/** enable_mpu: background region off, MPU, data cache and WXN on. */
export function sctlrAfterEnableMpu(sctlr: bigint): bigint {
  return (sctlr & ~SCTLR.BR) | SCTLR.M | SCTLR.C | SCTLR.WXN;
}

export interface BootRegion {
  readonly name: string;
  readonly base: bigint;
  readonly limit: bigint;
  readonly region: RegionRegisters;
}

/** prepare_xen_region's register values: base and inclusive limit with bits [5:0] replaced. */
function headRegion(base: bigint, limit: bigint, prbarAttributes: bigint, prlarAttributes: bigint): RegionRegisters {
  return {
    prbar: (base & ~MPU_REGION_LOW_BITS) | prbarAttributes,
    prlar: (lastByteOf(limit) & ~MPU_REGION_LOW_BITS) | prlarAttributes,
  };
}

/** The regions enable_boot_cpu_mm() programs, in order, empty sections skipped. */
export function bootRegions(layout: XenImageLayout): BootRegion[] {
  const sections: [string, bigint, bigint, bigint, bigint][] = [
    ['text', layout._stext, layout._etext, REGION_TEXT_PRBAR, REGION_NORMAL_PRLAR],
    ['rodata', layout._srodata, layout._erodata, REGION_RO_PRBAR, REGION_NORMAL_PRLAR],
    ['data', layout.__ro_after_init_start, layout.__init_begin, REGION_DATA_PRBAR, REGION_NORMAL_PRLAR],
    ['init text', layout.__init_begin, layout.__init_data_begin, REGION_TEXT_PRBAR, REGION_NORMAL_PRLAR],
    ['init data and bss', layout.__init_data_begin, layout.__bss_end, REGION_DATA_PRBAR, REGION_NORMAL_PRLAR],
  ];
  if (layout.earlyUart !== null) {
    const { base, size } = layout.earlyUart;
    sections.push(['early UART', base, base + size, REGION_DEVICE_PRBAR, REGION_DEVICE_PRLAR]);
  }
  return sections
    .filter(([, base, limit]) => base !== limit)
    .map(([name, base, limit, prbar, prlar]) => ({ name, base, limit, region: headRegion(base, limit, prbar, prlar) }));
}

/** zero_mpu: every remaining region becomes [0, 1) with REGION_DATA_PRBAR and EN clear. */
export const ZEROED_BOOT_REGION: RegionRegisters = headRegion(0n, 1n, REGION_DATA_PRBAR, REGION_DISABLED_PRLAR);

export const BOOT_REGION_OVERFLOW_MESSAGE = '- Selected MPU region is above the implemented number in MPUIR_EL2 -';
