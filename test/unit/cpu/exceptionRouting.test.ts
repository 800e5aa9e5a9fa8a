// The routing table of exceptionRouting.ts, rule by rule, and the exceptions the interpreter
// takes through it: ESR, ELR, SPSR and the vector of the EL that takes each one.

import { describe, expect, it } from 'vitest';
import { register } from '../../../src/arch/aarch64/registers.js';
import { DEFAULT_BOARD } from '../../../src/machine/board.js';
import { hvcEnabled, irqRoute, smcTrapped, synchronousTarget, type SynchronousCause } from '../../../src/machine/cpu/exceptionRouting.js';
import { Interpreter } from '../../../src/machine/cpu/interpreter.js';
import { createMachine } from '../../../src/wiring.js';

const TGE = 1n << 27n;
const TSC = 1n << 19n;
const IMO = 1n << 4n;

describe('synchronous exception routing', () => {
  const causes: SynchronousCause[] = ['abort', 'undefined', 'svc', 'hvc', 'smc'];

  it.each(causes)('keeps %s from EL2 at EL2 whatever HCR_EL2 says', (cause) => {
    expect(synchronousTarget(cause, 2, 0n)).toBe(2);
    expect(synchronousTarget(cause, 2, TGE)).toBe(2);
  });

  it.each([
    ['abort', 0, 0n, false, 1],
    ['abort', 1, 0n, false, 1],
    ['abort', 0, 0n, true, 2], // stage 2: the EL2 MPU's fault is EL2's
    ['abort', 1, 0n, true, 2],
    ['abort', 0, TGE, false, 2],
    ['undefined', 0, 0n, false, 1],
    ['undefined', 1, 0n, false, 1],
    ['undefined', 0, TGE, false, 2],
    ['svc', 0, 0n, false, 1],
    ['svc', 1, 0n, false, 1],
    ['svc', 1, TGE, false, 1], // TGE concerns EL0 only
    ['svc', 0, TGE, false, 2],
    ['hvc', 1, 0n, false, 2],
    ['smc', 1, TSC, false, 2],
  ] as const)('takes %s from EL%d with HCR_EL2 %s (stage 2: %s) to EL%d', (cause, from, hcr, stage2, target) => {
    expect(synchronousTarget(cause, from, hcr, stage2)).toBe(target);
  });

  it('traps SMC only from EL1 and only with HCR_EL2.TSC: without EL3 it is otherwise UNDEFINED', () => {
    expect(smcTrapped(1, TSC)).toBe(true);
    expect(smcTrapped(1, 0n)).toBe(false);
    expect(smcTrapped(0, TSC)).toBe(false);
    expect(smcTrapped(2, TSC)).toBe(false);
  });

  it('makes HVC UNDEFINED at EL0, and at EL1 and EL2 when HCR_EL2.HCD is set', () => {
    const HCD = 1n << 29n;
    expect(hvcEnabled(1, 0n)).toBe(true);
    expect(hvcEnabled(2, 0n)).toBe(true);
    expect(hvcEnabled(0, 0n)).toBe(false);
    expect(hvcEnabled(1, HCD)).toBe(false);
    expect(hvcEnabled(2, HCD)).toBe(false);
  });

  it('routes IRQs to EL2 with HCR_EL2.IMO or TGE, else to EL1', () => {
    expect(irqRoute(0n)).toBe(1);
    expect(irqRoute(IMO)).toBe(2);
    expect(irqRoute(TGE)).toBe(2);
  });
});

describe('taking a synchronous exception', () => {
  const HCR_EL2 = register('HCR_EL2');

  function atEl(cpsr: number, hcr = 0n) {
    const machine = createMachine(DEFAULT_BOARD);
    machine.sysregs.setStored('VBAR_EL1', 0x10000n);
    machine.sysregs.setStored('VBAR_EL2', 0x20000n);
    machine.sysregs.write(HCR_EL2.regnum, hcr);
    machine.core.cpsr = cpsr;
    return { machine, interpreter: new Interpreter(machine) };
  }

  it('takes an SVC from EL0 to EL1: ESR_EL1, ELR_EL1 past it, SPSR_EL1, the lower-EL vector', () => {
    const { machine, interpreter } = atEl(0x0);
    interpreter.takeException({ type: 'svc', pc: 0x4000n, imm: 7 });
    expect(machine.core.el).toBe(1);
    expect(machine.core.cpsr & 0xf).toBe(0x5);
    expect(machine.core.pc).toBe(0x10400n);
    expect(machine.sysregs.getStored('ESR_EL1')).toBe(0x5600_0007n);
    expect(machine.sysregs.getStored('ELR_EL1')).toBe(0x4004n);
    expect(machine.sysregs.getStored('SPSR_EL1')).toBe(0n);
    expect(machine.sysregs.getStored('ESR_EL2')).toBe(0n);
  });

  it('takes an SVC from EL0 to EL2 when HCR_EL2.TGE is set', () => {
    const { machine, interpreter } = atEl(0x0, TGE);
    interpreter.takeException({ type: 'svc', pc: 0x4000n, imm: 7 });
    expect(machine.core.el).toBe(2);
    expect(machine.core.pc).toBe(0x20400n);
    expect(machine.sysregs.getStored('ESR_EL2')).toBe(0x5600_0007n);
  });

  it('takes an undefined instruction at EL1t to EL1 through the current-EL SP_EL0 vector', () => {
    const { machine, interpreter } = atEl(0x4);
    interpreter.takeException({ type: 'undefined', pc: 0x4000n, instruction: 0, reason: 'test' });
    expect(machine.core.pc).toBe(0x10000n);
    expect(machine.sysregs.getStored('ESR_EL1')).toBe(0x0200_0000n);
    expect(machine.sysregs.getStored('ELR_EL1')).toBe(0x4000n);
  });

  it('takes a trapped SMC from EL1 to EL2, returning to the SMC itself', () => {
    const { machine, interpreter } = atEl(0x5, TSC);
    interpreter.takeException({ type: 'smc', pc: 0x4000n, imm: 1 });
    expect(machine.core.pc).toBe(0x20400n);
    expect(machine.sysregs.getStored('ESR_EL2')).toBe(0x5e00_0001n);
    expect(machine.sysregs.getStored('ELR_EL2')).toBe(0x4000n);
  });
});

describe('executing SMC on a board without EL3', () => {
  const SMC_0 = new Uint8Array([0x03, 0x00, 0x00, 0xd4]);

  function stepAt(cpsr: number, hcr: bigint) {
    const machine = createMachine(DEFAULT_BOARD);
    machine.writeMemory(0x4000, SMC_0, { origin: 'debugger' });
    machine.sysregs.write(register('HCR_EL2').regnum, hcr);
    machine.core.cpsr = cpsr;
    machine.core.pc = 0x4000n;
    return new Interpreter(machine).step();
  }

  it('is UNDEFINED at EL2, and at EL1 unless HCR_EL2.TSC traps it', () => {
    expect(stepAt(0x9, TSC)).toMatchObject({ kind: 'exception', exception: { type: 'undefined' } });
    expect(stepAt(0x5, 0n)).toMatchObject({ kind: 'exception', exception: { type: 'undefined' } });
    expect(stepAt(0x5, TSC)).toMatchObject({ kind: 'exception', exception: { type: 'smc', imm: 0 } });
  });
});
