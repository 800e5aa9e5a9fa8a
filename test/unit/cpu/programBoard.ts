// A board running a short program of our own at 0x2000, translated on first sight or
// interpreted only: what the tests comparing the translator with the interpreter start from.

import { register } from '../../../src/arch/aarch64/registers.js';
import { DEFAULT_BOARD } from '../../../src/machine/board.js';
import { Interpreter, type WatchSet } from '../../../src/machine/cpu/interpreter.js';
import type { Machine } from '../../../src/machine/machine.js';
import { createMachine } from '../../../src/wiring.js';
import { writeWords } from '../../support/words.js';

export const PROGRAM_START = 0x2000;

/** `program` at PROGRAM_START on a fresh board, x registers from `x`, pc at `start`. */
export function programBoard(
  translate: boolean,
  program: readonly number[],
  x: Readonly<Record<number, bigint>> = {},
  options: { start?: number; watch?: WatchSet } = {},
): { machine: Machine; interpreter: Interpreter } {
  const machine = createMachine(DEFAULT_BOARD);
  const interpreter = new Interpreter(machine, options.watch);
  interpreter.translate = translate;
  interpreter.translateThreshold = 1;
  writeWords(machine, PROGRAM_START, program);
  for (const [n, v] of Object.entries(x)) machine.core.x[Number(n)] = v;
  machine.writeRegister(register('pc'), BigInt(options.start ?? PROGRAM_START), 'debugger');
  return { machine, interpreter };
}
