// The interpreter's arithmetic on 64-bit register values as BigInts: shifts, rotations, byte
// and bit reversal, leading-bit counts and the condition codes. Pure functions of their
// arguments; `sf` selects the 64-bit (true) or 32-bit width. Translated code has its own
// 32-bit-halves versions (wide.ts and the translator's templates), compared with these by
// the differential tests.

import type { LogicalOp, ShiftType } from './decode/types.js';

export const M64 = 0xffff_ffff_ffff_ffffn;
export const M32 = 0xffff_ffffn;

export const signExtend = (value: bigint, bits: number): bigint => BigInt.asIntN(bits, value);
export const u64 = (value: bigint): bigint => BigInt.asUintN(64, value);

/** LSL/LSR/ASR/ROR of `value` by `amount` (less than the width), within the width. */
export function shiftValue(value: bigint, type: ShiftType, amount: number, sf: boolean): bigint {
  const bits = sf ? 64 : 32;
  const mask = sf ? M64 : M32;
  const n = BigInt(amount);
  switch (type) {
    case 0: return (value << n) & mask;
    case 1: return (value & mask) >> n;
    case 2: return BigInt.asUintN(bits, BigInt.asIntN(bits, value) >> n);
    default: return n === 0n ? value & mask : (((value & mask) >> n) | (value << (BigInt(bits) - n))) & mask;
  }
}

/** ExtendReg of the Arm ARM: option 0..7 is UXTB, UXTH, UXTW, UXTX, SXTB, SXTH, SXTW, SXTX; then << shift. */
export function extendValue(value: bigint, option: number, shift: number): bigint {
  let extended: bigint;
  switch (option) {
    case 0: extended = value & 0xffn; break;
    case 1: extended = value & 0xffffn; break;
    case 2: extended = value & M32; break;
    case 3: extended = value; break;
    case 4: extended = u64(signExtend(value & 0xffn, 8)); break;
    case 5: extended = u64(signExtend(value & 0xffffn, 16)); break;
    case 6: extended = u64(signExtend(value & M32, 32)); break;
    default: extended = value;
  }
  return u64(extended << BigInt(shift));
}

/** AND (and ANDS), ORR, EOR. */
export function logical(op: LogicalOp, a: bigint, b: bigint): bigint {
  return op === 'orr' ? a | b : op === 'eor' ? a ^ b : a & b;
}

/** Each `container`-bit chunk of the low `width` bits with its bytes reversed (REV16, REV32, REV). */
export function reverseBytes(value: bigint, width: number, container: number): bigint {
  let out = 0n;
  for (let c = 0; c < width; c += container) {
    const chunk = (value >> BigInt(c)) & ((1n << BigInt(container)) - 1n);
    let reversed = 0n;
    for (let b = 0; b < container; b += 8) reversed = (reversed << 8n) | ((chunk >> BigInt(b)) & 0xffn);
    out |= reversed << BigInt(c);
  }
  return out;
}

export function reverseBits(value: bigint, bits: number): bigint {
  let result = 0n;
  for (let b = 0; b < bits; b++) if ((value >> BigInt(b)) & 1n) result |= 1n << BigInt(bits - 1 - b);
  return result;
}

export function countLeadingZeros(value: bigint, bits: number): bigint {
  let n = 0;
  while (n < bits && ((value >> BigInt(bits - 1 - n)) & 1n) === 0n) n++;
  return BigInt(n);
}

/** CLS: the bits below the sign bit that equal it. */
export function countLeadingSignBits(value: bigint, bits: number): bigint {
  const sign = (value >> BigInt(bits - 1)) & 1n;
  let n = 0;
  while (n < bits - 1 && ((value >> BigInt(bits - 2 - n)) & 1n) === sign) n++;
  return BigInt(n);
}

/** ConditionHolds of the Arm ARM over NZCV (N 8, Z 4, C 2, V 1). */
export function conditionHolds(cond: number, nzcv: number): boolean {
  const n = (nzcv & 8) !== 0;
  const z = (nzcv & 4) !== 0;
  const c = (nzcv & 2) !== 0;
  const v = (nzcv & 1) !== 0;
  let result: boolean;
  switch (cond >> 1) {
    case 0: result = z; break;
    case 1: result = c; break;
    case 2: result = n; break;
    case 3: result = v; break;
    case 4: result = c && !z; break;
    case 5: result = n === v; break;
    case 6: result = n === v && !z; break;
    default: result = true;
  }
  // The low bit inverts the condition, except for AL/NV (0b111x), which are always true.
  return (cond & 1) === 1 && cond !== 0xf ? !result : result;
}
