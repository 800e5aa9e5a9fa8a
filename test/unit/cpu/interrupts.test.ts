// Physical IRQs reaching the core between instructions: routing by HCR_EL2.IMO, masking by
// PSTATE.I, the vectors of VBAR_EL2 and VBAR_EL1, and a WFI that nothing can end.

import { describe, expect, it } from 'vitest';
import { register } from '../../../src/arch/aarch64/registers.js';
import { DEFAULT_BOARD } from '../../../src/machine/board.js';
import { Interpreter } from '../../../src/machine/cpu/interpreter.js';
import type { Machine } from '../../../src/machine/machine.js';
import { createMachine } from '../../../src/wiring.js';
import { writeWords } from '../../support/words.js';
import { enableGroup1 } from '../../support/gic.js';

/** A board whose GIC signals SGI 3 (Group 1, enabled, pending) to the core. */
function signallingSgi3(): Machine {
  const machine = createMachine(DEFAULT_BOARD);
  enableGroup1(machine, 1 << 3);
  writeWords(machine, 0xaf11_0200, [1 << 3]); // GICR_ISPENDR0
  machine.writeRegister(register('VBAR_EL2'), 0x8000n, 'debugger');
  machine.writeRegister(register('VBAR_EL1'), 0x9000n, 'debugger');
  machine.writeRegister(register('pc'), 0x2000n, 'debugger');
  return machine;
}

describe('interrupt delivery', () => {
  it('reports a WFI that nothing can end: no interrupt signalled, no timer armed', () => {
    const machine = createMachine(DEFAULT_BOARD);
    const code = new Uint8Array(4);
    new DataView(code.buffer).setUint32(0, 0xd503_207f, true); // wfi
    machine.writeMemory(0x1000, code, { origin: 'debugger' });
    machine.writeRegister(register('pc'), 0x1000n, 'debugger');
    const interpreter = new Interpreter(machine);
    expect(interpreter.run(10, new Set())).toEqual({ kind: 'wait', instruction: 'WFI' });
    expect(machine.timer.ticks).toBe(1);
  });

  it('routes an IRQ from EL1 to EL2 when HCR_EL2.IMO is set, whatever PSTATE.I says', () => {
    const machine = signallingSgi3();
    expect(machine.gic.irq).toBe(true);
    const nop = new Uint8Array(4);
    new DataView(nop.buffer).setUint32(0, 0xd503_201f, true);
    machine.writeMemory(0x2000, nop, { origin: 'debugger' });
    machine.core.cpsr = 0x3c5; // EL1h, everything masked
    const interpreter = new Interpreter(machine);
    interpreter.run(1, new Set());
    expect(interpreter.interruptsTaken).toBe(0); // IMO clear: the IRQ targets EL1, where I masks it
    machine.writeRegister(register('HCR_EL2'), 1n << 4n, 'debugger');
    machine.writeRegister(register('pc'), 0x2000n, 'debugger');
    // Taken before the instruction; the zeros at the vector are an undefined instruction, which stops the run.
    expect(interpreter.run(1, new Set())).toMatchObject({ kind: 'exception', exception: { type: 'undefined', pc: 0x8000n + 0x400n + 0x80n } });
    expect(interpreter.interruptsTaken).toBe(1);
    expect(machine.readRegister(register('ELR_EL2'))).toBe(0x2000n);
    expect(machine.readRegister(register('SPSR_EL2'))).toBe(0x3c5n);
    expect(machine.core.el).toBe(2);
  });

  it('takes an IRQ to EL1 through VBAR_EL1 when HCR_EL2 leaves it there', () => {
    const machine = signallingSgi3();
    machine.core.cpsr = 0x345; // EL1h, I clear
    const interpreter = new Interpreter(machine);
    expect(interpreter.run(1, new Set())).toMatchObject({ kind: 'exception', exception: { type: 'undefined', pc: 0x9000n + 0x200n + 0x80n } });
    expect(interpreter.interruptsTaken).toBe(1);
    expect(machine.readRegister(register('ELR_EL1'))).toBe(0x2000n);
    expect(machine.readRegister(register('SPSR_EL1'))).toBe(0x345n);
    expect(machine.core.el).toBe(1);
  });

  it('masks an IRQ that targets EL1 at EL0 with PSTATE.I, and takes it through the lower-EL vector when clear', () => {
    const machine = signallingSgi3();
    machine.core.cpsr = 0x3c0; // EL0t, everything masked
    const interpreter = new Interpreter(machine);
    interpreter.run(1, new Set());
    expect(interpreter.interruptsTaken).toBe(0);
    machine.core.cpsr = 0x340; // EL0t, I clear
    machine.core.pc = 0x2000n;
    expect(interpreter.run(1, new Set())).toMatchObject({ kind: 'exception', exception: { type: 'undefined', pc: 0x9000n + 0x400n + 0x80n } });
    expect(interpreter.interruptsTaken).toBe(1);
    expect(machine.readRegister(register('SPSR_EL1'))).toBe(0x340n);
    expect(machine.core.el).toBe(1);
  });

  it('keeps an IRQ that targets EL1 waiting while the core is at EL2', () => {
    const machine = signallingSgi3();
    machine.core.cpsr = 0x349; // EL2h, I clear; HCR_EL2.IMO clear
    const interpreter = new Interpreter(machine);
    interpreter.run(1, new Set());
    expect(interpreter.interruptsTaken).toBe(0);
  });

  it('takes an IRQ at EL2 through VBAR_EL2 + 0x280 once PSTATE.I is clear, and acknowledges it', () => {
    const machine = signallingSgi3();
    machine.writeRegister(register('HCR_EL2'), 1n << 4n, 'debugger');
    machine.core.cpsr = 0x3c9;
    const interpreter = new Interpreter(machine);
    interpreter.run(1, new Set());
    expect(interpreter.interruptsTaken).toBe(0);
    machine.core.cpsr = 0x349;
    machine.writeRegister(register('pc'), 0x2000n, 'debugger');
    expect(interpreter.run(1, new Set())).toMatchObject({ kind: 'exception', exception: { pc: 0x8280n } });
    expect(machine.core.cpsr & 0x3cf).toBe(0x3c9);
    expect(machine.readRegister(register('ICC_IAR1_EL1'))).toBe(3n); // a debugger read only looks
    expect(machine.readRegister(register('ICC_IAR1_EL1'), 'core')).toBe(3n);
    expect(machine.readRegister(register('ICC_IAR1_EL1'), 'core')).toBe(1023n);
    expect(machine.gic.irq).toBe(false);
  });

  it.each([true, false])('takes a timer interrupt on the exact tick in a hot loop (translated: %s)', (translate) => {
    const machine = createMachine(DEFAULT_BOARD);
    const words = (address: number, ...list: number[]): void => writeWords(machine, address, list);
    words(0x2000, 0x9100_0400, 0x17ff_ffff); // 1: add x0, x0, #1; b 1b
    words(0x8280, 0xd420_0040); // brk #2 at the IRQ vector
    enableGroup1(machine, 1 << 26); // the EL2 physical timer's PPI
    machine.writeRegister(register('HCR_EL2'), 1n << 4n, 'debugger');
    machine.writeRegister(register('VBAR_EL2'), 0x8000n, 'debugger');
    machine.writeRegister(register('CNTHPS_TVAL_EL2'), 1001n, 'debugger');
    machine.writeRegister(register('CNTHPS_CTL_EL2'), 1n, 'debugger');
    machine.writeRegister(register('pc'), 0x2000n, 'debugger');
    machine.core.cpsr = 0x349;
    const interpreter = new Interpreter(machine);
    interpreter.translate = translate;
    interpreter.translateThreshold = 2;
    expect(interpreter.run(100_000, new Set())).toEqual({ kind: 'brk', imm: 2 });
    // 1001 instructions ran before the interrupt (the timer fires on tick 1001): 501 adds.
    expect(machine.core.x[0]).toBe(501n);
    expect(machine.readRegister(register('ELR_EL2'))).toBe(0x2004n);
    if (translate) expect(interpreter.executedTranslated).toBeGreaterThan(900);
  });
});
