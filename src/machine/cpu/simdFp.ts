// The interpreter's SIMD&FP instructions (decode/simdFp.ts says which): loads and stores of B,
// H, S, D and Q registers, FMOV to and from general-purpose registers, the integer vector
// operations CNT, ADDV and ADD, and the access check every one of them makes first — CPACR_EL1.FPEN
// at EL0/EL1, then CPTR_EL2.TFP (DDI0487 AArch64.CheckFPAdvSIMDEnabled): a trapped access is
// taken with EC 0x07 to EL1, or to EL2 for TFP and for EL0 under HCR_EL2.TGE.
//
// The V registers live in the core as 32 × 16 bytes, little-endian, as GDB sees them (core.ts
// reads and writes them: vector, setVector). Writing a B, H, S or D register (a load, FMOV)
// zeroes the rest of the 128-bit register. A Q access is
// two 8-byte accesses through the checked path (single-copy atomicity is per 8 bytes anyway);
// every load completes before any register is written, and both values of a store pair are
// read before the first store, so a fault leaves the registers as they were.

import { register } from '../../arch/aarch64/registers.js';
import { EC } from '../../arch/aarch64/syndrome.js';
import { littleEndianValue, storeLittleEndian } from '../core.js';
import type { Machine } from '../machine.js';
import { extendValue, u64 } from './bigintAlu.js';
import type { FpAccessSize, InstructionOf } from './decode.js';
import { synchronousTarget } from './exceptionRouting.js';
import { Trapped } from './outcomes.js';

const CPACR_EL1 = register('CPACR_EL1');
const CPTR_EL2 = register('CPTR_EL2');
const HCR_EL2 = register('HCR_EL2');
const CPTR_TFP = 1n << 10n;

/** What the SIMD&FP instructions need of the interpreter: general registers and checked memory. */
export interface GeneralAccess {
  x(n: number, sf: boolean): bigint;
  setX(n: number, value: bigint, sf: boolean): void;
  xOrSp(n: number, sf: boolean): bigint;
  setXOrSp(n: number, value: bigint, sf: boolean): void;
  load(address: bigint, size: number): bigint;
  store(address: bigint, size: number, value: bigint): void;
}

export type SimdFpInstruction = InstructionOf<'fp-load-store' | 'fp-load-literal' | 'fp-load-store-pair' | 'fp-move-general' | 'simd-integer'>;

/** Throws Trapped when CPACR_EL1 or CPTR_EL2 traps SIMD&FP at the current EL. */
export function checkSimdFpEnabled(machine: Machine): void {
  const el = machine.currentEl;
  if (el !== 2) {
    const fpen = Number((machine.sysregs.read(CPACR_EL1.regnum) >> 20n) & 3n);
    if ((fpen & 1) === 0 || (fpen === 1 && el === 0)) {
      throw new Trapped(EC.simdFpAccess, 0, synchronousTarget('undefined', el, machine.sysregs.read(HCR_EL2.regnum)), `CPACR_EL1.FPEN=${fpen.toString(2).padStart(2, '0')} traps SIMD&FP at EL${el}`);
    }
  }
  if ((machine.sysregs.read(CPTR_EL2.regnum) & CPTR_TFP) !== 0n) {
    throw new Trapped(EC.simdFpAccess, 0, 2, `CPTR_EL2.TFP traps SIMD&FP at EL${el}`);
  }
}

export function executeSimdFp(machine: Machine, gp: GeneralAccess, insn: SimdFpInstruction, pc: bigint): void {
  checkSimdFpEnabled(machine);
  const core = machine.core;
  const v = core.v;
  switch (insn.kind) {
    case 'fp-load-store': {
      const { addressing, rn } = insn;
      const base = gp.xOrSp(rn, true);
      let address: bigint;
      let writeback: bigint | undefined;
      if (addressing.mode === 'register') address = u64(base + extendValue(gp.x(addressing.rm, true), addressing.extend, addressing.shift));
      else {
        const moved = u64(base + BigInt(addressing.imm));
        address = addressing.index === 'post' ? base : moved;
        if (addressing.index !== 'offset') writeback = moved;
      }
      if (insn.load) core.setVector(insn.rt, loadValue(gp, address, insn.size), insn.size);
      else storeValue(gp, address, insn.size, core.vector(insn.rt, insn.size));
      if (writeback !== undefined) gp.setXOrSp(rn, writeback, true);
      return;
    }
    case 'fp-load-literal':
      core.setVector(insn.rt, loadValue(gp, u64(pc + BigInt(insn.offset)), insn.size), insn.size);
      return;
    case 'fp-load-store-pair': {
      const { size, rn } = insn;
      const base = gp.xOrSp(rn, true);
      const moved = u64(base + BigInt(insn.imm));
      const address = insn.index === 'post' ? base : moved;
      const second = u64(address + BigInt(size));
      if (insn.load) {
        const a = loadValue(gp, address, size);
        const b = loadValue(gp, second, size);
        core.setVector(insn.rt, a, size);
        core.setVector(insn.rt2, b, size);
      } else {
        const a = core.vector(insn.rt, size);
        const b = core.vector(insn.rt2, size);
        storeValue(gp, address, size, a);
        storeValue(gp, second, size, b);
      }
      if (insn.index !== 'offset') gp.setXOrSp(rn, moved, true);
      return;
    }
    case 'fp-move-general': {
      const at = insn.upper ? 8 : 0;
      if (insn.toGeneral) gp.setX(insn.rd, littleEndianValue(v, insn.rn * 16 + at, insn.size), insn.size === 8);
      else {
        const value = gp.x(insn.rn, true);
        if (insn.upper) storeLittleEndian(v, insn.rd * 16 + 8, 8, value); // Vd.D[1]: the low half is kept
        else core.setVector(insn.rd, value, insn.size);
      }
      return;
    }
    case 'simd-integer':
      simdInteger(v, insn);
      return;
  }
}

function simdInteger(v: Uint8Array, insn: InstructionOf<'simd-integer'>): void {
  const { bytes, esize } = insn;
  const n = insn.rn * 16;
  const result = new Uint8Array(16);
  if (insn.op === 'cnt') {
    for (let i = 0; i < bytes; i++) result[i] = popcount8(v[n + i]!);
  } else if (insn.op === 'addv') {
    let sum = 0n;
    for (let i = 0; i < bytes; i += esize) sum += littleEndianValue(v, n + i, esize);
    storeLittleEndian(result, 0, esize, sum);
  } else {
    const m = insn.rm * 16;
    for (let i = 0; i < bytes; i += esize) storeLittleEndian(result, i, esize, littleEndianValue(v, n + i, esize) + littleEndianValue(v, m + i, esize));
  }
  v.set(result, insn.rd * 16); // a 64-bit result zeroes the upper half
}

function popcount8(byte: number): number {
  let count = 0;
  for (let b = byte; b !== 0; b &= b - 1) count++;
  return count;
}

/** A 16-byte access is two 8-byte ones, low half first. */
function loadValue(gp: GeneralAccess, address: bigint, size: FpAccessSize): bigint {
  if (size !== 16) return gp.load(address, size);
  const low = gp.load(address, 8);
  return low | (gp.load(u64(address + 8n), 8) << 64n);
}

function storeValue(gp: GeneralAccess, address: bigint, size: FpAccessSize, value: bigint): void {
  if (size !== 16) return gp.store(address, size, value);
  gp.store(address, 8, value & 0xffff_ffff_ffff_ffffn);
  gp.store(u64(address + 8n), 8, value >> 64n);
}
