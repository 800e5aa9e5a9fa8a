// The LSE atomics against qemu-aarch64: random sequences of LD<op>/SWP (and the ST<op>
// aliases), CAS and CASP of every size and ordering, and DC ZVA, over five pointers into a
// random 4 KiB buffer with every alignment the sizes allow (so that accesses of different
// sizes overlap), from random registers and flags. Registers, NZCV (which no atomic may
// change) and the buffer must agree, interpreted and with the translator on (the atomics are
// left to the interpreter; the loads around them are translated). QEMU runs as a Cortex-A76,
// an Armv8.2 core with LSE whose DCZID_EL0.BS is 4 like this board's (its default CPU, max,
// zeroes 512-byte blocks).

import { describe, expect, it } from 'vitest';
import { XorShift32 } from '../../../src/util/random.js';
import { ALIGNMENT, memoryMismatches, POINTERS, randomPointers, randomU64, tool, type MemoryCase } from './qemuHarness.js';

/** A pointer register whose address is aligned to `bytes`. */
function baseFor(r: XorShift32, bytes: number): number {
  const usable = POINTERS.filter((reg) => ALIGNMENT[reg] >= bytes);
  return usable[r.below(usable.length)]!;
}

/** A data register (x0..x23), or now and then XZR where `zero` allows it. */
const dataRegister = (r: XorShift32, zero: boolean): number => (zero && r.below(6) === 0 ? 31 : r.below(24));

/** One step of a sequence: an atomic, sometimes after the load that makes a CAS succeed. */
function randomAtomic(r: XorShift32): number[] {
  const order = r.below(4); // bit 1: acquire (A or L), bit 0: release (R or o0)
  const acquire = order >> 1;
  const release = order & 1;
  switch (r.below(4)) {
    case 0:
    case 1: { // LD<op> and SWP, every size; Rt = XZR gives the ST<op> aliases
      const size = r.below(4);
      const rn = baseFor(r, 1 << size);
      const [o3, opc] = r.below(9) === 8 ? [1, 0] : [0, r.below(8)];
      const rs = dataRegister(r, true);
      const rt = dataRegister(r, true);
      return [((size << 30) | (0b111 << 27) | (acquire << 23) | (release << 22) | (1 << 21) | (rs << 16) | (o3 << 15) | (opc << 12) | (rn << 5) | rt) >>> 0];
    }
    case 2: { // CAS, half the time after LDR Rs from the same place so that it succeeds
      const size = r.below(4);
      const rn = baseFor(r, 1 << size);
      const rs = dataRegister(r, true);
      const rt = dataRegister(r, true);
      const cas = ((size << 30) | (0b001000 << 24) | (1 << 23) | (acquire << 22) | (1 << 21) | (rs << 16) | (release << 15) | (31 << 10) | (rn << 5) | rt) >>> 0;
      const ldr = ((size << 30) | (0b111001 << 24) | (1 << 22) | (rn << 5) | rs) >>> 0;
      return r.below(2) === 0 ? [ldr, cas] : [cas];
    }
    default: {
      if (r.below(5) === 0) return [(0xd50b_7420 | baseFor(r, 1)) >>> 0]; // DC ZVA on any pointer
      // CASP of W or X pairs (even registers), half the time after LDP Rs, Rs+1 from there.
      const sz = r.below(2);
      const rn = baseFor(r, sz ? 16 : 8);
      const rs = 2 * r.below(12);
      const rt = 2 * r.below(12);
      const casp = ((sz << 30) | (0b001000 << 24) | (acquire << 22) | (1 << 21) | (rs << 16) | (release << 15) | (31 << 10) | (rn << 5) | rt) >>> 0;
      const ldp = (((sz ? 2 : 0) << 30) | (0b101 << 27) | (0b010 << 23) | (1 << 22) | ((rs + 1) << 10) | (rn << 5) | rs) >>> 0;
      return r.below(2) === 0 ? [ldp, casp] : [casp];
    }
  }
}

describe('LSE atomics against qemu-aarch64', () => {
  it('agree on 800 random sequences of LD<op>, SWP, CAS, CASP and DC ZVA (registers, NZCV and memory)', () => {
    tool('aarch64-linux-gnu-gcc');
    tool('qemu-aarch64');
    const r = new XorShift32(0x15e_a70c);
    const cases: MemoryCase[] = Array.from({ length: 800 }, () => ({
      registers: Array.from({ length: 29 }, () => randomU64(r)),
      nzcv: r.below(16),
      memory: Uint8Array.from({ length: 4096 }, () => r.below(256)),
      instructions: Array.from({ length: 1 + r.below(6) }, () => randomAtomic(r)).flat(),
      pointers: randomPointers(r),
    }));
    const mismatches = memoryMismatches(cases, 'cortex-a76');
    expect(mismatches.slice(0, 10)).toEqual([]);
  }, 120_000);
});
