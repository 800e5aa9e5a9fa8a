// The device tree a kernel booted by `--kernel` finds at x0 when `--dtb auto`: generated from
// the board description as QEMU generates its virt board's, with what Xen's MPU build reads on
// the FVP BaseR (docs/boot.md lists every node and where it comes from):
//   - memory@...: one node per RAM range;
//   - cpus/cpu@N: the one core, reg from MPIDR's affinity fields (Xen compares it with MPIDR);
//   - chosen: bootargs and xen,xen-bootargs (--append), stdout-path "serial0" (no options:
//     Xen's PL011 driver warns about any), xen,static-heap where the default scenario maps it;
//   - aliases: serialN for each PL011, in board order;
//   - the GICv3 (distributor, then the redistributor region), the generic timer and the PL011s
//     with their interrupts and a 24 MHz fixed clock, as the FVP BaseR's device tree has them.

import type { BoardConfig, MemoryRange } from '../machine/board.js';
import { FdtNode, fdtValue, writeFdt } from './fdt.js';

/** Xen reads at most this much device tree (MAX_FDT_SIZE); the slot it is placed in is as large. */
export const DTB_SLOT_SIZE = 0x20_0000;

/**
 * The static heap Xen's MPU build allocates from (xen,static-heap in /chosen): where the
 * default scenario (src/xen/scenario.ts) maps it, 256 MiB at 0x10000000.
 */
export const STATIC_HEAP = { base: 0x1000_0000, size: 0x1000_0000 } as const;

/** Arm's conventional interrupt numbers (GIC binding cells: type, number, flags). */
const GIC_SPI = 0;
const GIC_PPI = 1;
/** Level-sensitive, active high: what GICv3 PPIs and SPIs of these devices are (QEMU's flags for GICv3). */
const IRQ_TYPE_LEVEL_HIGH = 4;
/** The GIC's maintenance interrupt: PPI 9 (INTID 25), which Xen's GICv3 driver requires. */
const GIC_MAINTENANCE_PPI = 9;
/** The generic timer's PPIs in the binding's order: secure physical 13, physical 14, virtual 11, hypervisor 10 (INTIDs 29, 30, 27, 26). */
const TIMER_PPIS = [13, 14, 11, 10] as const;
/** The FVP BaseR wires its PL011s from SPI 5 on (UART0 5, UART1 6, ...). */
const FIRST_UART_SPI = 5;
/** The FVP's reference clock of its UARTs. */
const UART_CLOCK_HZ = 24_000_000;
/** MPIDR_EL1's affinity fields (Aff3, Aff2..Aff0): what a cpu node's reg holds. */
const MPIDR_HWID_MASK = 0xff_00ff_ffffn;

const PHANDLE_GIC = 1;
const PHANDLE_UART_CLOCK = 2;

export interface DeviceTreeOptions {
  /** The kernel's command line (--append): bootargs and xen,xen-bootargs. */
  readonly bootargs: string;
}

interface GicFrames {
  readonly distributor: { readonly base: number; readonly size: number };
  readonly redistributor: { readonly base: number; readonly size: number };
}

/**
 * The GIC's frames on the board: ranges whose model says they are the distributor and the
 * redistributors (or that are named gicd and gicr), or one range named "gic" laid out as on
 * the FVP BaseR, the distributor's 64 KiB at its base and the redistributors 1 MiB above.
 */
export function gicFrames(board: BoardConfig): GicFrames | undefined {
  const find = (model: string, name: string): MemoryRange | undefined =>
    board.memory.find((r) => r.kind === 'device' && String(r.model) === model) ?? board.memory.find((r) => r.kind === 'device' && r.name === name);
  const distributor = find('gicv3-dist', 'gicd');
  const redistributor = find('gicv3-redist', 'gicr');
  if (distributor && redistributor) return { distributor, redistributor };
  const combined = board.memory.find((r) => r.kind === 'device' && r.name === 'gic');
  if (combined && combined.size > 0x10_0000) {
    return { distributor: { base: combined.base, size: 0x1_0000 }, redistributor: { base: combined.base + 0x10_0000, size: combined.size - 0x10_0000 } };
  }
  return undefined;
}

/** The board's PL011s, in the order the board lists them: serial0, serial1, ... */
export function uarts(board: BoardConfig): readonly MemoryRange[] {
  return board.memory.filter((r) => r.kind === 'device' && r.model === 'pl011');
}

/** True when the static heap lies in one RAM range of the board. */
function boardHoldsStaticHeap(board: BoardConfig): boolean {
  return board.memory.some((r) => r.kind === 'ram' && r.base <= STATIC_HEAP.base && STATIC_HEAP.base + STATIC_HEAP.size <= r.base + r.size);
}

const hex = (n: number | bigint): string => n.toString(16);

/** The tree of `board`, ready for writeFdt. */
export function boardDeviceTree(board: BoardConfig, options: DeviceTreeOptions): FdtNode {
  const root = new FdtNode('');
  const gic = gicFrames(board);
  const serials = uarts(board);
  root.set('#address-cells', fdtValue.cells(2)).set('#size-cells', fdtValue.cells(2));
  root.set('model', fdtValue.string(board.name)).set('compatible', fdtValue.string('mpustub,board'));
  if (gic) root.set('interrupt-parent', fdtValue.cells(PHANDLE_GIC));

  if (serials.length > 0) {
    const aliases = root.child('aliases');
    serials.forEach((uart, i) => aliases.set(`serial${i}`, fdtValue.string(`/serial@${hex(uart.base)}`)));
  }

  const chosen = root.child('chosen');
  chosen.set('bootargs', fdtValue.string(options.bootargs)).set('xen,xen-bootargs', fdtValue.string(options.bootargs));
  if (serials.length > 0) chosen.set('stdout-path', fdtValue.string('serial0'));
  if (boardHoldsStaticHeap(board)) chosen.set('xen,static-heap', fdtValue.cells64(STATIC_HEAP.base, STATIC_HEAP.size));

  // Linux's arm64 binding: one cell when Aff3 is zero, two otherwise. No enable-method: the
  // one core is the boot CPU, and Xen asks for one only to start secondary CPUs.
  const hwid = board.cpu.mpidr & MPIDR_HWID_MASK;
  const cpuCells = hwid > 0xffff_ffffn ? 2 : 1;
  const cpus = root.child('cpus').set('#address-cells', fdtValue.cells(cpuCells)).set('#size-cells', fdtValue.cells(0));
  cpus
    .child(`cpu@${hex(hwid)}`)
    .set('device_type', fdtValue.string('cpu'))
    .set('compatible', fdtValue.string('arm,cortex-r82'))
    .set('reg', cpuCells === 2 ? fdtValue.cells64(hwid) : fdtValue.cells(hwid));

  for (const ram of board.memory.filter((r) => r.kind === 'ram')) {
    root.child(`memory@${hex(ram.base)}`).set('device_type', fdtValue.string('memory')).set('reg', fdtValue.cells64(ram.base, ram.size));
  }

  if (gic) {
    root
      .child(`interrupt-controller@${hex(gic.distributor.base)}`)
      .set('compatible', fdtValue.string('arm,gic-v3'))
      .set('#interrupt-cells', fdtValue.cells(3))
      // As QEMU's and the FVP's trees have it: an interrupt provider says its address cells.
      .set('#address-cells', fdtValue.cells(2))
      .set('#size-cells', fdtValue.cells(2))
      .set('ranges', fdtValue.empty())
      .set('interrupt-controller', fdtValue.empty())
      .set('reg', fdtValue.cells64(gic.distributor.base, gic.distributor.size, gic.redistributor.base, gic.redistributor.size))
      .set('interrupts', fdtValue.cells(GIC_PPI, GIC_MAINTENANCE_PPI, IRQ_TYPE_LEVEL_HIGH))
      .set('phandle', fdtValue.cells(PHANDLE_GIC));
    // The timer's interrupts are PPIs of that GIC: without one there is no way to say them.
    root
      .child('timer')
      .set('compatible', fdtValue.string('arm,armv8-timer'))
      .set('interrupts', fdtValue.cells(...TIMER_PPIS.flatMap((ppi) => [GIC_PPI, ppi, IRQ_TYPE_LEVEL_HIGH])));
  }

  if (serials.length > 0) {
    root
      .child('clk24mhz')
      .set('compatible', fdtValue.string('fixed-clock'))
      .set('#clock-cells', fdtValue.cells(0))
      .set('clock-frequency', fdtValue.cells(UART_CLOCK_HZ))
      .set('clock-output-names', fdtValue.string('clk24mhz'))
      .set('phandle', fdtValue.cells(PHANDLE_UART_CLOCK));
  }
  serials.forEach((uart, i) => {
    const node = root
      .child(`serial@${hex(uart.base)}`)
      .set('compatible', fdtValue.strings('arm,pl011', 'arm,primecell'))
      .set('reg', fdtValue.cells64(uart.base, uart.size));
    if (gic) node.set('interrupts', fdtValue.cells(GIC_SPI, FIRST_UART_SPI + i, IRQ_TYPE_LEVEL_HIGH));
    // The PL011 binding names two clocks: the baud clock and the APB bus clock.
    node.set('clocks', fdtValue.cells(PHANDLE_UART_CLOCK, PHANDLE_UART_CLOCK)).set('clock-names', fdtValue.strings('uartclk', 'apb_pclk'));
  });
  return root;
}

/** The blob `--dtb auto` places: the board's tree, booting from the core's id. */
export function generateDtb(board: BoardConfig, options: DeviceTreeOptions): Uint8Array {
  const hwid = board.cpu.mpidr & MPIDR_HWID_MASK;
  return writeFdt(boardDeviceTree(board, options), { bootCpuId: Number(hwid & 0xffff_ffffn) });
}

/**
 * Where the device tree goes: the top 2 MiB of the board's first RAM range (0x7fe00000 on the
 * default board, where the default scenario maps it read-only as Xen's early_fdt_map does).
 * Far from where kernels are linked, and as large as Xen reads.
 */
export function dtbAddress(board: BoardConfig): number {
  const ram = board.memory.filter((r) => r.kind === 'ram').sort((a, b) => a.base - b.base)[0];
  if (!ram) throw new Error('the board has no RAM to place a device tree in');
  if (ram.size < 2 * DTB_SLOT_SIZE) throw new Error(`RAM range "${ram.name}" (0x${hex(ram.size)} bytes) is too small to hold a kernel and a 2 MiB device tree slot`);
  // Page aligned (Xen maps it by pages; the protocol asks 8 bytes) even when the RAM's end is not.
  const at = ram.base + ram.size - DTB_SLOT_SIZE;
  return at - (at % 0x1000);
}
