// The SIMD&FP instructions the core executes, against qemu-aarch64: random sequences of LDR/STR
// of B, H, S, D and Q registers (unsigned offset, unscaled, pre- and post-index), LDP/STP of
// S, D and Q, FMOV to and from general-purpose registers (W/S, X/D, X/Vd.D[1]), CNT, ADDV and
// ADD (vector), over five pointers into a random 4 KiB buffer. Each sequence ends by copying
// v0..v7 into x0..x15 (FMOV), so that registers and the buffer show every V register's
// contents (v0..v7 start cleared). Then the rules QEMU's user mode cannot show: the CPACR_EL1/CPTR_EL2 traps (EC 0x07,
// to EL1 or EL2), FPCR/FPSR through MRS/MSR, and the decoding of what GCC emits.

import { describe, expect, it } from 'vitest';
import { register } from '../../../src/arch/aarch64/registers.js';
import { decode } from '../../../src/machine/cpu/decode.js';
import { XorShift32 } from '../../../src/util/random.js';
import { createMachine } from '../../../src/wiring.js';
import { DEFAULT_BOARD } from '../../../src/machine/board.js';
import { boardAt, stepOne } from './oneInstruction.js';
import { memoryMismatches, POINTERS, randomPointers, randomU64, tool, type MemoryCase } from './qemuHarness.js';

const pointer = (r: XorShift32): number => POINTERS[r.below(POINTERS.length)]!;
const vreg = (r: XorShift32): number => r.below(8);

/** size:opc of a single-register access: B, H, S, D (size 0..3) or Q (size 0, opc<1> set). */
function sizeOpc(log2: number, load: boolean): number {
  if (log2 === 4) return (0 << 8) | (load ? 3 : 2);
  return (log2 << 8) | (load ? 1 : 0);
}

function randomSimd(r: XorShift32): number {
  const log2 = r.below(5);
  const load = r.below(2) === 0;
  const so = sizeOpc(log2, load);
  const size = so >> 8;
  const opc = so & 3;
  const rt = vreg(r);
  const rn = pointer(r);
  switch (r.below(8)) {
    case 0: // unsigned offset, scaled
      return ((size << 30) | (0b111101 << 24) | (opc << 22) | (r.below(4) << 10) | (rn << 5) | rt) >>> 0;
    case 1: { // unscaled, post- or pre-index (bits 11:10 = 00, 01, 11)
      const mode = [0, 1, 3][r.below(3)]!;
      const imm9 = (r.below(33) - 16) & 0x1ff;
      return ((size << 30) | (0b111100 << 24) | (opc << 22) | (imm9 << 12) | (mode << 10) | (rn << 5) | rt) >>> 0;
    }
    case 2: { // LDP/STP S, D, Q with an offset; a load's two registers differ
      const pairOpc = r.below(3);
      const rt2 = (rt + 1 + r.below(7)) % 8;
      const imm7 = (r.below(9) - 4) & 0x7f;
      const mode = [1, 2, 3][r.below(3)]!;
      return ((pairOpc << 30) | (0b1011 << 26) | (mode << 23) | ((load ? 1 : 0) << 22) | (imm7 << 15) | (rt2 << 10) | (rn << 5) | rt) >>> 0;
    }
    case 3: { // FMOV between general and SIMD&FP registers
      const forms = [0x1e260000, 0x1e270000, 0x9e660000, 0x9e670000, 0x9eae0000, 0x9eaf0000];
      const form = forms[r.below(forms.length)]!;
      const toGeneral = (form & 0x10000) === 0;
      return (form | ((toGeneral ? rt : r.below(24)) << 5) | (toGeneral ? r.below(24) : rt)) >>> 0;
    }
    case 4: // CNT Vd.8B/16B
      return (0x0e205800 | (r.below(2) << 30) | (vreg(r) << 5) | rt) >>> 0;
    case 5: { // ADDV: 8B, 16B, 4H, 8H, 4S
      const [q, sz] = [[0, 0], [1, 0], [0, 1], [1, 1], [1, 2]][r.below(5)]!;
      return (0x0e31b800 | (q! << 30) | (sz! << 22) | (vreg(r) << 5) | rt) >>> 0;
    }
    case 6: { // ADD (vector), every arrangement but 1D
      const sz = r.below(4);
      const q = sz === 3 ? 1 : r.below(2);
      return (0x0e208400 | (q << 30) | (sz << 22) | (vreg(r) << 16) | (vreg(r) << 5) | rt) >>> 0;
    }
    default: // FMOV from a general register, to give the vectors values
      return (0x9e670000 | (r.below(24) << 5) | rt) >>> 0;
  }
}

/** FMOV d(k), xzr for v0..v7: the same start on both sides (QEMU's start-up code leaves values in some). */
const CLEAR_VECTORS = Array.from({ length: 8 }, (_, k) => (0x9e6703e0 | k) >>> 0);

/** FMOV x(2k), d(k) and FMOV x(2k+1), v(k).d[1] for v0..v7: every V register's 128 bits in x0..x15. */
const DUMP_VECTORS = Array.from({ length: 8 }, (_, k) => [(0x9e660000 | (k << 5) | (2 * k)) >>> 0, (0x9eae0000 | (k << 5) | (2 * k + 1)) >>> 0]).flat();

describe('SIMD&FP against qemu-aarch64', () => {
  it('agree on 800 random sequences of SIMD&FP loads, stores, pairs, FMOV, CNT, ADDV and ADD (registers and memory)', () => {
    tool('aarch64-linux-gnu-gcc');
    tool('qemu-aarch64');
    const r = new XorShift32(0x51_3d_f9);
    const cases: MemoryCase[] = Array.from({ length: 800 }, () => ({
      registers: Array.from({ length: 29 }, () => randomU64(r)),
      nzcv: r.below(16),
      memory: Uint8Array.from({ length: 4096 }, () => r.below(256)),
      instructions: [...CLEAR_VECTORS, ...Array.from({ length: 2 + r.below(8) }, () => randomSimd(r)), ...DUMP_VECTORS],
      pointers: randomPointers(r),
    }));
    const mismatches = memoryMismatches(cases);
    expect(mismatches.slice(0, 10)).toEqual([]);
  }, 120_000);
});

describe('SIMD&FP access rules', () => {
  const STR_Q0 = 0x3d8003e0; // str q0, [sp]
  const MRS_FPCR = 0xd53b4400; // mrs x0, fpcr
  const MSR_FPSR = 0xd51b4420; // msr fpsr, x0

  const run = (el: 0 | 1 | 2, word: number, cpacr: bigint, cptr: bigint, hcr = 0n) =>
    stepOne(el, word, { CPACR_EL1: cpacr, CPTR_EL2: cptr, HCR_EL2: hcr });

  const FPEN_ALL = 3n << 20n;
  const FPEN_EL1_ONLY = 1n << 20n;
  const TFP = 1n << 10n;
  const TGE = 1n << 27n;

  it.each([
    ['EL1, FPEN=00', 1, 0n, 0n, 0n, 1],
    ['EL0, FPEN=01 (EL0 trapped)', 0, FPEN_EL1_ONLY, 0n, 0n, 1],
    ['EL0, FPEN=00 with HCR_EL2.TGE (to EL2)', 0, 0n, 0n, TGE, 2],
    ['EL1, FPEN=11, CPTR_EL2.TFP', 1, FPEN_ALL, TFP, 0n, 2],
    ['EL2, CPTR_EL2.TFP', 2, 0n, TFP, 0n, 2],
  ] as const)('traps with EC 0x07 at %s', (_, el, cpacr, cptr, hcr, target) => {
    const { machine, outcome } = run(el, STR_Q0, cpacr, cptr, hcr);
    expect(outcome.kind).toBe('exception');
    expect(machine.core.el).toBe(target);
    const esr = machine.sysregs.getStored(target === 2 ? 'ESR_EL2' : 'ESR_EL1');
    expect(Number(esr >> 26n)).toBe(0x07);
    expect(machine.sysregs.getStored(target === 2 ? 'ELR_EL2' : 'ELR_EL1')).toBe(0x1000n); // the trapped instruction itself
    expect(machine.core.pc).toBe(target === 2 ? 0x8000n + (el === 2 ? 0x200n : 0x400n) : 0x4000n + (el === 1 ? 0x200n : 0x400n));
  });

  it.each([
    ['EL1, FPEN=11', 1, FPEN_ALL, 0n],
    ['EL0, FPEN=11', 0, FPEN_ALL, 0n],
    ['EL1, FPEN=01', 1, FPEN_EL1_ONLY, 0n],
    ['EL2, whatever CPACR_EL1 says', 2, 0n, 0n],
  ] as const)('executes at %s', (_, el, cpacr, cptr) => {
    const { machine, outcome } = run(el, STR_Q0, cpacr, cptr);
    expect(outcome.kind).toBe('ok');
    expect(machine.core.pc).toBe(0x1004n);
  });

  it('reads and writes FPCR and FPSR with MRS/MSR, and traps them as the data instructions', () => {
    const { machine, interpreter } = boardAt(2, {});
    machine.core.fpcr = 0x0300_0000;
    machine.writeMemory(0x1000, new Uint8Array(new Uint32Array([MRS_FPCR, MSR_FPSR]).buffer), { origin: 'debugger' });
    interpreter.step();
    expect(machine.core.x[0]).toBe(0x0300_0000n);
    machine.core.x[0] = 0xffff_ffffn;
    interpreter.step();
    expect(machine.core.fpsr).toBe(0xf800_009f); // only the bits FPSR defines
    const trapped = run(1, MRS_FPCR, 0n, 0n);
    expect(Number(trapped.machine.sysregs.getStored('ESR_EL1') >> 26n)).toBe(0x07);
  });

  it('decodes what GCC emits for varargs and popcounts', () => {
    expect(decode(0x3d8017e0)).toMatchObject({ kind: 'fp-load-store', size: 16, load: false, rt: 0, rn: 31, addressing: { mode: 'immediate', imm: 80, index: 'offset' } });
    expect(decode(0x3d402260)).toMatchObject({ kind: 'fp-load-store', size: 1, load: true, rt: 0, rn: 19, addressing: { imm: 8 } });
    expect(decode(0xfd400360)).toMatchObject({ kind: 'fp-load-store', size: 8, load: true, rn: 27 });
    expect(decode(0x0e205800)).toEqual({ kind: 'simd-integer', op: 'cnt', bytes: 8, esize: 1, rd: 0, rn: 0, rm: 0 });
    expect(decode(0x0e31b800)).toEqual({ kind: 'simd-integer', op: 'addv', bytes: 8, esize: 1, rd: 0, rn: 0, rm: 0 });
    expect(decode(0x0ea18400)).toEqual({ kind: 'simd-integer', op: 'add', bytes: 8, esize: 4, rd: 0, rn: 0, rm: 1 });
    expect(decode(0x1e260000)).toEqual({ kind: 'fp-move-general', toGeneral: true, size: 4, upper: false, rd: 0, rn: 0 });
    expect(decode(0x1e222800)).toMatchObject({ kind: 'undefined', reason: expect.stringContaining('not implemented') }); // FADD s0, s0, s2
    expect(decode(0x4c407000)).toMatchObject({ kind: 'undefined', reason: expect.stringContaining('LD1') }); // ld1 {v0.16b}, [x0]
  });

  it('says FP and Advanced SIMD are implemented in ID_AA64PFR0_EL1', () => {
    const machine = createMachine(DEFAULT_BOARD);
    const pfr0 = machine.sysregs.read(register('ID_AA64PFR0_EL1').regnum);
    expect((pfr0 >> 16n) & 0xffn).toBe(0n);
  });
});
