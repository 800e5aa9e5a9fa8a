// Decoding of the A64 "Branches, Exception Generating and System instructions" group
// (op0 = 101x) to the instruction union, after the Arm ARM (DDI0487) tables. Conditions that
// depend on the state the instruction runs in (HVC at EL0, ERET's SPSR...) are the
// executor's: the decoder says only what the word is.

import { encodingNumber, sysreg } from '../../../arch/aarch64/encoding.js';
import { signExtend, undefinedInstruction } from './fields.js';
import type { Instruction } from './types.js';

// Masks with bit 31 set give negative numbers in JS: compare them as unsigned (>>> 0).
export function decodeBranchSystem(i: number): Instruction {
  const top = i >>> 26;
  if ((top & 0x1f) === 0x05) return { kind: 'branch', offset: signExtend(i & 0x3ff_ffff, 26) * 4, link: (top & 0x20) !== 0 };
  if ((i & 0xff00_0010) === 0x5400_0000) return { kind: 'branch-cond', offset: signExtend((i >>> 5) & 0x7ffff, 19) * 4, cond: i & 15 };
  if ((i & 0x7e00_0000) === 0x3400_0000) {
    return { kind: 'compare-branch', sf: i >>> 31 === 1, rt: i & 31, offset: signExtend((i >>> 5) & 0x7ffff, 19) * 4, nonzero: ((i >>> 24) & 1) === 1 };
  }
  if ((i & 0x7e00_0000) === 0x3600_0000) {
    const bit = ((i >>> 31) << 5) | ((i >>> 19) & 31);
    return { kind: 'test-branch', rt: i & 31, bit, offset: signExtend((i >>> 5) & 0x3fff, 14) * 4, nonzero: ((i >>> 24) & 1) === 1 };
  }
  if ((i & 0xff00_0000) >>> 0 === 0xd400_0000) return decodeExceptionGeneration(i);
  if ((i & 0xffc0_0000) >>> 0 === 0xd500_0000) return decodeSystem(i);
  if ((i & 0xfe00_0000) >>> 0 === 0xd600_0000) return decodeBranchRegister(i);
  return undefinedInstruction('unallocated branch/system encoding');
}

function decodeExceptionGeneration(i: number): Instruction {
  const opc = (i >>> 21) & 7;
  const ll = i & 3;
  const imm = (i >>> 5) & 0xffff;
  if (((i >>> 2) & 7) !== 0) return undefinedInstruction('unallocated exception generation (op2 != 0)');
  if (opc === 0 && ll !== 0) return { kind: 'exception-call', call: ll === 1 ? 'svc' : ll === 2 ? 'hvc' : 'smc', imm };
  if (opc === 1 && ll === 0) return { kind: 'brk', imm };
  return undefinedInstruction('unallocated exception generation');
}

/** BR, BLR, RET, ERET: op2 = 11111, op3 = 000000, op4 = 00000 for all of them; ERET has Rn = 11111 too. */
function decodeBranchRegister(i: number): Instruction {
  const opc = (i >>> 21) & 15;
  if ((i & 0x001f_fc1f) !== 0x001f_0000) return undefinedInstruction('unallocated branch (register)');
  if (opc === 0 || opc === 2) return { kind: 'branch-register', rn: (i >>> 5) & 31, link: false };
  if (opc === 1) return { kind: 'branch-register', rn: (i >>> 5) & 31, link: true };
  if (opc === 4 && ((i >>> 5) & 31) === 31) return { kind: 'eret' };
  return undefinedInstruction('unallocated branch (register)');
}

function decodeSystem(i: number): Instruction {
  const l = (i >>> 21) & 1;
  const op0 = (i >>> 19) & 3;
  const op1 = (i >>> 16) & 7;
  const crn = (i >>> 12) & 15;
  const crm = (i >>> 8) & 15;
  const op2 = (i >>> 5) & 7;
  const rt = i & 31;
  if (op0 === 0) {
    if (l === 1) return undefinedInstruction('unallocated system instruction');
    if (op1 === 3 && crn === 2 && rt === 31) {
      const hint = (crm << 3) | op2;
      if (hint === 2 || hint === 3) return { kind: 'wait', instruction: hint === 3 ? 'WFI' : 'WFE' };
      return { kind: 'hint', hint };
    }
    if (op1 === 3 && crn === 3 && rt === 31) {
      if (op2 === 2) return { kind: 'clrex' };
      if (op2 === 4 || op2 === 5 || op2 === 6) return { kind: 'barrier', barrier: op2 === 4 ? 'dsb' : op2 === 5 ? 'dmb' : 'isb' };
      return undefinedInstruction('unallocated barrier');
    }
    if (crn === 4 && rt === 31) {
      if (op1 === 0 && op2 === 5) return { kind: 'msr-imm', field: 'spsel', imm: crm };
      if (op1 === 3 && (op2 === 6 || op2 === 7)) return { kind: 'msr-imm', field: op2 === 6 ? 'daifset' : 'daifclr', imm: crm };
      return undefinedInstruction('unsupported MSR (immediate)');
    }
    return undefinedInstruction('unallocated system instruction');
  }
  if (op0 === 1) {
    if (l === 1) return undefinedInstruction('SYSL is not implemented');
    // DC ZVA (op1 3, C7, C4, 1) writes memory, AT writes PAR_EL1; every other DC, IC or TLBI has no effect here.
    if (op1 === 3 && crn === 7 && crm === 4 && op2 === 1) return { kind: 'dc-zva', rt };
    if (crn === 7 && (crm === 8 || crm === 9)) {
      const at = addressTranslation(op1, crm, op2, rt);
      if (at) return at;
    }
    return { kind: 'sys', op1, crn, crm, op2, rt };
  }
  const regnum = encodingNumber(sysreg(op0, op1, crn, crm, op2));
  return l === 1 ? { kind: 'mrs', rt, regnum } : { kind: 'msr', rt, regnum };
}

/**
 * AT: op1 0, C7, C8 is S1E1R/W (op2 0/1) and S1E0R/W (2/3), C9 the S1E1RP/WP forms (PAN, which
 * this core treats as the plain ones); op1 4, C8 is S1E2R/W (0/1) and S12E1R/W, S12E0R/W (4..7).
 */
function addressTranslation(op1: number, crm: number, op2: number, rt: number): Instruction | undefined {
  const write = (op2 & 1) === 1;
  if (op1 === 0 && crm === 8 && op2 < 4) return { kind: 'address-translate', name: `S1E${op2 < 2 ? 1 : 0}${write ? 'W' : 'R'}`, rt, el: op2 < 2 ? 1 : 0, write, stage2: false, minEl: 1 };
  if (op1 === 0 && crm === 9 && op2 < 2) return { kind: 'address-translate', name: `S1E1${write ? 'W' : 'R'}P`, rt, el: 1, write, stage2: false, minEl: 1 };
  if (op1 === 4 && crm === 8 && op2 < 2) return { kind: 'address-translate', name: `S1E2${write ? 'W' : 'R'}`, rt, el: 2, write, stage2: false, minEl: 2 };
  if (op1 === 4 && crm === 8 && op2 >= 4) return { kind: 'address-translate', name: `S12E${op2 < 6 ? 1 : 0}${write ? 'W' : 'R'}`, rt, el: op2 < 6 ? 1 : 0, write, stage2: true, minEl: 2 };
  return undefined;
}
