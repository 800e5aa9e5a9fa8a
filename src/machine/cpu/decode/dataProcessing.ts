// Decoding of the A64 data-processing groups, immediate (op0 = 100x) and register (x101), to
// the instruction union. Field layouts and the unallocated combinations follow the Arm ARM
// (DDI0487) "Data Processing -- Immediate" and "Data Processing -- Register" tables.

import { decodeBitMasks } from '../bitmasks.js';
import { signExtend, undefinedInstruction } from './fields.js';
import type { Instruction, LogicalOp, ShiftType } from './types.js';

/** The opc field of the logical instructions. */
const LOGICAL_OPS: readonly LogicalOp[] = ['and', 'orr', 'eor', 'ands'];
const BITFIELD_OPS = ['sbfm', 'bfm', 'ubfm'] as const;
const SELECT_OPS = ['csel', 'csinc', 'csinv', 'csneg'] as const;
const ONE_SOURCE_OPS = ['rbit', 'rev16', 'rev32', 'rev64', 'clz', 'cls'] as const;

export function decodeDataProcessingImmediate(i: number): Instruction {
  const op = (i >>> 23) & 7;
  const sf = i >>> 31 === 1;
  const rd = i & 31;
  const rn = (i >>> 5) & 31;
  switch (op) {
    case 0:
    case 1: {
      const imm = signExtend((((i >>> 5) & 0x7ffff) << 2) | ((i >>> 29) & 3), 21);
      const page = sf; // bit 31 is op: ADRP
      return { kind: 'adr', rd, offset: page ? imm * 4096 : imm, page };
    }
    case 2: {
      const imm = ((i >>> 10) & 0xfff) * ((i >>> 22) & 1 ? 4096 : 1);
      return { kind: 'add-imm', sf, rd, rn, imm, sub: ((i >>> 30) & 1) === 1, setFlags: ((i >>> 29) & 1) === 1 };
    }
    case 4: {
      const n = (i >>> 22) & 1;
      if (!sf && n) return undefinedInstruction('logical immediate with N=1 in 32-bit form');
      const masks = decodeBitMasks(n, (i >>> 10) & 63, (i >>> 16) & 63, true, sf ? 64 : 32);
      if (masks === undefined) return undefinedInstruction('reserved logical immediate');
      return { kind: 'logical-imm', sf, rd, rn, op: LOGICAL_OPS[(i >>> 29) & 3]!, mask: masks.wmask };
    }
    case 5: {
      const opc = (i >>> 29) & 3;
      const hw = (i >>> 21) & 3;
      if (!sf && hw > 1) return undefinedInstruction('move wide with hw > 1 in 32-bit form');
      if (opc === 1) return undefinedInstruction('unallocated move wide');
      const moveOp = opc === 0 ? 'movn' : opc === 2 ? 'movz' : 'movk';
      return { kind: 'move-wide', sf, rd, op: moveOp, imm16: (i >>> 5) & 0xffff, shift: hw * 16 };
    }
    case 6: {
      const opc = (i >>> 29) & 3;
      const n = (i >>> 22) & 1;
      if (opc === 3 || n !== (sf ? 1 : 0)) return undefinedInstruction('unallocated bitfield');
      const immr = (i >>> 16) & 63;
      const imms = (i >>> 10) & 63;
      if (!sf && (immr > 31 || imms > 31)) return undefinedInstruction('bitfield immediate beyond 31 in 32-bit form');
      const masks = decodeBitMasks(n, imms, immr, false, sf ? 64 : 32);
      if (masks === undefined) return undefinedInstruction('reserved bitfield immediate');
      return { kind: 'bitfield', sf, rd, rn, op: BITFIELD_OPS[opc]!, immr, imms, wmask: masks.wmask, tmask: masks.tmask };
    }
    case 7: {
      const n = (i >>> 22) & 1;
      if (((i >>> 29) & 3) !== 0 || ((i >>> 21) & 1) !== 0 || n !== (sf ? 1 : 0)) return undefinedInstruction('unallocated extract');
      const lsb = (i >>> 10) & 63;
      if (!sf && lsb > 31) return undefinedInstruction('extract position beyond 31 in 32-bit form');
      return { kind: 'extract', sf, rd, rn, rm: (i >>> 16) & 31, lsb };
    }
    default:
      return undefinedInstruction('unallocated data processing (immediate)');
  }
}

export function decodeDataProcessingRegister(i: number): Instruction {
  const sf = i >>> 31 === 1;
  const op1 = (i >>> 28) & 1;
  const op2 = (i >>> 21) & 15;
  const rd = i & 31;
  const rn = (i >>> 5) & 31;
  const rm = (i >>> 16) & 31;
  const sub = ((i >>> 30) & 1) === 1;
  const setFlags = ((i >>> 29) & 1) === 1;
  if (op1 === 0) {
    const amount = (i >>> 10) & 63;
    if ((op2 & 8) === 0) {
      if (!sf && amount > 31) return undefinedInstruction('shift amount too large for 32-bit form');
      const shift = ((i >>> 22) & 3) as ShiftType;
      return { kind: 'logical-shifted', sf, rd, rn, rm, op: LOGICAL_OPS[(i >>> 29) & 3]!, invert: ((i >>> 21) & 1) === 1, shift, amount };
    }
    if (((i >>> 21) & 1) === 1) {
      const imm3 = (i >>> 10) & 7;
      if (((i >>> 22) & 3) !== 0) return undefinedInstruction('unallocated add/sub (extended register) with opt != 0');
      if (imm3 > 4) return undefinedInstruction('reserved extend shift');
      return { kind: 'add-extended', sf, rd, rn, rm, sub, setFlags, extend: (i >>> 13) & 7, amount: imm3 };
    }
    const shift = (i >>> 22) & 3;
    if (shift === 3 || (!sf && amount > 31)) return undefinedInstruction('reserved add/sub shift');
    return { kind: 'add-shifted', sf, rd, rn, rm, sub, setFlags, shift: shift as 0 | 1 | 2, amount };
  }
  switch (op2) {
    case 0:
      // Bits 15:10 other than 0 are RMIF, SETF8/16 (not implemented) or unallocated.
      if (((i >>> 10) & 0x3f) !== 0) return undefinedInstruction('unimplemented flag manipulation or unallocated add/sub with carry');
      return { kind: 'add-carry', sf, rd, rn, rm, sub, setFlags };
    case 2:
      if (!setFlags || ((i >>> 10) & 1) !== 0 || ((i >>> 4) & 1) !== 0) return undefinedInstruction('unallocated conditional compare');
      return { kind: 'cond-compare', sf, rn, operand: rm, immediate: ((i >>> 11) & 1) === 1, sub, cond: (i >>> 12) & 15, nzcv: i & 15 };
    case 4: {
      const o2 = (i >>> 10) & 3;
      if (setFlags || o2 > 1) return undefinedInstruction('unallocated conditional select');
      return { kind: 'cond-select', sf, rd, rn, rm, cond: (i >>> 12) & 15, op: SELECT_OPS[(sub ? 2 : 0) + o2]! };
    }
    case 6:
      if (setFlags) return undefinedInstruction('unallocated data processing (1 or 2 source) with S = 1');
      return sub ? decodeOneSource(i, sf, rd, rn) : decodeTwoSource(i, sf, rd, rn, rm);
    default:
      if (op2 >= 8) return decodeThreeSource(i, sf, rd, rn, rm);
      return undefinedInstruction('unallocated data processing (register)');
  }
}

function decodeOneSource(i: number, sf: boolean, rd: number, rn: number): Instruction {
  const opcode = (i >>> 10) & 0x3f;
  // opcode2 (bits 20:16) other than 0 is pointer authentication (not implemented) or unallocated.
  if (((i >>> 16) & 31) !== 0) return undefinedInstruction('unimplemented data processing (1 source) with opcode2 != 0');
  if (opcode === 3 && !sf) return undefinedInstruction('REV with opc 11 in 32-bit form');
  const op = ONE_SOURCE_OPS[opcode];
  if (op === undefined) return undefinedInstruction('unimplemented data processing (1 source)');
  return { kind: 'one-source', sf, rd, rn, op };
}

function decodeTwoSource(i: number, sf: boolean, rd: number, rn: number, rm: number): Instruction {
  const opcode = (i >>> 10) & 0x3f;
  if (opcode === 2 || opcode === 3) return { kind: 'divide', sf, rd, rn, rm, signed: opcode === 3 };
  if (opcode >= 8 && opcode <= 11) return { kind: 'shift-variable', sf, rd, rn, rm, shift: (opcode - 8) as ShiftType };
  return undefinedInstruction('unimplemented data processing (2 source)');
}

function decodeThreeSource(i: number, sf: boolean, rd: number, rn: number, rm: number): Instruction {
  const op31 = (i >>> 21) & 7;
  const sub = ((i >>> 15) & 1) === 1;
  const ra = (i >>> 10) & 31;
  if (((i >>> 29) & 3) !== 0) return undefinedInstruction('unallocated 3-source form (op54 != 0)');
  if (op31 === 0) return { kind: 'multiply-add', sf, rd, rn, rm, ra, sub };
  if (!sf) return undefinedInstruction('unallocated 3-source form');
  if (op31 === 1 || op31 === 5) return { kind: 'multiply-add-long', rd, rn, rm, ra, sub, signed: op31 === 1 };
  if ((op31 === 2 || op31 === 6) && !sub) return { kind: 'multiply-high', rd, rn, rm, signed: op31 === 2 };
  return undefinedInstruction('unallocated 3-source form');
}
