// Decoding of the SIMD&FP instructions the core executes, after the Arm ARM (DDI0487) tables:
// every load and store of a SIMD&FP register (the V = 1 half of "Loads and Stores": single
// register by immediate or register offset, literal, pair), FMOV between general-purpose and
// SIMD&FP registers, and the integer vector operations compilers put into integer code (CNT,
// ADDV, ADD: GCC's __builtin_popcount). Floating-point arithmetic and the rest of Advanced
// SIMD are not implemented: they decode as undefined, saying so, and stop under a debugger.

import { signExtend, undefinedInstruction } from './fields.js';
import type { FpAccessSize, IndexMode, Instruction } from './types.js';

const NOT_IMPLEMENTED = 'floating-point arithmetic and most Advanced SIMD instructions are not implemented';

/** Loads and stores with V (bit 26) = 1. */
export function decodeSimdFpLoadStore(i: number): Instruction {
  if ((i & 0x3f000000) === 0x3d000000) return decodeUnsignedOffset(i);
  if ((i & 0x3f200000) === 0x3c000000) return decodeUnscaled(i);
  if ((i & 0x3f200c00) === 0x3c200800) return decodeRegisterOffset(i);
  if ((i & 0x3f000000) === 0x1c000000) return decodeLiteral(i);
  if ((i & 0x3c000000) === 0x2c000000) return decodePair(i);
  return undefinedInstruction('Advanced SIMD structure loads and stores (LD1...ST4) are not implemented');
}

/** size (bits 31:30) with opc<1> (bit 23): 00:1 is Q; opc<0> (bit 22) is the direction. */
function accessOf(i: number): { size: FpAccessSize; load: boolean } | undefined {
  const size = i >>> 30;
  const wide = (i >>> 23) & 1;
  if (wide && size !== 0) return undefined;
  return { size: (wide ? 16 : 1 << size) as FpAccessSize, load: ((i >>> 22) & 1) === 1 };
}

const fields = (i: number) => ({ rt: i & 31, rn: (i >>> 5) & 31 });

function decodeUnsignedOffset(i: number): Instruction {
  const access = accessOf(i);
  if (!access) return undefinedInstruction('unallocated SIMD&FP load/store size');
  const imm = ((i >>> 10) & 0xfff) * access.size;
  return { kind: 'fp-load-store', ...access, ...fields(i), addressing: { mode: 'immediate', imm, index: 'offset' } };
}

/** Bits 11:10: 0 unscaled (LDUR), 1 post-index, 3 pre-index; 2 (an unprivileged form) does not exist for SIMD&FP. */
function decodeUnscaled(i: number): Instruction {
  const access = accessOf(i);
  if (!access) return undefinedInstruction('unallocated SIMD&FP load/store size');
  const mode = (i >>> 10) & 3;
  if (mode === 2) return undefinedInstruction('unallocated SIMD&FP unprivileged load/store');
  const index: IndexMode = mode === 1 ? 'post' : mode === 3 ? 'pre' : 'offset';
  return { kind: 'fp-load-store', ...access, ...fields(i), addressing: { mode: 'immediate', imm: signExtend((i >>> 12) & 0x1ff, 9), index } };
}

function decodeRegisterOffset(i: number): Instruction {
  const access = accessOf(i);
  if (!access) return undefinedInstruction('unallocated SIMD&FP load/store size');
  const extend = (i >>> 13) & 7;
  if ((extend & 2) === 0) return undefinedInstruction('reserved register-offset extend');
  const shift = (i >>> 12) & 1 ? Math.log2(access.size) : 0;
  return { kind: 'fp-load-store', ...access, ...fields(i), addressing: { mode: 'register', rm: (i >>> 16) & 31, extend, shift } };
}

function decodeLiteral(i: number): Instruction {
  const opc = i >>> 30;
  if (opc === 3) return undefinedInstruction('unallocated SIMD&FP literal load');
  return { kind: 'fp-load-literal', rt: i & 31, offset: signExtend((i >>> 5) & 0x7ffff, 19) * 4, size: (4 << opc) as 4 | 8 | 16 };
}

/** opc (bits 31:30) 00 S, 01 D, 10 Q; mode (bits 24:23) as for the general-purpose pairs. */
function decodePair(i: number): Instruction {
  const opc = i >>> 30;
  if (opc === 3) return undefinedInstruction('unallocated SIMD&FP load/store pair');
  const size = (4 << opc) as 4 | 8 | 16;
  const mode = (i >>> 23) & 3;
  const index: IndexMode = mode === 1 ? 'post' : mode === 3 ? 'pre' : 'offset';
  return {
    kind: 'fp-load-store-pair', size, load: ((i >>> 22) & 1) === 1, ...fields(i),
    rt2: (i >>> 10) & 31, imm: signExtend((i >>> 15) & 0x7f, 7) * size, index,
  };
}

/** Data processing, SIMD and FP (op0 = x111). */
export function decodeSimdFpDataProcessing(i: number): Instruction {
  const rd = i & 31;
  const rn = (i >>> 5) & 31;
  // FMOV (general): sf:0:0:11110:type:1:rmode:opcode:000000, opcode 110 to general, 111 from it.
  if ((i & 0x7f20fc00) === 0x1e200000) {
    const fmov = decodeFmovGeneral(i, rd, rn);
    if (fmov) return fmov;
  }
  const q = ((i >>> 30) & 1) === 1;
  const bytes = q ? 16 : 8;
  const sizeField = (i >>> 22) & 3;
  const esize = (1 << sizeField) as 1 | 2 | 4 | 8;
  // CNT Vd.<8B|16B>, Vn: 0:Q:001110:size:100000:00101:10:Rn:Rd, size 00 only.
  if ((i & 0xbf3ffc00) === 0x0e205800) return { kind: 'simd-integer', op: 'cnt', bytes, esize: 1, rd, rn, rm: 0 };
  // ADDV: 0:Q:001110:size:11000:11011:10:Rn:Rd; 4S needs Q, and there are no D lanes.
  if ((i & 0xbf3ffc00) === 0x0e31b800) {
    if (sizeField === 3 || (sizeField === 2 && !q)) return undefinedInstruction('reserved ADDV arrangement');
    return { kind: 'simd-integer', op: 'addv', bytes, esize, rd, rn, rm: 0 };
  }
  // ADD (vector): 0:Q:001110:size:1:Rm:100001:Rn:Rd; 1D is reserved.
  if ((i & 0xbf20fc00) === 0x0e208400) {
    if (sizeField === 3 && !q) return undefinedInstruction('reserved ADD (vector) arrangement 1D');
    return { kind: 'simd-integer', op: 'add', bytes, esize, rd, rn, rm: (i >>> 16) & 31 };
  }
  return undefinedInstruction(NOT_IMPLEMENTED);
}

/**
 * sf, type, rmode and opcode of FMOV (general): W<->S (0, 00, 00), X<->D (1, 01, 00) and
 * X<->Vd.D[1] (1, 10, 01); half precision (type 11) needs FEAT_FP16, not implemented.
 */
function decodeFmovGeneral(i: number, rd: number, rn: number): Instruction | undefined {
  const opcode = (i >>> 16) & 7;
  if (opcode !== 6 && opcode !== 7) return undefined;
  const sf = i >>> 31;
  const type = (i >>> 22) & 3;
  const rmode = (i >>> 19) & 3;
  const toGeneral = opcode === 6;
  if (sf === 0 && type === 0 && rmode === 0) return { kind: 'fp-move-general', toGeneral, size: 4, upper: false, rd, rn };
  if (sf === 1 && type === 1 && rmode === 0) return { kind: 'fp-move-general', toGeneral, size: 8, upper: false, rd, rn };
  if (sf === 1 && type === 2 && rmode === 1) return { kind: 'fp-move-general', toGeneral, size: 8, upper: true, rd, rn };
  return undefined;
}
