// The machine's one access path and its register semantics: MSR/MRS through the register
// table, the MPU's programmed/effective split as the core and the debugger see it, partial
// reads, all-or-nothing writes, and fault records with their syndromes.

import { describe, expect, it } from 'vitest';
import { registerByName } from '../../../src/arch/aarch64/registers.js';
import { DEFAULT_BOARD } from '../../../src/machine/board.js';
import { RegisterAccessError } from '../../../src/machine/sysregs.js';
import { createMachine } from '../../../src/wiring.js';

const reg = (name: string) => registerByName(name)!;

function machineWithRegion0(limit = 0x1f_ffc0n) {
  const m = createMachine(DEFAULT_BOARD);
  m.writeRegister(reg('PRSELR_EL2'), 0n, 'debugger');
  m.writeRegister(reg('PRBAR_EL2'), 0x32n, 'debugger'); // RW at EL2, XN, inner shareable
  m.writeRegister(reg('PRLAR_EL2'), limit | 0xfn, 'debugger'); // AttrIndx 7, EN
  const sctlr = m.readRegister(reg('SCTLR_EL2'));
  m.writeRegister(reg('SCTLR_EL2'), (sctlr | 1n) & ~(1n << 17n), 'debugger');
  return m;
}

describe('system registers', () => {
  it('resets at EL2h with the MPU off', () => {
    const m = createMachine(DEFAULT_BOARD);
    expect(m.readRegister(reg('CurrentEL'))).toBe(8n);
    expect(m.readRegister(reg('SCTLR_EL2')) & 1n).toBe(0n);
    expect(m.readRegister(reg('MPUIR_EL2'))).toBe(32n);
  });

  it('refuses writes to read-only registers and leaves them unchanged', () => {
    const m = createMachine(DEFAULT_BOARD);
    expect(() => m.writeRegister(reg('MPUIR_EL2'), 4n, 'debugger')).toThrow(RegisterAccessError);
    expect(() => m.writeRegister(reg('MIDR_EL1'), 0n, 'debugger')).toThrow(/read-only/);
    expect(m.readRegister(reg('MPUIR_EL2'))).toBe(32n);
  });

  it('drops RES0 bits', () => {
    const m = createMachine(DEFAULT_BOARD);
    m.writeRegister(reg('PRSELR_EL2'), 0x1_05n, 'debugger');
    expect(m.readRegister(reg('PRSELR_EL2'))).toBe(5n);
    m.writeRegister(reg('VBAR_EL2'), 0x8_07ffn, 'debugger');
    expect(m.readRegister(reg('VBAR_EL2'))).toBe(0x8_0000n);
  });

  it('selects sp by PSTATE: SP_EL2 at EL2h, SP_EL0 at EL2t', () => {
    const m = createMachine(DEFAULT_BOARD);
    m.writeRegister(reg('sp'), 0x1000n, 'debugger');
    m.writeRegister(reg('cpsr'), 0x3c8n, 'debugger'); // EL2t
    expect(m.readRegister(reg('sp'))).toBe(0n);
    m.writeRegister(reg('SP_EL0'), 0x2000n, 'debugger');
    expect(m.readRegister(reg('sp'))).toBe(0x2000n);
    m.writeRegister(reg('cpsr'), 0x3c9n, 'debugger');
    expect(m.readRegister(reg('sp'))).toBe(0x1000n);
  });
});

describe('the checked access path', () => {
  it('reads and writes freely with the MPU off', () => {
    const m = createMachine(DEFAULT_BOARD);
    expect(m.writeMemory(0x7000_0000, Uint8Array.of(1, 2, 3), { origin: 'debugger' })).toBeUndefined();
    expect([...m.readMemory(0x7000_0000, 3, { origin: 'debugger' }).data]).toEqual([1, 2, 3]);
  });

  it('refuses an unmapped address with an external abort syndrome', () => {
    const m = createMachine(DEFAULT_BOARD);
    const outcome = m.readMemory(0x9000_0000, 4, { origin: 'debugger' });
    expect(outcome.data.length).toBe(0);
    expect(outcome.fault?.kind).toBe('unmapped');
    expect(outcome.fault?.syndrome.esr).toBe(BigInt(((0x25 << 26) | (1 << 25) | 0x10) >>> 0));
  });

  it('returns the bytes before the first refused byte (a partial read)', () => {
    const m = machineWithRegion0();
    const outcome = m.readMemory(0x1f_fff0, 0x20, { origin: 'debugger' });
    expect(outcome.data.length).toBe(0x10);
    expect(outcome.fault?.kind).toBe('mpu');
  });

  it('writes nothing when any byte is refused', () => {
    const m = machineWithRegion0();
    m.options.debuggerBypassesMpu = true;
    m.writeMemory(0x1f_fff8, new Uint8Array(16), { origin: 'debugger' });
    m.options.debuggerBypassesMpu = false;
    const fault = m.writeMemory(0x1f_fff8, new Uint8Array(16).fill(0xaa), { origin: 'debugger' });
    expect(fault).toBeDefined();
    m.options.debuggerBypassesMpu = true;
    expect([...m.readMemory(0x1f_fff8, 16, { origin: 'debugger' }).data]).toEqual(new Array(16).fill(0));
  });

  it('latches ESR_EL2/FAR_EL2 for core accesses, and for debugger accesses only when asked', () => {
    const m = machineWithRegion0();
    m.readMemory(0x30_0000, 4, { origin: 'debugger' });
    expect(m.readRegister(reg('FAR_EL2'))).toBe(0n);
    expect(m.lastFault).toBeDefined();
    m.readMemory(0x30_0000, 4, { origin: 'core' });
    expect(m.readRegister(reg('FAR_EL2'))).toBe(0x30_0000n);
    m.options.latchDebuggerFaults = true;
    m.writeMemory(0x40_0000, Uint8Array.of(1), { origin: 'debugger' });
    expect(m.readRegister(reg('FAR_EL2'))).toBe(0x40_0000n);
    expect((m.readRegister(reg('ESR_EL2')) >> 6n) & 1n).toBe(1n);
  });
});

describe('programmed versus effective MPU state', () => {
  it('makes core writes effective only after DSB then ISB', () => {
    const m = machineWithRegion0();
    // Enlarge region 0 to 4 MiB as code running on the core would.
    m.writeRegister(reg('PRLAR_EL2'), 0x3f_ffc0n | 0xfn, 'core');
    expect(m.readMemory(0x30_0000, 4, { origin: 'debugger' }).fault).toBeDefined();
    expect(m.mpu.pendingRegions('el2')).toEqual([0]);
    expect(m.isb()).toBe(false); // ISB without a DSB first: not guaranteed, not effective
    expect(m.readMemory(0x30_0000, 4, { origin: 'debugger' }).fault).toBeDefined();
    m.dsb();
    expect(m.isb()).toBe(true);
    expect(m.readMemory(0x30_0000, 4, { origin: 'debugger' }).fault).toBeUndefined();
    expect(m.mpu.pendingRegions('el2')).toEqual([]);
  });

  it('makes debugger writes effective at once', () => {
    const m = machineWithRegion0();
    m.writeRegister(reg('PRLAR_EL2'), 0x3f_ffc0n | 0xfn, 'debugger');
    expect(m.readMemory(0x30_0000, 4, { origin: 'debugger' }).fault).toBeUndefined();
  });
});

describe('the core access fast path', () => {
  it('forgets an allowed page as soon as anything that decides accesses changes', () => {
    const m = machineWithRegion0(0x1f_ffc0n); // [0, 2 MiB) RW at EL2
    expect(m.coreLoad(0x1000, 8, 'read')).toBeUndefined();
    expect(m.coreLoad(0x1008, 8, 'read')).toBeUndefined(); // served from the page cache
    // The core disables region 0 (PRENR) and synchronises: the cached page must not survive.
    m.writeRegister(reg('PRENR_EL2'), 0n, 'core');
    m.dsb();
    m.isb();
    expect(m.coreLoad(0x1010, 8, 'read')?.kind).toBe('mpu');
    // Back on, then the EL changes: EL0 has no access to an EL2-only region.
    m.writeRegister(reg('PRENR_EL2'), 1n, 'core');
    m.dsb();
    m.isb();
    expect(m.coreLoad(0x1010, 8, 'read')).toBeUndefined();
    m.core.cpsr = 0x3c0; // EL0t
    expect(m.coreLoad(0x1010, 8, 'read')).toBeUndefined(); // EL1&0 MPU is off: allowed at stage 1
    m.core.cpsr = 0x3c9;
    // Writes are cached separately from reads: a read-only region refuses them.
    m.writeRegister(reg('PRBAR_EL2'), 0x3an, 'debugger'); // AP read-only
    expect(m.coreLoad(0x1010, 8, 'read')).toBeUndefined();
    expect(m.coreStore(0x1010, 8, 1n)?.kind).toBe('mpu');
  });

  it('keeps allowed pages across register writes that decide nothing, and forgets them on SCTLR or HCR writes', () => {
    const m = machineWithRegion0(0x1f_ffc0n);
    expect(m.pageAllowed(0x1000, 8, 'read')).toBe(true);
    const generation = m.accessGeneration;
    m.writeRegister(reg('TPIDR_EL2'), 0x1234n, 'core'); // an RTOS writes these on every switch
    m.writeRegister(reg('ELR_EL2'), 0x4000n, 'core');
    expect(m.accessGeneration).toBe(generation);
    expect(m.pageAllowed(0x1000, 8, 'read')).toBe(true);
    m.writeRegister(reg('SCTLR_EL2'), m.readRegister(reg('SCTLR_EL2')) & ~1n, 'core'); // MPU off
    expect(m.accessGeneration).not.toBe(generation);
    m.writeRegister(reg('HCR_EL2'), 0n, 'core');
    expect(m.accessGeneration).toBeGreaterThan(generation + 1);
  });

  it('remembers a page a region ends inside as not wholly allowed, and still checks each access exactly', () => {
    const m = machineWithRegion0(0x1_0fc0n); // [0, 0x11000): the page at 0x10000 lies wholly inside
    const partial = machineWithRegion0(0x1_07c0n); // [0, 0x10800): the region ends mid-page
    expect(m.pageAllowed(0x10000, 8, 'read')).toBe(true);
    expect(partial.pageAllowed(0x10000, 8, 'read')).toBe(false);
    expect(partial.pageAllowed(0x10008, 8, 'read')).toBe(false); // the cached verdict
    expect(partial.coreLoad(0x107f8, 8, 'read')).toBeUndefined();
    expect(partial.coreLoad(0x10800, 8, 'read')?.kind).toBe('mpu');
  });
});

describe('debugger reads within a page already checked whole', () => {
  it('are refused again as soon as the MPU or the EL changes', () => {
    const m = machineWithRegion0();
    m.writeMemory(0x1000, Uint8Array.of(1, 2, 3, 4), { origin: 'debugger' });
    // Twice: the second read is answered by the page cache.
    for (let i = 0; i < 2; i++) expect([...m.readMemory(0x1000, 4, { origin: 'debugger' }).data]).toEqual([1, 2, 3, 4]);
    // Region 0 disabled: the same page is refused now.
    m.writeRegister(reg('PRLAR_EL2'), 0x1f_ffc0n | 0xen, 'debugger');
    const refused = m.readMemory(0x1000, 4, { origin: 'debugger' });
    expect(refused.data.length).toBe(0);
    expect(refused.fault?.kind).toBe('mpu');
    m.writeRegister(reg('PRLAR_EL2'), 0x1f_ffc0n | 0xfn, 'debugger');
    expect(m.readMemory(0x1000, 4, { origin: 'debugger' }).data.length).toBe(4);
    // At EL1 the EL1&0 MPU decides: the page allowed at EL2 is not taken for allowed there.
    expect(m.readMemory(0x1000, 4, { origin: 'debugger', el: 1 }).data.length).toBe(m.judge({ address: 0x1000, size: 4, kind: 'read', el: 1 }, 'debugger').fault ? 0 : 4);
    // A read that reaches past the region's end is partial, cache or not.
    m.writeRegister(reg('PRLAR_EL2'), 0x1fc0n | 0xfn, 'debugger');
    expect(m.readMemory(0x1ffc, 8, { origin: 'debugger' }).data.length).toBe(4);
  });
});
