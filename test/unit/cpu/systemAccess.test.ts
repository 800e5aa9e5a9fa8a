// Who may reach a system register with MRS/MSR: the register table's minimum EL (from op1, as
// the Arm ARM allocates encodings), not its name. Below it the instruction is UNDEFINED.

import { describe, expect, it } from 'vitest';
import { register } from '../../../src/arch/aarch64/registers.js';
import { DEFAULT_BOARD } from '../../../src/machine/board.js';
import { Interpreter } from '../../../src/machine/cpu/interpreter.js';
import { createMachine } from '../../../src/wiring.js';

/** cpsr.M for EL0t, EL1h, EL2h with interrupts masked. */
const CPSR_AT = { 0: 0x3c0, 1: 0x3c5, 2: 0x3c9 } as const;

function runAt(el: 0 | 1 | 2, word: number): ReturnType<Interpreter['step']> {
  const machine = createMachine(DEFAULT_BOARD);
  const interpreter = new Interpreter(machine);
  const code = new Uint8Array(4);
  new DataView(code.buffer).setUint32(0, word, true);
  machine.writeMemory(0x8000, code, { origin: 'debugger' });
  machine.core.cpsr = CPSR_AT[el];
  machine.writeRegister(register('pc'), 0x8000n, 'debugger');
  return interpreter.step();
}

const MRS_X0 = {
  SCTLR_EL1: 0xd5381000,
  SCTLR_EL2: 0xd53c1000,
  CurrentEL: 0xd5384240,
  NZCV: 0xd53b4200,
};
const MSR_SCTLR_EL1_X0 = 0xd5181000;

const undefinedAt = (el: 0 | 1 | 2, word: number): boolean => {
  const outcome = runAt(el, word);
  return outcome.kind === 'exception' && outcome.exception.type === 'undefined';
};

describe('system register access by exception level', () => {
  it('refuses MRS and MSR of SCTLR_EL1 at EL0', () => {
    expect(register('SCTLR_EL1').minEl).toBe(1);
    expect(undefinedAt(0, MRS_X0.SCTLR_EL1)).toBe(true);
    expect(undefinedAt(0, MSR_SCTLR_EL1_X0)).toBe(true);
    expect(undefinedAt(0, MRS_X0.CurrentEL)).toBe(true);
  });

  it('allows SCTLR_EL1 at EL1 and EL2, and SCTLR_EL2 only at EL2', () => {
    expect(undefinedAt(1, MRS_X0.SCTLR_EL1)).toBe(false);
    expect(undefinedAt(2, MRS_X0.SCTLR_EL1)).toBe(false);
    expect(undefinedAt(1, MRS_X0.SCTLR_EL2)).toBe(true);
    expect(undefinedAt(2, MRS_X0.SCTLR_EL2)).toBe(false);
  });

  it('allows the EL0-accessible special registers at EL0', () => {
    expect(undefinedAt(0, MRS_X0.NZCV)).toBe(false);
  });
});

describe('thread ID registers', () => {
  const MSR_TPIDR_EL0_X0 = 0xd51bd040;
  const MRS_X1_TPIDR_EL0 = 0xd53bd041;
  const MRS_X2_TPIDRRO_EL0 = 0xd53bd062;
  const MSR_TPIDRRO_EL0_X0 = 0xd51bd060;
  const MSR_TPIDR_EL1_X0 = 0xd518d080;

  function program(words: readonly number[], el: 0 | 1) {
    const machine = createMachine(DEFAULT_BOARD);
    const code = new Uint8Array(words.length * 4);
    words.forEach((w, i) => new DataView(code.buffer).setUint32(i * 4, w, true));
    machine.writeMemory(0x8000, code, { origin: 'debugger' });
    machine.core.cpsr = CPSR_AT[el];
    machine.writeRegister(register('pc'), 0x8000n, 'debugger');
    return { machine, interpreter: new Interpreter(machine) };
  }

  it('keeps TPIDR_EL0 for EL0 and lets EL0 read TPIDRRO_EL0, which only EL1 and EL2 write', () => {
    const { machine, interpreter } = program([MSR_TPIDR_EL0_X0, MRS_X1_TPIDR_EL0, MRS_X2_TPIDRRO_EL0, MSR_TPIDRRO_EL0_X0], 0);
    machine.writeRegister(register('TPIDRRO_EL0'), 0x7007n, 'debugger');
    machine.core.x[0] = 0x1234n;
    for (let i = 0; i < 3; i++) expect(interpreter.step()).toEqual({ kind: 'ok' });
    expect(machine.core.x[1]).toBe(0x1234n);
    expect(machine.core.x[2]).toBe(0x7007n);
    expect(interpreter.step()).toMatchObject({ kind: 'exception', exception: { type: 'undefined' } });
    expect(machine.readRegister(register('TPIDRRO_EL0'))).toBe(0x7007n);
  });

  it('lets EL1 write TPIDRRO_EL0 and TPIDR_EL1, which EL0 cannot reach', () => {
    const { machine, interpreter } = program([MSR_TPIDRRO_EL0_X0, MSR_TPIDR_EL1_X0], 1);
    machine.core.x[0] = 0xabcn;
    expect(interpreter.step()).toEqual({ kind: 'ok' });
    expect(interpreter.step()).toEqual({ kind: 'ok' });
    expect(machine.readRegister(register('TPIDRRO_EL0'))).toBe(0xabcn);
    expect(machine.readRegister(register('TPIDR_EL1'))).toBe(0xabcn);
    expect(undefinedAt(0, 0xd538d080)).toBe(true); // MRS x0, TPIDR_EL1 at EL0
  });
});
