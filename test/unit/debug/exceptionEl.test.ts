// The debugger names the EL that takes an exception: an abort at EL1 stops before it is
// taken with `monitor core exception` and `monitor fault` showing ESR_EL1/FAR_EL1, and
// `monitor core take` vectors through VBAR_EL1.

import { describe, expect, it } from 'vitest';
import { registerByName } from '../../../src/arch/aarch64/registers.js';
import { registerBoardCommands } from '../../../src/debug/boardCommands.js';
import { registerCoreCommands } from '../../../src/debug/coreCommands.js';
import { A64, runningBoard } from './runningBoard.js';

describe('an abort at EL1 in the monitor', () => {
  it('is shown, latched and taken as EL1\'s', async () => {
    const board = runningBoard((monitors, target) => {
      registerCoreCommands(monitors, target);
      registerBoardCommands(monitors, target);
    });
    const { machine, load, resume, monitor } = board;
    machine.writeRegister(registerByName('VBAR_EL1')!, 0x1000n, 'debugger');
    load(0x1000, Array.from({ length: 0x200 }, () => A64.B_SELF));
    machine.core.x[1] = 0x4000_0000_0000n - 0x1000n; // nothing there: an external abort
    load(0x7000, [A64.STR_X0_X1, A64.ADD_X5_1]);
    machine.core.cpsr = 0x3c5; // EL1h
    await resume();
    expect(await monitor('core exception')).toMatch(/ESR_EL1 0x96000050 \(EC=0x25[^\n]*\), FAR_EL1 0x3ffffffff000\ntaken to EL1: "monitor core take" vectors to VBAR_EL1/);
    expect(await monitor('fault')).toMatch(/taken to EL1\nsyndrome: ESR_EL1 0x96000050[\s\S]*latched into ESR_EL1\/FAR_EL1/);
    expect(machine.sysregs.getStored('ESR_EL1')).toBe(0x9600_0050n);
    expect(machine.sysregs.getStored('ESR_EL2')).toBe(0n);
    expect(await monitor('core take')).toMatch(/^exception taken to EL1: pc 0x1200 \(VBAR_EL1 vector\), ELR_EL1 0x7000/);
  });
});
