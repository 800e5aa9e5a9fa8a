// Translated loads and stores form their addresses in 32-bit halves (translate/loadStore.ts):
// a carry or a borrow between the halves, a negative or sign-extended index, a pair's second
// address, writeback, and addresses beyond the granted page or beyond 48 bits must come out
// exactly as the interpreter's 64-bit arithmetic makes them. Each program runs translated and
// interpreted side by side; registers, stops, faults (their syndromes and addresses) and the
// memory the loop touched must agree.

import { describe, expect, it } from 'vitest';
import { register } from '../../../src/arch/aarch64/registers.js';
import type { RunOutcome } from '../../../src/machine/cpu/interpreter.js';
import { programBoard } from './programBoard.js';

/** At 0x2000 (assembled with aarch64-linux-gnu-as). */
const PROGRAM = [
  0xf862d823, // 0x2000 loop: ldr x3, [x1, w2, sxtw #3]
  0xf8627824, //   ldr x4, [x1, x2, lsl #3]
  0x3862c825, //   ldrb w5, [x1, w2, sxtw]
  0x78626826, //   ldrh w6, [x1, x2]
  0xf82d5823, //   str x3, [x1, w13, uxtw #3]
  0xa97f302b, //   ldp x11, x12, [x1, #-16]
  0xa9be1023, //   stp x3, x4, [x1, #-32]!
  0xa8c23c2e, //   ldp x14, x15, [x1], #32
  0xf85f8030, //   ldur x16, [x1, #-8]
  0x91000400, //   add x0, x0, #1
  0xf1000c1f, //   cmp x0, #3
  0x54fffea1, //   b.ne loop
  0xf9400907, // 0x2030: ldr x7, [x8, #16]   (a carry into the high half)
  0xd4200000, //   brk #0
  0xf85f8127, // 0x2038: ldur x7, [x9, #-8]  (a borrow from it)
  0xd4200000, //   brk #0
  0xf9400147, // 0x2040: ldr x7, [x10]       (beyond 48 bits)
  0xd4200000, //   brk #0
];
const DATA = 0x3100;

function board(translate: boolean, start: number, x: Record<number, bigint>) {
  const side = programBoard(translate, PROGRAM, x, { start });
  side.machine.writeMemory(DATA - 0x100, Uint8Array.from({ length: 0x200 }, (_, i) => (i * 13 + 5) & 0xff), { origin: 'debugger' });
  return side;
}

function state(side: ReturnType<typeof board>, outcome: RunOutcome) {
  const { machine } = side;
  return {
    outcome,
    pc: machine.core.pc,
    x: [...machine.core.x.subarray(0, 17)],
    esr: machine.readRegister(register('ESR_EL2'), 'debugger'),
    far: machine.readRegister(register('FAR_EL2'), 'debugger'),
    data: Buffer.from(machine.readMemory(DATA - 0x100, 0x200, { origin: 'debugger' }).data).toString('hex'),
  };
}

function sideBySide(start: number, x: Record<number, bigint>) {
  const translated = board(true, start, x);
  const interpreted = board(false, start, x);
  const a = state(translated, translated.interpreter.run(1000, new Set()));
  expect(a).toEqual(state(interpreted, interpreted.interpreter.run(1000, new Set())));
  return { state: a, translatedInstructions: translated.interpreter.executedTranslated };
}

describe('translated addresses in 32-bit halves', () => {
  it('agree with the interpreter on negative and extended indexes, pairs and writeback', () => {
    const { state: s, translatedInstructions } = sideBySide(0x2000, {
      1: BigInt(DATA),
      2: 0xffff_ffff_ffff_fff8n, // -8: as SXTW (w2) and as a 64-bit index (x2)
      13: 0xffff_ffff_0000_0004n, // UXTW takes the low word only: 4
      8: 0xffff_fff8n,
    });
    // The loop ran (three rounds) and the load after it faulted at 0x1_0000_0008, not at 8.
    expect(s.x[0]).toBe(3n);
    expect(s.far).toBe(0x1_0000_0008n);
    expect(s.x[3]).not.toBe(0n);
    expect(translatedInstructions).toBeGreaterThan(30); // the loop ran translated, not only interpreted
  });

  it('borrow from the high half, and refuse addresses beyond 48 bits, as the interpreter does', () => {
    expect(sideBySide(0x2038, { 9: 0x1_0000_0000n }).state.far).toBe(0xffff_fff8n);
    expect(sideBySide(0x2040, { 10: 0xffff_0000_0000_3100n }).state.outcome.kind).not.toBe('brk');
  });
});
