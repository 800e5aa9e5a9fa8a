// `monitor gic` and `monitor timer`: what they show of the models, and that looking acts on
// nothing (no interrupt is acknowledged by `monitor gic`).

import { describe, expect, it } from 'vitest';
import { register } from '../../../src/arch/aarch64/registers.js';
import { DEFAULT_BOARD } from '../../../src/machine/board.js';
import { gicText, timerText } from '../../../src/debug/deviceCommands.js';
import { createMachine } from '../../../src/wiring.js';
import { enableGroup1 } from '../../support/gic.js';
import { writeWords } from '../../support/words.js';

function machineWithTimerFiring() {
  const machine = createMachine(DEFAULT_BOARD);
  enableGroup1(machine, 1 << 26);
  writeWords(machine, 0xaf11_0418, [0xa0a0_a0a0]); // GICR_IPRIORITYR6
  machine.writeRegister(register('CNTHPS_CTL_EL2'), 1n, 'debugger');
  machine.writeRegister(register('CNTP_TVAL_EL0'), 500n, 'debugger');
  machine.writeRegister(register('CNTP_CTL_EL0'), 1n, 'debugger');
  return machine;
}

describe('monitor gic', () => {
  it('shows the enables, the CPU interface and the interrupts in play', () => {
    const machine = machineWithTimerFiring();
    const text = gicText(machine);
    expect(text).toContain('Group 1 enabled');
    expect(text).toContain('redistributor awake');
    expect(text).toContain('PMR 0xf0');
    expect(text).toContain('IRQ signalled: yes, INTID 26');
    expect(text).toMatch(/ {3}26 {2}PPI {3}1 {6}yes {6}yes {6}no {6}0xa0 {6}level/);
    expect(machine.gic.irq).toBe(true); // nothing acknowledged
    expect(machine.readRegister(register('ICC_RPR_EL1'))).toBe(0xffn);
  });

  it('says so when nothing is in play', () => {
    expect(gicText(createMachine(DEFAULT_BOARD))).toContain('no interrupt is enabled, pending or active');
  });
});

describe('monitor timer', () => {
  it('shows the counter, the next deadline and each timer with its PPI', () => {
    const text = timerText(machineWithTimerFiring());
    expect(text).toContain('counter: 0 ticks since reset');
    expect(text).toContain('next deadline: tick 500 (500 to go)');
    expect(text).toMatch(/Secure EL2 physical \(CNTHPS\) +0x5 +0x0 +26 +high \(condition met\)/);
    expect(text).toMatch(/EL1 physical \(CNTP\) +0x1 +0x1f4 +30 +low \(waiting\)/);
    expect(text).toMatch(/EL1 virtual \(CNTV\) +0x0 +0x0 +27 +disabled/);
  });
});
