// The `g` block: read by copying the core's register bank when the table's layout allows, it
// must hold exactly what reading each register by number gives, whatever the values and
// whichever stack pointer `sp` stands for; so must `p` of the vector registers outside it.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { G_PACKET_REGISTERS, registerByName } from '../../../src/arch/aarch64/registers.js';
import { DEFAULT_BOARD } from '../../../src/machine/board.js';
import { RegisterAccess } from '../../../src/debug/registerAccess.js';
import { createMachine } from '../../../src/wiring.js';

describe('register block', () => {
  it('equals the registers read one by one, at every EL and stack pointer selection', () => {
    const machine = createMachine(DEFAULT_BOARD);
    const access = new RegisterAccess(machine, () => undefined);
    const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
    fc.assert(
      fc.property(fc.array(u64, { minLength: 34, maxLength: 34 }), fc.uint8Array({ minLength: 512, maxLength: 512 }), fc.constantFrom(0x3c9, 0x3c8, 0x3c5, 0x3c4, 0x3c0), fc.nat(), fc.nat(), (values, vectors, cpsr, fpsr, fpcr) => {
        values.slice(0, 31).forEach((v, n) => (machine.core.x[n] = v));
        machine.core.spEl2 = values[31]!;
        machine.writeRegister(registerByName('SP_EL1')!, values[32]!, 'debugger');
        machine.writeRegister(registerByName('SP_EL0')!, values[33]!, 'debugger');
        machine.core.pc = values[0]! ^ 0x1234n;
        machine.core.cpsr = cpsr;
        machine.core.v.set(vectors);
        machine.core.fpsr = fpsr | 0;
        machine.core.fpcr = fpcr | 0;
        const oneByOne = Buffer.concat(G_PACKET_REGISTERS.map((reg) => access.read(reg.regnum)));
        expect(Buffer.from(access.readBlock())).toEqual(oneByOne);
        // Outside the block, `p` of a vector register (copied as stored) agrees with the
        // machine's own view of it.
        for (const n of [0, 17, 31]) {
          const v = registerByName(`v${n}`)!;
          const value = machine.readRegister(v);
          const expected = Buffer.alloc(16);
          expected.writeBigUInt64LE(value & 0xffff_ffff_ffff_ffffn, 0);
          expected.writeBigUInt64LE(value >> 64n, 8);
          expect(Buffer.from(access.read(v.regnum))).toEqual(expected);
        }
      }),
      { numRuns: 50 },
    );
  });
});
