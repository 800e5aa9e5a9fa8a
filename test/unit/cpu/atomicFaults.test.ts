// The LSE atomics and DC ZVA where QEMU's user mode cannot follow: the MPU's verdict on an
// atomic as one access that must be readable and writable (a read-only region faults with
// WnR = 1 even for a CAS whose comparison fails; no access at all faults with WnR = 0; stage 1
// is reported before stage 2), the alignment fault whatever SCTLR.A says, watchpoints before
// anything moves, the exclusive monitor, and DC ZVA's block, fault and FAR.

import { describe, expect, it } from 'vitest';
import { register, registerByName } from '../../../src/arch/aarch64/registers.js';
import { DEFAULT_BOARD } from '../../../src/machine/board.js';
import { Interpreter, type StepOutcome, type WatchSet } from '../../../src/machine/cpu/interpreter.js';
import { createMachine } from '../../../src/wiring.js';

const LDADDAL_W = 0xb8e1_0062; // ldaddal w1, w2, [x3]
const CASAL_W = 0x88e1_fc62; // casal w1, w2, [x3]
const LDADD_X = 0xf821_0062; // ldadd x1, x2, [x3]
const SWP_X = 0xf821_8062; // swp x1, x2, [x3]
const CASP_X = 0x4824_7c66; // casp x4, x5, x6, x7, [x3]
const CASPA_W = 0x0864_7c66; // caspa w4, w5, w6, w7, [x3]
const CASH = 0x48a1_7c62; // cash w1, w2, [x3]
const LDXR_X = 0xc85f_7c61; // ldxr x1, [x3]
const STXR_X = 0xc809_7c62; // stxr w9, x2, [x3]
const DC_ZVA = 0xd50b_7423; // dc zva, x3
const MRS_DCZID = 0xd53b_00e0; // mrs x0, dczid_el0
const MSR_DCZID = 0xd51b_00e0; // msr dczid_el0, x0
const LDR_X = 0xf940_0062; // ldr x2, [x3]

/** ESR_EL2 of a data abort: EC 0x25 from EL2 (0x24 from below), IL, WnR, DFSC. */
const dataAbort = (fsc: number, write: boolean, sameEl = true): bigint =>
  BigInt((((sameEl ? 0x25 : 0x24) << 26) | (1 << 25) | (write ? 1 << 6 : 0) | fsc) >>> 0);
const PERMISSION = 0x0c;
const ALIGNMENT = 0x21;

/** A watch set with one watched range (GDB's Z2/Z3 in the run loop). */
function watchSet(address: number, length: number, type: 'read' | 'write'): WatchSet {
  return {
    armed: () => true,
    hit: (at, size, access) => (access === type && at < address + length && address < at + size ? Math.max(at, address) : undefined),
  };
}

function board(watches?: WatchSet) {
  const machine = createMachine(DEFAULT_BOARD);
  const interpreter = new Interpreter(machine, watches);
  machine.options.debuggerBypassesMpu = true; // the test's own pokes and peeks, not the core's accesses
  const reg = (name: string) => registerByName(name)!;
  const set = (name: string, value: bigint) => machine.writeRegister(reg(name), value, 'debugger');
  const u64At = (address: number) => new DataView(machine.readMemory(address, 8, { origin: 'debugger' }).data.buffer).getBigUint64(0, true);
  const poke = (address: number, value: bigint) => {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, value, true);
    machine.writeMemory(address, bytes, { origin: 'debugger' });
  };
  /** Runs `word` at 0x8000 (at EL `el`, EL2 by default) and says how it ended. */
  const step = (word: number, el: 1 | 2 = 2): StepOutcome => {
    const code = new Uint8Array(4);
    new DataView(code.buffer).setUint32(0, word, true);
    machine.writeMemory(0x8000, code, { origin: 'debugger' });
    machine.core.cpsr = el === 2 ? 0x3c9 : 0x3c5;
    machine.writeRegister(register('pc'), 0x8000n, 'debugger');
    return interpreter.step();
  };
  /** EL2 MPU on, region `n` [base, limit] with PRBAR's AP and XN bits in `attributes`. */
  const region = (regime: 'EL1' | 'EL2', n: number, base: number, limit: number, attributes: number) => {
    set(`PRSELR_${regime}`, BigInt(n));
    set(`PRBAR_${regime}`, BigInt(base | attributes));
    set(`PRLAR_${regime}`, BigInt((limit & ~0x3f) | 1));
  };
  const mpuOn = (regime: 'EL1' | 'EL2') => set(`SCTLR_${regime}`, machine.readRegister(reg(`SCTLR_${regime}`)) | 1n);
  return { machine, interpreter, set, u64At, poke, step, region, mpuOn };
}

const isAbort = (outcome: StepOutcome): boolean => outcome.kind === 'exception' && outcome.exception.type === 'abort';

/** Code RW at 0x0..0xffff, a read-only region at 0x10000..0x1ffff, nothing at 0x20000: EL2 MPU on, BR = 0. */
function protectedBoard(watches?: WatchSet) {
  const b = board(watches);
  b.region('EL2', 0, 0x0, 0xffff, 0b0000); // AP = 00: read/write
  b.region('EL2', 1, 0x10000, 0x1ffff, 0b1000); // AP = 10: read-only
  b.mpuOn('EL2');
  return b;
}

describe('an atomic is one access that must be readable and writable', () => {
  it('faults on a read-only region as a write (WnR = 1), changing nothing', () => {
    const { machine, step, poke, u64At } = protectedBoard();
    poke(0x10000, 0x1234n);
    machine.core.x[1] = 1n;
    machine.core.x[2] = 0xdeadn;
    machine.core.x[3] = 0x10000n;
    expect(step(LDR_X).kind).toBe('ok'); // reading it alone is allowed
    machine.core.x[2] = 0xdeadn;
    const outcome = step(LDADDAL_W);
    expect(isAbort(outcome)).toBe(true);
    expect(machine.core.pc).toBe(0x8000n);
    expect(machine.sysregs.getStored('ESR_EL2')).toBe(dataAbort(PERMISSION, true));
    expect(machine.sysregs.getStored('FAR_EL2')).toBe(0x10000n);
    expect(machine.core.x[2]).toBe(0xdeadn);
    expect(u64At(0x10000)).toBe(0x1234n);
  });

  it('faults the same for a CAS whose comparison fails, and leaves Rs as it was', () => {
    const { machine, step, poke } = protectedBoard();
    poke(0x10000, 0x1234n);
    machine.core.x[1] = 0x9999n; // not what memory holds
    machine.core.x[3] = 0x10000n;
    expect(isAbort(step(CASAL_W))).toBe(true);
    expect(machine.sysregs.getStored('ESR_EL2')).toBe(dataAbort(PERMISSION, true));
    expect(machine.core.x[1]).toBe(0x9999n);
  });

  it('faults as a read (WnR = 0) where neither reading nor writing is allowed', () => {
    const { machine, step } = protectedBoard();
    machine.core.x[3] = 0x20008n; // no region, no background region
    expect(isAbort(step(SWP_X))).toBe(true);
    expect(machine.sysregs.getStored('ESR_EL2')).toBe(dataAbort(PERMISSION, false));
    expect(machine.sysregs.getStored('FAR_EL2')).toBe(0x20008n);
    expect(machine.lastFault?.kind).toBe('mpu');
  });

  it('reports the stage 1 write refusal before a stage 2 read refusal, and a stage 2 one with HPFAR', () => {
    const { machine, step, region, mpuOn, set } = board();
    // EL1 runs its code from 0x0..0xffff through both stages; 0x10000.. is read-only at stage 1
    // and missing at stage 2; 0x20000.. is read/write at stage 1 and read-only at stage 2.
    region('EL1', 0, 0x0, 0xffff, 0b0000);
    region('EL1', 1, 0x10000, 0x2ffff, 0b1000);
    region('EL2', 0, 0x0, 0xffff, 0b0000);
    region('EL2', 1, 0x20000, 0x2ffff, 0b1000);
    mpuOn('EL1');
    mpuOn('EL2');
    set('HCR_EL2', 1n); // VM: the EL2 MPU is stage 2 for EL1
    machine.core.x[3] = 0x10000n;
    expect(isAbort(step(LDADD_X, 1))).toBe(true);
    // A stage 1 fault at EL1 is EL1's own: ESR_EL1, taken without a change of EL.
    expect(machine.sysregs.getStored('ESR_EL1')).toBe(dataAbort(PERMISSION, true));
    expect(machine.sysregs.getStored('FAR_EL1')).toBe(0x10000n);
    expect(machine.lastFault?.kind === 'mpu' && machine.lastFault.fault.stage2).toBe(false);
    // Writable at stage 1 now (EL1 region 1 read/write): stage 2 refuses the write.
    region('EL1', 1, 0x10000, 0x2ffff, 0b0000);
    machine.core.x[3] = 0x20010n;
    expect(isAbort(step(LDADD_X, 1))).toBe(true);
    expect(machine.sysregs.getStored('ESR_EL2')).toBe(dataAbort(PERMISSION, true, false));
    expect(machine.sysregs.getStored('HPFAR_EL2')).toBe(0x20n << 4n);
    // And where stage 2 has no region at all, it refuses the read.
    machine.core.x[3] = 0x10000n;
    expect(isAbort(step(LDADD_X, 1))).toBe(true);
    expect(machine.sysregs.getStored('ESR_EL2')).toBe(dataAbort(PERMISSION, false, false));
  });
});

describe('atomics must be naturally aligned whatever SCTLR.A says', () => {
  it.each([
    ['LDADD x at 4 mod 8', LDADD_X, 0x9004],
    ['CASH at an odd address', CASH, 0x9001],
    ['CASP of X registers at 8 mod 16', CASP_X, 0x9008],
    ['CASP of W registers at 4 mod 8', CASPA_W, 0x9004],
  ])('%s: an alignment fault reported as the read (WnR = 0)', (_, word, address) => {
    const { machine, step, u64At } = board();
    expect(machine.readRegister(register('SCTLR_EL2')) & 2n).toBe(0n); // SCTLR_EL2.A = 0, MPU off
    const before = u64At(0x9000);
    machine.core.x[3] = BigInt(address);
    expect(isAbort(step(word))).toBe(true);
    expect(machine.sysregs.getStored('ESR_EL2')).toBe(dataAbort(ALIGNMENT, false));
    expect(machine.sysregs.getStored('FAR_EL2')).toBe(BigInt(address));
    expect(u64At(0x9000)).toBe(before);
  });

  it('accepts CASP of W registers on an 8-byte boundary', () => {
    const { machine, step } = board();
    machine.core.x[3] = 0x9008n;
    expect(step(CASPA_W).kind).toBe('ok');
  });
});

describe('watchpoints see an atomic as a read and a write', () => {
  it.each([['write' as const], ['read' as const]])('stops on a %s watchpoint before anything changes', (type) => {
    const { machine, interpreter, step, poke, u64At } = board(watchSet(0x9004, 4, type));
    poke(0x9000, 5n);
    machine.core.x[1] = 1n;
    machine.core.x[3] = 0x9000n;
    const outcome = step(LDADD_X);
    expect(outcome).toEqual({ kind: 'watch', address: 0x9004, access: type });
    expect(machine.core.pc).toBe(0x8000n);
    expect(u64At(0x9000)).toBe(5n);
    expect(machine.core.x[2]).not.toBe(5n);
    // Stepping over the reported hit completes the instruction.
    expect(interpreter.step(true).kind).toBe('ok');
    expect(u64At(0x9000)).toBe(6n);
    expect(machine.core.x[2]).toBe(5n);
  });
});

describe('the exclusive monitor', () => {
  it('is cleared by an atomic on the marked address, even a CAS that does not write', () => {
    for (const word of [LDADD_X, CASAL_W]) {
      const { machine, step } = board();
      machine.core.x[3] = 0x9000n;
      machine.core.x[1] = 0x7777n; // CAS: compares unequal with the zero in memory
      expect(step(LDXR_X).kind).toBe('ok');
      expect(step(word).kind).toBe('ok');
      expect(step(STXR_X).kind).toBe('ok');
      expect(machine.core.x[9]).toBe(1n); // the store-exclusive failed
    }
  });

  it('stays armed when the atomic is elsewhere', () => {
    const { machine, step } = board();
    machine.core.x[3] = 0x9000n;
    expect(step(LDXR_X).kind).toBe('ok');
    machine.core.x[3] = 0x9100n;
    expect(step(LDADD_X).kind).toBe('ok');
    machine.core.x[3] = 0x9000n;
    expect(step(STXR_X).kind).toBe('ok');
    expect(machine.core.x[9]).toBe(0n);
  });
});

describe('DC ZVA', () => {
  it('zeroes the 64-byte block holding the address, and DCZID_EL0 says so', () => {
    const { machine, step, poke, u64At } = board();
    for (let at = 0x9000; at < 0x9100; at += 8) poke(at, 0x0101_0101_0101_0101n);
    machine.core.x[3] = 0x9047n; // inside the block 0x9040..0x907f
    expect(step(DC_ZVA).kind).toBe('ok');
    for (let at = 0x9040; at < 0x9080; at += 8) expect(u64At(at)).toBe(0n);
    expect(u64At(0x9038)).toBe(0x0101_0101_0101_0101n);
    expect(u64At(0x9080)).toBe(0x0101_0101_0101_0101n);
    expect(step(MRS_DCZID).kind).toBe('ok');
    expect(machine.core.x[0]).toBe(4n); // BS = 4 (16 words), DZP = 0
    const refused = step(MSR_DCZID);
    expect(refused.kind === 'exception' && refused.exception.type).toBe('undefined');
  });

  it('faults on a read-only region as a write, with FAR the address in Xt', () => {
    const { machine, step, poke, u64At } = protectedBoard();
    poke(0x10040, 0x55n);
    machine.core.x[3] = 0x1005an;
    expect(isAbort(step(DC_ZVA))).toBe(true);
    expect(machine.sysregs.getStored('ESR_EL2')).toBe(dataAbort(PERMISSION, true));
    expect(machine.sysregs.getStored('FAR_EL2')).toBe(0x1005an);
    expect(u64At(0x10040)).toBe(0x55n);
  });

  it('stops on a write watchpoint anywhere in the block', () => {
    const { machine, step, poke, u64At } = board(watchSet(0x9078, 8, 'write'));
    poke(0x9078, 9n);
    machine.core.x[3] = 0x9040n;
    expect(step(DC_ZVA)).toEqual({ kind: 'watch', address: 0x9078, access: 'write' });
    expect(u64At(0x9078)).toBe(9n);
  });
});
