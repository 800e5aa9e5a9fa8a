// Decoding of the A64 "Loads and Stores" group (op0 = x1x0) to the instruction union, after the
// Arm ARM (DDI0487) tables: exclusives and acquire/release, literals, pairs, and the
// single-register forms (unsigned offset, unscaled, pre/post-index, register offset); the LSE
// atomics and compare-and-swap are in atomics.ts, the SIMD&FP registers' forms in simdFp.ts.

import { decodeAtomicMemory, decodeCompareSwap } from './atomics.js';
import { signExtend, undefinedInstruction } from './fields.js';
import { decodeSimdFpLoadStore } from './simdFp.js';
import type { AccessSize, IndexMode, Instruction } from './types.js';

export function decodeLoadStore(i: number): Instruction {
  const op0 = i >>> 28;
  const op2 = (i >>> 23) & 3;
  const op3 = (i >>> 16) & 0x3f;
  const op4 = (i >>> 10) & 3;
  if ((i >>> 26) & 1) return decodeSimdFpLoadStore(i);
  if ((op0 & 3) === 0 && op2 < 2) return decodeExclusiveOrdered(i);
  if ((op0 & 3) === 1 && op2 < 2) return decodeLiteral(i);
  if ((op0 & 3) === 2) return decodePair(i, op2);
  if ((op0 & 3) === 3) {
    if (op2 >= 2) return decodeUnsignedOffset(i);
    if ((op3 & 0x20) === 0) return decodeUnscaled(i, op4);
    if (op4 === 2) return decodeRegisterOffset(i);
    if (op4 === 0) return decodeAtomicMemory(i);
  }
  return undefinedInstruction('unallocated or unimplemented load/store');
}

/** What the size and opc fields of a single-register form ask for. */
type Transfer = { readonly size: AccessSize; readonly load: boolean; readonly signed: boolean; readonly wide: boolean };

const sizeOf = (i: number): AccessSize => (1 << (i >>> 30)) as AccessSize;

function transferOf(i: number): Transfer | 'prefetch' | Instruction {
  const size = sizeOf(i);
  const opc = (i >>> 22) & 3;
  if (opc === 0) return { size, load: false, signed: false, wide: size === 8 };
  if (opc === 1) return { size, load: true, signed: false, wide: size === 8 };
  if (size === 8) return opc === 2 ? 'prefetch' : undefinedInstruction('unallocated load/store size');
  if (size === 4 && opc === 3) return undefinedInstruction('unallocated load/store size');
  return { size, load: true, signed: true, wide: opc === 2 };
}

/** One shape for every immediate-addressed single-register access. */
function immediateForm(transfer: Transfer, i: number, imm: number, index: IndexMode): Instruction {
  const { size, load, signed, wide } = transfer;
  return { kind: 'load-store-imm', size, load, signed, wide, rt: i & 31, rn: (i >>> 5) & 31, imm, index };
}

function decodeUnsignedOffset(i: number): Instruction {
  const transfer = transferOf(i);
  if (transfer === 'prefetch') return { kind: 'prefetch' };
  if ('kind' in transfer) return transfer;
  return immediateForm(transfer, i, ((i >>> 10) & 0xfff) * transfer.size, 'offset');
}

/** mode (bits 11:10): 0 unscaled (LDUR), 1 post-index, 2 unprivileged (LDTR, an ordinary access here), 3 pre-index. */
function decodeUnscaled(i: number, mode: number): Instruction {
  const transfer = transferOf(i);
  if (transfer === 'prefetch') {
    if (mode === 0) return { kind: 'prefetch' };
    return undefinedInstruction(mode === 2 ? 'unallocated unprivileged prefetch' : 'unallocated prefetch with writeback');
  }
  if ('kind' in transfer) return transfer;
  const imm = signExtend((i >>> 12) & 0x1ff, 9);
  return immediateForm(transfer, i, imm, mode === 1 ? 'post' : mode === 3 ? 'pre' : 'offset');
}

function decodeRegisterOffset(i: number): Instruction {
  const option = (i >>> 13) & 7;
  if ((option & 2) === 0) return undefinedInstruction('reserved register-offset extend');
  const transfer = transferOf(i);
  if (transfer === 'prefetch') return { kind: 'prefetch' };
  if ('kind' in transfer) return transfer;
  const { size, load, signed, wide } = transfer;
  const shift = (i >>> 12) & 1 ? i >>> 30 : 0;
  return { kind: 'load-store-register', size, load, signed, wide, rt: i & 31, rn: (i >>> 5) & 31, rm: (i >>> 16) & 31, extend: option, shift };
}

function decodeLiteral(i: number): Instruction {
  const opc = i >>> 30;
  if (opc === 3) return { kind: 'prefetch' };
  return { kind: 'load-literal', rt: i & 31, offset: signExtend((i >>> 5) & 0x7ffff, 19) * 4, size: opc === 1 ? 8 : 4, signed: opc === 2 };
}

/** mode (bits 24:23): 0 no-allocate (LDNP/STNP, an ordinary offset access here), 1 post-index, 2 offset, 3 pre-index. */
function decodePair(i: number, mode: number): Instruction {
  const opc = i >>> 30;
  const load = ((i >>> 22) & 1) === 1;
  if (opc === 3 || (opc === 1 && !load)) return undefinedInstruction('unallocated load/store pair');
  if (opc === 1 && mode === 0) return undefinedInstruction('unallocated load/store pair (there is no LDNPSW)');
  const size = opc === 2 ? 8 : 4;
  const index: IndexMode = mode === 1 ? 'post' : mode === 3 ? 'pre' : 'offset';
  return {
    kind: 'load-store-pair', size, load, signed: opc === 1,
    rt: i & 31, rt2: (i >>> 10) & 31, rn: (i >>> 5) & 31, imm: signExtend((i >>> 15) & 0x7f, 7) * size, index,
  };
}

/**
 * o2 (bit 23) = 1: LDAR/STLR, or CAS with o1 (bit 21) = 1; o2 = 0: the exclusives, o1 = 1 a
 * pair, which for sizes 00 and 01 is CASP. o0 (bit 15), the ordering, changes nothing on one core.
 */
function decodeExclusiveOrdered(i: number): Instruction {
  const size = sizeOf(i);
  const load = ((i >>> 22) & 1) === 1;
  const pair = ((i >>> 21) & 1) === 1;
  const rt = i & 31;
  const rn = (i >>> 5) & 31;
  if ((i >>> 23) & 1) {
    if (pair) return decodeCompareSwap(i, false);
    return { kind: 'ordered', size, load, rt, rn };
  }
  if (pair && size < 4) return decodeCompareSwap(i, true);
  return { kind: 'exclusive', size, load, pair, rs: (i >>> 16) & 31, rt, rt2: (i >>> 10) & 31, rn };
}
