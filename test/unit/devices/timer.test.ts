// The generic timer on its own: the counter as a clock of retired instructions, each
// timer's CTL/CVAL/TVAL as the Arm ARM defines them, the virtual offset, the PPI levels it
// drives and the deadline the run loop must not run past.

import { describe, expect, it } from 'vitest';
import { register } from '../../../src/arch/aarch64/registers.js';
import { DEFAULT_BOARD } from '../../../src/machine/board.js';
import { GenericTimer, TIMER_INTIDS } from '../../../src/machine/timer.js';
import { createMachine } from '../../../src/wiring.js';

function timerWithLines() {
  const levels = new Map<number, boolean>();
  const timer = new GenericTimer((intid, high) => levels.set(intid, high));
  timer.reset();
  return { timer, levels };
}

describe('generic timer', () => {
  it('wires the timers to the FVP BaseR PPIs: hyp-phys 26, virt 27, phys 30', () => {
    expect(TIMER_INTIDS).toEqual({ 'el1-physical': 30, 'el1-virtual': 27, 'el2-physical': 26, 'el2-secure-physical': 26 });
  });

  it('counts ticks, and the virtual count is the physical count minus CNTVOFF_EL2', () => {
    const { timer } = timerWithLines();
    timer.ticks = 5000;
    expect(timer.readCounter('physical')).toBe(5000n);
    timer.writeVirtualOffset(1000n);
    expect(timer.readCounter('virtual')).toBe(4000n);
    expect(timer.readCounter('virtual-offset')).toBe(1000n);
  });

  it('fires when the count reaches CVAL: ISTATUS, and the PPI high while enabled and unmasked', () => {
    const { timer, levels } = timerWithLines();
    timer.write('el2-secure-physical', 'CVAL', 100n);
    timer.write('el2-secure-physical', 'CTL', 1n);
    expect(timer.deadline).toBe(100);
    expect(timer.read('el2-secure-physical', 'CTL')).toBe(1n);
    timer.ticks = 100;
    timer.update();
    expect(timer.read('el2-secure-physical', 'CTL')).toBe(5n);
    expect(levels.get(26)).toBe(true);
    expect(timer.deadline).toBe(Infinity);
    timer.write('el2-secure-physical', 'CTL', 3n); // IMASK: ISTATUS stays, the PPI drops
    expect(timer.read('el2-secure-physical', 'CTL')).toBe(7n);
    expect(levels.get(26)).toBe(false);
    timer.write('el2-secure-physical', 'CTL', 0n);
    expect(timer.read('el2-secure-physical', 'CTL')).toBe(0n);
  });

  it('counts TVAL down as a signed 32-bit value, and sets CVAL from it', () => {
    const { timer } = timerWithLines();
    timer.ticks = 1000;
    timer.write('el1-physical', 'TVAL', 250n);
    expect(timer.read('el1-physical', 'CVAL')).toBe(1250n);
    timer.ticks = 1300;
    expect(timer.read('el1-physical', 'TVAL')).toBe(BigInt.asUintN(32, -50n));
    timer.write('el1-physical', 'TVAL', 0xffff_ff00n); // -256
    expect(timer.read('el1-physical', 'CVAL')).toBe(1300n - 256n);
  });

  it('compares the virtual timer with the virtual count', () => {
    const { timer, levels } = timerWithLines();
    timer.ticks = 1000;
    timer.writeVirtualOffset(500n);
    timer.write('el1-virtual', 'CVAL', 600n);
    timer.write('el1-virtual', 'CTL', 1n);
    expect(timer.deadline).toBe(1100);
    expect(levels.get(27)).toBe(false);
    timer.ticks = 1100;
    timer.update();
    expect(levels.get(27)).toBe(true);
  });

  it('drives a PPI two timers share while either fires', () => {
    const { timer, levels } = timerWithLines();
    timer.write('el2-physical', 'CTL', 1n);
    timer.write('el2-secure-physical', 'CVAL', 10n);
    timer.write('el2-secure-physical', 'CTL', 1n);
    expect(levels.get(26)).toBe(true); // CNTHP's CVAL 0 is reached at once
    timer.write('el2-physical', 'CTL', 0n);
    expect(levels.get(26)).toBe(false);
    expect(timer.deadline).toBe(10);
  });

  it('lets time pass to the next deadline, and says when there is none', () => {
    const { timer, levels } = timerWithLines();
    expect(timer.skipToDeadline()).toBe(false);
    timer.write('el1-physical', 'CVAL', 12345n);
    timer.write('el1-physical', 'CTL', 1n);
    expect(timer.skipToDeadline()).toBe(true);
    expect(timer.ticks).toBe(12345);
    expect(levels.get(30)).toBe(true);
  });

  it('never sets a deadline beyond exact numbers', () => {
    const { timer } = timerWithLines();
    timer.write('el1-physical', 'CVAL', 0xffff_ffff_ffff_ffffn);
    timer.write('el1-physical', 'CTL', 1n);
    expect(timer.deadline).toBe(Infinity);
  });

  it('is reached through the register table: CNTFRQ_EL0 100 MHz, CNTPCT_EL0 the ticks', () => {
    const machine = createMachine(DEFAULT_BOARD);
    expect(machine.readRegister(register('CNTFRQ_EL0'))).toBe(100_000_000n);
    machine.timer.ticks = 77;
    expect(machine.readRegister(register('CNTPCT_EL0'))).toBe(77n);
    machine.writeRegister(register('CNTHPS_TVAL_EL2'), 23n, 'debugger');
    expect(machine.readRegister(register('CNTHPS_CVAL_EL2'))).toBe(100n);
    machine.writeRegister(register('CNTHPS_CTL_EL2'), 0xffn, 'debugger');
    expect(machine.readRegister(register('CNTHPS_CTL_EL2'))).toBe(3n); // only ENABLE and IMASK are written
    expect(() => machine.writeRegister(register('CNTPCT_EL0'), 0n, 'debugger')).toThrow(/read-only/);
    machine.reset();
    expect(machine.readRegister(register('CNTPCT_EL0'))).toBe(0n);
    expect(machine.readRegister(register('CNTHPS_CTL_EL2'))).toBe(0n);
  });
});
