// The device tree generated from a board description, read back by dtc: every node and
// property of the default board's tree as docs/boot.md lists them, without a dtc warning; the
// static heap and device tree slot where the default scenario maps them; and boards that
// differ — more RAM ranges, an MPIDR with Aff3, the GIC as two frames, no GIC, no UART.

import { describe, expect, it } from 'vitest';
import { boardDeviceTree, dtbAddress, generateDtb, STATIC_HEAP } from '../../../src/boot/deviceTree.js';
import { writeFdt } from '../../../src/boot/fdt.js';
import { DEFAULT_BOARD, parseBoard, type BoardConfig } from '../../../src/machine/board.js';
import { DEFAULT_BOOT_SCENARIO } from '../../../src/xen/scenario.js';
import { decompile } from '../../support/dtc.js';

const props = (entries: Array<[string, string]>): Map<string, string> => new Map(entries);

describe('the generated device tree', () => {
  it('describes the default board as the FVP BaseR tree does, and dtc finds nothing to warn about', () => {
    const { nodes, warnings } = decompile(generateDtb(DEFAULT_BOARD, { bootargs: 'console=dtuart' }));
    expect(warnings).toBe('');
    expect([...nodes.keys()]).toEqual(['/', '/aliases', '/chosen', '/cpus', '/cpus/cpu@0', '/memory@0', '/interrupt-controller@af000000', '/timer', '/clk24mhz', '/serial@9c090000', '/serial@9c0a0000']);
    expect(nodes.get('/')).toEqual(props([['#address-cells', '<0x02>'], ['#size-cells', '<0x02>'], ['model', '"cortex-r82-fvp"'], ['compatible', '"mpustub,board"'], ['interrupt-parent', '<0x01>']]));
    expect(nodes.get('/aliases')).toEqual(props([['serial0', '"/serial@9c090000"'], ['serial1', '"/serial@9c0a0000"']]));
    expect(nodes.get('/chosen')).toEqual(
      props([['bootargs', '"console=dtuart"'], ['xen,xen-bootargs', '"console=dtuart"'], ['stdout-path', '"serial0"'], ['xen,static-heap', '<0x00 0x10000000 0x00 0x10000000>']]),
    );
    expect(nodes.get('/cpus')).toEqual(props([['#address-cells', '<0x01>'], ['#size-cells', '<0x00>']]));
    expect(nodes.get('/cpus/cpu@0')).toEqual(props([['device_type', '"cpu"'], ['compatible', '"arm,cortex-r82"'], ['reg', '<0x00>']]));
    expect(nodes.get('/memory@0')).toEqual(props([['device_type', '"memory"'], ['reg', '<0x00 0x00 0x00 0x80000000>']]));
    expect(nodes.get('/interrupt-controller@af000000')).toEqual(
      props([
        ['compatible', '"arm,gic-v3"'],
        ['#interrupt-cells', '<0x03>'],
        ['#address-cells', '<0x02>'],
        ['#size-cells', '<0x02>'],
        ['ranges', ''],
        ['interrupt-controller', ''],
        ['reg', '<0x00 0xaf000000 0x00 0x10000 0x00 0xaf100000 0x00 0x100000>'],
        ['interrupts', '<0x01 0x09 0x04>'],
        ['phandle', '<0x01>'],
      ]),
    );
    // Secure physical, physical, virtual and hypervisor timers: PPIs 13, 14, 11, 10.
    expect(nodes.get('/timer')).toEqual(props([['compatible', '"arm,armv8-timer"'], ['interrupts', '<0x01 0x0d 0x04 0x01 0x0e 0x04 0x01 0x0b 0x04 0x01 0x0a 0x04>']]));
    expect(nodes.get('/clk24mhz')).toEqual(
      props([['compatible', '"fixed-clock"'], ['#clock-cells', '<0x00>'], ['clock-frequency', '<0x16e3600>'], ['clock-output-names', '"clk24mhz"'], ['phandle', '<0x02>']]),
    );
    for (const [address, spi] of [['9c090000', '0x05'], ['9c0a0000', '0x06']]) {
      expect(nodes.get(`/serial@${address}`)).toEqual(
        props([
          ['compatible', '"arm,pl011\\0arm,primecell"'],
          ['reg', `<0x00 0x${address} 0x00 0x1000>`],
          ['interrupts', `<0x00 ${spi} 0x04>`],
          ['clocks', '<0x02 0x02>'],
          ['clock-names', '"uartclk\\0apb_pclk"'],
        ]),
      );
    }
  });

  it('puts the static heap and the blob where the default scenario maps them', () => {
    const mapped = (virt: bigint) => DEFAULT_BOOT_SCENARIO.operations.find((o) => o.op === 'map' && o.virt === virt);
    const heap = mapped(BigInt(STATIC_HEAP.base));
    expect(heap?.op === 'map' ? heap.nr * 0x1000n : undefined).toBe(BigInt(STATIC_HEAP.size));
    expect(dtbAddress(DEFAULT_BOARD)).toBe(0x7fe0_0000);
    expect(mapped(0x7fe0_0000n)).toBeDefined();
  });

  it('follows the board: RAM ranges, Aff3, the GIC as two frames, UART interrupts in board order', () => {
    const board = parseBoard(
      JSON.stringify({
        name: 'two-banks',
        cpu: { mpidr: '0x180000102' },
        memory: [
          { name: 'low', kind: 'ram', base: '0x0', size: '0x8000000' },
          { name: 'uartA', kind: 'device', base: '0x1c090000', size: '0x1000', model: 'pl011' },
          { name: 'gicd', kind: 'device', base: '0x2f000000', size: '0x10000' },
          { name: 'gicr', kind: 'device', base: '0x2f100000', size: '0x40000' },
          { name: 'high', kind: 'ram', base: '0x880000000', size: '0x80000000' },
        ],
      }),
    );
    const { nodes, warnings } = decompile(generateDtb(board, { bootargs: '' }));
    expect(warnings).toBe('');
    expect(nodes.get('/memory@0')!.get('reg')).toBe('<0x00 0x00 0x00 0x8000000>');
    expect(nodes.get('/memory@880000000')!.get('reg')).toBe('<0x08 0x80000000 0x00 0x80000000>');
    // Aff3 = 0x01 and Aff0..2 = 0x000102: two cells.
    expect(nodes.get('/cpus')!.get('#address-cells')).toBe('<0x02>');
    expect(nodes.get('/cpus/cpu@100000102')!.get('reg')).toBe('<0x01 0x102>');
    expect(nodes.get('/interrupt-controller@2f000000')!.get('reg')).toBe('<0x00 0x2f000000 0x00 0x10000 0x00 0x2f100000 0x00 0x40000>');
    expect(nodes.get('/serial@1c090000')!.get('interrupts')).toBe('<0x00 0x05 0x04>');
    // 256 MiB at 0x10000000 is not RAM on this board: no static heap.
    expect(nodes.get('/chosen')).toEqual(props([['bootargs', '[00]'], ['xen,xen-bootargs', '[00]'], ['stdout-path', '"serial0"']]));
    expect(dtbAddress(board)).toBe(0x7e0_0000);
  });

  it('leaves out what a board without a GIC or a UART cannot have', () => {
    const board: BoardConfig = { ...DEFAULT_BOARD, memory: [{ name: 'dram', kind: 'ram', base: 0, size: 0x4000_0000 }] };
    const { nodes, warnings } = decompile(writeFdt(boardDeviceTree(board, { bootargs: 'x' })));
    expect(warnings).toBe('');
    expect([...nodes.keys()]).toEqual(['/', '/chosen', '/cpus', '/cpus/cpu@0', '/memory@0']);
    expect(nodes.get('/')!.has('interrupt-parent')).toBe(false);
    expect(nodes.get('/chosen')!.has('stdout-path')).toBe(false);
  });

  it('needs RAM for a kernel and the 2 MiB slot', () => {
    const small: BoardConfig = { ...DEFAULT_BOARD, memory: [{ name: 'sram', kind: 'ram', base: 0, size: 0x30_0000 }] };
    expect(() => dtbAddress(small)).toThrow('RAM range "sram" (0x300000 bytes) is too small');
  });
});
