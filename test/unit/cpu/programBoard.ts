// A board running a short program of our own at 0x2000, translated on first sight or
// interpreted only: what the tests comparing the translator with the interpreter start from.

import { register } from '../../../src/arch/aarch64/registers.js';
import { DEFAULT_BOARD } from '../../../src/machine/board.js';
import { Interpreter, type WatchSet } from '../../../src/machine/cpu/interpreter.js';
import type { Machine } from '../../../src/machine/machine.js';
import { createMachine } from '../../../src/wiring.js';

export const PROGRAM_START = 0x2000;

/** Little-endian instruction words (or data words) written at `address` as the debugger would. */
export function writeWords(machine: Machine, address: number, words: readonly number[]): void {
  const bytes = new Uint8Array(words.length * 4);
  words.forEach((w, k) => new DataView(bytes.buffer).setUint32(k * 4, w, true));
  machine.writeMemory(address, bytes, { origin: 'debugger' });
}

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
