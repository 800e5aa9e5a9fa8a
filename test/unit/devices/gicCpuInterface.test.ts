// The GICv3 CPU interface through the register table, as MRS/MSR (origin 'core') and the
// debugger reach it: what each ICC_* register reads, keeps and does.

import { describe, expect, it } from 'vitest';
import { register, type RegisterName } from '../../../src/arch/aarch64/registers.js';
import { DEFAULT_BOARD } from '../../../src/machine/board.js';
import { createMachine } from '../../../src/wiring.js';

function board() {
  const machine = createMachine(DEFAULT_BOARD);
  const read = (name: RegisterName, origin: 'core' | 'debugger' = 'core'): bigint => machine.readRegister(register(name), origin);
  const write = (name: RegisterName, value: bigint): void => machine.writeRegister(register(name), value, 'core');
  return { machine, read, write };
}

describe('GICv3 CPU interface registers', () => {
  it('keeps 5 bits of ICC_PMR_EL1 and at least 3 in ICC_BPR1_EL1', () => {
    const { read, write } = board();
    write('ICC_PMR_EL1', 0xffn);
    expect(read('ICC_PMR_EL1')).toBe(0xf8n);
    write('ICC_BPR1_EL1', 0n); // Xen: "no priority grouping"
    expect(read('ICC_BPR1_EL1')).toBe(3n);
    write('ICC_BPR1_EL1', 5n);
    expect(read('ICC_BPR1_EL1')).toBe(5n);
  });

  it('says what is implemented in ICC_CTLR_EL1 and keeps EOImode', () => {
    const { read, write } = board();
    expect(read('ICC_CTLR_EL1')).toBe(0x8400n); // A3V, PRIbits 4, IDbits 0
    write('ICC_CTLR_EL1', 2n);
    expect(read('ICC_CTLR_EL1')).toBe(0x8402n);
  });

  it('has the system register interface always on, and keeps ICC_SRE_EL2.Enable', () => {
    const { read, write } = board();
    expect(read('ICC_SRE_EL2')).toBe(7n);
    write('ICC_SRE_EL2', 0n);
    expect(read('ICC_SRE_EL2')).toBe(7n);
    write('ICC_SRE_EL2', 0xfn);
    expect(read('ICC_SRE_EL2')).toBe(0xfn);
    expect(read('ICC_SRE_EL1')).toBe(7n);
  });

  it('describes a virtual interface Xen accepts: 4 list registers, 5 priority bits', () => {
    const { read } = board();
    const vtr = read('ICH_VTR_EL2');
    expect((vtr & 0x1fn) + 1n).toBe(4n);
    const priorities = ((vtr >> 29n) & 7n) + 1n;
    expect(priorities > 4n && priorities < 8n).toBe(true);
  });

  it('makes an MRS of a write-only register UNDEFINED, and gives a debugger 0', () => {
    const { read } = board();
    expect(register('ICC_EOIR1_EL1').access).toBe('wo');
    expect(read('ICC_EOIR1_EL1', 'debugger')).toBe(0n);
  });

  it('acknowledges through ICC_IAR1_EL1 for the core only, ends through EOIR1 and DIR', () => {
    const { machine, read, write } = board();
    const gic = machine.gic;
    gic.distributorEnables = 0x2;
    gic.processorSleep = false;
    gic.writeGroups(0, 0xffff_ffff, 0xffff_ffff);
    gic.changeBits('enabled', 0, 1 << 5, true);
    write('ICC_PMR_EL1', 0xf0n);
    write('ICC_IGRPEN1_EL1', 1n);
    write('ICC_CTLR_EL1', 2n);
    write('ICC_SGI1R_EL1', (5n << 24n) | 1n);
    expect(read('ICC_HPPIR1_EL1')).toBe(5n);
    expect(read('ICC_IAR1_EL1', 'debugger')).toBe(5n);
    expect(read('ICC_RPR_EL1')).toBe(0xffn);
    expect(read('ICC_IAR1_EL1')).toBe(5n);
    expect(read('ICC_RPR_EL1')).toBe(0n);
    expect(read('ICC_AP1R0_EL1')).toBe(1n);
    write('ICC_EOIR1_EL1', 5n);
    expect(read('ICC_RPR_EL1')).toBe(0xffn);
    expect(gic.readBits('active', 0)).toBe(1 << 5);
    write('ICC_DIR_EL1', 5n);
    expect(gic.readBits('active', 0)).toBe(0);
    expect(read('ICC_IAR1_EL1')).toBe(1023n);
  });
});
