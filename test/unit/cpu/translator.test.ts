// The block translator's shape: where blocks end (a branch, an instruction left to the
// interpreter, the page end, 64 instructions), which blocks a region gathers, when they need
// SP_EL2, that any word at all yields a block or a clean refusal — never a generated function
// that does not compile — and that a write into translated code, by the debugger or by the
// core, is always seen.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_BLOCK, translateRegion } from '../../../src/machine/cpu/translator.js';
import { Interpreter } from '../../../src/machine/cpu/interpreter.js';
import { DEFAULT_BOARD } from '../../../src/machine/board.js';
import { register, registerByName } from '../../../src/arch/aarch64/registers.js';
import { createMachine } from '../../../src/wiring.js';

const NOP = 0xd503_201f;
const ADD_X0 = 0x9100_0400; // add x0, x0, #1
const B_SELF = 0x1400_0000; // b .
const MRS = 0xd53e_1000; // mrs x0, sctlr_el2: left to the interpreter
const STR_SP = 0xf900_03e0; // str x0, [sp]

/** A fetch function over a little program placed at `base`, zeros (UDF) elsewhere. */
const program = (base: number, words: number[]) => (pc: number): number => words[(pc - base) / 4] ?? 0;
/** The block at `start` and whether its region uses SP, as the translator builds them. */
const translateBlock = (fetch: (pc: number) => number, start: number) => {
  const { entry, region } = translateRegion(fetch, start);
  return { length: entry.length, usesSp: region?.usesSp ?? false, run: region?.run };
};

describe('block translator', () => {
  it('ends a block after a branch, before an untranslated instruction, at 64 and at the page end', () => {
    expect(translateBlock(program(0x1000, [ADD_X0, ADD_X0, B_SELF, ADD_X0]), 0x1000).length).toBe(3);
    expect(translateBlock(program(0x1000, [ADD_X0, MRS, ADD_X0]), 0x1000).length).toBe(1);
    expect(translateBlock(program(0x1000, [MRS]), 0x1000)).toMatchObject({ length: 0, run: undefined });
    expect(translateBlock(() => NOP, 0x1000).length).toBe(MAX_BLOCK);
    expect(translateBlock(() => NOP, 0x1ff0).length).toBe(4); // 0x1ff0..0x1ffc, then the page ends
  });

  it('gathers the blocks that constant jumps reach in the same page into one region', () => {
    // 0x1000: cbz x0, 0x100c ; add x0, x0, #1 ; b 0x2000 (another page) ; 0x100c: b 0x1000
    const words = [0xb400_0060, ADD_X0, 0x1400_03fe, 0x17ff_fffd];
    const { entry, region } = translateRegion(program(0x1000, words), 0x1000);
    expect(entry).toMatchObject({ start: 0x1000, length: 1, index: 0 });
    expect(region?.blocks.map((b) => [b.start, b.length])).toEqual([
      [0x1000, 1],
      [0x100c, 1],
      [0x1004, 2],
    ]);
    expect([region?.low, region?.high]).toEqual([0x1000, 0x1010]); // breadth first; 0x2000 is an exit
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

describe('translated code never goes stale', () => {
  const setup = () => {
    const machine = createMachine(DEFAULT_BOARD);
    const interpreter = new Interpreter(machine);
    interpreter.translateThreshold = 1;
    const write = (address: number, words: number[]) => {
      const bytes = new Uint8Array(words.length * 4);
      words.forEach((w, k) => new DataView(bytes.buffer).setUint32(k * 4, w, true));
      machine.writeMemory(address, bytes, { origin: 'debugger' });
    };
    const runFrom = (pc: bigint, limit: number) => {
      machine.writeRegister(register('pc'), pc, 'debugger');
      return interpreter.run(limit, new Set());
    };
    return { machine, interpreter, write, runFrom };
  };

  it('drops a block when the debugger rewrites its code', () => {
    const { machine, interpreter, write, runFrom } = setup();
    write(0x8000, [ADD_X0, 0xd420_0000]); // add x0, x0, #1 ; brk #0
    expect(runFrom(0x8000n, 10).kind).toBe('brk');
    expect(machine.core.x[0]).toBe(1n);
    expect(interpreter.translatedBlocks).toBeGreaterThan(0);
    write(0x8000, [0x9100_2800]); // add x0, x0, #10
    expect(runFrom(0x8000n, 10).kind).toBe('brk');
    expect(machine.core.x[0]).toBe(11n);
  });

  it('drops a block when the core stores into its own code', () => {
    const { machine, write, runFrom } = setup();
    // 0x8000: str w1, [x2] ; b 0x8008 ; 0x8008: add x0, x0, #1 ; brk #0 — the store rewrites 0x8008.
    write(0x8000, [0xb900_0041, 0x1400_0001, ADD_X0, 0xd420_0000]);
    machine.core.x[1] = 0x9100_2800n; // add x0, x0, #10
    machine.core.x[2] = 0x8008n;
    expect(runFrom(0x8008n, 10).kind).toBe('brk'); // translates and runs the original add #1
    expect(machine.core.x[0]).toBe(1n);
    expect(runFrom(0x8000n, 10).kind).toBe('brk');
    expect(machine.core.x[0]).toBe(11n); // the store dropped the stale block
  });

  it('still lets the MPU refuse a fetch or a store once code is translated', () => {
    const { machine, interpreter, write, runFrom } = setup();
    const reg = (name: string) => registerByName(name)!;
    // Region 0 over [0, 0x10000): RW, executable; MPU on.
    machine.writeRegister(reg('PRSELR_EL2'), 0n, 'debugger');
    machine.writeRegister(reg('PRBAR_EL2'), 0x0n, 'debugger'); // AP=0b00 (RW at EL2), XN=0
    machine.writeRegister(reg('PRLAR_EL2'), 0xffc1n, 'debugger');
    machine.writeRegister(reg('SCTLR_EL2'), machine.readRegister(reg('SCTLR_EL2')) | 1n, 'debugger');
    write(0x8000, [0xf900_0041, ADD_X0, 0xd420_0000]); // str x1, [x2] ; add x0, x0, #1 ; brk #0
    machine.core.x[2] = 0x9000n;
    expect(runFrom(0x8000n, 10).kind).toBe('brk');
    expect(interpreter.executedTranslated).toBeGreaterThan(0);
    // Read-only now: the translated store must give way to the permission fault.
    machine.writeRegister(reg('PRBAR_EL2'), 0x8n, 'debugger'); // AP=0b10: read-only
    const stored = runFrom(0x8000n, 10);
    expect(stored.kind).toBe('exception');
    expect(machine.core.pc).toBe(0x8000n);
    // Execute-never: the block must not even be entered.
    machine.writeRegister(reg('PRBAR_EL2'), 0x2n, 'debugger'); // XN=0b10 (execute-never), RW
    const fetched = runFrom(0x8004n, 10);
    expect(fetched.kind).toBe('exception');
    expect(machine.core.pc).toBe(0x8004n);
    expect(machine.lastFault?.kind).toBe('mpu');
  });
});
