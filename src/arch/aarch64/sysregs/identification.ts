// The identification registers a boot reads to learn what the PE implements (Xen's
// identify_cpu reads every one of them), with the values of the simulated Cortex-R82-like
// core. Each value is what this board implements, in the encoding of the Arm ARM (DDI0487,
// the ID_AA64* field descriptions) and of its Armv8-R AArch64 supplement (DDI0600); where a
// Cortex-R82 has a feature mpustub does not execute, the value leaves it out and says so,
// so that software never chooses a path the board cannot run.
// MIDR_EL1, MPIDR_EL1 and ID_AA64MMFR0_EL1 come from the board description (registers.ts).

import { sysreg } from '../encoding.js';
import { field } from '../fields.js';
import type { SysregInit } from '../registers.js';

const DCZID_FIELDS = [field('BS', 3, 0, 'log2 of the DC ZVA block size in words'), field('DZP', 4, 4, 'DC ZVA prohibited')];

const PFR0_FIELDS = [
  field('EL0', 3, 0, 'EL0 handling: 1 = AArch64 only'),
  field('EL1', 7, 4, 'EL1 handling: 1 = AArch64 only'),
  field('EL2', 11, 8, 'EL2 handling: 1 = AArch64 only'),
  field('EL3', 15, 12, 'EL3 handling: 0 = not implemented'),
  field('FP', 19, 16, 'floating point: 0 = implemented, 0xF = not'),
  field('AdvSIMD', 23, 20, 'Advanced SIMD: 0 = implemented, 0xF = not'),
  field('GIC', 27, 24, 'GIC system register interface: 1 = GICv3/v4'),
  field('RAS', 31, 28, 'RAS extension'),
  field('SVE', 35, 32, 'Scalable Vector Extension'),
  field('SEL2', 39, 36, 'Secure EL2: 1 = implemented'),
];

/**
 * AArch64 at EL0, EL1 and EL2 and no EL3 (Armv8-R AArch64: EL2 is the highest level, and
 * AArch32 is not executed here); GIC = 1, the GICv3 system registers this board's CPU
 * interface provides; SEL2 = 1, Armv8-R AArch64 executing in Secure state only, so its EL2
 * timer is the Secure one (CNTHPS_*, which exist with FEAT_SEL2 — the timer Xen's MPU build
 * uses). FP and AdvSIMD read 0 (implemented), as on a Cortex-R82 with its FPU and Advanced
 * SIMD and on the Armv8-R AEM FVP: compilers use the SIMD&FP registers in integer code
 * (varargs spills, popcounts), and RTOSes and Xen save and restore them. mpustub executes the
 * register file's loads, stores and moves and the integer vector operations compilers emit
 * (cpu/decode/simdFp.ts); floating-point arithmetic is not implemented and stops as an
 * undefined instruction that says so.
 */
const ID_AA64PFR0 = 0x0000_0010_0100_0111n;

/**
 * DebugVer 9 (the Armv8.4 debug architecture, on which Armv8-R AArch64 is based), 6
 * breakpoints (BRPs 5), 4 watchpoints (WRPs 3), 2 context-aware breakpoints (CTX_CMPs 1):
 * the comparators the stub gives GDB. PMUVer 0: no PMU is modelled.
 */
const ID_AA64DFR0 = 0x0000_0000_1030_5009n;

const MMFR1_FIELDS = [field('VMIDBits', 7, 4, 'VMID width: 2 = 16 bits'), field('VH', 11, 8, 'Virtualization Host Extensions')];
/** VMIDBits 2: 16-bit VMIDs, the width of VSCTLR_EL2.VMID. No VHE (Armv8-R has none), no PAN, no HAFDBS (no EL2 translation tables). */
const ID_AA64MMFR1 = 0x20n;

const CTR_FIELDS = [
  field('IminLine', 3, 0, 'log2 words in the smallest instruction cache line'),
  field('L1Ip', 15, 14, 'L1 instruction cache policy: 3 = PIPT'),
  field('DminLine', 19, 16, 'log2 words in the smallest data cache line'),
  field('ERG', 23, 20, 'log2 words of the exclusives reservation granule'),
  field('CWG', 27, 24, 'log2 words of the cache writeback granule'),
  field('IDC', 28, 28, 'no D-cache clean needed for I/D coherence'),
  field('DIC', 29, 29, 'no I-cache invalidation needed for I/D coherence'),
];
/**
 * 64-byte cache lines (IminLine = DminLine = 4 words, log2), the Cortex-R82's L1 line size,
 * and the same exclusives and writeback granules; PIPT instruction cache (L1Ip 3: a PMSA
 * core has no virtual addresses to index by); bit 31 RES1. Cache maintenance sized by it
 * (Xen's dcache_line_size) steps 64 bytes; DC and IC themselves have no effect here.
 */
const CTR_EL0 = 0x8444_c004n;

const fixed = (value: bigint) => ({ kind: 'fixed', value }) as const;
const NOTHING = 'no features of this register are implemented';

export const IDENTIFICATION_REGISTERS = [
  { name: 'ID_AA64PFR0_EL1', enc: sysreg(3, 0, 0, 4, 0), access: 'ro', behaviour: fixed(ID_AA64PFR0), fields: PFR0_FIELDS, doc: 'processor features: AArch64 at EL0-EL2, no EL3, GICv3 system registers, Secure EL2' },
  { name: 'ID_AA64PFR1_EL1', enc: sysreg(3, 0, 0, 4, 1), access: 'ro', behaviour: fixed(0n), doc: `processor features 1: ${NOTHING} (no BTI, SSBS, MTE)` },
  { name: 'ID_AA64ZFR0_EL1', enc: sysreg(3, 0, 0, 4, 4), access: 'ro', behaviour: fixed(0n), doc: 'SVE features: no SVE' },
  { name: 'ID_AA64DFR0_EL1', enc: sysreg(3, 0, 0, 5, 0), access: 'ro', behaviour: fixed(ID_AA64DFR0), doc: 'debug features: Armv8.4 debug, 6 breakpoints, 4 watchpoints, no PMU' },
  { name: 'ID_AA64DFR1_EL1', enc: sysreg(3, 0, 0, 5, 1), access: 'ro', behaviour: fixed(0n), doc: `debug features 1: ${NOTHING}` },
  { name: 'ID_AA64AFR0_EL1', enc: sysreg(3, 0, 0, 5, 4), access: 'ro', behaviour: fixed(0n), doc: 'auxiliary features (IMPLEMENTATION DEFINED): none' },
  { name: 'ID_AA64AFR1_EL1', enc: sysreg(3, 0, 0, 5, 5), access: 'ro', behaviour: fixed(0n), doc: 'auxiliary features 1: none' },
  // Atomic [23:20] = 2: the LSE atomics (LDADD..., SWP, CAS, CASP), which the core executes.
  { name: 'ID_AA64ISAR0_EL1', enc: sysreg(3, 0, 0, 6, 0), access: 'ro', behaviour: fixed(0x20_0000n), doc: 'instruction set attributes: LSE atomics (Atomic=2); no CRC32, crypto, RDM, DotProd' },
  // BS = 4: DC ZVA zeroes 64-byte blocks (the data cache line size CTR_EL0 gives); DZP = 0: allowed.
  { name: 'DCZID_EL0', enc: sysreg(3, 3, 0, 0, 7), access: 'ro', behaviour: fixed(4n), fields: DCZID_FIELDS, doc: 'DC ZVA block size (BS=4: 64 bytes) and whether DC ZVA is prohibited (DZP=0)' },
  // LRCPC = 1: LDAPR (FEAT_LRCPC, mandatory from Armv8.3; Armv8-R AArch64 is Armv8.4-based).
  { name: 'ID_AA64ISAR1_EL1', enc: sysreg(3, 0, 0, 6, 1), access: 'ro', behaviour: fixed(0x0010_0000n), doc: 'instruction set attributes 1: LRCPC = 1 (LDAPR); no pointer authentication, no DPB' },
  { name: 'ID_AA64ISAR2_EL1', enc: sysreg(3, 0, 0, 6, 2), access: 'ro', behaviour: fixed(0n), doc: `instruction set attributes 2: ${NOTHING}` },
  { name: 'ID_AA64MMFR1_EL1', enc: sysreg(3, 0, 0, 7, 1), access: 'ro', behaviour: fixed(ID_AA64MMFR1), fields: MMFR1_FIELDS, doc: 'memory model features 1: 16-bit VMIDs' },
  { name: 'ID_AA64MMFR2_EL1', enc: sysreg(3, 0, 0, 7, 2), access: 'ro', behaviour: fixed(0n), doc: `memory model features 2: ${NOTHING}` },
  { name: 'CTR_EL0', enc: sysreg(3, 3, 0, 0, 1), access: 'ro', behaviour: fixed(CTR_EL0), fields: CTR_FIELDS, doc: 'cache type: 64-byte lines, PIPT instruction cache' },
] as const satisfies readonly SysregInit[];
