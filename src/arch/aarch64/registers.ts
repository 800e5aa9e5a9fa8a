// THE register table of the simulated Cortex-R82-like core.
//
// Every register-shaped thing in mpustub is derived from this one list: the target
// description GDB loads (targetXml.ts), the `g`/`G` layout, `p`/`P` lookup by number, field
// decoding for monitor commands, the docs/registers.md table, and the machine's MRS/MSR
// behaviour (src/machine/sysregs.ts reads `behaviour`, `access`, `res0` and `reset` from here).
// Adding a register is one entry here or in one of the groups of sysregs/ (identification,
// context, generic timer, GIC CPU interface) that this table takes in, nothing else.

import { encodingNumber, sysreg, type SysregEncoding } from './encoding.js';
import { CONTEXT_REGISTERS } from './sysregs/context.js';
import { GENERIC_TIMER_REGISTERS } from './sysregs/genericTimer.js';
import { GIC_CPU_INTERFACE_REGISTERS } from './sysregs/gicCpuInterface.js';
import { IDENTIFICATION_REGISTERS } from './sysregs/identification.js';

export interface FieldSpec {
  readonly name: string;
  /** Lowest bit. */
  readonly lsb: number;
  /** Highest bit (inclusive). */
  readonly msb: number;
  readonly doc: string;
}

/** Which target-description feature a register belongs to. */
export type FeatureName = 'org.gnu.gdb.aarch64.core' | 'org.gnu.gdb.aarch64.fpu' | 'org.mpustub.aarch64.sysregs';

/** The generic timers of a PE at EL2 (src/machine/timer.ts). */
export type TimerName = 'el1-physical' | 'el1-virtual' | 'el2-physical' | 'el2-secure-physical';

/** The GICv3 CPU interface registers the GIC model implements (src/machine/gic/cpuInterface.ts). */
export type GicCpuRole = 'PMR' | 'IAR1' | 'EOIR1' | 'HPPIR1' | 'BPR1' | 'CTLR' | 'SRE_EL1' | 'IGRPEN1' | 'AP1R0' | 'DIR' | 'RPR' | 'SGI1R' | 'SRE_EL2';

/** Where the machine keeps a register's value. */
export type RegisterBehaviour =
  | { readonly kind: 'core' }
  | { readonly kind: 'fpu' }
  /** A plain stored value; `res0` bits always read as zero. */
  | { readonly kind: 'stored' }
  /** An MPU register of one regime; the MPU model implements it. */
  | {
      readonly kind: 'mpu';
      readonly regime: 'el2' | 'el10';
      readonly role: 'MPUIR' | 'PRSELR' | 'PRENR' | 'PRBAR' | 'PRLAR';
      /** 0 = PRBAR/PRLAR (through PRSELR); 1..15 = PRBAR<n>/PRLAR<n>. */
      readonly alias: number;
    }
  /** CurrentEL, computed from PSTATE (cpsr.EL). */
  | { readonly kind: 'current-el' }
  /** An identification register whose value the board supplies. */
  | { readonly kind: 'board-id'; readonly key: 'midr' | 'mpidr' | 'mmfr0' }
  /** An identification register with one value on every board (sysregs/identification.ts says why). */
  | { readonly kind: 'fixed'; readonly value: bigint }
  /** The system counter: the physical count, the virtual count, or the virtual offset. */
  | { readonly kind: 'counter'; readonly role: 'physical' | 'virtual' | 'virtual-offset' }
  /** A register of one generic timer. */
  | { readonly kind: 'timer'; readonly timer: TimerName; readonly role: 'CTL' | 'CVAL' | 'TVAL' }
  /** A GICv3 CPU interface register; the GIC model implements it. */
  | { readonly kind: 'gic-cpu'; readonly role: GicCpuRole };

export type RegisterGroup = 'general' | 'float' | 'vector' | 'system';

export interface RegisterSpec {
  readonly name: string;
  /** GDB register number: 0..67 for core/FPU, the encoding number for system registers. */
  readonly regnum: number;
  readonly bitsize: 32 | 64 | 128;
  readonly feature: FeatureName;
  readonly group: RegisterGroup;
  /** The GDB type name (a predefined type or an id from targetXml.ts's type definitions). */
  readonly gdbType: string;
  /** 'wo': MRS is UNDEFINED (a debugger reads 0); 'ro': MSR is. */
  readonly access: 'rw' | 'ro' | 'wo';
  /**
   * The lowest exception level whose MRS/MSR may reach the register (QEMU's `.access`); below
   * it the instruction is UNDEFINED. For system registers it follows op1, as the Arm ARM
   * allocates encodings: op1 0-2 EL1, 3 EL0, 4-5 EL2.
   */
  readonly minEl: 0 | 1 | 2;
  /** The lowest EL whose MSR may write it, when higher than `minEl` (TPIDRRO_EL0: EL0 only reads it). */
  readonly minWriteEl?: 1 | 2;
  readonly behaviour: RegisterBehaviour;
  readonly encoding?: SysregEncoding;
  readonly fields?: readonly FieldSpec[];
  /** Bits that read as zero and ignore writes. */
  readonly res0?: bigint;
  /** Value at reset (stored registers). */
  readonly reset?: bigint;
  readonly doc: string;
}

const f = (name: string, msb: number, lsb: number, doc: string): FieldSpec => ({ name, msb, lsb, doc });

// ---- Field layouts (DDI0600 Armv8-R AArch64 supplement; see docs/registers.md) ----

export const PRBAR_FIELDS: readonly FieldSpec[] = [
  f('XN', 1, 0, 'execute-never; XN[1]=1 forbids instruction fetches'),
  f('AP', 3, 2, 'access permissions: AP[1] read-only, AP[0] EL1/EL0 access'),
  f('SH', 5, 4, 'shareability: 00 non, 10 outer, 11 inner'),
  f('BASE', 47, 6, 'base address bits [47:6]'),
];

export const PRLAR_FIELDS: readonly FieldSpec[] = [
  f('EN', 0, 0, 'region enabled'),
  f('AttrIndx', 3, 1, 'MAIR attribute index'),
  f('NS', 4, 4, 'non-secure'),
  f('LIMIT', 47, 6, 'inclusive limit address bits [47:6] (region ends at LIMIT:0x3F)'),
];

const PRSELR_FIELDS = [f('REGION', 7, 0, 'selected region')];
const MPUIR_FIELDS = [f('REGION', 7, 0, 'number of regions implemented')];

export const SCTLR_FIELDS: readonly FieldSpec[] = [
  f('M', 0, 0, 'MPU enable'),
  f('A', 1, 1, 'alignment check'),
  f('C', 2, 2, 'data cacheability'),
  f('SA', 3, 3, 'stack alignment check'),
  f('I', 12, 12, 'instruction cacheability'),
  f('BR', 17, 17, 'background region for privileged accesses'),
  f('WXN', 19, 19, 'write permission implies execute-never'),
  f('EE', 25, 25, 'big-endian data accesses'),
];

/** SCTLR_EL1 adds the controls of what EL0 may do (the rest of its layout is SCTLR_EL2's). */
const SCTLR_EL1_FIELDS: readonly FieldSpec[] = [
  ...SCTLR_FIELDS,
  f('UMA', 9, 9, 'EL0 may reach DAIF (MSR/MRS); 0 traps them to EL1'),
  f('DZE', 14, 14, 'EL0 may execute DC ZVA; 0 traps it'),
  f('UCT', 15, 15, 'EL0 may read CTR_EL0; 0 traps it'),
  f('nTWI', 16, 16, 'EL0 WFI is not trapped; 0 traps it'),
  f('nTWE', 18, 18, 'EL0 WFE is not trapped; 0 traps it'),
  f('UCI', 26, 26, 'EL0 may execute DC CVAU/CIVAC/CVAC/CVAP and IC IVAU; 0 traps them'),
].sort((a, b) => a.lsb - b.lsb);

export const ESR_FIELDS: readonly FieldSpec[] = [
  f('FSC', 5, 0, 'fault status code (aborts)'),
  f('WnR', 6, 6, 'write not read (data aborts)'),
  f('ISS', 24, 0, 'instruction specific syndrome'),
  f('IL', 25, 25, '32-bit instruction'),
  f('EC', 31, 26, 'exception class'),
];

const HCR_FIELDS = [
  f('VM', 0, 0, 'EL1&0 stage 2 (EL2 MPU) enable'),
  f('SWIO', 1, 1, 'set/way invalidation override'),
  f('FMO', 3, 3, 'FIQ routing'),
  f('IMO', 4, 4, 'IRQ routing'),
  f('AMO', 5, 5, 'SError routing'),
  f('TWI', 13, 13, 'trap WFI at EL0/EL1 to EL2'),
  f('TWE', 14, 14, 'trap WFE at EL0/EL1 to EL2'),
  f('TSC', 19, 19, 'trap SMC'),
  f('TGE', 27, 27, 'trap general exceptions'),
  f('RW', 31, 31, 'EL1 is AArch64'),
];

const HPFAR_FIELDS = [f('FIPA', 43, 4, 'faulting IPA bits [47:12]')];
const CURRENTEL_FIELDS = [f('EL', 3, 2, 'current exception level')];
const MIDR_FIELDS = [
  f('Revision', 3, 0, 'revision'),
  f('PartNum', 15, 4, 'primary part number'),
  f('Architecture', 19, 16, 'architecture'),
  f('Variant', 23, 20, 'variant'),
  f('Implementer', 31, 24, 'implementer'),
];
const MMFR0_FIELDS = [
  f('PARange', 3, 0, 'physical address range'),
  f('MSA', 51, 48, 'memory system architecture (0b1111: see MSA_frac)'),
  f('MSA_frac', 55, 52, 'PMSA/VMSA support at EL1&0'),
];
const VSCTLR_FIELDS = [f('VMID', 63, 48, 'virtual machine identifier'), f('MSA', 31, 31, 'VMSA at EL1&0')];

export const CPSR_FIELDS: readonly FieldSpec[] = [
  f('SP', 0, 0, 'stack pointer select'),
  f('EL', 3, 2, 'exception level'),
  f('nRW', 4, 4, 'AArch32 state'),
  f('F', 6, 6, 'FIQ mask'),
  f('I', 7, 7, 'IRQ mask'),
  f('A', 8, 8, 'SError mask'),
  f('D', 9, 9, 'debug mask'),
  f('IL', 20, 20, 'illegal execution state'),
  f('SS', 21, 21, 'software step'),
  f('V', 28, 28, 'overflow'),
  f('C', 29, 29, 'carry'),
  f('Z', 30, 30, 'zero'),
  f('N', 31, 31, 'negative'),
];

/** The bits of a 64-bit register no field covers: RES0 for the registers whose fields are complete. */
export function bitsOutsideFields(fields: readonly FieldSpec[]): bigint {
  let covered = 0n;
  for (const field of fields) covered |= ((1n << BigInt(field.msb - field.lsb + 1)) - 1n) << BigInt(field.lsb);
  return ~covered & 0xffff_ffff_ffff_ffffn;
}

/** PRBAR [63:48]; PRLAR [63:48] and bit 5 (XN[0] is kept: see docs/mpu.md). */
const PR_HIGH_RES0 = bitsOutsideFields(PRBAR_FIELDS);
const PRLAR_RES0 = bitsOutsideFields(PRLAR_FIELDS);
const SEL_RES0 = ~0xffn & 0xffff_ffff_ffff_ffffn;
const PRENR_RES0 = 0xffff_ffff_0000_0000n;

// ---- Core and FPU (GDB's aarch64 feature layout, numbered 0..67) ----

function coreRegisters(): RegisterSpec[] {
  const regs: RegisterSpec[] = [];
  const core = 'org.gnu.gdb.aarch64.core' as const;
  for (let i = 0; i <= 30; i++) {
    regs.push({
      name: `x${i}`, regnum: i, bitsize: 64, feature: core, group: 'general', gdbType: 'int',
      access: 'rw', minEl: 0, behaviour: { kind: 'core' }, doc: `general-purpose register ${i}`,
    });
  }
  regs.push(
    { name: 'sp', regnum: 31, bitsize: 64, feature: core, group: 'general', gdbType: 'data_ptr', access: 'rw', minEl: 0, behaviour: { kind: 'core' }, doc: 'stack pointer of the current EL (SP_ELx when cpsr.SP=1)' },
    { name: 'pc', regnum: 32, bitsize: 64, feature: core, group: 'general', gdbType: 'code_ptr', access: 'rw', minEl: 0, behaviour: { kind: 'core' }, doc: 'program counter' },
    { name: 'cpsr', regnum: 33, bitsize: 32, feature: core, group: 'general', gdbType: 'cpsr_flags', access: 'rw', minEl: 0, behaviour: { kind: 'core' }, fields: CPSR_FIELDS, doc: 'PSTATE as SPSR-formatted bits' },
  );
  const fpu = 'org.gnu.gdb.aarch64.fpu' as const;
  for (let i = 0; i <= 31; i++) {
    regs.push({
      name: `v${i}`, regnum: 34 + i, bitsize: 128, feature: fpu, group: 'vector', gdbType: 'aarch64v',
      access: 'rw', minEl: 0, behaviour: { kind: 'fpu' }, doc: `SIMD&FP register ${i}`,
    });
  }
  regs.push(
    { name: 'fpsr', regnum: 66, bitsize: 32, feature: fpu, group: 'float', gdbType: 'int', access: 'rw', minEl: 0, behaviour: { kind: 'fpu' }, doc: 'floating-point status' },
    { name: 'fpcr', regnum: 67, bitsize: 32, feature: fpu, group: 'float', gdbType: 'int', access: 'rw', minEl: 0, behaviour: { kind: 'fpu' }, doc: 'floating-point control' },
  );
  return regs;
}

// ---- System registers ----

/** A system register as the tables write it; `system()` completes it into a RegisterSpec. */
export interface SysregInit {
  name: string;
  enc: SysregEncoding;
  behaviour?: RegisterBehaviour;
  access?: 'rw' | 'ro' | 'wo';
  minWriteEl?: 1 | 2;
  fields?: readonly FieldSpec[];
  type?: string;
  res0?: bigint;
  reset?: bigint;
  doc: string;
}

/** The lowest EL that may access a system register, from op1 (DDI0487 D18.3, "op1" ranges). */
function minimumElOf(enc: SysregEncoding): 0 | 1 | 2 {
  if (enc.op1 === 3) return 0;
  if (enc.op1 >= 4) return 2;
  return 1;
}

function system(init: SysregInit): RegisterSpec {
  const spec: RegisterSpec = {
    name: init.name,
    regnum: encodingNumber(init.enc),
    bitsize: 64,
    feature: 'org.mpustub.aarch64.sysregs',
    group: 'system',
    gdbType: init.type ?? (init.fields ? `${init.name.toLowerCase()}_flags` : 'uint64'),
    access: init.access ?? 'rw',
    minEl: minimumElOf(init.enc),
    behaviour: init.behaviour ?? { kind: 'stored' },
    encoding: init.enc,
    doc: init.doc,
    ...(init.minWriteEl !== undefined ? { minWriteEl: init.minWriteEl } : {}),
    ...(init.fields ? { fields: init.fields } : {}),
    ...(init.res0 !== undefined ? { res0: init.res0 } : {}),
    ...(init.reset !== undefined ? { reset: init.reset } : {}),
  };
  return spec;
}

/** The MPU register set of one regime: op1 = 4 for EL2, 0 for EL1. */
function mpuRegisters(regime: 'el2' | 'el10'): RegisterSpec[] {
  const op1 = regime === 'el2' ? 4 : 0;
  const el = regime === 'el2' ? 'EL2' : 'EL1';
  const regs: RegisterSpec[] = [
    system({ name: `MPUIR_${el}`, enc: sysreg(3, op1, 0, 0, 4), access: 'ro', behaviour: { kind: 'mpu', regime, role: 'MPUIR', alias: 0 }, fields: MPUIR_FIELDS, type: 'mpuir_flags', doc: `number of ${el} MPU regions` }),
    system({ name: `PRSELR_${el}`, enc: sysreg(3, op1, 6, 2, 1), behaviour: { kind: 'mpu', regime, role: 'PRSELR', alias: 0 }, fields: PRSELR_FIELDS, type: 'prselr_flags', res0: SEL_RES0, doc: `selects the region PRBAR_${el}/PRLAR_${el} access` }),
    system({ name: `PRENR_${el}`, enc: sysreg(3, op1, 6, 1, 1), behaviour: { kind: 'mpu', regime, role: 'PRENR', alias: 0 }, res0: PRENR_RES0, doc: `enable bits of regions 0..31 (live view of PRLAR.EN)` }),
  ];
  for (let n = 0; n <= 15; n++) {
    const suffix = n === 0 ? '' : String(n);
    const crm = 8 + (n >> 1);
    const op2 = (n & 1) * 4;
    regs.push(
      system({ name: `PRBAR${suffix}_${el}`, enc: sysreg(3, op1, 6, crm, op2), behaviour: { kind: 'mpu', regime, role: 'PRBAR', alias: n }, fields: PRBAR_FIELDS, type: 'prbar_flags', res0: PR_HIGH_RES0, doc: n === 0 ? `base and attributes of the region PRSELR_${el} selects` : `base of region PRSELR_${el}.REGION[7:4]:${n}` }),
      system({ name: `PRLAR${suffix}_${el}`, enc: sysreg(3, op1, 6, crm, op2 + 1), behaviour: { kind: 'mpu', regime, role: 'PRLAR', alias: n }, fields: PRLAR_FIELDS, type: 'prlar_flags', res0: PRLAR_RES0, doc: n === 0 ? `limit and enable of the region PRSELR_${el} selects` : `limit of region PRSELR_${el}.REGION[7:4]:${n}` }),
    );
  }
  return regs;
}

/**
 * Control, syndrome and identification registers. A constant table, so that their names form
 * a type (RegisterName) and a misspelt name in code fails to compile.
 */
const CONTROL_REGISTERS = [
  // SCTLR_EL2 resets with its RES1 bits set (Armv8-R: bits 4,5,11,16,18,22,23,28,29) and M, C, I clear.
  { name: 'SCTLR_EL2', enc: sysreg(3, 4, 1, 0, 0), fields: SCTLR_FIELDS, type: 'sctlr_flags', reset: 0x30c5_0830n, doc: 'EL2 system control (M, A, C, I, BR, WXN, EE)' },
  { name: 'HCR_EL2', enc: sysreg(3, 4, 1, 1, 0), fields: HCR_FIELDS, reset: 0n, doc: 'hypervisor configuration' },
  { name: 'MAIR_EL2', enc: sysreg(3, 4, 10, 2, 0), reset: 0n, doc: 'memory attribute indirection (8 attribute bytes)' },
  { name: 'ESR_EL2', enc: sysreg(3, 4, 5, 2, 0), fields: ESR_FIELDS, type: 'esr_flags', res0: 0xffff_ff00_0000_0000n, doc: 'syndrome of the last exception taken to EL2' },
  { name: 'FAR_EL2', enc: sysreg(3, 4, 6, 0, 0), doc: 'faulting address' },
  { name: 'HPFAR_EL2', enc: sysreg(3, 4, 6, 0, 4), fields: HPFAR_FIELDS, doc: 'faulting IPA of a stage 2 fault' },
  { name: 'ELR_EL2', enc: sysreg(3, 4, 4, 0, 1), type: 'code_ptr', doc: 'exception return address' },
  { name: 'SPSR_EL2', enc: sysreg(3, 4, 4, 0, 0), fields: CPSR_FIELDS, type: 'spsr_flags', doc: 'saved PSTATE' },
  { name: 'VBAR_EL2', enc: sysreg(3, 4, 12, 0, 0), type: 'code_ptr', res0: 0x7ffn, doc: 'EL2 vector base' },
  { name: 'TPIDR_EL2', enc: sysreg(3, 4, 13, 0, 2), doc: 'EL2 software thread ID' },
  { name: 'SP_EL1', enc: sysreg(3, 4, 4, 1, 0), type: 'data_ptr', doc: 'EL1 stack pointer' },
  { name: 'VSCTLR_EL2', enc: sysreg(3, 4, 2, 0, 0), fields: VSCTLR_FIELDS, doc: 'Armv8-R virtualization system control' },
  { name: 'VSTCR_EL2', enc: sysreg(3, 4, 2, 6, 2), doc: 'Armv8-R stage 2 control' },
  { name: 'SCTLR_EL1', enc: sysreg(3, 0, 1, 0, 0), fields: SCTLR_EL1_FIELDS, type: 'sctlr_el1_flags', reset: 0x30d0_0800n, doc: 'EL1 system control, and what EL0 may do (UMA, DZE, UCT, nTWI, nTWE, UCI)' },
  { name: 'MAIR_EL1', enc: sysreg(3, 0, 10, 2, 0), doc: 'EL1 memory attribute indirection' },
  { name: 'ESR_EL1', enc: sysreg(3, 0, 5, 2, 0), fields: ESR_FIELDS, type: 'esr_flags', res0: 0xffff_ff00_0000_0000n, doc: 'syndrome of the last exception taken to EL1' },
  { name: 'FAR_EL1', enc: sysreg(3, 0, 6, 0, 0), doc: 'EL1 faulting address' },
  { name: 'ELR_EL1', enc: sysreg(3, 0, 4, 0, 1), type: 'code_ptr', doc: 'EL1 exception return address' },
  { name: 'SPSR_EL1', enc: sysreg(3, 0, 4, 0, 0), fields: CPSR_FIELDS, type: 'spsr_flags', doc: 'EL1 saved PSTATE' },
  { name: 'VBAR_EL1', enc: sysreg(3, 0, 12, 0, 0), type: 'code_ptr', res0: 0x7ffn, doc: 'EL1 vector base' },
  { name: 'SP_EL0', enc: sysreg(3, 0, 4, 1, 0), type: 'data_ptr', doc: 'EL0 stack pointer' },
  { name: 'CurrentEL', enc: sysreg(3, 0, 4, 2, 2), access: 'ro', behaviour: { kind: 'current-el' }, fields: CURRENTEL_FIELDS, doc: 'current exception level' },
  { name: 'MIDR_EL1', enc: sysreg(3, 0, 0, 0, 0), access: 'ro', behaviour: { kind: 'board-id', key: 'midr' }, fields: MIDR_FIELDS, doc: 'main ID (Arm, part 0xD15 Cortex-R82 by default)' },
  { name: 'MPIDR_EL1', enc: sysreg(3, 0, 0, 0, 5), access: 'ro', behaviour: { kind: 'board-id', key: 'mpidr' }, doc: 'multiprocessor affinity' },
  { name: 'ID_AA64MMFR0_EL1', enc: sysreg(3, 0, 0, 7, 0), access: 'ro', behaviour: { kind: 'board-id', key: 'mmfr0' }, fields: MMFR0_FIELDS, doc: 'memory model features (MSA=0b1111: Armv8-R PMSA)' },
  // DZP = 0 (DC ZVA permitted), BS = 4: 16 words, 64 bytes. DDI0487 leaves BS IMPLEMENTATION
  // DEFINED; 4 is what Arm's Cortex-A cores report (QEMU's cortex-a76 model gives 4) and equals
  // the 64-byte granule of PMSAv8-64 regions, so a zeroed block never spans two regions. The
  // Cortex-R82 TRM's own value is not confirmed here.
] as const satisfies readonly SysregInit[];

/** The register groups whose names are typed (RegisterName): this file's and those of sysregs/. */
const NAMED_GROUPS = [CONTROL_REGISTERS, CONTEXT_REGISTERS, IDENTIFICATION_REGISTERS, GENERIC_TIMER_REGISTERS, GIC_CPU_INTERFACE_REGISTERS] as const;
type NamedSysreg = (typeof NAMED_GROUPS)[number][number];

export const REGISTERS: readonly RegisterSpec[] = Object.freeze([
  ...coreRegisters(),
  ...mpuRegisters('el2'),
  ...NAMED_GROUPS.flatMap((group): RegisterSpec[] => group.map((init: SysregInit) => system(init))),
  ...mpuRegisters('el10'),
]);

const byNumber = new Map<number, RegisterSpec>(REGISTERS.map((r) => [r.regnum, r]));
const byName = new Map<string, RegisterSpec>(REGISTERS.map((r) => [r.name.toLowerCase(), r]));

export function registerByNumber(regnum: number): RegisterSpec | undefined {
  return byNumber.get(regnum);
}

type XIndex = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16 | 17 | 18 | 19 | 20 | 21 | 22 | 23 | 24 | 25 | 26 | 27 | 28 | 29 | 30;
type VIndex = XIndex | 31;
type MpuAlias = '' | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15;
type MpuRegisterName = `${'MPUIR' | 'PRSELR' | 'PRENR'}_${'EL1' | 'EL2'}` | `${'PRBAR' | 'PRLAR'}${MpuAlias}_${'EL1' | 'EL2'}`;

/** Every register's name, as a type: code names registers with these, so a typo fails `tsc`. */
export type RegisterName = `x${XIndex}` | 'sp' | 'pc' | 'cpsr' | `v${VIndex}` | 'fpsr' | 'fpcr' | MpuRegisterName | NamedSysreg['name'];

/** A register named in code (a test checks that every RegisterName is in the table). */
export function register(name: RegisterName): RegisterSpec {
  const reg = byName.get(name.toLowerCase());
  if (!reg) throw new Error(`register table has no ${name}`);
  return reg;
}

/**
 * A register named by a user (monitor commands, scripts): case-insensitive, so `prbar_el2`,
 * `PRBAR_EL2` and `$PRBAR_EL2` all name the same register; undefined when there is none.
 */
export function registerByName(name: string): RegisterSpec | undefined {
  return byName.get(name.replace(/^\$/, '').toLowerCase());
}

/**
 * The registers GDB's `g` packet carries, in order: the core feature only, x0..x30, sp, pc,
 * cpsr (268 bytes), as QEMU's gdbstub does. A `g` reply shorter than the description tells GDB
 * that the registers after it are not in `g` (remote.c, process_g_packet), so it fetches
 * v0..v31, fpsr and fpcr with `p` when they are asked for. GDB's work on each `g` reply grows
 * with its size: against a stub that does nothing, a register read after a cache flush took
 * 71-75 us with the 788-byte block that also carried the FPU registers, 52 us with this one.
 */
export const G_PACKET_REGISTERS: readonly RegisterSpec[] = REGISTERS.filter((r) => r.feature === 'org.gnu.gdb.aarch64.core').sort(
  (a, b) => a.regnum - b.regnum,
);
