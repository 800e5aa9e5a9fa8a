// Control and context registers that keep what is written: the EL2 traps and controls a
// hypervisor sets once at boot (Xen's init_traps and cpu_init) and the EL1 context it saves
// and restores for each vCPU (Xen's ctxt_switch_from/to). The board executes no EL1&0
// translation and no trap they would configure: they are stored, so that software reads
// back what it wrote and a debugger sees it. The AArch32 context registers (DACR32_EL2,
// SPSR_abt...) are left out: EL1 is AArch64 only here (ID_AA64PFR0_EL1), and Xen touches
// them only for 32-bit guests.

import { sysreg } from '../encoding.js';
import { field } from '../fields.js';
import type { SysregInit } from '../registers.js';

const MDCR_FIELDS = [
  field('HPMN', 4, 0, 'event counters accessible below EL2'),
  field('TPMCR', 5, 5, 'trap PMCR_EL0'),
  field('TPM', 6, 6, 'trap performance monitor registers'),
  field('HPME', 7, 7, 'EL2 event counters enable'),
  field('TDE', 8, 8, 'route debug exceptions to EL2'),
  field('TDA', 9, 9, 'trap debug register accesses'),
  field('TDOSA', 10, 10, 'trap OS lock and power-down registers'),
  field('TDRA', 11, 11, 'trap debug ROM address registers'),
];

const CPTR_FIELDS = [
  field('TZ', 8, 8, 'trap SVE'),
  field('TFP', 10, 10, 'trap floating point and SIMD'),
  field('TTA', 20, 20, 'trap trace registers'),
  field('TAM', 30, 30, 'trap activity monitors'),
  field('TCPAC', 31, 31, 'trap CPACR_EL1 accesses'),
];

const CPACR_FIELDS = [
  field('ZEN', 17, 16, 'SVE access at EL1 and EL0'),
  field('FPEN', 21, 20, 'FP and SIMD access: 0b11 none trapped, 0b01 EL0 trapped, else both'),
  field('TTA', 28, 28, 'trap trace registers'),
];

/** CPTR_EL2's RES1 bits (13, 12, 9, 8 when neither SME nor SVE exists, and 7:0), set at reset. */
const CPTR_RES1 = 0x33ffn;

export const CONTEXT_REGISTERS = [
  // ---- EL2 controls ----
  { name: 'TCR_EL2', enc: sysreg(3, 4, 2, 0, 2), doc: 'EL2 translation control (kept; EL2 uses the MPU, not translation tables)' },
  { name: 'MDCR_EL2', enc: sysreg(3, 4, 1, 1, 1), fields: MDCR_FIELDS, doc: 'debug and performance monitor traps to EL2 (kept; not enforced)' },
  { name: 'HSTR_EL2', enc: sysreg(3, 4, 1, 1, 3), doc: 'traps of AArch32 coprocessor registers (kept; no AArch32 here)' },
  { name: 'CPTR_EL2', enc: sysreg(3, 4, 1, 1, 2), fields: CPTR_FIELDS, reset: CPTR_RES1, doc: 'coprocessor, FP/SIMD and trace traps to EL2 (TFP enforced; the others kept, not enforced)' },
  { name: 'ACTLR_EL2', enc: sysreg(3, 4, 1, 0, 1), doc: 'auxiliary control (IMPLEMENTATION DEFINED; kept)' },
  { name: 'AMAIR_EL2', enc: sysreg(3, 4, 10, 3, 0), doc: 'auxiliary memory attribute indirection (kept)' },
  { name: 'VTCR_EL2', enc: sysreg(3, 4, 2, 1, 2), doc: 'stage 2 translation control for a VMSA EL1&0 (kept)' },
  { name: 'VPIDR_EL2', enc: sysreg(3, 4, 0, 0, 0), doc: 'the MIDR_EL1 value EL1 should see (kept; EL1 reads the real one)' },
  { name: 'VMPIDR_EL2', enc: sysreg(3, 4, 0, 0, 5), doc: 'the MPIDR_EL1 value EL1 should see (kept; EL1 reads the real one)' },
  // ---- EL1 context a hypervisor switches ----
  { name: 'ACTLR_EL1', enc: sysreg(3, 0, 1, 0, 1), doc: 'EL1 auxiliary control (kept)' },
  { name: 'CPACR_EL1', enc: sysreg(3, 0, 1, 0, 2), fields: CPACR_FIELDS, doc: 'EL1 FP/SIMD access control (FPEN enforced at EL0 and EL1)' },
  { name: 'TTBR0_EL1', enc: sysreg(3, 0, 2, 0, 0), doc: 'EL1&0 translation table base 0 (kept)' },
  { name: 'TTBR1_EL1', enc: sysreg(3, 0, 2, 0, 1), doc: 'EL1&0 translation table base 1 (kept)' },
  { name: 'TCR_EL1', enc: sysreg(3, 0, 2, 0, 2), doc: 'EL1&0 translation control (kept)' },
  { name: 'AFSR0_EL1', enc: sysreg(3, 0, 5, 1, 0), doc: 'EL1 auxiliary fault status 0 (kept)' },
  { name: 'AFSR1_EL1', enc: sysreg(3, 0, 5, 1, 1), doc: 'EL1 auxiliary fault status 1 (kept)' },
  { name: 'PAR_EL1', enc: sysreg(3, 0, 7, 4, 0), doc: 'address translation result: what AT got from the MPU (F, FST, S; or PA, ATTR, SH)' },
  { name: 'AMAIR_EL1', enc: sysreg(3, 0, 10, 3, 0), doc: 'EL1 auxiliary memory attribute indirection (kept)' },
  { name: 'CONTEXTIDR_EL1', enc: sysreg(3, 0, 13, 0, 1), doc: 'EL1 context ID (kept)' },
  { name: 'TPIDR_EL1', enc: sysreg(3, 0, 13, 0, 4), doc: 'EL1 software thread ID' },
  { name: 'CSSELR_EL1', enc: sysreg(3, 2, 0, 0, 0), doc: 'cache size selection (kept; no CCSIDR_EL1 to select)' },
  { name: 'TPIDR_EL0', enc: sysreg(3, 3, 13, 0, 2), doc: 'EL0 software thread ID' },
  // The kernel sets it, the task only reads it: MSR at EL0 is UNDEFINED.
  { name: 'TPIDRRO_EL0', enc: sysreg(3, 3, 13, 0, 3), minWriteEl: 1, doc: 'EL0 read-only software thread ID (written at EL1 or EL2)' },
] as const satisfies readonly SysregInit[];
