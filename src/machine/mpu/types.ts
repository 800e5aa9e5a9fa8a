// The public face of the MPU model (PMSAv8-64, both the EL2 and the EL1&0 regimes).
//
// The machine owns one `Mpu`; it forwards MRS/MSR of the MPU registers to it and asks it to
// check every memory access. Registers written are "programmed" at once and become
// "effective" (used for checks) only at `synchronize()` — the DSB + ISB rule of DDI0600.
// Everything here is pure model: no RSP, no GDB.

import type { Access } from '../access.js';
import type { Segment } from './segments.js';

export type Regime = 'el2' | 'el10';

/** The SCTLR_ELx / HCR_EL2 bits that steer the check; the machine reads them off its registers. */
export interface RegimeControl {
  /** SCTLR_ELx.M: MPU enabled. */
  readonly enabled: boolean;
  /** SCTLR_ELx.BR: background region for privileged accesses that match no region. */
  readonly background: boolean;
  /** SCTLR_ELx.WXN: writable regions are never executable. */
  readonly wxn: boolean;
  /** SCTLR_ELx.A: alignment checking of data accesses. */
  readonly alignment: boolean;
}

export interface MpuControl {
  readonly el2: RegimeControl;
  readonly el10: RegimeControl;
  /** HCR_EL2.VM: the EL2 MPU acts as stage 2 for EL1/EL0 accesses. */
  readonly stage2: boolean;
}

/** The architectural MPU registers of one regime, by role (the encodings live in src/arch). */
export type MpuRegisterRole =
  | { readonly kind: 'MPUIR' }
  | { readonly kind: 'PRSELR' }
  | { readonly kind: 'PRENR' }
  /** PRBAR_ELx (alias 0, via PRSELR) or PRBAR<n>_ELx (n = 1..15, region PRSELR[7:4]:n). */
  | { readonly kind: 'PRBAR'; readonly alias: number }
  | { readonly kind: 'PRLAR'; readonly alias: number };

/** Fault status classes the MPU can report; each maps to one FSC value (see syndrome()). */
export type FaultStatus = 'permission' | 'alignment' | 'translation' | 'address-size';

/** Names of the rules that decide an access; docs/mpu.md cites the architecture for each. */
export type MpuRule =
  | 'mpu-disabled'
  | 'region-permits'
  | 'background-region'
  | 'no-region'
  | 'multiple-regions'
  | 'ap-read-only'
  | 'ap-privileged-only'
  | 'execute-never'
  | 'wxn'
  | 'alignment'
  | 'outside-physical-range';

export interface MpuFault {
  readonly access: Access;
  /** The first byte of the access that was refused. */
  readonly faultAddress: number;
  readonly regime: Regime;
  /** True when an EL1/EL0 access was refused by the EL2 MPU acting as stage 2. */
  readonly stage2: boolean;
  readonly status: FaultStatus;
  /** Fault level (always 0 for PMSA). */
  readonly level: 0;
  readonly rule: MpuRule;
  /** The enabled regions that matched the faulting byte (empty when none did). */
  readonly regions: readonly number[];
  /** One sentence for humans, e.g. "region 3 is read-only (AP=0b10)". */
  readonly reason: string;
}

export type MpuDecision =
  | { readonly allowed: true; readonly rule: MpuRule; readonly regions: readonly number[] }
  | { readonly allowed: false; readonly fault: MpuFault };

/** ESR_ELx / FAR_ELx (HPFAR_EL2) values the core latches for a fault, and the EL x that takes it. */
export interface FaultSyndrome {
  /** The EL whose ESR/FAR hold the syndrome (exceptionRouting.ts decides). */
  readonly takenTo: 1 | 2;
  readonly esr: bigint;
  readonly far: bigint;
  /** Present only for stage-2 faults. */
  readonly hpfar?: bigint;
}

export interface DecodedRegion {
  readonly index: number;
  readonly prbar: bigint;
  readonly prlar: bigint;
  readonly enabled: boolean;
  readonly base: number;
  /** Inclusive limit: LIMIT:0x3F. */
  readonly limit: number;
  readonly xn: boolean;
  readonly ap: number;
  readonly sh: number;
  readonly attrIndx: number;
  readonly ns: boolean;
}

export interface MpuModel {
  regionCount(regime: Regime): number;
  readRegister(regime: Regime, role: MpuRegisterRole): bigint;
  /** The region PRBAR/PRLAR alias `alias` reaches now: PRSELR.REGION, or PRSELR.REGION[7:4]:alias. */
  selectedRegion(regime: Regime, alias: number): number;
  /** Applies RES0 masking; writes to MPUIR are refused by the caller (read-only register). */
  writeRegister(regime: Regime, role: MpuRegisterRole, value: bigint): void;
  /** Programmed register values of region `index` (what MRS would show). */
  programmedRegion(regime: Regime, index: number): DecodedRegion;
  /** Effective values (what accesses are checked against). */
  effectiveRegion(regime: Regime, index: number): DecodedRegion;
  /** Regions whose programmed and effective values differ. */
  pendingRegions(regime: Regime): readonly number[];
  /** Pairs of overlapping enabled effective regions, with where they first overlap. */
  overlaps(regime: Regime): ReadonlyArray<{ readonly a: number; readonly b: number; readonly start: number; readonly end: number }>;
  /** Context synchronisation: programmed values become effective. */
  synchronize(): void;
  /** Every region disabled and zero, PRSELR 0: the state out of reset. */
  reset(): void;
  /**
   * The stretch around `address` that the same enabled effective regions cover: the segment
   * the check itself looks up, for views of the map (LLDB's memory regions).
   */
  effectiveSegmentAt(regime: Regime, address: number): Segment;
  /** Check an access of `access.size` bytes starting at `access.address`. */
  check(access: Access, control: MpuControl): MpuDecision;
  /** The syndrome the core records when `takenTo` takes `fault` (the EC says whether the EL changed). */
  syndrome(fault: MpuFault, takenTo: 1 | 2): FaultSyndrome;
}
