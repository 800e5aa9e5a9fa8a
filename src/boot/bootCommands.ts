// `monitor board dtb`: where the device tree handed to the kernel is, how large, where it came
// from, and the GDB command that saves it to a file. The blob is in board memory, so GDB can
// read it like any other memory; the stub never writes a file a debugger names.

import type { MonitorRegistry } from '../debug/monitor.js';
import type { BootInputs } from './bootInputs.js';

const hex = (n: number): string => `0x${n.toString(16)}`;

export function registerBootCommands(monitors: MonitorRegistry, inputs: BootInputs | undefined): void {
  monitors.add({
    name: 'board dtb',
    usage: 'board dtb',
    help: 'the device tree handed to the kernel in x0: address, size, source, and how to save it from GDB',
    run: (_args, out) => {
      const placed = inputs?.placed;
      if (!inputs || !placed) {
        out(`no device tree: ${inputs ? '--dtb none' : 'the stub places one with --kernel (--dtb auto|FILE)'}\n`);
        return;
      }
      const end = placed.address + placed.size;
      out(
        `device tree ${inputs.description}: ${placed.size} bytes at ${hex(placed.address)} (x0 at the kernel's entry)\n` +
          `save it from GDB: dump binary memory board.dtb ${hex(placed.address)} ${hex(end)}\n` +
          'or without GDB: mpustub serve --dump-dtb board.dtb (with the same --board and --append)\n',
      );
    },
  });
}
