// Decoding of FEAT_LSE, which Armv8.1 added and Armv8-R AArch64 includes: the "atomic memory
// operations" class (LD<op>, SWP and their ST<op> aliases) and compare-and-swap (CAS, CASP),
// after the Arm ARM (DDI0487) encoding tables. GCC emits these for -march=armv8-r (Xen's
// spinlocks take their tickets with LDADDAL), so they are decoded for real rather than left
// undefined. QEMU refuses the same reserved encodings (SIGILL), which the differential tests rely on.

import { undefinedInstruction } from './fields.js';
import type { AccessSize, AtomicOp, Instruction } from './types.js';

/** LD<op> by opc (bits 14:12) when o3 (bit 15) is 0. */
const LOAD_OPS: readonly AtomicOp[] = ['add', 'clr', 'eor', 'set', 'smax', 'smin', 'umax', 'umin'];

const bit = (i: number, n: number): boolean => ((i >>> n) & 1) === 1;

/** size 111 V=0 00 A R 1 Rs o3 opc 00 Rn Rt: the caller has matched everything but o3 and opc. */
export function decodeAtomicMemory(i: number): Instruction {
  const o3 = (i >>> 15) & 1;
  const opc = (i >>> 12) & 7;
  let op: AtomicOp;
  if (o3 === 0) op = LOAD_OPS[opc]!;
  else if (opc === 0) op = 'swp';
  // o3 = 1, opc = 100 with A = 1, R = 0 and Rs = 11111 is LDAPR/LDAPRB/LDAPRH (FEAT_LRCPC,
  // mandatory from Armv8.3): its weaker ordering is LDAR's on one core, and like LDAR it needs
  // natural alignment without FEAT_LSE2. The rest of o3 = 1 is unallocated.
  else if (opc === 4 && bit(i, 23) && !bit(i, 22) && ((i >>> 16) & 31) === 31) return { kind: 'ordered', size: (1 << (i >>> 30)) as AccessSize, load: true, rt: i & 31, rn: (i >>> 5) & 31 };
  else return undefinedInstruction('unallocated atomic memory operation');
  return {
    kind: 'atomic', op, size: (1 << (i >>> 30)) as AccessSize, acquire: bit(i, 23), release: bit(i, 22),
    rs: (i >>> 16) & 31, rt: i & 31, rn: (i >>> 5) & 31,
  };
}

/**
 * CAS (size 001000 1 L 1 Rs o0 Rt2 Rn Rt) and CASP (0 sz 001000 0 L 1 Rs o0 Rt2 Rn Rt), found
 * by the caller among the exclusives. Rt2 must be 11111 and CASP's Rs and Rt even: the Arm ARM
 * makes the other values UNDEFINED or CONSTRAINED UNPREDICTABLE, and QEMU refuses them.
 */
export function decodeCompareSwap(i: number, pair: boolean): Instruction {
  if (((i >>> 10) & 31) !== 31) return undefinedInstruction('compare-and-swap with Rt2 != 11111');
  const rs = (i >>> 16) & 31;
  const rt = i & 31;
  if (pair && ((rs | rt) & 1) !== 0) return undefinedInstruction('CASP with an odd register');
  const size = (pair ? (bit(i, 30) ? 8 : 4) : 1 << (i >>> 30)) as AccessSize;
  return { kind: 'compare-swap', size, pair, acquire: bit(i, 22), release: bit(i, 15), rs, rt, rn: (i >>> 5) & 31 };
}
