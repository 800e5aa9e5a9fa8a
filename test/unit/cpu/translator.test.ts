// The block translator's shape: where blocks end (a branch, an instruction left to the
// interpreter, the page end, 64 instructions), when they need SP_EL2, and that any word at all
// yields a block or a clean refusal — never a generated function that does not compile.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_BLOCK, translateBlock } from '../../../src/machine/cpu/translator.js';

const NOP = 0xd503_201f;
const ADD_X0 = 0x9100_0400; // add x0, x0, #1
const B_SELF = 0x1400_0000; // b .
const MRS = 0xd53e_1000; // mrs x0, sctlr_el2: left to the interpreter
const STR_SP = 0xf900_03e0; // str x0, [sp]

/** A fetch function over a little program placed at `base`, zeros (UDF) elsewhere. */
const program = (base: number, words: number[]) => (pc: number): number => words[(pc - base) / 4] ?? 0;

describe('block translator', () => {
  it('ends a block after a branch, before an untranslated instruction, at 64 and at the page end', () => {
    expect(translateBlock(program(0x1000, [ADD_X0, ADD_X0, B_SELF, ADD_X0]), 0x1000).length).toBe(3);
    expect(translateBlock(program(0x1000, [ADD_X0, MRS, ADD_X0]), 0x1000).length).toBe(1);
    expect(translateBlock(program(0x1000, [MRS]), 0x1000)).toMatchObject({ length: 0, run: undefined });
    expect(translateBlock(() => NOP, 0x1000).length).toBe(MAX_BLOCK);
    expect(translateBlock(() => NOP, 0x1ff0).length).toBe(4); // 0x1ff0..0x1ffc, then the page ends
  });

  it('marks the blocks that use SP', () => {
    expect(translateBlock(program(0x1000, [ADD_X0]), 0x1000).usesSp).toBe(false);
    expect(translateBlock(program(0x1000, [ADD_X0, STR_SP]), 0x1000).usesSp).toBe(true);
  });

  it('turns any instruction word into a compiled block or a refusal', () => {
    let translated = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), (word) => {
        const block = translateBlock(program(0x2000, [word]), 0x2000);
        expect(block.length).toBeLessThanOrEqual(1);
        if (block.length === 1) {
          expect(typeof block.run).toBe('function');
          translated++;
        }
      }),
      { numRuns: 20_000 },
    );
    expect(translated).toBeGreaterThan(1000); // a fair share of random words are covered forms
  });
});
