// The command line of booting: the options `serve` takes for a kernel (--dtb, --append,
// --serial, --run, --dump-dtb) parsed for commander.

import { writeFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { loadBoard } from '../wiring.js';
import { BootInputs, parseDtbChoice, type DtbChoice } from './bootInputs.js';
import { parseSerialChoice, SERIAL_USAGE, type SerialChoice } from './serial.js';

/** Commander keeps what a parser returns; its errors become usage errors. */
function commanderParser<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
}

export const parseDtbOption = commanderParser(parseDtbChoice);
export const parseSerialOption = commanderParser(parseSerialChoice);

/** The serve options about booting a kernel; serve's help lists them with the rest. */
export function addServeBootOptions(command: Command): Command {
  return command
    .addOption(new Option('--dtb <auto|none|file>', 'the device tree at x0 for --kernel: generated from the board (auto, the default), none, or a .dtb file').argParser(parseDtbOption))
    .addOption(new Option('--append <text>', 'the kernel command line: /chosen bootargs and xen,xen-bootargs of the generated device tree'))
    .addOption(new Option('--serial <where>', `the UART's output: ${SERIAL_USAGE}; stdio with --kernel, log without`).argParser(parseSerialOption))
    .addOption(new Option('--run', 'start the core at once instead of halted until GDB resumes it; stops are reported on stderr').default(false))
    .addOption(new Option('--dump-dtb <file>', 'write the device tree --dtb would place to FILE and exit'));
}

export interface ServeBootOptions {
  dtb?: DtbChoice;
  append?: string;
  serial?: SerialChoice;
  run: boolean;
  dumpDtb?: string;
  kernel?: string;
  board?: string;
}

/** `serve --dump-dtb FILE`: the blob the kernel would find, written without starting anything. */
export function dumpDtb(options: ServeBootOptions): void {
  const inputs = new BootInputs(loadBoard(options.board), options.dtb ?? { kind: 'auto' }, options.append ?? '');
  const blob = inputs.blob();
  if (!blob) throw new Error('--dump-dtb: --dtb none places no device tree');
  writeFileSync(options.dumpDtb!, blob);
}
