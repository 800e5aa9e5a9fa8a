// The machine's MPU events: what a write reports (the register named, the region reached
// through PRSELR and the aliases, the values before and after, the regions it changed), SCTLR
// only when a bit that steers the MPU changes, the DSB that completes writes, the ISB that
// makes them effective or finds them still in flight, and who made each change.

import { describe, expect, it } from 'vitest';
import { registerByName } from '../../../src/arch/aarch64/registers.js';
import { DEFAULT_BOARD } from '../../../src/machine/board.js';
import type { MpuEvent } from '../../../src/machine/mpuEvents.js';
import { createMachine } from '../../../src/wiring.js';

const reg = (name: string) => registerByName(name)!;

function recording() {
  const machine = createMachine(DEFAULT_BOARD);
  const events: MpuEvent[] = [];
  machine.onMpuEvent((e) => events.push(e));
  return { machine, events };
}

describe('MPU write events', () => {
  it('name the register, the region it reached through PRSELR and the alias, and the values', () => {
    const { machine, events } = recording();
    machine.core.pc = 0x40n;
    machine.writeRegister(reg('PRSELR_EL2'), 0x12n, 'core');
    machine.writeRegister(reg('PRBAR3_EL2'), 0x30_0032n, 'core');
    machine.writeRegister(reg('PRLAR_EL2'), 0x30_ffc1n | (1n << 60n), 'core');
    expect(events.map((e) => e.kind)).toEqual(['write', 'write', 'write']);
    expect(events[0]).toMatchObject({ agent: 'core', pc: 0x40n, el: 2, regime: 'el2', regionsChanged: [], before: 0n, after: 0x12n });
    expect(events[0]).not.toHaveProperty('region');
    expect(events[1]).toMatchObject({ region: 0x13, regionsChanged: [0x13], before: 0n, after: 0x30_0032n });
    expect(events[1]!.kind === 'write' && events[1]!.register.name).toBe('PRBAR3_EL2');
    // RES0 bits are dropped: `after` is what MRS reads back.
    expect(events[2]).toMatchObject({ region: 0x12, written: 0x30_ffc1n | (1n << 60n), after: 0x30_ffc1n });
  });

  it('report a write to a region the MPU does not implement as reaching it, and changing nothing', () => {
    const { machine, events } = recording();
    machine.writeRegister(reg('PRSELR_EL2'), 40n, 'core');
    machine.writeRegister(reg('PRLAR_EL2'), 0xffc1n, 'core');
    expect(events[1]).toMatchObject({ region: 40, regionsChanged: [], before: 0n, after: 0n });
  });

  it('report PRENR with the regions whose EN bit changed', () => {
    const { machine, events } = recording();
    machine.writeRegister(reg('PRENR_EL2'), 0b1010n, 'core');
    machine.writeRegister(reg('PRENR_EL2'), 0b0110n, 'core');
    expect(events.map((e) => e.kind === 'write' && e.regionsChanged)).toEqual([[1, 3], [2, 3]]);
  });

  it('report SCTLR only when M, A, BR or WXN changes', () => {
    const { machine, events } = recording();
    const sctlr = machine.readRegister(reg('SCTLR_EL2'));
    machine.writeRegister(reg('SCTLR_EL2'), sctlr | (1n << 2n), 'core'); // C: no MPU bit
    machine.writeRegister(reg('SCTLR_EL2'), sctlr | 1n, 'core');
    machine.writeRegister(reg('SCTLR_EL1'), machine.readRegister(reg('SCTLR_EL1')) | (1n << 17n), 'core');
    expect(events.map((e) => e.kind === 'write' && [e.register.name, e.regime])).toEqual([['SCTLR_EL2', 'el2'], ['SCTLR_EL1', 'el10']]);
  });

  it('say who wrote: the debugger by origin, the map service and monitor commands by performedBy', () => {
    const { machine, events } = recording();
    machine.writeRegister(reg('PRBAR_EL2'), 0x40n, 'debugger');
    machine.performedBy('map-service', () => machine.writeRegister(reg('PRBAR_EL2'), 0x80n, 'core'));
    machine.writeRegister(reg('PRBAR_EL2'), 0xc0n, 'core');
    expect(events.filter((e) => e.kind === 'write').map((e) => e.agent)).toEqual(['debugger', 'map-service', 'core']);
  });

  it('cost nothing when no one listens', () => {
    const machine = createMachine(DEFAULT_BOARD);
    machine.writeRegister(reg('PRBAR_EL2'), 0x40n, 'core');
    expect(machine.readRegister(reg('PRBAR_EL2'))).toBe(0x40n);
  });
});

describe('barrier events', () => {
  it('an ISB without DSB is reported as ignored; DSB then ISB as a sync with the regions made effective', () => {
    const { machine, events } = recording();
    machine.writeRegister(reg('PRSELR_EL2'), 5n, 'core');
    machine.writeRegister(reg('PRLAR_EL2'), 0xffc1n, 'core');
    events.length = 0;
    expect(machine.isb()).toBe(false);
    machine.dsb();
    machine.dsb(); // nothing left to complete: not reported
    expect(machine.isb()).toBe(true);
    expect(machine.isb()).toBe(true); // nothing left to synchronise: not reported
    expect(events.map((e) => e.kind)).toEqual(['isb-ignored', 'dsb', 'sync']);
    expect(events[2]).toMatchObject({ cause: 'isb', regions: { el2: [5], el10: [] } });
  });

  it('a debugger write takes pending core writes with it; a forced sync and a reset are reported', () => {
    const { machine, events } = recording();
    machine.writeRegister(reg('PRSELR_EL2'), 6n, 'core');
    machine.writeRegister(reg('PRLAR_EL2'), 0xffc1n, 'core');
    machine.writeRegister(reg('PRBAR7_EL2'), 0x40n, 'debugger');
    expect(events.at(-1)).toMatchObject({ kind: 'sync', cause: 'debugger-write', agent: 'debugger', regions: { el2: [6, 7] } });
    machine.writeRegister(reg('PRLAR_EL2'), 0x1ffc1n, 'core');
    machine.performedBy('debugger', () => machine.forceSynchronize());
    expect(events.at(-1)).toMatchObject({ kind: 'sync', cause: 'forced', agent: 'debugger', regions: { el2: [6] } });
    machine.reset();
    expect(events.at(-1)).toMatchObject({ kind: 'reset', agent: 'debugger' });
  });
});
