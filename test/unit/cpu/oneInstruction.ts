// A board for checking one instruction's rules in the interpreter: at a chosen EL, with the
// system registers a test names, the word at 0x1000 (SP and x0 at 0x2000), VBAR_EL1 0x4000 and
// VBAR_EL2 0x8000, so that where an exception went shows in pc; an exception the step raises
// is taken, as the run control would.

import type { RegisterName } from '../../../src/arch/aarch64/registers.js';
import { DEFAULT_BOARD } from '../../../src/machine/board.js';
import { Interpreter, type StepOutcome } from '../../../src/machine/cpu/interpreter.js';
import type { Machine } from '../../../src/machine/machine.js';
import { createMachine } from '../../../src/wiring.js';

export type StoredRegisters = Partial<Record<RegisterName, bigint>>;

/** A board at `el` (ELxh, or EL0t) with `registers` stored and the test vectors in place. */
export function boardAt(el: 0 | 1 | 2, registers: StoredRegisters): { machine: Machine; interpreter: Interpreter } {
  const machine = createMachine(DEFAULT_BOARD);
  const interpreter = new Interpreter(machine);
  machine.sysregs.setStored('VBAR_EL1', 0x4000n);
  machine.sysregs.setStored('VBAR_EL2', 0x8000n);
  for (const [name, value] of Object.entries(registers) as Array<[RegisterName, bigint]>) machine.sysregs.setStored(name, value);
  machine.core.cpsr = (el << 2) | (el === 0 ? 0 : 1);
  machine.core.pc = 0x1000n;
  return { machine, interpreter };
}

/** Executes `word` at 0x1000 on a board from boardAt, taking the exception it raises. */
export function stepOne(el: 0 | 1 | 2, word: number, registers: StoredRegisters): { machine: Machine; outcome: StepOutcome } {
  const { machine, interpreter } = boardAt(el, registers);
  machine.writeStackPointer(0x2000n);
  machine.core.x[0] = 0x2000n;
  machine.writeMemory(0x1000, new Uint8Array(new Uint32Array([word]).buffer), { origin: 'debugger' });
  const outcome = interpreter.step();
  if (outcome.kind === 'exception') interpreter.takeException(outcome.exception);
  return { machine, outcome };
}
