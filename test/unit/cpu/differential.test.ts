// Differential tests of the interpreter against QEMU user mode. Random instruction words —
// every data-processing class the interpreter implements, and loads/stores in every addressing
// mode, size, pair and acquire/release form — run from random register, flag and memory states,
// once in a static aarch64 program under qemu-aarch64 and once in the interpreter; every
// general-purpose register, NZCV and the memory touched must agree — both one instruction at a
// time and through translated blocks (translator.ts). The harness (qemuHarness.ts) needs
// gcc-aarch64-linux-gnu and qemu-user; the LSE atomics have their own file, atomics.test.ts.

import { describe, expect, it } from 'vitest';
import { decodeBitMasks } from '../../../src/machine/cpu/bitmasks.js';
import { XorShift32 } from '../../../src/util/random.js';
import { coverage, memoryMismatches, randomU64, runOnInterpreter, runOnQemu, tool, type Case, type MemoryCase } from './qemuHarness.js';

/** A data-processing instruction with registers in x0..x28 (x29/x30 belong to the harness). */
function randomInstruction(r: XorShift32): number {
  const reg = () => r.below(29);
  const sf = r.below(2);
  const rd = reg();
  const rn = reg();
  const rm = reg();
  for (;;) {
    switch (r.below(15)) {
      case 0: // ADD/SUB (immediate)
        return ((sf << 31) | (r.below(2) << 30) | (r.below(2) << 29) | (0b100010 << 23) | (r.below(2) << 22) | (r.below(4096) << 10) | (rn << 5) | rd) >>> 0;
      case 1: { // logical (immediate)
        const n = sf ? r.below(2) : 0;
        const immr = r.below(sf ? 64 : 32);
        const imms = r.below(64);
        if (!decodeBitMasks(n, imms, immr, true, sf ? 64 : 32)) continue;
        if (!sf && imms >= 32 && n === 0 && (imms & 0x20) === 0x20 && ((~imms & 0x3f) === 0)) continue;
        return ((sf << 31) | (r.below(4) << 29) | (0b100100 << 23) | (n << 22) | (immr << 16) | (imms << 10) | (rn << 5) | rd) >>> 0;
      }
      case 2: { // MOVN/MOVZ/MOVK
        const opc = [0, 2, 3][r.below(3)]!;
        return ((sf << 31) | (opc << 29) | (0b100101 << 23) | (r.below(sf ? 4 : 2) << 21) | (r.below(65536) << 5) | rd) >>> 0;
      }
      case 3: { // SBFM/BFM/UBFM
        const w = sf ? 64 : 32;
        return ((sf << 31) | (r.below(3) << 29) | (0b100110 << 23) | (sf << 22) | (r.below(w) << 16) | (r.below(w) << 10) | (rn << 5) | rd) >>> 0;
      }
      case 4: // EXTR
        return ((sf << 31) | (0b100111 << 23) | (sf << 22) | (rm << 16) | (r.below(sf ? 64 : 32) << 10) | (rn << 5) | rd) >>> 0;
      case 5: // logical (shifted register)
        return ((sf << 31) | (r.below(4) << 29) | (0b01010 << 24) | (r.below(4) << 22) | (r.below(2) << 21) | (rm << 16) | (r.below(sf ? 64 : 32) << 10) | (rn << 5) | rd) >>> 0;
      case 6: // ADD/SUB (shifted register)
        return ((sf << 31) | (r.below(2) << 30) | (r.below(2) << 29) | (0b01011 << 24) | (r.below(3) << 22) | (rm << 16) | (r.below(sf ? 64 : 32) << 10) | (rn << 5) | rd) >>> 0;
      case 7: // ADD/SUB (extended register)
        return ((sf << 31) | (r.below(2) << 30) | (r.below(2) << 29) | (0b01011 << 24) | (1 << 21) | (rm << 16) | (r.below(8) << 13) | (r.below(5) << 10) | (rn << 5) | rd) >>> 0;
      case 8: // ADC/SBC(S)
        return ((sf << 31) | (r.below(2) << 30) | (r.below(2) << 29) | (0b11010000 << 21) | (rm << 16) | (rn << 5) | rd) >>> 0;
      case 9: // CCMN/CCMP (register or immediate)
        return ((sf << 31) | (r.below(2) << 30) | (1 << 29) | (0b11010010 << 21) | (r.below(29) << 16) | (r.below(16) << 12) | (r.below(2) << 11) | (rn << 5) | r.below(16)) >>> 0;
      case 10: // CSEL/CSINC/CSINV/CSNEG
        return ((sf << 31) | (r.below(2) << 30) | (0b11010100 << 21) | (rm << 16) | (r.below(16) << 12) | (r.below(2) << 10) | (rn << 5) | rd) >>> 0;
      case 11: { // RBIT, REV16, REV32/REV, REV, CLZ, CLS
        const opcode = r.below(sf ? 6 : 6);
        if (!sf && opcode === 3) continue;
        return ((sf << 31) | (1 << 30) | (0b11010110 << 21) | (opcode << 10) | (rn << 5) | rd) >>> 0;
      }
      case 12: { // UDIV, SDIV, LSLV, LSRV, ASRV, RORV
        const opcode = [2, 3, 8, 9, 10, 11][r.below(6)]!;
        return ((sf << 31) | (0b11010110 << 21) | (rm << 16) | (opcode << 10) | (rn << 5) | rd) >>> 0;
      }
      case 14: { // a branch over the next instruction: B, B.cond, CBZ/CBNZ, TBZ/TBNZ
        const kind = r.below(4);
        if (kind === 0) return 0x1400_0002;
        if (kind === 1) return (0x5400_0000 | (2 << 5) | r.below(16)) >>> 0;
        if (kind === 2) return ((sf << 31) | 0x3400_0000 | (r.below(2) << 24) | (2 << 5) | rn) >>> 0;
        const bit = r.below(64);
        return (((bit >> 5) << 31) | 0x3600_0000 | (r.below(2) << 24) | ((bit & 31) << 19) | (2 << 5) | rn) >>> 0;
      }
      default: { // MADD/MSUB, SMADDL/SMSUBL/UMADDL/UMSUBL, SMULH/UMULH
        const op31 = sf ? [0, 1, 2, 5, 6][r.below(5)]! : 0;
        const mulh = op31 === 2 || op31 === 6;
        const o0 = mulh ? 0 : r.below(2);
        const ra = mulh ? 31 : reg();
        return ((sf << 31) | (0b11011 << 24) | (op31 << 21) | (rm << 16) | (o0 << 15) | (ra << 10) | (rn << 5) | rd) >>> 0;
      }
    }
  }
}

const NOP = 0xd503_201f;
const isBranch = (i: number): boolean => (i & 0xfc00_0000) === 0x1400_0000 || (i & 0xff00_0010) === 0x5400_0000 || (i & 0x7c00_0000) === 0x3400_0000;

/**
 * A random load or store based on x28 (the middle of a 4 KiB buffer) with small offsets, or an
 * index in x27 (0..63). Registers that would make the result UNPREDICTABLE (writeback into the
 * base, a pair loading one register twice) are avoided.
 */
function randomMemoryInstruction(r: XorShift32): number {
  const data = () => r.below(27); // x0..x26
  const rt = data();
  for (;;) {
    switch (r.below(6)) {
      case 0: { // LDR/STR (unsigned offset), every size and sign-extending form
        const size = r.below(4);
        const opc = r.below(size === 3 ? 2 : size === 2 ? 3 : 4);
        return ((size << 30) | (0b111001 << 24) | (opc << 22) | (r.below(16) << 10) | (28 << 5) | rt) >>> 0;
      }
      case 1: { // LDUR/STUR and pre/post-index
        const size = r.below(4);
        const opc = r.below(size === 3 ? 2 : size === 2 ? 3 : 4);
        const mode = [0, 1, 3][r.below(3)]!;
        // Multiples of 8 keep x28 aligned for the acquire/release forms that follow.
        const imm9 = ((r.below(17) - 8) * 8) & 0x1ff;
        return ((size << 30) | (0b111000 << 24) | (opc << 22) | (imm9 << 12) | (mode << 10) | (28 << 5) | rt) >>> 0;
      }
      case 2: { // register offset: x27 (LSL) or w27 (UXTW/SXTW), optionally scaled
        const size = r.below(4);
        const opc = r.below(size === 3 ? 2 : size === 2 ? 3 : 4);
        const option = [2, 3, 6][r.below(3)]!;
        return ((size << 30) | (0b111000 << 24) | (opc << 22) | (1 << 21) | (27 << 16) | (option << 13) | (r.below(2) << 12) | (0b10 << 10) | (28 << 5) | rt) >>> 0;
      }
      case 3: { // LDP/STP/LDPSW: offset, pre- and post-index
        const opc = [0, 1, 2][r.below(3)]!;
        const load = opc === 1 ? 1 : r.below(2);
        const mode = [1, 2, 3][r.below(3)]!;
        let rt2 = data();
        if (load && rt2 === rt) rt2 = (rt + 1) % 27;
        const imm7 = ((r.below(9) - 4) * 2) & 0x7f;
        return ((opc << 30) | (0b101 << 27) | (mode << 23) | (load << 22) | (imm7 << 15) | (rt2 << 10) | (28 << 5) | rt) >>> 0;
      }
      case 4: { // a data-processing instruction between the accesses, leaving x27/x28 alone
        const i = randomInstruction(r);
        if ((i & 31) >= 27) continue;
        return i;
      }
      default: { // LDAR/STLR
        const size = r.below(4);
        const load = r.below(2);
        return ((size << 30) | (0b001000 << 24) | (1 << 23) | (load << 22) | (31 << 16) | (1 << 15) | (31 << 10) | (28 << 5) | rt) >>> 0;
      }
    }
  }
}

describe('interpreter against qemu-aarch64', () => {
  it('agrees on 1500 random data-processing sequences (registers and NZCV)', () => {
    tool('aarch64-linux-gnu-gcc');
    tool('qemu-aarch64');
    coverage.executed = coverage.translated = 0;
    const r = new XorShift32(0xa64a64);
    const cases: Case[] = Array.from({ length: 1500 }, () => ({
      registers: Array.from({ length: 29 }, () => randomU64(r)),
      nzcv: r.below(16),
      instructions: Array.from({ length: 1 + r.below(4) }, () => randomInstruction(r)),
    }));
    // A branch skips the next instruction: never let it skip the harness's own code.
    for (const c of cases) if (isBranch(c.instructions.at(-1)!)) c.instructions.push(NOP);
    const reference = runOnQemu(cases);
    const mismatches: string[] = [];
    cases.forEach((c, k) => {
      for (const translate of [false, true]) {
      const ours = runOnInterpreter(c, translate);
      const theirs = reference[k]!;
      if (ours.nzcv !== theirs.nzcv || ours.registers.some((v, i) => v !== theirs.registers[i])) {
        const regs = ours.registers.map((v, i) => (v !== theirs.registers[i] ? `x${i}: ours 0x${v.toString(16)} qemu 0x${theirs.registers[i]!.toString(16)}` : '')).filter(Boolean);
        mismatches.push(`case ${k}${translate ? ' translated' : ''} [${c.instructions.map((i) => i.toString(16).padStart(8, '0')).join(' ')}] nzcv ours ${ours.nzcv} qemu ${theirs.nzcv}; ${regs.join('; ')}`);
      }
      }
    });
    expect(mismatches.slice(0, 10)).toEqual([]);
    // Most of these forms are translated (the rest fall back to the interpreter, also compared).
    expect(coverage.translated / coverage.executed).toBeGreaterThan(0.95); // every data-processing form is translated
  }, 120_000);

  it('agrees on 800 random load/store sequences (registers, NZCV and the memory they touch)', () => {
    tool('aarch64-linux-gnu-gcc');
    tool('qemu-aarch64');
    coverage.executed = coverage.translated = 0;
    const r = new XorShift32(0x10ad5);
    // x28 points at the middle of the buffer, x27 is an index of 0..63.
    const cases: MemoryCase[] = Array.from({ length: 800 }, () => {
      const registers = Array.from({ length: 29 }, () => randomU64(r));
      registers[27] = registers[27]! & 63n;
      return {
        registers,
        nzcv: r.below(16),
        memory: Uint8Array.from({ length: 4096 }, () => r.below(256)),
        instructions: Array.from({ length: 1 + r.below(5) }, () => randomMemoryInstruction(r)),
        pointers: [[28, 2048]],
      };
    });
    for (const c of cases) if (isBranch(c.instructions.at(-1)!)) c.instructions.push(NOP);
    const mismatches = memoryMismatches(cases);
    expect(mismatches.slice(0, 10)).toEqual([]);
    // Most of these forms are translated (the rest fall back to the interpreter, also compared).
    expect(coverage.translated / coverage.executed).toBeGreaterThan(0.75);
  }, 120_000);
});
