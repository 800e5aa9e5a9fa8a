// The command line of booting: the options `serve` takes for a kernel (--dtb, --append,
// --serial, --run, --dump-dtb) parsed for commander, and the `boot` command, which runs the
// boot check (bootCheck.ts) and prints its verdict, or its JSON, with the exit status
// scripts branch on (0 booted, 1 panicked or faulted, 2 timeout or could not start).

import { writeFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { loadBoard } from '../wiring.js';
import { bootCheck, DEFAULT_PANIC_PATTERNS, type BootCheckResult } from './bootCheck.js';
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

function parseSeconds(text: string): number {
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || seconds <= 0 || seconds > 86_400) throw new InvalidArgumentError('a timeout is a number of seconds, more than 0 and at most 86400');
  return seconds;
}

function collectPattern(text: string, previous: RegExp[]): RegExp[] {
  try {
    return [...previous, new RegExp(text)];
  } catch (err) {
    throw new InvalidArgumentError(`not a regular expression: ${(err as Error).message}`);
  }
}

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

interface BootCommandOptions {
  timeout: number;
  json: boolean;
  append?: string;
  dtb?: DtbChoice;
  board?: string;
  until?: string;
  panic: RegExp[];
  exceptions: 'stop' | 'take';
  panicDefaults: boolean;
}

function resultJson(kernel: string, r: BootCheckResult): string {
  return JSON.stringify({
    kernel,
    outcome: r.outcome,
    exitCode: r.exitCode,
    summary: r.summary,
    ...(r.stop ? { stop: { kind: r.stop.kind, what: r.stop.what, pc: `0x${r.stop.pc.toString(16)}`, ...(r.stop.symbol !== undefined ? { symbol: r.stop.symbol } : {}) } } : {}),
    ...(r.panicLine !== undefined ? { panicLine: r.panicLine } : {}),
    instructions: r.instructions,
    wallSeconds: r.wallSeconds,
    console: r.console,
  }, null, 2);
}

export function registerBootCommand(program: Command): void {
  program
    .command('boot')
    .description('boot an ELF kernel with no debugger and report how it ended: exit 0 idle (or --until reached), 1 panic or fault, 2 timeout or load error')
    .argument('<elf>', 'the kernel (an AArch64 ELF)')
    .addOption(new Option('--timeout <seconds>', 'give up after this long (exit 2)').default(30).argParser(parseSeconds))
    .addOption(new Option('--json', 'print the result as JSON (the console included) instead of the console and a verdict').default(false))
    .addOption(new Option('--append <text>', 'the kernel command line (bootargs and xen,xen-bootargs)'))
    .addOption(new Option('--dtb <auto|none|file>', 'the device tree at x0: generated (auto), none, or a .dtb file').argParser(parseDtbOption))
    .addOption(new Option('--board <file>', 'board description (JSON); the embedded Cortex-R82 board by default'))
    .addOption(new Option('--until <symbol>', 'a symbol (or address) whose reaching ends the boot well'))
    .addOption(new Option('--no-panic-defaults', 'only the --panic patterns mean a panic (a test suite may print ASSERTION FAIL on purpose)'))
    .addOption(new Option('--exceptions <stop|take>', 'aborts and undefined instructions end the boot (stop) or go to the kernel\'s own vectors (take), as a test suite that faults on purpose needs').choices(['stop', 'take']).default('stop'))
    .addOption(new Option('--panic <regex>', `a console line that means a panic, besides ${DEFAULT_PANIC_PATTERNS.map((p) => p.source).join(', ')} (repeatable)`).default([]).argParser(collectPattern))
    .action(async (kernel: string, options: BootCommandOptions) => {
      let result: BootCheckResult;
      try {
        result = await bootCheck({
          kernel,
          timeoutSeconds: options.timeout,
          panicPatterns: [...(options.panicDefaults ? DEFAULT_PANIC_PATTERNS : []), ...options.panic],
          ...(options.json ? {} : { onConsoleLine: (line: string) => process.stdout.write(`${line}\n`) }),
          // On stderr: a boot that seems stuck can be looked at from GDB or the region map.
          onStarted: (gdb, api) => process.stderr.write(`mpustub boot: ${kernel} is booting; gdb: target remote ${gdb.host}:${gdb.port}${api ? `, map: http://${api.host}:${api.port}/` : ''}\n`),
          ...(options.append !== undefined ? { append: options.append } : {}),
          ...(options.dtb !== undefined ? { dtb: options.dtb } : {}),
          ...(options.board !== undefined ? { boardFile: options.board } : {}),
          ...(options.until !== undefined ? { until: options.until } : {}),
          exceptions: options.exceptions,
        });
      } catch (err) {
        const message = (err as Error).message;
        if (options.json) process.stdout.write(`${JSON.stringify({ kernel, outcome: 'error', exitCode: 2, error: message }, null, 2)}\n`);
        process.stderr.write(`mpustub: error: ${message}\n`);
        process.exit(2);
      }
      if (options.json) process.stdout.write(`${resultJson(kernel, result)}\n`);
      else {
        process.stdout.write(`mpustub boot: ${result.outcome}: ${result.summary}\n`);
        process.stdout.write(`mpustub boot: ${result.instructions} instructions in ${result.wallSeconds.toFixed(2)} s; exit ${result.exitCode}\n`);
      }
      process.exit(result.exitCode);
    });
}
