// The only code that writes the MPU: Xen's write_protection_region() with prepare_selector()
// (xen/arch/arm/mpu/arm64/mm.c), the register side of disable_mpu_region_from_index(), and
// context_sync_mpu(). It receives already-decided values; it takes no decisions of its own
// beyond the ones Xen's code takes on hardware (PRSELR is re-written only when the bank
// changes, PRENR is read-modified-written).

import type { MpuHardware, XenSysreg } from './hardware.js';
import { EMPTY_REGION, MPU_REGION_RES0, type RegionRegisters } from './region.js';

/**
 * How a freed region is switched off in hardware.
 * - 'upstream': Xen 4.22 as written: `(index & PRENR_MASK) != 0` picks the PRENR path for every
 *   index except 0, so regions >= 32 stay enabled in hardware.
 * - 'intended': what that test means to say: PRENR for regions 0..31, a rewrite otherwise.
 */
export type DisableMode = 'upstream' | 'intended';
export const DISABLE_MODES: readonly DisableMode[] = ['upstream', 'intended'];

/** Which register path disables region `index`, and for PRENR which bit is cleared. */
export type DisablePath = { readonly kind: 'prenr'; readonly bit: number } | { readonly kind: 'rewrite' };

/** PRENR_MASK = GENMASK(31, 0). */
const PRENR_MASK = 0xffff_ffff;
const U64 = 0xffff_ffff_ffff_ffffn;

export function disablePath(index: number, mode: DisableMode): DisablePath {
  if (mode === 'intended') return index < 32 ? { kind: 'prenr', bit: index } : { kind: 'rewrite' };
  if ((index & PRENR_MASK) === 0) return { kind: 'rewrite' };
  // `1UL << index` is undefined in C for index >= 64. The compiled code is an LSLV, which on
  // AArch64 shifts by the amount modulo 64, so that is the defined behaviour chosen here:
  // freeing region 64 + n clears PRENR bit n (docs/xen-divergences.md).
  return { kind: 'prenr', bit: index % 64 };
}

const PRSELR: XenSysreg = { name: 'PRSELR_EL2' };
const PRENR: XenSysreg = { name: 'PRENR_EL2' };
const MPUIR: XenSysreg = { name: 'MPUIR_EL2' };
const SCTLR: XenSysreg = { name: 'SCTLR_EL2' };

export class MpuProgrammer {
  constructor(private readonly hardware: MpuHardware) {}

  /** MPUIR_EL2.REGION: the number of EL2 regions implemented. */
  implementedRegions(): number {
    return Number(this.hardware.read(MPUIR) & 0xffn);
  }

  /**
   * write_protection_region(): PRBAR<n>/PRLAR<n>_EL2 reach region PRSELR[7:4]:n directly, so
   * the selector is changed (and synchronised with an ISB) only when the bank of 16 changes.
   */
  writeRegion(index: number, region: RegionRegisters): void {
    const n = this.selectBank(index);
    this.hardware.write({ name: 'PRBAR_EL2', n }, region.prbar & ~MPU_REGION_RES0);
    this.hardware.write({ name: 'PRLAR_EL2', n }, region.prlar & ~MPU_REGION_RES0);
  }

  /** The register half of disable_mpu_region_from_index(); the shadow is zeroed by the caller. */
  disableRegion(index: number, mode: DisableMode): void {
    const path = disablePath(index, mode);
    if (path.kind === 'prenr') {
      const value = this.hardware.read(PRENR) & ~(1n << BigInt(path.bit)) & U64;
      this.hardware.write(PRENR, value);
    } else {
      this.writeRegion(index, EMPTY_REGION);
    }
  }

  /** context_sync_mpu(): DSB SY then ISB (DDI0600 C1.7.1: MPU writes take effect after both). */
  contextSync(): void {
    this.hardware.dsb();
    this.hardware.isb();
  }

  /**
   * One region of head.S's prepare_xen_region: PRSELR is written unconditionally and the
   * region reached through PRBAR_EL2/PRLAR_EL2, then DSB SY; ISB.
   */
  bootRegion(sel: number, region: RegionRegisters): void {
    this.hardware.write(PRSELR, BigInt(sel));
    this.hardware.isb();
    this.hardware.write({ name: 'PRBAR_EL2', n: 0 }, region.prbar);
    this.hardware.write({ name: 'PRLAR_EL2', n: 0 }, region.prlar);
    this.contextSync();
  }

  readSctlr(): bigint {
    return this.hardware.read(SCTLR);
  }

  /** MSR SCTLR_EL2 then ISB, as cpu_init and enable_mpu do. */
  writeSctlr(value: bigint): void {
    this.hardware.write(SCTLR, value);
    this.hardware.isb();
  }

  /** prepare_selector(): returns n, the register alias within the selected bank. */
  private selectBank(index: number): number {
    const bank = BigInt(index & 0xf0);
    if (this.hardware.read(PRSELR) !== bank) {
      this.hardware.write(PRSELR, bank);
      this.hardware.isb();
    }
    return index & 0xf;
  }
}
