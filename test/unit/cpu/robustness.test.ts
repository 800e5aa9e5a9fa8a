// Any 32-bit word the core fetches must end in an outcome — completed, undefined instruction,
// abort, exception, wait — and never in a JavaScript error, which would take the stub down in
// the middle of a `continue`. Random words from random states, with the MPU on and off.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { registerByName } from '../../../src/arch/aarch64/registers.js';
import { DEFAULT_BOARD } from '../../../src/machine/board.js';
import { Interpreter } from '../../../src/machine/cpu/interpreter.js';
import { createMachine } from '../../../src/wiring.js';

describe('interpreter robustness', () => {
  it('turns every random instruction word into an outcome', () => {
    const machine = createMachine(DEFAULT_BOARD);
    const interpreter = new Interpreter(machine);
    const pcReg = registerByName('pc')!;
    const sctlr = registerByName('SCTLR_EL2')!;
    // Region 0 over the first 16 MiB, RW and executable, so that both checked paths run.
    machine.writeRegister(registerByName('PRSELR_EL2')!, 0n, 'debugger');
    machine.writeRegister(registerByName('PRBAR_EL2')!, 0x30n, 'debugger');
    machine.writeRegister(registerByName('PRLAR_EL2')!, 0xff_ffc0n | 0xfn, 'debugger');
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
});
