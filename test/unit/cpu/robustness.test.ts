// Any 32-bit word the core fetches must end in an outcome — completed, undefined instruction,
// abort, exception, wait — and never in a JavaScript error, which would take the stub down in
// the middle of a `continue`. Random words from random states, with the MPU on and off; a fetch
// the MPU refuses faults even where the interpreter's fast fetch has read before; and the
// translated path (`run`) must leave exactly the state the interpreter alone leaves.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { register } from '../../../src/arch/aarch64/registers.js';
import { DEFAULT_BOARD } from '../../../src/machine/board.js';
import { Interpreter } from '../../../src/machine/cpu/interpreter.js';
import { createMachine } from '../../../src/wiring.js';

describe('interpreter robustness', () => {
  it('turns every random instruction word into an outcome', () => {
    const machine = createMachine(DEFAULT_BOARD);
    const interpreter = new Interpreter(machine);
    const pcReg = register('pc');
    const sctlr = register('SCTLR_EL2');
    // Region 0 over the first 16 MiB, RW and executable, so that both checked paths run.
    machine.writeRegister(register('PRSELR_EL2'), 0n, 'debugger');
    machine.writeRegister(register('PRBAR_EL2'), 0x30n, 'debugger');
    machine.writeRegister(register('PRLAR_EL2'), 0xff_ffc0n | 0xfn, 'debugger');
    let outcomes = 0;
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 0xffff_ffff }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { minLength: 31, maxLength: 31 }),
        fc.boolean(),
        fc.constantFrom(0x3c9, 0x3c8, 0x3c5, 0x3c4, 0x3c0),
        (words, registers, mpuOn, cpsr) => {
          const code = new Uint8Array(words.length * 4);
          words.forEach((w, k) => new DataView(code.buffer).setUint32(k * 4, w, true));
          machine.writeRegister(sctlr, mpuOn ? machine.readRegister(sctlr) | 1n : machine.readRegister(sctlr) & ~1n, 'debugger');
          machine.writeMemory(0x8000, code, { origin: 'debugger' });
          registers.forEach((v, r) => (machine.core.x[r] = v));
          machine.core.cpsr = cpsr;
          machine.writeRegister(pcReg, 0x8000n, 'debugger');
          for (let k = 0; k < words.length; k++) {
            const outcome = interpreter.step();
            outcomes++;
            expect(['ok', 'wait', 'brk', 'exception', 'watch']).toContain(outcome.kind);
            if (outcome.kind === 'exception') interpreter.takeException(outcome.exception);
          }
        },
      ),
      { numRuns: 3000 },
    );
    expect(outcomes).toBeGreaterThan(3000);
  });

  it('faults a fetch the MPU refuses, even from a page it has fetched from before', () => {
    const machine = createMachine(DEFAULT_BOARD);
    const interpreter = new Interpreter(machine);
    const reg = register;
    machine.writeRegister(reg('PRSELR_EL2'), 0n, 'debugger');
    machine.writeRegister(reg('PRBAR_EL2'), 0x0n, 'debugger'); // RW at EL2, executable
    machine.writeRegister(reg('PRLAR_EL2'), 0xffc1n, 'debugger'); // [0, 0x10000), enabled
    machine.writeRegister(reg('SCTLR_EL2'), machine.readRegister(reg('SCTLR_EL2')) | 1n, 'debugger');
    machine.writeMemory(0x8000, Uint8Array.of(0x00, 0x04, 0x00, 0x91), { origin: 'debugger' }); // add x0, x0, #1
    machine.writeRegister(reg('pc'), 0x8000n, 'debugger');
    expect(interpreter.step().kind).toBe('ok');
    machine.writeRegister(reg('PRBAR_EL2'), 0x2n, 'debugger'); // execute-never
    machine.writeRegister(reg('pc'), 0x8000n, 'debugger');
    const outcome = interpreter.step();
    expect(outcome.kind === 'exception' && outcome.exception.type).toBe('abort');
    expect(machine.core.x[0]).toBe(1n);
  });

  it('leaves the same state whether blocks are translated or not', () => {
    const build = (translate: boolean) => {
      const machine = createMachine(DEFAULT_BOARD);
      const interpreter = new Interpreter(machine);
      interpreter.translate = translate;
      interpreter.translateThreshold = 1; // each sequence runs once: translate on first sight
      machine.writeRegister(register('PRSELR_EL2'), 0n, 'debugger');
      machine.writeRegister(register('PRBAR_EL2'), 0x30n, 'debugger');
      machine.writeRegister(register('PRLAR_EL2'), 0xff_ffc0n | 0xfn, 'debugger');
      return { machine, interpreter };
    };
    const sides = [build(false), build(true)];
    const sctlr = register('SCTLR_EL2');
    const pcReg = register('pc');
    const state = ({ machine }: { machine: ReturnType<typeof createMachine> }) => ({
      x: Array.from(machine.core.x),
      sp: machine.core.spEl2,
      pc: machine.core.pc,
      cpsr: machine.core.cpsr,
      memory: Buffer.from(machine.readMemory(0x8000, 0x100, { origin: 'debugger' }).data).toString('hex'),
    });
    // Mostly instructions the translator covers: the common data-processing and load/store opcodes.
    const likely = fc.oneof(
      fc.integer({ min: 0, max: 0xffff_ffff }),
      fc.integer({ min: 0, max: 0x00ff_ffff }).map((low) => (0x9100_0000 | low) >>> 0), // ADD (immediate)
      fc.integer({ min: 0, max: 0x003f_ffff }).map((low) => (0xf940_0000 | (low & 0x3f_fc00) | ((low & 0x1f) << 5) | 0x1f) >>> 0),
      fc.integer({ min: 0, max: 0x00ff_ffff }).map((low) => (0xaa00_0000 | low) >>> 0), // ORR (shifted register)
      fc.integer({ min: 0, max: 0x03ff_ffff }).map((low) => (0xa800_0000 | (low & 0x3ff_fc1f) | (31 << 5)) >>> 0), // LDP/STP on SP
      fc.integer({ min: 0, max: 0x00ff_ffff }).map((low) => (0x5400_0000 | (low & 0xf)) >>> 0 | (((low >>> 4) & 0x7) << 5)), // B.cond
    );
    let runs = 0;
    fc.assert(
      fc.property(
        fc.array(likely, { minLength: 1, maxLength: 12 }),
        fc.array(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { minLength: 31, maxLength: 31 }),
        fc.bigInt({ min: 0x8000n, max: 0x9000n }),
        fc.boolean(),
        (words, registers, sp, mpuOn) => {
          const code = new Uint8Array(words.length * 4);
          words.forEach((w, k) => new DataView(code.buffer).setUint32(k * 4, w, true));
          const outcomes = sides.map((side) => {
            const { machine, interpreter } = side;
            machine.writeRegister(sctlr, mpuOn ? machine.readRegister(sctlr) | 1n : machine.readRegister(sctlr) & ~1n, 'debugger');
            machine.writeMemory(0x8000, new Uint8Array(0x100), { origin: 'debugger' });
            machine.writeMemory(0x8000, code, { origin: 'debugger' });
            registers.forEach((v, r) => (machine.core.x[r] = v));
            machine.core.spEl2 = sp;
            machine.core.cpsr = 0x3c9;
            machine.writeRegister(pcReg, 0x8000n, 'debugger');
            return interpreter.run(words.length, new Set()).kind;
          });
          runs++;
          expect(outcomes[1]).toBe(outcomes[0]);
          expect(state(sides[1]!)).toEqual(state(sides[0]!));
        },
      ),
      { numRuns: 2000 },
    );
    expect(runs).toBe(2000);
    expect(sides[1]!.interpreter.executedTranslated).toBeGreaterThan(0);
  });
});
