// Lazy flags in translated code (translate/blockBuilder.ts, "Lazy flags"): flag-setting
// instructions only record their operands, and NZCV is made exact where it can be seen. These
// run programs whose flags are overwritten or read in every way against the interpreter alone:
// NZCV and the registers must agree at every stop — instruction budgets falling anywhere, the
// region's exits, and a faulting load that the region hands to the interpreter right after
// flag-setting instructions whose flags it never computed.

import { describe, expect, it } from 'vitest';
import type { RunOutcome } from '../../../src/machine/cpu/interpreter.js';
import { programBoard } from './programBoard.js';

/**
 * 0x2000: add x0, x0, #1 ; adds w6, w0, w7 (flags dead: the SUBS overwrites them) ;
 *         subs x5, x0, x4 (dead too) ; ands w8, w0, #3 ; b.ne 0x2018 (reads the ANDS) ;
 * 0x2014: cmn x0, x7 ;
 * 0x2018: cinc x9, x9, cs (a block whose first instruction reads flags it did not set) ;
 *         cmp x0, x4 ; b.ne 0x2000 ; brk #0
 */
const LOOP = [0x9100_0400, 0x2b07_0006, 0xeb04_0005, 0x7200_0408, 0x5400_0041, 0xab07_001f, 0x9a89_3529, 0xeb04_001f, 0x54ff_ff01, 0xd420_0000];

/** cmp x0, x4 (its flags overwritten: never computed), a flag-setting instruction, then ldr x10, [x11] on no memory: it faults. */
const faulting = (setter: number): number[] => [0xeb04_001f, setter, 0xf940_016a, 0xd420_0020];
const SETTERS: Record<string, number> = {
  'adds x1, x0, x7': 0xab07_0001,
  'adds w1, w0, w7': 0x2b07_0001,
  'subs w1, w0, w7': 0x6b07_0001,
  'ands w1, w0, w7': 0x6a07_0001,
  'ands x1, x0, x7': 0xea07_0001,
};

function board(translate: boolean, program: readonly number[], x: Record<number, bigint>) {
  const side = programBoard(translate, program, x);
  side.machine.core.cpsr = (side.machine.core.cpsr & 0x0fff_ffff) | 0x6000_0000; // Z and C set: stale flags show
  return side;
}

function state(side: ReturnType<typeof board>, outcome: RunOutcome) {
  const { machine, interpreter } = side;
  return { outcome, pc: machine.core.pc, x: [...machine.core.x.subarray(0, 12)], nzcv: machine.core.cpsr >>> 28, executed: interpreter.executed };
}

function lockstep(program: readonly number[], x: Record<number, bigint>, limits: readonly number[]) {
  const translated = board(true, program, x);
  const interpreted = board(false, program, x);
  for (const limit of limits) {
    const a = state(translated, translated.interpreter.run(limit, new Set()));
    expect(a).toEqual(state(interpreted, interpreted.interpreter.run(limit, new Set())));
  }
  return translated.interpreter;
}

describe('lazy flags in translated code', () => {
  it('leave NZCV exact at every budget stop and region exit of a loop that sets and reads flags every way', () => {
    const x = { 4: 300n, 7: 0xffff_ffff_ffff_fff0n, 9: 0n };
    // Single steps through the first turns, then budgets ending at every offset of the loop.
    const limits = [...Array.from({ length: 40 }, () => 1), 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 100_000];
    const interpreter = lockstep(LOOP, x, limits);
    expect(interpreter.executedTranslated).toBeGreaterThan(2000);
  });

  for (const [name, setter] of Object.entries(SETTERS)) {
    it(`leave NZCV as the interpreter does when a load faults after cmp, ${name}`, () => {
      for (const [x0, x7] of [[5n, 0xffff_ffff_ffff_fff0n], [0x20n, 0xffff_fff0n], [0n, 0n], [0x8000_0000n, 0x8000_0000n]] as const) {
        const interpreter = lockstep(faulting(setter), { 0: x0, 4: 7n, 7: x7, 11: 0x9000_0000n }, [100]);
        expect(interpreter.executedTranslated).toBe(2); // cmp and the setter ran translated; the load did not
      }
    });
  }
});
