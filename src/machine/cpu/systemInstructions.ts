// The interpreter's system instructions that reach beyond the general-purpose registers:
// MRS/MSR through the register table (the same semantics GDB sees; the PSTATE fields NZCV,
// DAIF and SPSel kept in cpsr, FPCR/FPSR beside the V registers), MSR (immediate), and ERET through ELR/SPSR. Whether a
// register exists and may be reached from the current EL is decided here, at execution:
// the decoder only says which register the instruction names.

import { encodingNumber, sysreg } from '../../arch/aarch64/encoding.js';
import { registerByNumber } from '../../arch/aarch64/registers.js';
import type { Machine } from '../machine.js';
import { RegisterAccessError } from '../sysregs.js';
import { M32 } from './bigintAlu.js';
import type { InstructionOf } from './decode.js';
import { Undefined } from './outcomes.js';
import { checkSimdFpEnabled } from './simdFp.js';

/** Special-purpose registers reached by MRS/MSR but kept in PSTATE (op0:op1:CRn:CRm:op2). */
const NZCV = encodingNumber(sysreg(3, 3, 4, 2, 0));
const DAIF = encodingNumber(sysreg(3, 3, 4, 2, 1));
const SPSEL = encodingNumber(sysreg(3, 0, 4, 2, 0));
/** FPCR and FPSR: in the core beside the V registers, reached only while SIMD&FP is enabled. */
const FPCR = encodingNumber(sysreg(3, 3, 4, 4, 0));
const FPSR = encodingNumber(sysreg(3, 3, 4, 4, 1));
/** The FPCR bits AArch64 defines (AHP, DN, FZ, RMode, Stride, FZ16, Len, the trap enables); FPSR's cumulative flags, QC and NZCV. */
const FPCR_BITS = 0x07ff_9f00;
const FPSR_BITS = 0xf800_009f;

/** ERET: PSTATE from SPSR_ELx, pc from ELR_ELx. The caller clears the exclusive monitor. */
export function exceptionReturn(machine: Machine): void {
  const core = machine.core;
  const el = core.el;
  if (el === 0) throw new Undefined('ERET at EL0');
  const elr = machine.sysregs.getStored(el === 2 ? 'ELR_EL2' : 'ELR_EL1');
  const spsr = Number(machine.sysregs.getStored(el === 2 ? 'SPSR_EL2' : 'SPSR_EL1') & M32);
  const target = (spsr >>> 2) & 3;
  // SPSR.M names the EL and the stack pointer to return to: EL2h/EL2t, EL1h/EL1t, EL0t (the
  // core's EL and SPSel come from cpsr, so SP_EL0, SP_EL1 or SP_EL2 follows). An illegal return
  // — to a higher EL, to AArch32, to M[1] = 1 or to "EL0h" — is not modelled: refuse it loudly.
  const illegal = target > el || (spsr & 0x10) !== 0 || (spsr & 0x2) !== 0 || (target === 0 && (spsr & 1) !== 0);
  if (illegal) throw new Undefined(`ERET to an illegal state (SPSR 0x${spsr.toString(16)})`);
  core.cpsr = spsr >>> 0;
  core.pc = elr;
}

export function msrImmediate(machine: Machine, insn: InstructionOf<'msr-imm'>): void {
  const core = machine.core;
  if (insn.field === 'spsel') {
    if (core.el === 0) throw new Undefined('MSR SPSel at EL0');
    core.cpsr = ((core.cpsr & ~1) | (insn.imm & 1)) >>> 0;
  } else if (insn.field === 'daifset') core.cpsr = (core.cpsr | (insn.imm << 6)) >>> 0;
  else core.cpsr = (core.cpsr & ~(insn.imm << 6)) >>> 0;
}

export function readSystemRegister(machine: Machine, regnum: number): bigint {
  const core = machine.core;
  if (regnum === NZCV) return BigInt(core.cpsr & 0xf000_0000) & M32;
  if (regnum === DAIF) return BigInt(core.cpsr & 0x3c0);
  if (regnum === SPSEL) return BigInt(core.cpsr & 1);
  if (regnum === FPCR || regnum === FPSR) {
    checkSimdFpEnabled(machine);
    return BigInt(regnum === FPCR ? core.fpcr : core.fpsr);
  }
  const reg = registerByNumber(regnum);
  if (!reg || reg.encoding === undefined) throw new Undefined(`MRS of an unimplemented system register (encoding 0x${regnum.toString(16)})`);
  if (core.el < reg.minEl) throw new Undefined(`MRS ${reg.name} at EL${core.el}: it needs EL${reg.minEl} or higher`);
  if (reg.access === 'wo') throw new Undefined(`MRS ${reg.name}: it is write-only`);
  return machine.readRegister(reg, 'core');
}

export function writeSystemRegister(machine: Machine, regnum: number, value: bigint): void {
  const core = machine.core;
  if (regnum === NZCV) {
    core.cpsr = ((core.cpsr & 0x0fff_ffff) | Number(value & 0xf000_0000n)) >>> 0;
    return;
  }
  if (regnum === DAIF) {
    core.cpsr = ((core.cpsr & ~0x3c0) | Number(value & 0x3c0n)) >>> 0;
    return;
  }
  if (regnum === SPSEL) {
    core.cpsr = ((core.cpsr & ~1) | Number(value & 1n)) >>> 0;
    return;
  }
  if (regnum === FPCR || regnum === FPSR) {
    checkSimdFpEnabled(machine);
    if (regnum === FPCR) core.fpcr = Number(value & BigInt(FPCR_BITS));
    else core.fpsr = Number(value & BigInt(FPSR_BITS));
    return;
  }
  const reg = registerByNumber(regnum);
  if (!reg || reg.encoding === undefined) throw new Undefined(`MSR to an unimplemented system register (encoding 0x${regnum.toString(16)})`);
  const minEl = reg.minWriteEl ?? reg.minEl;
  if (core.el < minEl) throw new Undefined(`MSR ${reg.name} at EL${core.el}: it needs EL${minEl} or higher`);
  try {
    machine.writeRegister(reg, value, 'core');
  } catch (err) {
    if (err instanceof RegisterAccessError) throw new Undefined(`MSR ${reg.name}: ${err.message}`);
    throw err;
  }
}
