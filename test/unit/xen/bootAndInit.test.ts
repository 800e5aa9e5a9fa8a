// Boot (head.S's enable_boot_cpu_mm with cpu_init's SCTLR_EL2), and the later boot calls that
// rewrite boot regions in place: free_init_memory() and modify_after_init_mappings().

import { describe, expect, it } from 'vitest';
import { DEFAULT_LAYOUT, type XenImageLayout } from '../../../src/xen/layout.js';
import { afterInit, boot, containing, destroy, freeInit, newService, RW, RX, shadowTable, update } from './harness.js';

const TEXT = [0x38n, 0x11ffcfn] as const;
const RODATA = [0x12003an, 0x15ffcfn] as const;
const DATA = [0x160032n, 0x19ffcfn] as const;
const INIT_TEXT = [0x1a0038n, 0x1bffcfn] as const;
const INIT_DATA_BSS = [0x1c0032n, 0x23ffcfn] as const;
const UART = [0x9c09_0022n, 0x9c09_0fc9n] as const;

function bootRegionAccesses(sel: number, prbar: bigint, prlar: bigint): string[] {
  return [`w PRSELR_EL2 0x${sel.toString(16)}`, 'isb', `w PRBAR_EL2 0x${prbar.toString(16)}`, `w PRLAR_EL2 0x${prlar.toString(16)}`, 'dsb', 'isb'];
}

describe('boot (head.S)', () => {
  it('programs the image sections from region 0, zeroes the rest and enables the MPU as Xen leaves it', async () => {
    const { service, hardware } = newService(8);
    const result = await service.execute(boot());
    expect(result).toMatchObject({ rc: 0, errno: null, effect: 'booted', messages: [] });
    const sections = [TEXT, RODATA, DATA, INIT_TEXT, INIT_DATA_BSS, UART];
    expect(hardware.take()).toEqual([
      'r MPUIR_EL2',
      'w SCTLR_EL2 0x30c51838', // cpu_init: RES1 | SA | I
      'isb',
      ...sections.flatMap(([prbar, prlar], sel) => bootRegionAccesses(sel, prbar, prlar)),
      ...bootRegionAccesses(6, 0x32n, 0n), // zero_mpu
      ...bootRegionAccesses(7, 0x32n, 0n),
      'r SCTLR_EL2',
      'w SCTLR_EL2 0x30cd183d', // enable_mpu: BR cleared; M, C, WXN set
      'isb',
    ]);
    expect(shadowTable(service)).toEqual(sections.map(([prbar, prlar], i) => [i, prbar, prlar, 0]));
    // head.S stores the zeroed regions in the shadow too: PRBAR 0x32, PRLAR 0.
    expect(service.shadowEntries().entries[6]).toEqual({ prbar: 0x32n, prlar: 0n, refcount: 0 });
    expect(service.shadowEntries().bitmap).toBe(0x3fn);
    expect(await service.diff()).toEqual([]);
    const sctlr = hardware.sctlr;
    expect(sctlr & 1n).toBe(1n); // M
    expect((sctlr >> 2n) & 1n).toBe(1n); // C
    expect((sctlr >> 12n) & 1n).toBe(1n); // I
    expect((sctlr >> 17n) & 1n).toBe(0n); // BR
    expect((sctlr >> 19n) & 1n).toBe(1n); // WXN
  });

  it('skips empty sections and early printk when absent', async () => {
    const { service } = newService(8);
    const layout: XenImageLayout = { ...DEFAULT_LAYOUT, __ro_after_init_start: 0x1a_0000n, earlyUart: null };
    await service.execute(boot(layout));
    expect(shadowTable(service)).toEqual([
      [0, ...TEXT, 0],
      [1, ...RODATA, 0], // the empty data section [__ro_after_init_start, __init_begin) is skipped
      [2, ...INIT_TEXT, 0],
      [3, ...INIT_DATA_BSS, 0],
    ]);
  });

  it('refuses a layout that needs more regions than MPUIR_EL2 announces, writing nothing', async () => {
    const { service, hardware } = newService(4);
    const result = await service.execute(boot());
    expect(result).toMatchObject({ rc: -2, errno: 'ENOENT', messages: ['- Selected MPU region is above the implemented number in MPUIR_EL2 -'] });
    expect(hardware.take()).toEqual(['r MPUIR_EL2']);
    expect(shadowTable(service)).toEqual([]);
  });

  it('a later mapping lands in the first free entry after the boot regions, re-selecting bank 0', async () => {
    const { service, hardware } = newService(32);
    await service.execute(boot());
    hardware.take();
    const result = await service.execute(update(0x1000_0000n, 0x2000_0000n, RW));
    expect(result.index).toBe(6);
    // head.S left PRSELR at 31 (0x1f): prepare_selector must move it back to bank 0.
    expect(hardware.take()).toEqual(['r PRSELR_EL2', 'w PRSELR_EL2 0x0', 'isb', 'w PRBAR6_EL2 0x10000032', 'w PRLAR6_EL2 0x1fffffcf', 'dsb', 'isb']);
  });

  it('mapping the image text again with RX takes a reference on the boot region', async () => {
    const { service } = newService(8);
    await service.execute(boot());
    const result = await service.execute(update(0x0n, 0x12_0000n, RX));
    expect(result).toMatchObject({ rc: 0, index: 0, effect: 'referenced' });
  });

  it('a sub-page early UART region makes destroy_xen_mapping_containing an overlap', async () => {
    const { service, hardware } = newService(8);
    await service.execute(boot({ ...DEFAULT_LAYOUT, earlyUart: { base: 0x9c09_0000n, size: 0x100n } }));
    hardware.take();
    const result = await service.execute(containing(0x9c09_0000n));
    expect(result).toMatchObject({ rc: -22, errno: 'EINVAL', effect: 'refused' });
    expect(result.messages).toEqual(['Range 0x0000009c090000 - 0x0000009c091000 overlaps with the existing region 0x0000009c090000 - 0x0000009c090100']);
    expect(result.conflict?.index).toBe(5);
    expect(hardware.take()).toEqual([]);
  });
});

describe('free_init_memory and modify_after_init_mappings', () => {
  it('free-init: init text RX -> RW, then unmapped, then the bss region starts at __bss_start', async () => {
    const { service, hardware } = newService(8);
    await service.execute(boot());
    hardware.take();
    const result = await service.execute(freeInit());
    expect(result).toMatchObject({ rc: 0, effect: 'freed-init', index: 4, messages: [] });
    expect(hardware.take()).toEqual([
      // modify_xen_mappings(__init_begin, __init_data_begin, PAGE_HYPERVISOR_RW): region 3
      'r PRSELR_EL2', 'w PRSELR_EL2 0x0', 'isb', 'w PRBAR3_EL2 0x1a0032', 'w PRLAR3_EL2 0x1bffcf', 'dsb', 'isb',
      // destroy_xen_mappings(): region 3 through PRENR (upstream)
      'r PRENR_EL2', 'w PRENR_EL2 0x37', 'dsb', 'isb',
      // the init-data-and-bss region shrinks to [__bss_start, __bss_end)
      'r PRSELR_EL2', 'w PRBAR4_EL2 0x1e0032', 'w PRLAR4_EL2 0x23ffcf', 'dsb', 'isb',
    ]);
    expect(shadowTable(service)).toEqual([
      [0, ...TEXT, 0],
      [1, ...RODATA, 0],
      [2, ...DATA, 0],
      [4, 0x1e0032n, 0x23ffcfn, 0],
      [5, ...UART, 0],
    ]);
  });

  it('free-init panics without side effects when the init text is mapped twice', async () => {
    const { service, hardware } = newService(8);
    await service.execute(boot());
    await service.execute(update(0x1a_0000n, 0x1c_0000n, RX));
    hardware.take();
    const before = service.shadowEntries();
    const result = await service.execute(freeInit());
    expect(result).toMatchObject({ rc: -22, errno: 'EINVAL', effect: 'refused', conflict: { index: 3 } });
    expect(result.messages).toEqual([
      'Cannot modify RO,XN attributes for a region mapped multiple times',
      'Panic on CPU 0:',
      'Unable to map RW the init text section (rc = -22)',
    ]);
    expect(hardware.take().filter((l) => !l.startsWith('r '))).toEqual([]);
    expect(service.shadowEntries()).toEqual(before);
  });

  it('free-init fails as a whole when the bss region is missing, after two steps that would have succeeded', async () => {
    const { service, hardware } = newService(8);
    await service.execute(boot());
    await service.execute(destroy(0x1c_0000n, 0x24_0000n));
    hardware.take();
    const before = service.shadowEntries();
    const result = await service.execute(freeInit());
    expect(result.rc).toBe(-22);
    expect(result.messages).toEqual(['Panic on CPU 0:', 'Unable to find bss data section (rc = 0)']);
    expect(hardware.take().filter((l) => !l.startsWith('r '))).toEqual([]);
    expect(service.shadowEntries()).toEqual(before);
  });

  it('after-init: rodata grows to __ro_after_init_end and the RW data region starts there', async () => {
    const { service, hardware } = newService(8);
    await service.execute(boot());
    hardware.take();
    const result = await service.execute(afterInit());
    expect(result).toMatchObject({ rc: 0, effect: 'after-init', index: 1 });
    expect(hardware.take()).toEqual([
      'r PRSELR_EL2', 'w PRSELR_EL2 0x0', 'isb', 'w PRBAR2_EL2 0x162032', 'w PRLAR2_EL2 0x19ffcf',
      'r PRSELR_EL2', 'w PRBAR1_EL2 0x12003a', 'w PRLAR1_EL2 0x161fcf',
      'dsb', 'isb',
    ]);
  });

  it('after-init on an empty table panics: rodata not found', async () => {
    const { service, hardware } = newService(8);
    const result = await service.execute(afterInit());
    expect(result).toMatchObject({ rc: -22, messages: ['Panic on CPU 0:', 'Unable to find rodata section (rc = 0)'] });
    expect(hardware.take()).toEqual([]);
  });
});
